//! The engine interface over Berth's own engine. Each operation is a thin call into
//! `berth_engine`; the engine's answers become Docker's API models here, in one place.
//!
//! The engine is synchronous (files, locks, syscalls). Where the caller is one thread
//! (the CLI) calls run inline, which keeps the process single-threaded so a start may
//! fork its monitor; where many requests share a runtime (the API server, the TUI) they
//! run on tokio's blocking pool so a `stop` that waits ten seconds stalls nobody.

mod attach;
mod bridge;
mod build;
mod capabilities;
mod containers;
mod convert;
pub(crate) mod create_body;
mod exec;
mod exits;
mod filter_args;
mod filters;
mod fs;
mod image_transfer;
mod images;
mod logs;
mod networks;
mod registry;
mod swarm;
mod swarm_logs;
mod swarm_secrets;
mod system;
mod usage;
mod volumes;
mod wait;

pub use system::{API_VERSION, MIN_API_VERSION};

use async_trait::async_trait;
use berth_engine::image::ArchiveFormat;
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use super::{
    Anatomy, Backend, ByteStream, Duplex, ExecStarted, LoadReport, LogStream, LogsQuery, PathStat,
    Result, Stream,
};

/// Where the engine's blocking calls run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// On the caller's thread (a one-shot CLI command).
    Inline,
    /// On tokio's blocking pool (a server or the TUI's worker).
    Pool,
}

#[derive(Clone)]
pub struct LocalBackend {
    engine: Engine,
    threads: Threads,
    /// Attaches waiting for their container to start (see `attach`).
    waiting: attach::Waiting,
    /// Exits its attaches heard, for its waits.
    exits: exits::Exits,
}

impl LocalBackend {
    pub fn new(engine: Engine, threads: Threads) -> Self {
        // Any berth that opens the engine brings a swarm's manager back if it is gone
        // (killed, or the machine restarted): a stat when there is no swarm.
        if engine.paths.root.join("swarm/cluster.json").exists() {
            let _ = crate::swarm::manager::ensure(&engine);
        }
        LocalBackend {
            engine,
            threads,
            waiting: attach::Waiting::default(),
            exits: exits::Exits::default(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Run one blocking engine call where this backend's callers want it.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        match self.threads {
            Threads::Inline => f(&self.engine),
            Threads::Pool => {
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || f(&engine)).await?
            }
        }
    }
}

