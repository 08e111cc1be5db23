//! The engine interface over a real Docker engine, through the Docker Engine API with
//! bollard's client. Docker's answers already are the interface's models, so most
//! operations pass them through; what this module adds is the connection (`client`),
//! the error kinds (`errors`) and the few requests bollard shapes differently
//! (`options`).
//!
//! Swarm objects are passed through too (`swarm`, `services`, `secrets`); builds,
//! imports (`build`), pushes and logins (`push`) go through bollard, with `reroute`
//! for what its methods leave out.

mod archive;
mod build;
mod client;
pub mod endpoint;
mod errors;
mod options;
mod push;
mod reroute;
mod secrets;
mod services;
pub mod ssh;
mod swarm;
pub mod tls;
mod transport;

use std::collections::HashMap;

use async_trait::async_trait;
use bollard::errors::Error as DockerError;
use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::{StreamExt, TryStreamExt};

use super::{
    Backend, BackendError, ByteStream, Duplex, ExecStarted, LoadReport, LogStream, LogsQuery,
    PathStat, Result, Stream,
};
use client::Connection;
pub use endpoint::Endpoint;
pub use tls::{TlsError, TlsSettings};

pub struct DockerBackend {
    conn: Connection,
}

impl DockerBackend {
    /// A backend for the engine at `endpoint`; nothing is dialled until the first call,
    /// but TLS files are read (and a missing one named) here.
    pub fn new(endpoint: Endpoint) -> std::result::Result<DockerBackend, TlsError> {
        Ok(DockerBackend {
            conn: Connection::new(endpoint)?,
        })
    }

    /// A bollard stream as the interface's, its errors naming this daemon.
    fn stream<T: Send + 'static>(
        &self,
        s: impl futures_util::Stream<Item = std::result::Result<T, DockerError>> + Send + 'static,
    ) -> Stream<T> {
        let url = self.conn.url().to_string();
        Box::pin(s.map_err(move |e| errors::from_docker(e, &url)))
    }

    fn err(&self) -> impl Fn(DockerError) -> BackendError + '_ {
        move |e| self.conn.error(e)
    }
}

fn clamp_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

#[async_trait]
impl Backend for DockerBackend {
    // --- system ---
    async fn ping(&self) -> Result<()> {
        let c = self.conn.client().await?;
        c.ping().await.map(drop).map_err(self.err())
    }
    async fn version(&self) -> Result<m::SystemVersion> {
        let c = self.conn.client().await?;
        c.version().await.map_err(self.err())
    }
    async fn info(&self) -> Result<m::SystemInfo> {
        let c = self.conn.client().await?;
        c.info().await.map_err(self.err())
    }
    async fn df(&self) -> Result<m::SystemDataUsageResponse> {
        let c = self.conn.client().await?;
        c.df(None).await.map_err(self.err())
    }
    async fn events(&self, opts: q::EventsOptions) -> Result<Stream<m::EventMessage>> {
        let c = self.conn.client().await?;
        Ok(self.stream(c.events(Some(opts))))
    }

