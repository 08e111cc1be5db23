//! Swarm mode on the local engine: Docker's swarm, node, service and task endpoints over
//! the swarm records (`berth_engine::swarm`). Whatever changes what should run makes
//! sure the manager process runs (it turns services into tasks and containers).

use std::collections::HashMap;

use berth_engine::swarm::{cluster, endpoints, services, ServiceRecord, State, SwarmStore};
use berth_engine::Engine;
use bollard::models as m;

use crate::backend::{BackendError, Result};
use crate::swarm::manager;

fn store(e: &Engine) -> SwarmStore {
    SwarmStore::new(&e.paths)
}

fn now() -> String {
    berth_engine::container::now_rfc3339()
}

/// The address a node advertises without `--advertise-addr`: the first non-loopback
/// IPv4 address of the host's interfaces.
fn default_addr() -> String {
    nix::ifaddrs::getifaddrs()
        .ok()
        .and_then(|addrs| {
            addrs
                .filter_map(|a| a.address?.as_sockaddr_in().map(|s| s.ip()))
                .find(|ip| !ip.is_loopback())
        })
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

pub fn init(e: &Engine, req: m::SwarmInitRequest) -> Result<String> {
    let addr = req
        .advertise_addr
        .clone()
        .filter(|a| !a.is_empty())
        // `--advertise-addr IP:PORT`: the address without its port.
        .map(|a| a.rsplit_once(':').map_or(a.clone(), |(h, _)| h.to_string()))
        .unwrap_or_else(default_addr);
    let id = store(e).transact(|st| {
        cluster::init(
            st,
            &addr,
            cluster::HostResources::of_this_host(),
            &now(),
            req.spec.clone(),
        )
    })?;
    ensure_ingress(e)?;
    manager::ensure(e)?;
    Ok(id)
}

/// The name of the routing mesh's network, as Docker names it.
pub const INGRESS: &str = "ingress";

/// Docker's refusal of swarm objects (overlay networks) where there is no swarm.
pub fn require_swarm(e: &Engine) -> Result<()> {
    store(e).load()?.cluster()?;
    Ok(())
}

/// The `ingress` network every swarm has (made again if a crash lost it between the
/// records and the network).
fn ensure_ingress(e: &Engine) -> Result<()> {
    let nets = e.networks();
    if nets.list()?.iter().any(|n| n.ingress) {
        return Ok(());
    }
    nets.create(&berth_engine::network::NetworkOptions {
        name: INGRESS.into(),
        driver: Some(berth_engine::network::types::OVERLAY.into()),
        ingress: true,
        ..Default::default()
    })?;
    Ok(())
}

/// The swarm's networks go with it (`swarm leave --force`, once its tasks are gone):
/// their virtual IPs first, then the networks, bridges and all.
pub fn remove_networks(e: &Engine) -> Result<()> {
    e.release_stale_endpoints()?;
    let nets = e.networks();
    for n in nets.list()?.into_iter().filter(|n| n.is_swarm()) {
        for service in nets.vips(&n)?.keys() {
            nets.release_vip(&n, service)?;
        }
        nets.remove(&n)?;
    }
    berth_engine::swarm::mesh::remove(e)?;
    Ok(())
}

pub fn inspect(e: &Engine) -> Result<m::Swarm> {
    let st = store(e).load()?;
    Ok(st.cluster()?.swarm.clone())
}

/// The records' side of `swarm leave --force`; the caller stops the manager first and
/// removes the task containers after.
pub fn leave(e: &Engine, force: bool) -> Result<()> {
    store(e).transact(|st| cluster::leave(st, force))?;
    Ok(())
}

pub fn nodes(e: &Engine) -> Result<Vec<m::Node>> {
    let st = store(e).load()?;
    Ok(vec![st.cluster()?.node.clone()])
}

pub fn node(e: &Engine, id: &str) -> Result<m::Node> {
    let st = store(e).load()?;
    Ok(cluster::node(&st, id)?.clone())
}

/// `node rm`: the one node of Berth's swarm is this host, its one manager, and a
/// manager is never removed, forced or not (swarmkit's refusal, with the node's ID).
pub fn node_remove(e: &Engine, id: &str, force: bool) -> Result<()> {
    let _ = force;
    let node = node(e, id)?;
    Err(BackendError::new(
        crate::backend::ErrorKind::Conflict,
        format!(
        "rpc error: code = FailedPrecondition desc = node {} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal",
            node.id.unwrap_or_default()
        ),
    ))
}

pub fn node_update(e: &Engine, id: &str, version: u64, spec: m::NodeSpec) -> Result<()> {
    store(e).transact(|st| {
        let node_id = cluster::node(st, id)?.id.clone();
        let v = st.next_version();
        let c = st
            .cluster
            .as_mut()
            .ok_or_else(berth_engine::swarm::store::not_a_manager)?;
        let have = c.node.version.as_ref().and_then(|v| v.index).unwrap_or(0);
        if have != version && version != 0 {
            return Err(berth_engine::Error::invalid(
                "rpc error: code = Unknown desc = update out of sequence",
            ));
        }
        if c.node.id == node_id {
            c.node.spec = Some(spec);
            c.node.version = Some(v);
            c.node.updated_at = Some(now());
        }
        Ok(())
    })?;
    manager::ensure(e)?;
    Ok(())
}

pub fn service_create(e: &Engine, spec: m::ServiceSpec) -> Result<m::ServiceCreateResponse> {
    let nets = e.networks();
    let r = store(e).transact(|st| {
        let mut spec = spec;
        st.cluster()?;
        endpoints::resolve_networks(&nets, &mut spec)?;
        let r = services::create(st, spec, &now())?;
        let id = r.id.clone().unwrap_or_default();
        // Addresses reserved before a refusal go back at once (the records are not
        // written then); a crash in between leaves them to the manager's sweep.
        endpoints::assign_vips(&nets, st, &id).inspect_err(|_| {
            let _ = release_vips_of(&nets, &id);
        })?;
        Ok(r)
    })?;
    manager::ensure(e)?;
    Ok(r)
}

fn release_vips_of(nets: &berth_engine::network::NetworkStore, id: &str) -> Result<()> {
    for n in nets.list()? {
        nets.release_vip(&n, id)?;
    }
    Ok(())
}

/// Docker's `Service`, with `ServiceStatus` when asked for.
fn view(st: &State, s: &ServiceRecord, status: bool) -> m::Service {
    let mut out = s.service.clone();
    if status {
        let id = out.id.clone().unwrap_or_default();
        let running = st
            .tasks
            .values()
            .filter(|t| t.service_id.as_deref() == Some(id.as_str()))
            .filter(|t| {
                t.desired_state == Some(m::TaskState::RUNNING)
                    && t.status.as_ref().and_then(|s| s.state) == Some(m::TaskState::RUNNING)
            })
            .count() as u64;
        let open = st
            .cluster
            .as_ref()
            .is_some_and(|c| cluster::node_takes_tasks(&c.node));
        let desired = match out.spec.as_ref().and_then(services::replicas) {
            Some(n) => n.max(0) as u64,
            None => u64::from(open),
        };
        out.service_status = Some(m::ServiceServiceStatus {
            running_tasks: Some(running),
            desired_tasks: Some(desired),
            completed_tasks: Some(0),
        });
    }
    out
}

fn matches_filters(s: &ServiceRecord, filters: &HashMap<String, Vec<String>>) -> bool {
    let id = s.service.id.as_deref().unwrap_or_default();
    let name = services::service_name(s);
    let spec = s.service.spec.as_ref();
    filters.iter().all(|(key, wants)| {
        wants.iter().any(|w| match key.as_str() {
            "id" => id.starts_with(w.as_str()),
            "name" => name.starts_with(w.as_str()),
            "mode" => {
                let global = spec
                    .and_then(|sp| sp.mode.as_ref())
                    .is_some_and(|m| m.global.is_some());
                (w == "global") == global
            }
            "label" => {
                let labels = spec.and_then(|sp| sp.labels.as_ref());
                match w.split_once('=') {
                    Some((k, v)) => labels.and_then(|l| l.get(k)).is_some_and(|x| x == v),
                    None => labels.is_some_and(|l| l.contains_key(w.as_str())),
                }
            }
            _ => true,
        })
    })
}

pub fn service_list(
    e: &Engine,
    filters: &HashMap<String, Vec<String>>,
    status: bool,
) -> Result<Vec<m::Service>> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(st
        .services
        .values()
        .filter(|s| matches_filters(s, filters))
        .map(|s| view(&st, s, status))
        .collect())
}

