//! `swarm init` and `swarm leave` on the records, and this host as the one node:
//! Leader, Ready, Active, with its CPUs and memory as the scheduler's resources.

use bollard_stubs::models as m;

use super::ids;
use super::store::{Cluster, State};
use crate::error::{Error, Result};

/// Docker's default: five finished tasks kept per slot.
pub const TASK_HISTORY: i64 = 5;

/// What the host offers the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostResources {
    pub nano_cpus: i64,
    pub memory_bytes: i64,
}

impl HostResources {
    /// This machine's online CPUs and memory.
    pub fn of_this_host() -> HostResources {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
        // SAFETY: sysconf has no preconditions.
        let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) }.max(0) as i64;
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(0) as i64;
        HostResources {
            nano_cpus: cpus * 1_000_000_000,
            memory_bytes: pages * page,
        }
    }
}

pub fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Start a swarm with this host as its manager. `addr` is the advertised address
/// (`--advertise-addr`), or the host's first address. Returns the node ID.
pub fn init(
    state: &mut State,
    addr: &str,
    resources: HostResources,
    now: &str,
    spec: Option<m::SwarmSpec>,
) -> Result<String> {
    if state.cluster.is_some() {
        return Err(Error::Unavailable(
            "This node is already part of a swarm. Use \"berth swarm leave\" to leave this \
             swarm and join another one."
                .into(),
        ));
    }
    let node_id = ids::new_id();
    let mut spec = spec.unwrap_or_default();
    spec.name.get_or_insert_with(|| "default".into());
    spec.orchestration
        .get_or_insert_with(Default::default)
        .task_history_retention_limit
        .get_or_insert(TASK_HISTORY);
    let swarm = m::Swarm {
        id: Some(ids::new_id()),
        version: Some(m::ObjectVersion { index: Some(10) }),
        created_at: Some(now.to_string()),
        updated_at: Some(now.to_string()),
        spec: Some(spec),
        join_tokens: Some(m::JoinTokens {
            worker: Some(ids::join_token()),
            manager: Some(ids::join_token()),
        }),
        ..Default::default()
    };
    let node = m::Node {
        id: Some(node_id.clone()),
        version: Some(m::ObjectVersion { index: Some(9) }),
        created_at: Some(now.to_string()),
        updated_at: Some(now.to_string()),
        spec: Some(m::NodeSpec {
            role: Some(m::NodeSpecRoleEnum::MANAGER),
            availability: Some(m::NodeSpecAvailabilityEnum::ACTIVE),
            ..Default::default()
        }),
        description: Some(m::NodeDescription {
            hostname: Some(hostname()),
            platform: Some(m::Platform {
                architecture: Some(std::env::consts::ARCH.into()),
                os: Some("linux".into()),
            }),
            resources: Some(m::ResourceObject {
                nano_cpus: Some(resources.nano_cpus),
                memory_bytes: Some(resources.memory_bytes),
                ..Default::default()
            }),
            engine: Some(m::EngineDescription {
                engine_version: Some(env!("CARGO_PKG_VERSION").into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        status: Some(m::NodeStatus {
            state: Some(m::NodeState::READY),
            addr: Some(addr.to_string()),
            ..Default::default()
        }),
        manager_status: Some(m::ManagerStatus {
            leader: Some(true),
            reachability: Some(m::Reachability::REACHABLE),
            addr: Some(format!("{addr}:2377")),
        }),
    };
    state.cluster = Some(Cluster { swarm, node });
    Ok(node_id)
}

/// Leave the swarm: every service, task, secret and config goes with it. Without
/// `force` a manager refuses, in Docker's words (leaving loses the swarm's state).
pub fn leave(state: &mut State, force: bool) -> Result<()> {
    if state.cluster.is_none() {
        return Err(Error::Unavailable(
            "This node is not part of a swarm".into(),
        ));
    }
    if !force {
        return Err(Error::Unavailable(
            "You are attempting to leave the swarm on a node that is participating as a \
             manager. Removing the last manager erases all current state of the swarm. Use \
             `--force` to ignore this message."
                .into(),
        ));
    }
    *state = State::default();
    Ok(())
}

/// The node by ID, name or hostname (this host is the only one).
pub fn node<'a>(state: &'a State, name: &str) -> Result<&'a m::Node> {
    let node = &state.cluster()?.node;
    let matches = node
        .id
        .as_deref()
        .is_some_and(|id| id.starts_with(name) && !name.is_empty())
        || node.spec.as_ref().and_then(|s| s.name.as_deref()) == Some(name)
        || node
            .description
            .as_ref()
            .and_then(|d| d.hostname.as_deref())
            == Some(name)
        || name == "self";
    if matches {
        Ok(node)
    } else {
        Err(Error::not_found("node", name))
    }
}

/// Whether tasks may run on the node (drain and pause take it out).
pub fn node_takes_tasks(node: &m::Node) -> bool {
    node.spec.as_ref().and_then(|s| s.availability) != Some(m::NodeSpecAvailabilityEnum::DRAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RES: HostResources = HostResources {
        nano_cpus: 2_000_000_000,
        memory_bytes: 4 << 30,
    };

    #[test]
    fn init_makes_one_leader_and_leave_needs_force() {
        let mut st = State::default();
        let id = init(&mut st, "10.0.0.1", RES, "2026-12-07T00:00:00Z", None).unwrap();
        let c = st.cluster().unwrap();
        assert_eq!(c.node.id.as_deref(), Some(id.as_str()));
        assert_eq!(
            c.swarm
                .spec
                .as_ref()
                .unwrap()
                .orchestration
                .as_ref()
                .unwrap()
                .task_history_retention_limit,
            Some(TASK_HISTORY)
        );
        assert!(c.node.manager_status.as_ref().unwrap().leader.unwrap());
        assert!(init(&mut st, "10.0.0.1", RES, "now", None).is_err());
        assert!(node(&st, &id[..5]).is_ok());
        assert!(node(&st, "self").is_ok());
        assert!(node(&st, "other").is_err());
        let e = leave(&mut st, false).unwrap_err().to_string();
        assert!(e.contains("--force"), "{e}");
        leave(&mut st, true).unwrap();
        assert!(st.cluster.is_none());
        assert!(leave(&mut st, true).is_err());
    }
}
