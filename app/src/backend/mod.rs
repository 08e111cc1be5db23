//! The engine interface: the one door between Berth's front ends (CLI, TUI, API server,
//! compose) and a backend that runs containers. Its operations are the Docker Engine
//! API's and its data types are Docker's own API models (bollard's generated ones), so a
//! second backend (a real Docker engine) passes them through and the API server
//! serializes them as they are.
//!
//! `local` implements it over Berth's own engine, `docker` over a real Docker engine's
//! API.

pub mod docker;
pub mod error;
pub mod local;
pub mod streams;

use std::collections::HashMap;

use async_trait::async_trait;
use bollard::models as m;
use bollard::query_parameters as q;
use bytes::Bytes;

pub use berth_engine::container::anatomy::Anatomy;

pub use error::{BackendError, ErrorKind, Result};
pub use streams::{ByteStream, Duplex, LogStream, Stream};

/// A create request's label that carries `--health-on-failure` (Podman's flag, which
/// Docker's body has no field for). The local backend takes it out of the labels and
/// applies it; a backend that does not know it keeps it as a plain label.
pub const HEALTH_ON_FAILURE_LABEL: &str = "io.berth.health-on-failure";

/// `X-Docker-Container-Path-Stat`: what `archive` HEAD/GET says of a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    /// Go's `os.FileMode` bits (type bits high, permissions low).
    pub mode: u32,
    pub mtime: String,
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

/// `GET /containers/{id}/logs`'s query, as precise as Docker's API takes it (bollard's
/// options keep whole seconds and leave `details` out).
#[derive(Debug, Clone, Default)]
pub struct LogsQuery {
    pub follow: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// Nanoseconds since the epoch.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub timestamps: bool,
    /// The last N lines; `None` for all.
    pub tail: Option<usize>,
    /// Each line's attributes before it (`logs --details`).
    pub details: bool,
}

/// What `exec start` hands back.
pub enum ExecStarted {
    Attached(Duplex),
    Detached,
}

/// `POST /build`'s request: `docker build`'s flags as the API takes them, plus what only
/// some backends can honour (secrets travel in BuildKit sessions on Docker; the local
/// engine reads the files itself).
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// The Dockerfile's path inside the context tar.
    pub dockerfile: String,
    pub tags: Vec<String>,
    pub build_args: std::collections::BTreeMap<String, Option<String>>,
    pub target: Option<String>,
    pub no_cache: bool,
    pub pull: bool,
    pub labels: std::collections::BTreeMap<String, String>,
    pub network: Option<String>,
    /// `--secret id=ID,src=FILE`: id and a path on the backend's host.
    pub secrets: std::collections::BTreeMap<String, std::path::PathBuf>,
    pub platform: Option<String>,
    /// `-q`: only the image ID at the end.
    pub quiet: bool,
    /// Credentials for the registries base images are pulled from, by auth file key
    /// (`127.0.0.1:5000`, Docker Hub's URL): Docker's `X-Registry-Config`.
    pub registry_auths: std::collections::BTreeMap<String, m::AuthConfig>,
}

/// The `id` of a build message carrying one of Berth's structured build events as
/// `aux` (JSON of `berth_engine::build::BuildEvent`), besides the classic text.
pub const BUILD_EVENT_ID: &str = "io.berth.build";

/// `POST /images/load`'s answer: the lines Docker prints (`Loaded image: busybox:latest`).
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub loaded: Vec<String>,
}

#[async_trait]
pub trait Backend: Send + Sync {
    // --- system ---
    async fn ping(&self) -> Result<()>;
    async fn version(&self) -> Result<m::SystemVersion>;
    async fn info(&self) -> Result<m::SystemInfo>;
    async fn df(&self) -> Result<m::SystemDataUsageResponse>;
    async fn events(&self, opts: q::EventsOptions) -> Result<Stream<m::EventMessage>>;