    // --- containers ---
    async fn container_list(
        &self,
        opts: q::ListContainersOptions,
    ) -> Result<Vec<m::ContainerSummary>> {
        let c = self.conn.client().await?;
        c.list_containers(Some(opts)).await.map_err(self.err())
    }
    async fn container_create(
        &self,
        name: Option<String>,
        platform: Option<String>,
        body: m::ContainerCreateBody,
    ) -> Result<m::ContainerCreateResponse> {
        let c = self.conn.client().await?;
        let opts = q::CreateContainerOptions {
            name,
            platform: platform.unwrap_or_default(),
        };
        c.create_container(Some(opts), body)
            .await
            .map_err(self.err())
    }
    async fn container_inspect(&self, id: &str, size: bool) -> Result<m::ContainerInspectResponse> {
        let c = self.conn.client().await?;
        c.inspect_container(id, Some(q::InspectContainerOptions { size }))
            .await
            .map_err(self.err())
    }
    async fn container_start(&self, id: &str) -> Result<()> {
        let c = self.conn.client().await?;
        c.start_container(id, None).await.map_err(self.err())
    }
    async fn container_stop(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::StopContainerOptions {
            signal,
            t: timeout.map(clamp_i32),
        };
        c.stop_container(id, Some(opts)).await.map_err(self.err())
    }
    async fn container_restart(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::RestartContainerOptions {
            signal,
            t: timeout.map(clamp_i32),
        };
        c.restart_container(id, Some(opts))
            .await
            .map_err(self.err())
    }
    async fn container_kill(&self, id: &str, signal: &str) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::KillContainerOptions {
            signal: signal.to_string(),
        };
        c.kill_container(id, Some(opts)).await.map_err(self.err())
    }
    async fn container_pause(&self, id: &str) -> Result<()> {
        let c = self.conn.client().await?;
        c.pause_container(id).await.map_err(self.err())
    }
    async fn container_unpause(&self, id: &str) -> Result<()> {
        let c = self.conn.client().await?;
        c.unpause_container(id).await.map_err(self.err())
    }
    async fn container_wait(&self, id: &str, condition: &str) -> Result<m::ContainerWaitResponse> {
        let c = self.conn.client().await?;
        let opts = q::WaitContainerOptions {
            condition: condition.to_string(),
        };
        let mut waits = Box::pin(c.wait_container(id, Some(opts)));
        options::wait_answer(waits.next().await, self.conn.url())
    }
    async fn container_rename(&self, id: &str, new_name: &str) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::RenameContainerOptions {
            name: new_name.to_string(),
        };
        c.rename_container(id, opts).await.map_err(self.err())
    }
    async fn container_update(
        &self,
        id: &str,
        body: m::ContainerUpdateBody,
    ) -> Result<m::ContainerUpdateResponse> {
        let c = self.conn.client().await?;
        c.update_container(id, body).await.map_err(self.err())?;
        // bollard drops the daemon's warnings; the update itself is done.
        Ok(m::ContainerUpdateResponse::default())
    }
    async fn container_remove(&self, id: &str, opts: q::RemoveContainerOptions) -> Result<()> {
        let c = self.conn.client().await?;
        c.remove_container(id, Some(opts)).await.map_err(self.err())
    }
    async fn container_prune(
        &self,
        opts: q::PruneContainersOptions,
    ) -> Result<m::ContainerPruneResponse> {
        let c = self.conn.client().await?;
        c.prune_containers(Some(opts)).await.map_err(self.err())
    }
    async fn container_top(
        &self,
        id: &str,
        ps_args: Option<String>,
    ) -> Result<m::ContainerTopResponse> {
        let c = self.conn.client().await?;
        // An empty `ps_args` is the daemon's default (`-ef`).
        let opts = q::TopOptions {
            ps_args: ps_args.unwrap_or_default(),
        };
        c.top_processes(id, Some(opts)).await.map_err(self.err())
    }
    async fn container_stats(
        &self,
        id: &str,
        stream: bool,
    ) -> Result<Stream<m::ContainerStatsResponse>> {
        let c = self.conn.client().await?;
        let opts = q::StatsOptions {
            stream,
            one_shot: false,
        };
        Ok(self.stream(c.stats(id, Some(opts))))
    }
    async fn container_stats_now(&self, id: &str) -> Result<m::ContainerStatsResponse> {
        let c = self.conn.client().await?;
        let opts = q::StatsOptions {
            stream: false,
            one_shot: true,
        };
        match c.stats(id, Some(opts)).next().await {
            Some(r) => r.map_err(self.err()),
            None => Err(BackendError::internal(format!("no stats reading of {id}"))),
        }
    }
    async fn container_changes(&self, id: &str) -> Result<Vec<m::FilesystemChange>> {
        let c = self.conn.client().await?;
        let changes = c.container_changes(id).await.map_err(self.err())?;
        Ok(changes.unwrap_or_default())
    }
    async fn container_export(&self, id: &str) -> Result<ByteStream> {
        let c = self.conn.client().await?;
        Ok(self.stream(c.export_container(id)))
    }
    async fn container_logs(&self, id: &str, opts: LogsQuery) -> Result<LogStream> {
        let opts = options::logs_options(&opts)?;
        let c = self.conn.client().await?;
        Ok(self.stream(c.logs(id, Some(opts))))
    }
    async fn container_attach(&self, id: &str, opts: q::AttachContainerOptions) -> Result<Duplex> {
        let c = self.conn.client().await?;
        // Whether the output comes raw or framed is the container's `Tty`.
        let inspect = c.inspect_container(id, None).await.map_err(self.err())?;
        let tty = inspect.config.and_then(|c| c.tty).unwrap_or(false);
        let attached = c
            .attach_container(id, Some(opts))
            .await
            .map_err(self.err())?;
        Ok(Duplex {
            output: self.stream(attached.output),
            input: attached.input,
            tty,
        })
    }
    async fn container_resize(&self, id: &str, height: u16, width: u16) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::ResizeContainerTTYOptions {
            h: i32::from(height),
            w: i32::from(width),
        };
        c.resize_container_tty(id, opts).await.map_err(self.err())
    }
    async fn archive_stat(&self, id: &str, path: &str) -> Result<PathStat> {
        archive::stat(&self.conn, id, path).await
    }
    async fn archive_get(&self, id: &str, path: &str) -> Result<(PathStat, ByteStream)> {
        archive::get(&self.conn, id, path).await
    }
    async fn archive_put(
        &self,
        id: &str,
        path: &str,
        no_overwrite_dir_non_dir: bool,
        copy_uid_gid: bool,
        tar: ByteStream,
    ) -> Result<()> {
        archive::put(
            &self.conn,
            id,
            path,
            no_overwrite_dir_non_dir,
            copy_uid_gid,
            tar,
        )
        .await
    }

    // --- exec ---
    async fn exec_create(&self, id: &str, config: m::ExecConfig) -> Result<m::IdResponse> {
        let c = self.conn.client().await?;
        let created = c.create_exec(id, config).await.map_err(self.err())?;
        Ok(m::IdResponse { id: created.id })
    }
    async fn exec_start(&self, exec_id: &str, config: m::ExecStartConfig) -> Result<ExecStarted> {
        let c = self.conn.client().await?;
        let opts = options::exec_start_options(&config);
        // Engines before API 1.42 ignore the console size given at creation, and a tty
        // of 0 rows and 0 columns confuses programs (`stty size` fails). A resize sent
        // now waits in the daemon until the process starts, so the first thing the
        // process sees is the right size (the docker CLI sends it as early).
        if let (Some(true), Some([h, w])) = (config.tty, config.console_size.as_deref()) {
            let (c, id) = (c.clone(), exec_id.to_string());
            let opts = q::ResizeExecOptions {
                h: clamp_i32(*h as i64),
                w: clamp_i32(*w as i64),
            };
            tokio::spawn(async move {
                let _ = c.resize_exec(&id, opts).await;
            });
        }
        let started = c
            .start_exec(exec_id, Some(opts))
            .await
            .map_err(self.err())?;
        Ok(match started {
            bollard::exec::StartExecResults::Attached { output, input } => {
                ExecStarted::Attached(Duplex {
                    output: self.stream(output),
                    input,
                    tty: opts.tty,
                })
            }
            bollard::exec::StartExecResults::Detached => ExecStarted::Detached,
        })
    }
    async fn exec_resize(&self, exec_id: &str, height: u16, width: u16) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::ResizeExecOptions {
            h: i32::from(height),
            w: i32::from(width),
        };
        c.resize_exec(exec_id, opts).await.map_err(self.err())
    }
    async fn exec_inspect(&self, exec_id: &str) -> Result<m::ExecInspectResponse> {
        let c = self.conn.client().await?;
        c.inspect_exec(exec_id).await.map_err(self.err())
    }

    // --- images ---
    async fn image_list(&self, opts: q::ListImagesOptions) -> Result<Vec<m::ImageSummary>> {
        let c = self.conn.client().await?;
        c.list_images(Some(opts)).await.map_err(self.err())
    }
    async fn image_inspect(&self, name: &str) -> Result<m::ImageInspect> {
        let c = self.conn.client().await?;
        c.inspect_image(name).await.map_err(self.err())
    }
    async fn image_history(&self, name: &str) -> Result<Vec<m::ImageHistoryResponseItem>> {
        let c = self.conn.client().await?;
        c.image_history(name).await.map_err(self.err())
    }
    async fn image_tag(&self, name: &str, repo: &str, tag: &str) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::TagImageOptions {
            repo: Some(repo.to_string()),
            tag: (!tag.is_empty()).then(|| tag.to_string()),
        };
        c.tag_image(name, Some(opts)).await.map_err(self.err())
    }
    async fn image_remove(
        &self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<m::ImageDeleteResponseItem>> {
        let c = self.conn.client().await?;
        let opts = q::RemoveImageOptions {
            force,
            noprune: no_prune,
            platforms: None,
        };
        c.remove_image(name, Some(opts), None)
            .await
            .map_err(self.err())
    }
    async fn image_prune(&self, opts: q::PruneImagesOptions) -> Result<m::ImagePruneResponse> {
        let c = self.conn.client().await?;
        c.prune_images(Some(opts)).await.map_err(self.err())
    }
    async fn image_save(&self, names: Vec<String>) -> Result<ByteStream> {
        let c = self.conn.client().await?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(self.stream(c.export_images(&names)))
    }
    async fn image_load(&self, tar: ByteStream) -> Result<LoadReport> {
        let c = self.conn.client().await?;
        let opts = q::ImportImageOptions {
            quiet: false,
            platform: None,
        };
        let mut progress = Box::pin(c.import_image_stream(opts, tar, None));
        let mut report = LoadReport::default();
        while let Some(msg) = progress.next().await {
            let msg = msg.map_err(self.err())?;
            if let Some(e) = msg.error_detail.and_then(|d| d.message) {
                return Err(BackendError::internal(e));
            }
            let text = msg.stream.unwrap_or_default();
            report.loaded.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
        }
        Ok(report)
    }
    async fn image_pull(
        &self,
        reference: &str,
        platform: Option<String>,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>> {
        let c = self.conn.client().await?;
        let opts = options::pull_options(reference, platform);
        let creds = auth.map(options::credentials);
        Ok(self.stream(c.create_image(Some(opts), None, creds)))
    }
    async fn image_push(
        &self,
        reference: &str,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>> {
        push::push(&self.conn, reference, auth).await
    }
    async fn registry_login(&self, auth: m::AuthConfig) -> Result<m::AuthResponse> {
        push::login(&self.conn, auth).await
    }
    async fn image_build(
        &self,
        req: super::BuildRequest,
        context: ByteStream,
    ) -> Result<Stream<m::BuildInfo>> {
        build::build(&self.conn, req, context).await
    }
    async fn build_prune(&self) -> Result<m::BuildPruneResponse> {
        let c = self.conn.client().await?;
        c.prune_build(None::<q::PruneBuildOptions>)
            .await
            .map_err(self.err())
    }
    async fn image_import(
        &self,
        tar: ByteStream,
        reference: Option<String>,
        changes: Vec<String>,
        message: Option<String>,
    ) -> Result<String> {
        build::import(&self.conn, tar, reference, changes, message).await
    }
    async fn image_commit(
        &self,
        container: &str,
        opts: q::CommitContainerOptions,
        config: m::ContainerConfig,
    ) -> Result<m::IdResponse> {
        let c = self.conn.client().await?;
        let opts = q::CommitContainerOptions {
            container: Some(container.to_string()),
            ..opts
        };
        c.commit_container(opts, config).await.map_err(self.err())
    }

    // --- networks ---
    async fn network_list(&self, opts: q::ListNetworksOptions) -> Result<Vec<m::Network>> {
        let c = self.conn.client().await?;
        c.list_networks(Some(opts)).await.map_err(self.err())
    }
    async fn network_inspect(&self, id: &str) -> Result<m::NetworkInspect> {
        let c = self.conn.client().await?;
        c.inspect_network(id, None).await.map_err(self.err())
    }
    async fn network_create(
        &self,
        req: m::NetworkCreateRequest,
    ) -> Result<m::NetworkCreateResponse> {
        let c = self.conn.client().await?;
        c.create_network(req).await.map_err(self.err())
    }
    async fn network_connect(&self, id: &str, req: m::NetworkConnectRequest) -> Result<()> {
        let c = self.conn.client().await?;
        c.connect_network(id, req).await.map_err(self.err())
    }
    async fn network_disconnect(&self, id: &str, req: m::NetworkDisconnectRequest) -> Result<()> {
        let c = self.conn.client().await?;
        c.disconnect_network(id, req).await.map_err(self.err())
    }
    async fn network_remove(&self, id: &str) -> Result<()> {
        let c = self.conn.client().await?;
        c.remove_network(id).await.map_err(self.err())
    }
    async fn network_prune(
        &self,
        opts: q::PruneNetworksOptions,
    ) -> Result<m::NetworkPruneResponse> {
        let c = self.conn.client().await?;
        c.prune_networks(Some(opts)).await.map_err(self.err())
    }

    // --- volumes ---
    async fn volume_list(&self, opts: q::ListVolumesOptions) -> Result<m::VolumeListResponse> {
        let c = self.conn.client().await?;
        c.list_volumes(Some(opts)).await.map_err(self.err())
    }
    async fn volume_inspect(&self, name: &str) -> Result<m::Volume> {
        let c = self.conn.client().await?;
        c.inspect_volume(name).await.map_err(self.err())
    }
    async fn volume_create(&self, req: m::VolumeCreateRequest) -> Result<m::Volume> {
        let c = self.conn.client().await?;
        c.create_volume(req).await.map_err(self.err())
    }
    async fn volume_remove(&self, name: &str, force: bool) -> Result<()> {
        let c = self.conn.client().await?;
        let opts = q::RemoveVolumeOptions { force };
        c.remove_volume(name, Some(opts)).await.map_err(self.err())
    }
    async fn volume_prune(&self, opts: q::PruneVolumesOptions) -> Result<m::VolumePruneResponse> {
        let c = self.conn.client().await?;
        c.prune_volumes(Some(opts)).await.map_err(self.err())
    }

    // --- swarm ---
    async fn swarm_init(&self, req: m::SwarmInitRequest) -> Result<String> {
        swarm::init(&self.conn, req).await
    }
    async fn swarm_inspect(&self) -> Result<m::Swarm> {
        swarm::inspect(&self.conn).await
    }
    async fn swarm_leave(&self, force: bool) -> Result<()> {
        swarm::leave(&self.conn, force).await
    }
    async fn node_list(&self) -> Result<Vec<m::Node>> {
        swarm::node_list(&self.conn).await
    }
    async fn node_inspect(&self, id: &str) -> Result<m::Node> {
        swarm::node_inspect(&self.conn, id).await
    }
    async fn node_remove(&self, id: &str, force: bool) -> Result<()> {
        swarm::node_remove(&self.conn, id, force).await
    }
    async fn node_update(&self, id: &str, version: u64, spec: m::NodeSpec) -> Result<()> {
        swarm::node_update(&self.conn, id, version, spec).await
    }
    async fn service_create(&self, spec: m::ServiceSpec) -> Result<m::ServiceCreateResponse> {
        services::create(&self.conn, spec).await
    }
    async fn service_list(
        &self,
        filters: HashMap<String, Vec<String>>,
        status: bool,
    ) -> Result<Vec<m::Service>> {
        services::list(&self.conn, filters, status).await
    }
    async fn service_inspect(&self, id: &str) -> Result<m::Service> {
        services::inspect(&self.conn, id).await
    }
    async fn service_update(
        &self,
        id: &str,
        version: u64,
        spec: m::ServiceSpec,
        rollback: bool,
    ) -> Result<m::ServiceUpdateResponse> {
        services::update(&self.conn, id, version, spec, rollback).await
    }
    async fn service_remove(&self, id: &str) -> Result<()> {
        services::remove(&self.conn, id).await
    }
    async fn task_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Task>> {
        services::task_list(&self.conn, filters).await
    }
    async fn task_inspect(&self, id: &str) -> Result<m::Task> {
        services::task_inspect(&self.conn, id).await
    }
    async fn service_logs(&self, id: &str, task: bool, opts: LogsQuery) -> Result<LogStream> {
        services::logs(&self.conn, id, task, opts).await
    }
    async fn secret_create(&self, spec: m::SecretSpec) -> Result<String> {
        secrets::secret_create(&self.conn, spec).await
    }
    async fn secret_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Secret>> {
        secrets::secret_list(&self.conn, filters).await
    }
    async fn secret_inspect(&self, id: &str) -> Result<m::Secret> {
        secrets::secret_inspect(&self.conn, id).await
    }
    async fn secret_remove(&self, id: &str) -> Result<()> {
        secrets::secret_remove(&self.conn, id).await
    }
    async fn config_create(&self, spec: m::ConfigSpec) -> Result<String> {
        secrets::config_create(&self.conn, spec).await
    }
    async fn config_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Config>> {
        secrets::config_list(&self.conn, filters).await
    }
    async fn config_inspect(&self, id: &str) -> Result<m::Config> {
        secrets::config_inspect(&self.conn, id).await
    }
    async fn config_remove(&self, id: &str) -> Result<()> {
        secrets::config_remove(&self.conn, id).await
    }
}