pub fn service_inspect(e: &Engine, id: &str) -> Result<m::Service> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(view(&st, services::find(&st, id)?, false))
}

pub fn service_update(
    e: &Engine,
    id: &str,
    version: u64,
    spec: m::ServiceSpec,
    rollback: bool,
) -> Result<m::ServiceUpdateResponse> {
    let nets = e.networks();
    store(e).transact(|st| {
        if rollback {
            services::rollback(st, id, version, &now())
        } else {
            let mut spec = spec;
            endpoints::resolve_networks(&nets, &mut spec)?;
            services::update(st, id, version, spec, &now())
        }?;
        // The spec in force may name other networks now: its VIPs follow.
        let sid = services::find(st, id)?
            .service
            .id
            .clone()
            .unwrap_or_default();
        endpoints::assign_vips(&nets, st, &sid)
    })?;
    manager::ensure(e)?;
    Ok(m::ServiceUpdateResponse { warnings: None })
}

pub fn service_remove(e: &Engine, id: &str) -> Result<()> {
    let gone = store(e).transact(|st| {
        let sid = services::find(st, id)?
            .service
            .id
            .clone()
            .unwrap_or_default();
        services::remove(st, id)?;
        Ok(sid)
    })?;
    release_vips_of(&e.networks(), &gone)?;
    manager::ensure(e)?;
    Ok(())
}