/// Readings once a second (Docker's pace) until the container is gone or the reader
/// leaves; each carries the one before it so clients can compute rates.
async fn stats_stream(
    b: LocalBackend,
    id: String,
    stream: bool,
) -> Result<Stream<m::ContainerStatsResponse>> {
    let (i2, b2) = (id.clone(), b.clone());
    let first = b.call(move |e| usage::stats_once(e, &i2, None)).await?;
    if !stream {
        return Ok(Box::pin(futures_util::stream::once(
            async move { Ok(first) },
        )));
    }
    let state = (b2, id, Some(first), true);
    Ok(Box::pin(futures_util::stream::unfold(
        state,
        |(b, id, prev, first)| async move {
            let prev = prev?;
            if first {
                return Some((Ok(prev.clone()), (b, id, Some(prev), false)));
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let (i2, p2) = (id.clone(), prev.clone());
            match b.call(move |e| usage::stats_once(e, &i2, Some(&p2))).await {
                Ok(next) => Some((Ok(next.clone()), (b, id, Some(next), false))),
                // Gone: the stream ends.
                Err(err) if err.is_not_found() => None,
                Err(err) => Some((Err(err), (b, id, None, false))),
            }
        },
    )))
}

#[async_trait]
impl Backend for LocalBackend {
    async fn ping(&self) -> Result<()> {
        Ok(())
    }
    async fn version(&self) -> Result<m::SystemVersion> {
        Ok(system::version())
    }
    async fn info(&self) -> Result<m::SystemInfo> {
        self.call(system::info).await
    }
    async fn df(&self) -> Result<m::SystemDataUsageResponse> {
        self.call(system::df).await
    }
    async fn events(&self, opts: q::EventsOptions) -> Result<Stream<m::EventMessage>> {
        system::events(self.clone(), opts).await
    }

    async fn container_list(
        &self,
        opts: q::ListContainersOptions,
    ) -> Result<Vec<m::ContainerSummary>> {
        self.call(move |e| containers::list(e, &opts)).await
    }
    async fn container_create(
        &self,
        name: Option<String>,
        platform: Option<String>,
        body: m::ContainerCreateBody,
    ) -> Result<m::ContainerCreateResponse> {
        self.call(move |e| containers::create(e, name, platform, body))
            .await
    }
    async fn container_inspect(&self, id: &str, size: bool) -> Result<m::ContainerInspectResponse> {
        let id = id.to_string();
        self.call(move |e| containers::inspect(e, &id, size)).await
    }
    async fn container_start(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        let waiting = self.waiting.clone();
        self.call(move |e| containers::start(e, &id, &waiting))
            .await
    }
    async fn container_stop(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| containers::stop(e, &id, signal, timeout))
            .await
    }
    async fn container_restart(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| containers::restart(e, &id, signal, timeout))
            .await
    }
    async fn container_kill(&self, id: &str, signal: &str) -> Result<()> {
        let (id, signal) = (id.to_string(), signal.to_string());
        self.call(move |e| containers::kill(e, &id, &signal)).await
    }
    async fn container_pause(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| Ok(e.pause(&containers::find(e, &id)?)?))
            .await
    }
    async fn container_unpause(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| Ok(e.unpause(&containers::find(e, &id)?)?))
            .await
    }
    async fn container_wait(&self, id: &str, condition: &str) -> Result<m::ContainerWaitResponse> {
        wait::wait(self, id, condition).await
    }
    async fn container_rename(&self, id: &str, new_name: &str) -> Result<()> {
        let (id, new_name) = (id.to_string(), new_name.to_string());
        self.call(move |e| containers::rename(e, &id, &new_name))
            .await
    }
    async fn container_update(
        &self,
        id: &str,
        body: m::ContainerUpdateBody,
    ) -> Result<m::ContainerUpdateResponse> {
        let id = id.to_string();
        self.call(move |e| usage::update(e, &id, body)).await
    }
    async fn container_remove(&self, id: &str, opts: q::RemoveContainerOptions) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| containers::remove(e, &id, &opts)).await
    }
    async fn container_prune(
        &self,
        opts: q::PruneContainersOptions,
    ) -> Result<m::ContainerPruneResponse> {
        self.call(move |e| containers::prune(e, &opts)).await
    }
    async fn container_top(
        &self,
        id: &str,
        ps_args: Option<String>,
    ) -> Result<m::ContainerTopResponse> {
        let id = id.to_string();
        self.call(move |e| usage::top(e, &id, ps_args)).await
    }
    async fn container_stats(
        &self,
        id: &str,
        stream: bool,
    ) -> Result<Stream<m::ContainerStatsResponse>> {
        stats_stream(self.clone(), id.to_string(), stream).await
    }
    async fn container_changes(&self, id: &str) -> Result<Vec<m::FilesystemChange>> {
        let id = id.to_string();
        self.call(move |e| fs::changes(e, &id)).await
    }
    async fn container_export(&self, id: &str) -> Result<ByteStream> {
        let id = id.to_string();
        // A missing container is a 404 before any byte goes out.
        let found = id.clone();
        self.call(move |e| containers::find(e, &found).map(|_| ()))
            .await?;
        let e = self.engine.clone();
        Ok(bridge::download(move |out| fs::export(&e, &id, out)))
    }
    async fn container_logs(&self, id: &str, opts: LogsQuery) -> Result<LogStream> {
        logs::logs(self, id, opts).await
    }
    async fn container_attach(&self, id: &str, opts: q::AttachContainerOptions) -> Result<Duplex> {
        let want = attach::Wanted {
            stdin: opts.stdin,
            stdout: opts.stdout,
            stderr: opts.stderr,
        };
        attach::attach(self, id, want).await
    }
    async fn container_resize(&self, id: &str, height: u16, width: u16) -> Result<()> {
        let (b, id) = (self.clone(), id.to_string());
        self.call(move |_| attach::resize(&b, &id, height, width))
            .await
    }
    async fn archive_stat(&self, id: &str, path: &str) -> Result<PathStat> {
        let (id, path) = (id.to_string(), path.to_string());
        self.call(move |e| fs::archive_stat(e, &id, &path)).await
    }
    async fn archive_get(&self, id: &str, path: &str) -> Result<(PathStat, ByteStream)> {
        let (id, path) = (id.to_string(), path.to_string());
        let (i2, p2) = (id.clone(), path.clone());
        let stat = self
            .call(move |e| fs::archive_get_stat(e, &i2, &p2))
            .await?;
        let e = self.engine.clone();
        Ok((
            stat,
            bridge::download(move |out| fs::archive_get(&e, &id, &path, out)),
        ))
    }
    async fn archive_put(
        &self,
        id: &str,
        path: &str,
        no_overwrite_dir_non_dir: bool,
        copy_uid_gid: bool,
        tar: ByteStream,
    ) -> Result<()> {
        let (id, path) = (id.to_string(), path.to_string());
        let e = self.engine.clone();
        bridge::upload(tar, move |r| {
            fs::archive_put(&e, &id, &path, no_overwrite_dir_non_dir, copy_uid_gid, r)
        })
        .await
    }

    async fn exec_create(&self, id: &str, config: m::ExecConfig) -> Result<m::IdResponse> {
        let (b, id) = (self.clone(), id.to_string());
        self.call(move |_| exec::create(&b, &id, config)).await
    }
    async fn exec_start(&self, exec_id: &str, config: m::ExecStartConfig) -> Result<ExecStarted> {
        exec::start(self, exec_id, config).await
    }
    async fn exec_resize(&self, exec_id: &str, height: u16, width: u16) -> Result<()> {
        let (b, id) = (self.clone(), exec_id.to_string());
        self.call(move |_| exec::resize(&b, &id, height, width))
            .await
    }
    async fn exec_inspect(&self, exec_id: &str) -> Result<m::ExecInspectResponse> {
        let (b, id) = (self.clone(), exec_id.to_string());
        self.call(move |_| exec::inspect(&b, &id)).await
    }

    async fn image_list(&self, opts: q::ListImagesOptions) -> Result<Vec<m::ImageSummary>> {
        self.call(move |e| images::list(e, &opts, false)).await
    }
    async fn image_inspect(&self, name: &str) -> Result<m::ImageInspect> {
        let name = name.to_string();
        self.call(move |e| images::inspect(e, &name)).await
    }
    async fn image_history(&self, name: &str) -> Result<Vec<m::ImageHistoryResponseItem>> {
        let name = name.to_string();
        self.call(move |e| images::history(e, &name)).await
    }
    async fn image_tag(&self, name: &str, repo: &str, tag: &str) -> Result<()> {
        let (name, repo, tag) = (name.to_string(), repo.to_string(), tag.to_string());
        self.call(move |e| images::tag(e, &name, &repo, &tag)).await
    }
    async fn image_remove(
        &self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<m::ImageDeleteResponseItem>> {
        let name = name.to_string();
        self.call(move |e| images::remove(e, &name, force, no_prune))
            .await
    }
    async fn image_prune(&self, opts: q::PruneImagesOptions) -> Result<m::ImagePruneResponse> {
        self.call(move |e| images::prune(e, &opts)).await
    }
    async fn image_save(&self, names: Vec<String>) -> Result<ByteStream> {
        let e = self.engine.clone();
        Ok(bridge::download(move |out| {
            images::save(&e, &names, ArchiveFormat::Docker, out)
        }))
    }
    async fn image_save_oci(&self, names: Vec<String>) -> Result<ByteStream> {
        let e = self.engine.clone();
        Ok(bridge::download(move |out| {
            images::save(&e, &names, ArchiveFormat::Oci, out)
        }))
    }
    async fn image_load(&self, tar: ByteStream) -> Result<LoadReport> {
        let e = self.engine.clone();
        bridge::upload(tar, move |r| images::load(&e, r)).await
    }
    async fn image_build(
        &self,
        req: super::BuildRequest,
        context: ByteStream,
    ) -> Result<Stream<m::BuildInfo>> {
        Ok(build::stream(self.engine.clone(), req, context))
    }
    async fn image_pull(
        &self,
        reference: &str,
        platform: Option<String>,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>> {
        Ok(registry::pull(
            self.engine.clone(),
            reference.to_string(),
            platform,
            auth,
        ))
    }
    async fn image_push(
        &self,
        reference: &str,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>> {
        // A missing image is refused before any progress, as Docker's daemon does.
        let r = reference.to_string();
        self.call(move |e| e.images().resolve(&r).map(|_| ()).map_err(Into::into))
            .await?;
        Ok(registry::push(
            self.engine.clone(),
            reference.to_string(),
            auth,
        ))
    }
    async fn registry_login(&self, auth: m::AuthConfig) -> Result<m::AuthResponse> {
        registry::login(&self.engine, auth).await
    }
    async fn build_prune(&self) -> Result<m::BuildPruneResponse> {
        self.call(|e| {
            let r = e.builder_prune()?;
            Ok(m::BuildPruneResponse {
                caches_deleted: Some(r.removed),
                space_reclaimed: Some(r.reclaimed as i64),
            })
        })
        .await
    }
    async fn image_import(
        &self,
        tar: ByteStream,
        reference: Option<String>,
        changes: Vec<String>,
        message: Option<String>,
    ) -> Result<String> {
        let e = self.engine.clone();
        bridge::upload(tar, move |r| {
            images::import(&e, r, reference, changes, message)
        })
        .await
    }
    async fn image_commit(
        &self,
        container: &str,
        opts: q::CommitContainerOptions,
        config: m::ContainerConfig,
    ) -> Result<m::IdResponse> {
        let container = container.to_string();
        self.call(move |e| images::commit(e, &container, &opts, config))
            .await
    }

    async fn network_list(&self, opts: q::ListNetworksOptions) -> Result<Vec<m::Network>> {
        self.call(move |e| networks::list(e, &opts)).await
    }
    async fn network_inspect(&self, id: &str) -> Result<m::NetworkInspect> {
        let id = id.to_string();
        self.call(move |e| networks::inspect(e, &id)).await
    }
    async fn network_create(
        &self,
        req: m::NetworkCreateRequest,
    ) -> Result<m::NetworkCreateResponse> {
        self.call(move |e| networks::create(e, req)).await
    }
    async fn network_connect(&self, id: &str, req: m::NetworkConnectRequest) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| networks::connect(e, &id, req)).await
    }
    async fn network_disconnect(&self, id: &str, req: m::NetworkDisconnectRequest) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| networks::disconnect(e, &id, req)).await
    }
    async fn network_remove(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| networks::remove(e, &id)).await
    }
    async fn network_prune(
        &self,
        opts: q::PruneNetworksOptions,
    ) -> Result<m::NetworkPruneResponse> {
        self.call(move |e| networks::prune(e, &opts)).await
    }

    async fn volume_list(&self, opts: q::ListVolumesOptions) -> Result<m::VolumeListResponse> {
        self.call(move |e| volumes::list(e, &opts, false)).await
    }
    async fn volume_inspect(&self, name: &str) -> Result<m::Volume> {
        let name = name.to_string();
        self.call(move |e| volumes::inspect(e, &name)).await
    }
    async fn volume_create(&self, req: m::VolumeCreateRequest) -> Result<m::Volume> {
        self.call(move |e| volumes::create(e, req)).await
    }
    async fn volume_remove(&self, name: &str, force: bool) -> Result<()> {
        let name = name.to_string();
        self.call(move |e| volumes::remove(e, &name, force)).await
    }
    async fn volume_prune(&self, opts: q::PruneVolumesOptions) -> Result<m::VolumePruneResponse> {
        self.call(move |e| volumes::prune(e, &opts)).await
    }

    // --- swarm ---
    async fn swarm_init(&self, req: m::SwarmInitRequest) -> Result<String> {
        self.call(move |e| swarm::init(e, req)).await
    }
    async fn swarm_inspect(&self) -> Result<m::Swarm> {
        self.call(swarm::inspect).await
    }
    async fn swarm_leave(&self, force: bool) -> Result<()> {
        if !force {
            // Refused (a manager leaving loses the swarm) before anything is touched.
            return self.call(move |e| swarm::leave(e, false)).await;
        }
        // The manager stops, then the records go (so a manager some other berth starts
        // meanwhile finds no swarm and exits), then the task containers.
        self.call(move |e| {
            swarm::inspect(e)?;
            crate::swarm::manager::stop(e)?;
            swarm::leave(e, true)?;
            berth_engine::swarm::task_files::clear(&e.paths);
            Ok(())
        })
        .await?;
        let tasks = self
            .container_list(q::ListContainersOptions {
                all: true,
                filters: Some(std::collections::HashMap::from([(
                    "label".to_string(),
                    vec![crate::swarm::task_container::TASK_ID.to_string()],
                )])),
                ..Default::default()
            })
            .await?;
        for c in tasks {
            let id = c.id.unwrap_or_default();
            let opts = q::RemoveContainerOptions {
                force: true,
                v: true,
                ..Default::default()
            };
            self.container_remove(&id, opts).await?;
        }
        self.call(swarm::remove_networks).await
    }
    async fn node_list(&self) -> Result<Vec<m::Node>> {
        self.call(swarm::nodes).await
    }
    async fn node_inspect(&self, id: &str) -> Result<m::Node> {
        let id = id.to_string();
        self.call(move |e| swarm::node(e, &id)).await
    }
    async fn node_remove(&self, id: &str, force: bool) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| swarm::node_remove(e, &id, force)).await
    }
    async fn node_update(&self, id: &str, version: u64, spec: m::NodeSpec) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| swarm::node_update(e, &id, version, spec))
            .await
    }
    async fn service_create(&self, spec: m::ServiceSpec) -> Result<m::ServiceCreateResponse> {
        self.call(move |e| swarm::service_create(e, spec)).await
    }
    async fn service_list(
        &self,
        filters: std::collections::HashMap<String, Vec<String>>,
        status: bool,
    ) -> Result<Vec<m::Service>> {
        self.call(move |e| swarm::service_list(e, &filters, status))
            .await
    }
    async fn service_inspect(&self, id: &str) -> Result<m::Service> {
        let id = id.to_string();
        self.call(move |e| swarm::service_inspect(e, &id)).await
    }
    async fn service_update(
        &self,
        id: &str,
        version: u64,
        spec: m::ServiceSpec,
        rollback: bool,
    ) -> Result<m::ServiceUpdateResponse> {
        let id = id.to_string();
        self.call(move |e| swarm::service_update(e, &id, version, spec, rollback))
            .await
    }
    async fn service_remove(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| swarm::service_remove(e, &id)).await
    }
    async fn task_list(
        &self,
        filters: std::collections::HashMap<String, Vec<String>>,
    ) -> Result<Vec<m::Task>> {
        self.call(move |e| swarm::task_list(e, &filters)).await
    }
    async fn task_inspect(&self, id: &str) -> Result<m::Task> {
        let id = id.to_string();
        self.call(move |e| swarm::task_inspect(e, &id)).await
    }
    async fn service_logs(&self, id: &str, task: bool, opts: LogsQuery) -> Result<LogStream> {
        swarm_logs::logs(self, id, task, opts).await
    }
    async fn secret_create(&self, spec: m::SecretSpec) -> Result<String> {
        self.call(move |e| swarm_secrets::secret_create(e, spec))
            .await
    }
    async fn secret_list(
        &self,
        filters: std::collections::HashMap<String, Vec<String>>,
    ) -> Result<Vec<m::Secret>> {
        self.call(move |e| swarm_secrets::secret_list(e, &filters))
            .await
    }
    async fn secret_inspect(&self, id: &str) -> Result<m::Secret> {
        let id = id.to_string();
        self.call(move |e| swarm_secrets::secret_inspect(e, &id))
            .await
    }
    async fn secret_remove(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| swarm_secrets::secret_remove(e, &id))
            .await
    }
    async fn config_create(&self, spec: m::ConfigSpec) -> Result<String> {
        self.call(move |e| swarm_secrets::config_create(e, spec))
            .await
    }
    async fn config_list(
        &self,
        filters: std::collections::HashMap<String, Vec<String>>,
    ) -> Result<Vec<m::Config>> {
        self.call(move |e| swarm_secrets::config_list(e, &filters))
            .await
    }
    async fn config_inspect(&self, id: &str) -> Result<m::Config> {
        let id = id.to_string();
        self.call(move |e| swarm_secrets::config_inspect(e, &id))
            .await
    }
    async fn config_remove(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.call(move |e| swarm_secrets::config_remove(e, &id))
            .await
    }

    // --- capabilities only some backends have ---
    async fn container_anatomy(&self, id: &str) -> Result<Anatomy> {
        let id = id.to_string();
        self.call(move |e| capabilities::anatomy(e, &id)).await
    }
    async fn housekeeping(&self) -> Result<()> {
        self.call(capabilities::housekeeping).await
    }
    async fn prune_leftovers(&self) -> Result<Vec<String>> {
        self.call(capabilities::prune_leftovers).await
    }
}
