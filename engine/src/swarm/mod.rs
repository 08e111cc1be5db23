//! Swarm mode on one host: the records the manager and the front ends share (the
//! cluster and its node, services, tasks, secrets, configs), kept in Docker's API models.
//! The manager that turns services into tasks plans against the engine interface, in
//! the app; what it needs of the kernel (the routing mesh) is here.

pub mod anatomy;
pub mod cluster;
pub mod endpoints;
pub mod ids;
pub mod labels;
pub mod mesh;
pub mod secrets;
pub mod services;
pub mod store;
pub mod task_files;
pub mod update;

pub use store::{Cluster, ServiceRecord, State, SwarmStore};