fn task_matches(st: &State, t: &m::Task, filters: &HashMap<String, Vec<String>>) -> bool {
    let service = t.service_id.as_deref().and_then(|id| st.services.get(id));
    let sname = service.map(services::service_name).unwrap_or_default();
    filters.iter().all(|(key, wants)| {
        wants.iter().any(|w| match key.as_str() {
            "service" => {
                t.service_id.as_deref() == Some(w.as_str())
                    || sname == w
                    || t.service_id
                        .as_deref()
                        .is_some_and(|id| id.starts_with(w.as_str()))
            }
            "id" => t.id.as_deref().is_some_and(|id| id.starts_with(w.as_str())),
            // A task carries its service's labels and its container's (Docker's
            // `stack ps` finds a stack's tasks by the namespace label).
            "label" => {
                let spec = service.and_then(|s| s.service.spec.as_ref());
                let container = t
                    .spec
                    .as_ref()
                    .and_then(|s| s.container_spec.as_ref())
                    .and_then(|c| c.labels.as_ref());
                let has = |l: Option<&HashMap<String, String>>| match w.split_once('=') {
                    Some((k, v)) => l.and_then(|l| l.get(k)).is_some_and(|x| x == v),
                    None => l.is_some_and(|l| l.contains_key(w.as_str())),
                };
                has(spec.and_then(|s| s.labels.as_ref())) || has(container)
            }
            "name" => format!("{sname}.{}", t.slot.unwrap_or(0)).starts_with(w.as_str()),
            "node" => {
                let node = st.cluster.as_ref().map(|c| &c.node);
                t.node_id.as_deref() == Some(w.as_str())
                    || node
                        .and_then(|n| n.description.as_ref()?.hostname.as_deref())
                        .is_some_and(|h| h == w)
                    || w == "self"
            }
            "desired-state" => {
                let want = match w.as_str() {
                    "running" => m::TaskState::RUNNING,
                    "shutdown" => m::TaskState::SHUTDOWN,
                    "accepted" => m::TaskState::ACCEPTED,
                    _ => return false,
                };
                t.desired_state == Some(want)
            }
            // Docker's `_up-to-date` (whatever its value): the task runs its service's
            // current spec, which the local engine copies into the task as it is.
            "_up-to-date" => {
                let current = service
                    .and_then(|s| s.service.spec.as_ref())
                    .and_then(|s| s.task_template.as_ref());
                t.spec.is_some() && t.spec.as_ref() == current
            }
            _ => true,
        })
    })
}

pub fn task_list(e: &Engine, filters: &HashMap<String, Vec<String>>) -> Result<Vec<m::Task>> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(st
        .tasks
        .values()
        .filter(|t| task_matches(&st, t, filters))
        .cloned()
        .collect())
}

pub fn task_inspect(e: &Engine, id: &str) -> Result<m::Task> {
    let st = store(e).load()?;
    st.cluster()?;
    st.tasks
        .get(id)
        .or_else(|| {
            let mut hits = st.tasks.iter().filter(|(k, _)| k.starts_with(id));
            match (hits.next(), hits.next()) {
                (Some((_, t)), None) => Some(t),
                _ => None,
            }
        })
        .cloned()
        .ok_or_else(|| BackendError::not_found(format!("No such task: {id}")))
}
