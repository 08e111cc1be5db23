//! What the swarm tests share: a guard that leaves the swarm when a test ends (passed
//! or failed, so no manager process, task container, bridge or mesh table outlives it)
//! and a service's `running/desired` count.

use crate::Berth;

pub struct LeaveSwarm<'a>(pub &'a Berth);

impl Drop for LeaveSwarm<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["swarm", "leave", "--force"]);
    }
}

/// `service ls`'s REPLICAS of `service` (`3/3`).
pub fn replicas(b: &Berth, service: &str) -> String {
    b.ok(&[
        "service",
        "ls",
        "--filter",
        &format!("name={service}"),
        "--format",
        "{{.Replicas}}",
    ])
}
