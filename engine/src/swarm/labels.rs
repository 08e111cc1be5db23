//! The labels Docker's swarm executor puts on a task's container, by which the
//! manager, the network code (who may join a swarm network), the anatomy view and the
//! front ends all recognise tasks.

pub const TASK_ID: &str = "com.docker.swarm.task.id";
pub const TASK_NAME: &str = "com.docker.swarm.task.name";
pub const SERVICE_ID: &str = "com.docker.swarm.service.id";
pub const SERVICE_NAME: &str = "com.docker.swarm.service.name";
pub const NODE_ID: &str = "com.docker.swarm.node.id";
