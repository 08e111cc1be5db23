//! Swarm mode's commands, as the docker CLI has them: `swarm` (init, leave, join-token,
//! join), `node` (ls, inspect, ps, update, rm), `service` (create, ls, ps, inspect,
//! logs, update, scale, rollback, rm), `secret` and `config` (create, ls, inspect, rm). They reach the engine through the engine
//! interface's swarm operations only, so the same commands drive a real Docker Swarm
//! through another backend. What Docker's client works out for itself (the spec a
//! `service create` sends, the converge progress, the task table) is worked out here.

mod node;
mod pretty;
pub(crate) mod progress;
mod secret;
mod service;
mod service_create;
mod service_flags;
mod service_logs;
pub(crate) mod service_ls;
mod service_opts;
mod service_pretty;
mod service_update;
#[allow(clippy::module_inception)]
mod swarm;
mod tasks;

#[cfg(test)]
mod create_tests;
#[cfg(test)]
mod pretty_tests;

pub use node::{run as run_node, NodeCmd};
pub use secret::{run as run_object, Kind as ObjectKind, ObjectCmd};
pub use service::{run as run_service, ServiceCmd};
pub use swarm::{run as run_swarm, SwarmCmd};
pub use tasks::TaskListArgs;

pub use crate::format::swarm::{
    display_image, is_global, natural_cmp, pretty, replicas, service_name, tagged_image,
};

/// The note every hint at joining other hosts comes with: Berth's swarm is this host.
pub const ONE_HOST_NOTE: &str = "Note: this swarm is Berth's own and spans this host only; \
joining other hosts needs a real Swarm (a Docker engine, driven through the Docker backend).";
