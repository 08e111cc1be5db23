//! Swarm mode on the local engine: Docker's swarm, node, service and task endpoints over
//! the swarm records (`berth_engine::swarm`). Whatever changes what should run makes
//! sure the manager process runs (it turns services into tasks and containers).

use std::collections::HashMap;

use berth_engine::swarm::{cluster, services, ServiceRecord, State, SwarmStore};
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
    manager::ensure(e)?;
    Ok(id)
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
    let r = store(e).transact(|st| services::create(st, spec, &now()))?;
    manager::ensure(e)?;
    Ok(r)
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
    store(e).transact(|st| {
        if rollback {
            services::rollback(st, id, version, &now())
        } else {
            services::update(st, id, version, spec, &now())
        }
    })?;
    manager::ensure(e)?;
    Ok(m::ServiceUpdateResponse { warnings: None })
}

pub fn service_remove(e: &Engine, id: &str) -> Result<()> {
    store(e).transact(|st| services::remove(st, id))?;
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
