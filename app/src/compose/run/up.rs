//! `compose up` (and `create`): networks and volumes made, images built or pulled, then
//! service by service in dependency order (a level of independent services at once)
//! each dependency's condition awaited, the containers converged to the file (kept
//! when their config hash matches, recreated when it does not, scaled up or down) and
//! started. `--wait` then waits for every container to be running or healthy.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::future::join_all;

use super::images::{self, ImageOptions};
use super::progress::{Kind, Progress, Sink};
use super::state::{self, Existing};
use super::wait;
use super::{ComposeError, Result};
use crate::backend::{Backend, ErrorKind};
use crate::compose::container_spec::{self, FileInjection, Spec};
use crate::compose::graph::Graph;
use crate::compose::hash::service_hash;
use crate::compose::labels;
use crate::compose::load::Loaded;
use crate::compose::model::{MountType, Project};

#[derive(Debug, Clone, Default)]
pub struct UpOptions {
    /// Services named on the command line (all when empty).
    pub services: Vec<String>,
    pub no_deps: bool,
    pub images: ImageOptions,
    pub force_recreate: bool,
    pub no_recreate: bool,
    pub remove_orphans: bool,
    /// `--scale S=N`.
    pub scale: BTreeMap<String, u32>,
    /// `create`, `up --no-start`.
    pub no_start: bool,
    pub wait: bool,
    pub wait_timeout: Option<Duration>,
    /// Seconds a recreated container gets to stop.
    pub stop_timeout: Option<i64>,
}

pub async fn up(
    b: &dyn Backend,
    loaded: &Loaded,
    opts: &UpOptions,
    sink: Sink<'_>,
) -> Result<Vec<Existing>> {
    let project = &loaded.project;
    let name = project.name().to_string();
    for s in &opts.services {
        if !project.services.contains_key(s) {
            return Err(ComposeError::Invalid(format!("no such service: {s}")));
        }
    }
    let graph = Graph::of(project);
    let selected: BTreeSet<String> = if opts.no_deps {
        if opts.services.is_empty() {
            project.services.keys().cloned().collect()
        } else {
            opts.services.iter().cloned().collect()
        }
    } else {
        graph.closure(&opts.services)
    };
    let existing = state::containers(b, &name).await?;
    orphans(b, project, &existing, opts, sink).await?;
    networks(b, project, &selected, sink).await?;
    volumes(b, project, &selected, sink).await?;
    let images = images::ensure(b, project, &selected, &opts.images, sink).await?;
    let files: Vec<String> = loaded.files.iter().map(|f| f.name()).collect();
    let cx = Converge {
        b,
        project,
        loaded,
        opts,
        images: &images,
        files: &files,
        sink,
    };
    let deadline = opts.wait_timeout.map(|t| Instant::now() + t);
    for level in graph.levels(&selected) {
        let runs = level
            .iter()
            .map(|s| cx.service(s, &graph, &existing, deadline));
        for r in join_all(runs).await {
            r?;
        }
    }
    let now = state::containers(b, &name).await?;
    if opts.wait && !opts.no_start {
        let mine: Vec<Existing> = now
            .iter()
            .filter(|c| !c.oneoff && selected.contains(&c.service))
            .cloned()
            .collect();
        wait::running_or_healthy(b, &mine, deadline, sink).await?;
    }
    Ok(now)
}

/// What converging one service needs.
struct Converge<'a> {
    b: &'a dyn Backend,
    project: &'a Project,
    loaded: &'a Loaded,
    opts: &'a UpOptions,
    images: &'a BTreeMap<String, String>,
    files: &'a [String],
    sink: Sink<'a>,
}