    // --- containers ---
    async fn container_list(
        &self,
        opts: q::ListContainersOptions,
    ) -> Result<Vec<m::ContainerSummary>>;
    async fn container_create(
        &self,
        name: Option<String>,
        platform: Option<String>,
        body: m::ContainerCreateBody,
    ) -> Result<m::ContainerCreateResponse>;
    async fn container_inspect(&self, id: &str, size: bool) -> Result<m::ContainerInspectResponse>;
    async fn container_start(&self, id: &str) -> Result<()>;
    /// `timeout`: seconds before SIGKILL (`None`: the container's own, else 10).
    async fn container_stop(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()>;
    async fn container_restart(
        &self,
        id: &str,
        signal: Option<String>,
        timeout: Option<i64>,
    ) -> Result<()>;
    async fn container_kill(&self, id: &str, signal: &str) -> Result<()>;
    async fn container_pause(&self, id: &str) -> Result<()>;
    async fn container_unpause(&self, id: &str) -> Result<()>;
    /// `condition`: `not-running` (default), `next-exit` or `removed`.
    async fn container_wait(&self, id: &str, condition: &str) -> Result<m::ContainerWaitResponse>;
    async fn container_rename(&self, id: &str, new_name: &str) -> Result<()>;
    async fn container_update(
        &self,
        id: &str,
        body: m::ContainerUpdateBody,
    ) -> Result<m::ContainerUpdateResponse>;
    async fn container_remove(&self, id: &str, opts: q::RemoveContainerOptions) -> Result<()>;
    async fn container_prune(
        &self,
        opts: q::PruneContainersOptions,
    ) -> Result<m::ContainerPruneResponse>;
    async fn container_top(
        &self,
        id: &str,
        ps_args: Option<String>,
    ) -> Result<m::ContainerTopResponse>;
    /// One reading (`stream: false`) or one a second until the container is gone.
    async fn container_stats(
        &self,
        id: &str,
        stream: bool,
    ) -> Result<Stream<m::ContainerStatsResponse>>;
    /// One reading, now: a front end that keeps its own previous reading (the TUI)
    /// need not wait for the second one a Docker engine takes a second over to fill
    /// `precpu_stats`.
    async fn container_stats_now(&self, id: &str) -> Result<m::ContainerStatsResponse> {
        use futures_util::StreamExt;
        let mut s = self.container_stats(id, false).await?;
        match s.next().await {
            Some(r) => r,
            None => Err(BackendError::internal(format!("no stats reading of {id}"))),
        }
    }
    async fn container_changes(&self, id: &str) -> Result<Vec<m::FilesystemChange>>;
    async fn container_export(&self, id: &str) -> Result<ByteStream>;
    async fn container_logs(&self, id: &str, opts: LogsQuery) -> Result<LogStream>;
    async fn container_attach(&self, id: &str, opts: q::AttachContainerOptions) -> Result<Duplex>;
    async fn container_resize(&self, id: &str, height: u16, width: u16) -> Result<()>;
    async fn archive_stat(&self, id: &str, path: &str) -> Result<PathStat>;
    async fn archive_get(&self, id: &str, path: &str) -> Result<(PathStat, ByteStream)>;
    /// Unpack a tar into `path` (a directory that must exist).
    async fn archive_put(
        &self,
        id: &str,
        path: &str,
        no_overwrite_dir_non_dir: bool,
        copy_uid_gid: bool,
        tar: ByteStream,
    ) -> Result<()>;

    // --- exec ---
    async fn exec_create(&self, id: &str, config: m::ExecConfig) -> Result<m::IdResponse>;
    async fn exec_start(&self, exec_id: &str, config: m::ExecStartConfig) -> Result<ExecStarted>;
    async fn exec_resize(&self, exec_id: &str, height: u16, width: u16) -> Result<()>;
    async fn exec_inspect(&self, exec_id: &str) -> Result<m::ExecInspectResponse>;

    // --- images ---
    async fn image_list(&self, opts: q::ListImagesOptions) -> Result<Vec<m::ImageSummary>>;
    async fn image_inspect(&self, name: &str) -> Result<m::ImageInspect>;
    async fn image_history(&self, name: &str) -> Result<Vec<m::ImageHistoryResponseItem>>;
    async fn image_tag(&self, name: &str, repo: &str, tag: &str) -> Result<()>;
    async fn image_remove(
        &self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<m::ImageDeleteResponseItem>>;
    async fn image_prune(&self, opts: q::PruneImagesOptions) -> Result<m::ImagePruneResponse>;
    async fn image_save(&self, names: Vec<String>) -> Result<ByteStream>;
    /// Berth's own, for `berth save --format oci-archive`: the images as an OCI image
    /// layout archive. Docker's API has no such export; a backend without it says so.
    async fn image_save_oci(&self, names: Vec<String>) -> Result<ByteStream> {
        let _ = names;
        Err(BackendError::unsupported(
            "OCI archives are not supported by this backend",
        ))
    }
    async fn image_load(&self, tar: ByteStream) -> Result<LoadReport>;
    /// `docker pull`: Docker's progress messages (`Pulling fs layer`, `Downloading` with
    /// its progress, `Pull complete`, `Digest:`, `Status:`). `auth` is what the client
    /// read from its auth file for the registry, if anything.
    async fn image_pull(
        &self,
        reference: &str,
        platform: Option<String>,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>>;
    /// `docker push`: Docker's progress messages, ending with `TAG: digest: ... size: N`.
    /// They come as `CreateImageInfo`, the model with the layer `id` Docker's wire
    /// message has (bollard's `PushImageInfo` lacks it).
    async fn image_push(
        &self,
        reference: &str,
        auth: Option<m::AuthConfig>,
    ) -> Result<Stream<m::CreateImageInfo>>;
    /// `POST /auth`: check credentials against a registry.
    async fn registry_login(&self, auth: m::AuthConfig) -> Result<m::AuthResponse>;
    /// `docker build`: a context tar in, Docker's classic JSON progress messages out
    /// (`stream` text, `aux` with the image ID, `errorDetail` when a step fails).
    async fn image_build(
        &self,
        req: BuildRequest,
        context: ByteStream,
    ) -> Result<Stream<m::BuildInfo>>;
    /// `docker builder prune`: the build cache (layer cache entries, cache mounts,
    /// the step images nothing uses).
    async fn build_prune(&self) -> Result<m::BuildPruneResponse>;
    /// `docker import`: a root filesystem tar becomes a one-layer image.
    async fn image_import(
        &self,
        tar: ByteStream,
        reference: Option<String>,
        changes: Vec<String>,
        message: Option<String>,
    ) -> Result<String>;
    async fn image_commit(
        &self,
        container: &str,
        opts: q::CommitContainerOptions,
        config: m::ContainerConfig,
    ) -> Result<m::IdResponse>;

    // --- networks ---
    async fn network_list(&self, opts: q::ListNetworksOptions) -> Result<Vec<m::Network>>;
    async fn network_inspect(&self, id: &str) -> Result<m::NetworkInspect>;
    async fn network_create(
        &self,
        req: m::NetworkCreateRequest,
    ) -> Result<m::NetworkCreateResponse>;
    async fn network_connect(&self, id: &str, req: m::NetworkConnectRequest) -> Result<()>;
    async fn network_disconnect(&self, id: &str, req: m::NetworkDisconnectRequest) -> Result<()>;
    async fn network_remove(&self, id: &str) -> Result<()>;
    async fn network_prune(&self, opts: q::PruneNetworksOptions)
        -> Result<m::NetworkPruneResponse>;

    // --- volumes ---
    async fn volume_list(&self, opts: q::ListVolumesOptions) -> Result<m::VolumeListResponse>;
    async fn volume_inspect(&self, name: &str) -> Result<m::Volume>;
    async fn volume_create(&self, req: m::VolumeCreateRequest) -> Result<m::Volume>;
    async fn volume_remove(&self, name: &str, force: bool) -> Result<()>;
    async fn volume_prune(&self, opts: q::PruneVolumesOptions) -> Result<m::VolumePruneResponse>;

    // --- swarm ---
    // Docker's swarm endpoints. A backend without swarm mode keeps the defaults, which
    // say so in Docker's words.

    /// Start a swarm with this engine as its manager; the node's ID.
    async fn swarm_init(&self, req: m::SwarmInitRequest) -> Result<String> {
        let _ = req;
        Err(no_swarm())
    }
    async fn swarm_inspect(&self) -> Result<m::Swarm> {
        Err(no_swarm())
    }
    /// Leave the swarm: its services, tasks, secrets and configs go.
    async fn swarm_leave(&self, force: bool) -> Result<()> {
        let _ = force;
        Err(no_swarm())
    }
    async fn node_list(&self) -> Result<Vec<m::Node>> {
        Err(no_swarm())
    }
    async fn node_inspect(&self, id: &str) -> Result<m::Node> {
        let _ = id;
        Err(no_swarm())
    }
    /// Take a node out of the swarm (`force`: even one that is up).
    async fn node_remove(&self, id: &str, force: bool) -> Result<()> {
        let _ = (id, force);
        Err(no_swarm())
    }
    /// Replace a node's spec (availability, role, labels); `version` as read.
    async fn node_update(&self, id: &str, version: u64, spec: m::NodeSpec) -> Result<()> {
        let _ = (id, version, spec);
        Err(no_swarm())
    }
    async fn service_create(&self, spec: m::ServiceSpec) -> Result<m::ServiceCreateResponse> {
        let _ = spec;
        Err(no_swarm())
    }
    /// Services matching Docker's filters (`id`, `name`, `label`, `mode`); with `status`,
    /// their running and desired task counts.
    async fn service_list(
        &self,
        filters: HashMap<String, Vec<String>>,
        status: bool,
    ) -> Result<Vec<m::Service>> {
        let _ = (filters, status);
        Err(no_swarm())
    }
    async fn service_inspect(&self, id: &str) -> Result<m::Service> {
        let _ = id;
        Err(no_swarm())
    }
    /// Replace a service's spec (`version` as read), or with `rollback` go back to the
    /// spec before its last update.
    async fn service_update(
        &self,
        id: &str,
        version: u64,
        spec: m::ServiceSpec,
        rollback: bool,
    ) -> Result<m::ServiceUpdateResponse> {
        let _ = (id, version, spec, rollback);
        Err(no_swarm())
    }
    async fn service_remove(&self, id: &str) -> Result<()> {
        let _ = id;
        Err(no_swarm())
    }
    /// Tasks matching Docker's filters (`service`, `id`, `name`, `node`,
    /// `desired-state`).
    async fn task_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Task>> {
        let _ = filters;
        Err(no_swarm())
    }
    async fn task_inspect(&self, id: &str) -> Result<m::Task> {
        let _ = id;
        Err(no_swarm())
    }
    /// A service's tasks' logs merged (`task`: one task's), each line with its task's
    /// `com.docker.swarm.*` details before the message when `details` is asked.
    async fn service_logs(&self, id: &str, task: bool, opts: LogsQuery) -> Result<LogStream> {
        let _ = (id, task, opts);
        Err(no_swarm())
    }
    /// A secret from its spec (`Data` base64); its ID.
    async fn secret_create(&self, spec: m::SecretSpec) -> Result<String> {
        let _ = spec;
        Err(no_swarm())
    }
    /// Secrets without their data, matching Docker's filters (`id`, `name`, `label`).
    async fn secret_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Secret>> {
        let _ = filters;
        Err(no_swarm())
    }
    async fn secret_inspect(&self, id: &str) -> Result<m::Secret> {
        let _ = id;
        Err(no_swarm())
    }
    /// Refused while a service names it.
    async fn secret_remove(&self, id: &str) -> Result<()> {
        let _ = id;
        Err(no_swarm())
    }
    async fn config_create(&self, spec: m::ConfigSpec) -> Result<String> {
        let _ = spec;
        Err(no_swarm())
    }
    async fn config_list(&self, filters: HashMap<String, Vec<String>>) -> Result<Vec<m::Config>> {
        let _ = filters;
        Err(no_swarm())
    }
    async fn config_inspect(&self, id: &str) -> Result<m::Config> {
        let _ = id;
        Err(no_swarm())
    }
    async fn config_remove(&self, id: &str) -> Result<()> {
        let _ = id;
        Err(no_swarm())
    }

    // --- capabilities only some backends have ---
    // What only the local engine can show or do. A backend without one keeps the default,
    // and front ends say so instead of failing (the TUI's anatomy pane, for one).

    /// The container taken apart as the kernel sees it: namespaces, PIDs inside and out,
    /// cgroup limits and usage, overlay layers, veths (the anatomy view).
    async fn container_anatomy(&self, id: &str) -> Result<Anatomy> {
        let _ = id;
        Err(BackendError::unsupported(
            "the anatomy view is shown for containers of Berth's own engine only",
        ))
    }
    /// Notice what happened while nobody looked: a container whose monitor died is marked
    /// exited and its restart policy applied. A long-running front end (the TUI) calls it
    /// now and then; a backend with a daemon of its own has nothing to do.
    async fn housekeeping(&self) -> Result<()> {
        Ok(())
    }
    /// Remove what this backend made on the host and no longer uses, beyond Docker's
    /// prunes: bridges and veths left by containers a crash took away. The names removed.
    async fn prune_leftovers(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Docker's answer where there is no swarm.
fn no_swarm() -> BackendError {
    BackendError::new(
        ErrorKind::Unavailable,
        "This node is not a swarm manager. Use \"berth swarm init\" or \"berth swarm join\" to connect this node to swarm and try again.",
    )
}

/// Bytes of a request body or a download, in chunks.
pub fn once_bytes(b: Bytes) -> ByteStream {
    Box::pin(futures_util::stream::once(async move { Ok(b) }))
}
