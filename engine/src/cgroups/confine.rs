//! The check that a container's process has a cgroup of its own in every cgroup v1
//! hierarchy before it may run.
//!
//! The container unshares its cgroup namespace after the monitor has placed it, so the
//! namespace's root in each hierarchy is wherever the process is then. In a hierarchy
//! where that is still the host's root cgroup (one mounted where Berth did not look, or
//! one that exists but is mounted nowhere), a `mount -t cgroup` inside would show the
//! root's `release_agent`, which the kernel runs as root on the host. The placement
//! covers every mounted hierarchy; this check catches what it could not, from the kernel's
//! own account in `/proc/PID/cgroup`, and refuses to let such a container start.

use std::fs;

use crate::error::{Error, IoContext, Result};

/// The v1 hierarchies (by their controllers field, `name=systemd`, `cpu,cpuacct`) in
/// which a `/proc/PID/cgroup` text shows the process at the root. The v2 line (`0::`)
/// is left out: cgroup2 has no release agent.
pub fn hierarchies_at_root(proc_cgroup: &str) -> Vec<String> {
    proc_cgroup
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            (id != "0" && path == "/").then(|| controllers.to_string())
        })
        .collect()
}

/// Fail unless process `pid` is below the root in every v1 hierarchy. A process that
/// already died (its setup failed) has left every cgroup; it can mount nothing, and
/// the caller reports why it died instead.
pub fn check_own_cgroups(pid: i32) -> Result<()> {
    if exited(pid) {
        return Ok(());
    }
    let path = format!("/proc/{pid}/cgroup");
    let text = fs::read_to_string(&path).ctx("read", &path)?;
    let shared = hierarchies_at_root(&text);
    if shared.is_empty() {
        return Ok(());
    }
    Err(Error::Runtime(format!(
        "cannot confine the container: it would share the host's root cgroup in the cgroup v1 \
         hierarchy {} (not mounted where berth can make its cgroup), and a cgroup mount \
         inside could then reach the host's release_agent",
        shared.join(", ")
    )))
}

/// Whether `pid` is a zombie (or gone): the state field of `/proc/PID/stat`, after the
/// command name's closing parenthesis.
fn exited(pid: i32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next());
    matches!(state, Some("Z") | Some("X") | None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hierarchies_left_at_the_root() {
        let placed = "9:name=systemd:/berth/c1\n4:memory:/berth/c1\n0::/berth/c1\n";
        assert!(hierarchies_at_root(placed).is_empty());
        let missed = "12:name=other:/\n9:name=systemd:/\n4:memory:/berth/c1\n0::/\n";
        assert_eq!(
            hierarchies_at_root(missed),
            vec!["name=other".to_string(), "name=systemd".to_string()]
        );
        // Paths may contain colons; only the first two separate fields.
        assert!(hierarchies_at_root("3:cpu:/a:b\n").is_empty());
    }

    #[test]
    fn this_process_is_checked_against_the_kernel() {
        // The test runner is wherever it was started: the check must at least read the
        // real file and answer without error when nothing is at a v1 root.
        let text = fs::read_to_string("/proc/self/cgroup").unwrap();
        let shared = hierarchies_at_root(&text);
        let got = check_own_cgroups(std::process::id() as i32);
        assert_eq!(got.is_ok(), shared.is_empty(), "{got:?}");
        if let Err(e) = got {
            assert!(e.to_string().contains(&shared[0]), "{e}");
        }
    }
}