impl Converge<'_> {
    async fn service(
        &self,
        name: &str,
        graph: &Graph,
        before: &[Existing],
        deadline: Option<Instant>,
    ) -> Result<()> {
        let (b, sink) = (self.b, self.sink);
        let Some(svc) = self.project.services.get(name) else {
            return Ok(());
        };
        if !self.opts.no_start {
            if let Some(deps) = graph.deps.get(name) {
                let now = state::containers(b, self.project.name()).await?;
                for (dep, cond) in deps {
                    let theirs: Vec<Existing> = now
                        .iter()
                        .filter(|c| &c.service == dep && !c.oneoff)
                        .cloned()
                        .collect();
                    wait::condition(b, dep, &theirs, *cond, deadline, sink).await?;
                }
            }
        }
        let want = self
            .opts
            .scale
            .get(name)
            .copied()
            .unwrap_or_else(|| svc.replicas());
        let hash = service_hash(svc);
        // A container made from an older build of the image is out of date too, as
        // Compose sees it (a rebuilt or pulled image under the same name).
        let image = self
            .images
            .get(name)
            .cloned()
            .unwrap_or_else(|| svc.image_or_default(self.project.name(), name));
        let image_id = b.image_inspect(&image).await.ok().and_then(|i| i.id);
        let mut mine: Vec<&Existing> = before
            .iter()
            .filter(|c| c.service == name && !c.oneoff)
            .collect();
        mine.sort_by_key(|c| c.number);
        // Replicas beyond the wanted number go first, highest numbers first.
        for extra in mine
            .iter()
            .filter(|c| c.number > want || c.number == 0)
            .rev()
        {
            remove(b, extra, self.opts.stop_timeout, false, sink).await?;
        }
        for number in 1..=want {
            let found = mine.iter().find(|c| c.number == number);
            let id = match found {
                Some(c) if self.keep(c, &hash, image_id.as_deref()) => {
                    if !c.running() && !self.opts.no_start {
                        sink(Progress::status(Kind::Container, &c.name, "Starting"));
                        b.container_start(&c.id).await?;
                        sink(Progress::status(Kind::Container, &c.name, "Started"));
                    } else {
                        sink(Progress::status(Kind::Container, &c.name, "Running"));
                    }
                    continue;
                }
                Some(c) => {
                    sink(Progress::status(Kind::Container, &c.name, "Recreate"));
                    remove(b, c, self.opts.stop_timeout, false, &|_| {}).await?;
                    let id = self.create(name, number, &hash).await?;
                    sink(Progress::status(Kind::Container, &c.name, "Recreated"));
                    id
                }
                None => self.create(name, number, &hash).await?,
            };
            if !self.opts.no_start {
                let cname = container_spec::container_name(
                    self.project.name(),
                    name,
                    number,
                    svc.container_name.as_deref(),
                );
                sink(Progress::status(Kind::Container, &cname, "Starting"));
                b.container_start(&id).await?;
                sink(Progress::status(Kind::Container, &cname, "Started"));
            }
        }
        Ok(())
    }

    /// An existing container stays when its configuration is the file's and its image
    /// the one the name stands for now (or recreating is off), unless `--force-recreate`.
    fn keep(&self, c: &Existing, hash: &str, image_id: Option<&str>) -> bool {
        if self.opts.force_recreate {
            return false;
        }
        let same_image = image_id.is_none_or(|id| c.image_id.is_empty() || c.image_id == id);
        self.opts.no_recreate || (c.hash == hash && same_image)
    }

    /// Create replica `number` of `service`.
    async fn create(&self, service: &str, number: u32, hash: &str) -> Result<String> {
        let svc = &self.project.services[service];
        let image = self
            .images
            .get(service)
            .cloned()
            .unwrap_or_else(|| svc.image_or_default(self.project.name(), service));
        let spec = Spec {
            project: self.project,
            service_name: service,
            service: svc,
            number,
            oneoff: false,
            image,
            working_dir: &self.loaded.dir,
            config_files: self.files,
            config_hash: hash,
        };
        let (id, _) = create_container(self.b, self.loaded, &spec, false, self.sink).await?;
        Ok(id)
    }
}

/// Create a container from `spec`: the container on its first network, its other
/// networks connected, the secrets and configs that have no file to bind put in.
/// Returns its id and name.
pub async fn create_container(
    b: &dyn Backend,
    loaded: &Loaded,
    spec: &Spec<'_>,
    auto_remove: bool,
    sink: Sink<'_>,
) -> Result<(String, String)> {
    let (cname, mut body) =
        container_spec::create_body(spec).map_err(|e| ComposeError::Spec(e.to_string()))?;
    if auto_remove {
        body.host_config
            .get_or_insert_with(Default::default)
            .auto_remove = Some(true);
    }
    sink(Progress::status(Kind::Container, &cname, "Creating"));
    let created = b.container_create(Some(cname.clone()), None, body).await?;
    let id = created.id;
    let env = &loaded.environment;
    for f in container_spec::file_injections(spec, &|k| env.get(k))
        .map_err(|e| ComposeError::Spec(e.to_string()))?
    {
        inject(b, &id, &f).await?;
    }
    for (key, net) in container_spec::networks_in_order(spec.service)
        .into_iter()
        .skip(1)
    {
        let (net_name, endpoint) =
            container_spec::endpoint(spec.project, spec.service_name, &cname, &key, net);
        b.network_connect(
            &net_name,
            m::NetworkConnectRequest {
                container: id.clone(),
                endpoint_config: Some(endpoint),
            },
        )
        .await?;
    }
    sink(Progress::status(Kind::Container, &cname, "Created"));
    Ok((id, cname))
}

/// Put one file into a created container (a secret or config from `content` or an
/// environment variable): a tar of it and of its parent directories, unpacked at `/`.
async fn inject(b: &dyn Backend, id: &str, f: &FileInjection) -> Result<()> {
    let tar =
        file_tar(f).map_err(|e| ComposeError::Invalid(format!("packing {}: {e}", f.target)))?;
    b.archive_put(
        id,
        "/",
        false,
        true,
        crate::backend::once_bytes(bytes::Bytes::from(tar)),
    )
    .await?;
    Ok(())
}

/// `run/secrets/` and `run/secrets/token` for `/run/secrets/token`.
fn file_tar(f: &FileInjection) -> std::io::Result<Vec<u8>> {
    let rel = f.target.trim_start_matches('/');
    let mut out = Vec::new();
    {
        let mut t = tar::Builder::new(&mut out);
        let mut dir = String::new();
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            dir.push_str(part);
            dir.push('/');
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Directory);
            h.set_mode(0o755);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            h.set_size(0);
            h.set_cksum();
            t.append_data(&mut h, &dir, std::io::empty())?;
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(f.contents.len() as u64);
        h.set_mode(f.mode);
        h.set_uid(f.uid.unwrap_or(0).into());
        h.set_gid(f.gid.unwrap_or(0).into());
        h.set_mtime(0);
        h.set_cksum();
        t.append_data(&mut h, rel, f.contents.as_slice())?;
        t.finish()?;
    }
    Ok(out)
}

/// Stop and remove one container (with `volumes`, its anonymous volumes too): `down`,
/// a recreate, a scale-down and orphans all end a container this way.
pub async fn remove(
    b: &dyn Backend,
    c: &Existing,
    timeout: Option<i64>,
    volumes: bool,
    sink: Sink<'_>,
) -> Result<()> {
    if c.running() {
        sink(Progress::status(Kind::Container, &c.name, "Stopping"));
        b.container_stop(&c.id, None, timeout).await?;
        sink(Progress::status(Kind::Container, &c.name, "Stopped"));
    }
    sink(Progress::status(Kind::Container, &c.name, "Removing"));
    let removed = b
        .container_remove(
            &c.id,
            q::RemoveContainerOptions {
                force: true,
                v: volumes,
                ..Default::default()
            },
        )
        .await;
    match removed {
        Ok(()) => {}
        Err(e) if e.kind == ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    sink(Progress::status(Kind::Container, &c.name, "Removed"));
    Ok(())
}

/// Containers of services the files no longer have: a warning, or removed.
async fn orphans(
    b: &dyn Backend,
    project: &Project,
    existing: &[Existing],
    opts: &UpOptions,
    sink: Sink<'_>,
) -> Result<()> {
    let orphans: Vec<&Existing> = existing
        .iter()
        .filter(|c| !c.oneoff && !project.services.contains_key(&c.service))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    if opts.remove_orphans {
        for c in orphans {
            remove(b, c, opts.stop_timeout, false, sink).await?;
        }
    } else {
        let names: Vec<&str> = orphans.iter().map(|c| c.name.as_str()).collect();
        sink(Progress::Warning(format!(
            "Found orphan containers ([{}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.",
            names.join(" ")
        )));
    }
    Ok(())
}

/// The project's networks the selected services use: created unless present (an
/// external one must exist).
pub async fn networks(
    b: &dyn Backend,
    project: &Project,
    selected: &BTreeSet<String>,
    sink: Sink<'_>,
) -> Result<()> {
    let used: BTreeSet<&String> = selected
        .iter()
        .filter_map(|s| project.services.get(s))
        .flat_map(|s| s.networks.keys())
        .collect();
    for key in used {
        let Some(net) = project.networks.get(key) else {
            continue;
        };
        let real = net
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_{key}", project.name()));
        match b.network_inspect(&real).await {
            Ok(_) => continue,
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        if net.external {
            return Err(ComposeError::Invalid(format!(
                "network {real} declared as external, but could not be found"
            )));
        }
        sink(Progress::status(Kind::Network, &real, "Creating"));
        let mut labels_map: std::collections::HashMap<String, String> =
            net.labels.clone().into_iter().collect();
        labels_map.insert(labels::PROJECT.into(), project.name().into());
        labels_map.insert(labels::NETWORK.into(), key.clone());
        labels_map.insert(labels::VERSION.into(), labels::COMPOSE_VERSION.into());
        let ipam = (!net.ipam.config.is_empty() || net.ipam.driver.is_some()).then(|| m::Ipam {
            driver: net.ipam.driver.clone(),
            config: Some(
                net.ipam
                    .config
                    .iter()
                    .map(|p| m::IpamConfig {
                        subnet: p.subnet.clone(),
                        gateway: p.gateway.clone(),
                        ip_range: p.ip_range.clone(),
                        auxiliary_addresses: (!p.aux_addresses.is_empty())
                            .then(|| p.aux_addresses.clone().into_iter().collect()),
                    })
                    .collect(),
            ),
            options: (!net.ipam.options.is_empty())
                .then(|| net.ipam.options.clone().into_iter().collect()),
        });
        b.network_create(m::NetworkCreateRequest {
            name: real.clone(),
            driver: Some(net.driver.clone().unwrap_or_else(|| "bridge".into())),
            internal: Some(net.internal),
            attachable: Some(net.attachable),
            ipam,
            options: Some(net.driver_opts.clone().into_iter().collect()),
            labels: Some(labels_map),
            ..Default::default()
        })
        .await?;
        sink(Progress::status(Kind::Network, &real, "Created"));
    }
    Ok(())
}

/// The project's named volumes the selected services mount: created unless present.
pub async fn volumes(
    b: &dyn Backend,
    project: &Project,
    selected: &BTreeSet<String>,
    sink: Sink<'_>,
) -> Result<()> {
    let used: BTreeSet<String> = selected
        .iter()
        .filter_map(|s| project.services.get(s))
        .flat_map(|s| s.volumes.iter())
        .filter(|v| v.kind == MountType::Volume)
        .filter_map(|v| v.source.clone())
        .collect();
    for key in used {
        let Some(vol) = project.volumes.get(&key) else {
            continue;
        };
        let real = vol
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_{key}", project.name()));
        match b.volume_inspect(&real).await {
            Ok(_) => continue,
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        if vol.external {
            return Err(ComposeError::Invalid(format!(
                "external volume \"{real}\" not found"
            )));
        }
        sink(Progress::status(Kind::Volume, &real, "Creating"));
        let mut labels_map: std::collections::HashMap<String, String> =
            vol.labels.clone().into_iter().collect();
        labels_map.insert(labels::PROJECT.into(), project.name().into());
        labels_map.insert(labels::VOLUME.into(), key.clone());
        labels_map.insert(labels::VERSION.into(), labels::COMPOSE_VERSION.into());
        b.volume_create(m::VolumeCreateRequest {
            name: Some(real.clone()),
            driver: Some(vol.driver.clone().unwrap_or_else(|| "local".into())),
            driver_opts: Some(vol.driver_opts.clone().into_iter().collect()),
            labels: Some(labels_map),
            ..Default::default()
        })
        .await?;
        sink(Progress::status(Kind::Volume, &real, "Created"));
    }
    Ok(())
}
