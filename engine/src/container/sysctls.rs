//! `--sysctl KEY=VALUE`: kernel settings of the namespaces a container owns. Only the
//! namespaced ones are accepted, as Docker accepts them: `net.*` belongs to the network
//! namespace (so not with `--network host`), the System V IPC keys and `fs.mqueue.*` to
//! the IPC namespace (so not with `--ipc host`). Anything else would change the host.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

const FLAG: &str = "--sysctl";

/// The IPC namespace's keys Docker allows by name.
const IPC_KEYS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

fn is_ipc(key: &str) -> bool {
    IPC_KEYS.contains(&key) || key.starts_with("fs.mqueue.")
}

/// A key names a file under /proc/sys: dot-separated words, nothing that could climb out.
fn well_formed(key: &str) -> bool {
    !key.is_empty()
        && key.split('.').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

/// Check every `--sysctl` against the namespaces the container will own.
pub fn parse_all(
    values: &[String],
    network_mode: &str,
    ipc_mode: &str,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for v in values {
        let bad = |why: String| Error::flag(FLAG, v, why);
        let (key, value) = v
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE".into()))?;
        let key = key.trim();
        if !well_formed(key) || value.contains('\n') {
            return Err(bad(format!("invalid sysctl {key:?}")));
        }
        if key.starts_with("net.") {
            if network_mode == "host" {
                return Err(bad(format!(
                    "sysctl '{key}' is not allowed with --network host: it would change the host's network settings"
                )));
            }
        } else if is_ipc(key) {
            if ipc_mode == "host" {
                return Err(bad(format!(
                    "sysctl '{key}' is not allowed with --ipc host: it would change the host's IPC settings"
                )));
            }
        } else {
            return Err(bad(format!(
                "sysctl '{key}' is not whitelisted: only net.*, fs.mqueue.* and the System V IPC keys ({}) belong to a container's own namespaces",
                IPC_KEYS.join(", ")
            )));
        }
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// The file under /proc/sys a key names (`net.ipv4.ip_forward` → `net/ipv4/ip_forward`).
pub fn proc_path(key: &str) -> String {
    format!("/proc/sys/{}", key.replace('.', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn namespaced_keys_pass() {
        let m = parse_all(
            &v(&[
                "net.ipv4.ip_forward=1",
                "kernel.shmmax=1000000",
                "fs.mqueue.msg_max=20",
            ]),
            "bridge",
            "private",
        )
        .unwrap();
        assert_eq!(m["net.ipv4.ip_forward"], "1");
        assert_eq!(
            proc_path("net.ipv4.ip_forward"),
            "/proc/sys/net/ipv4/ip_forward"
        );
        // net.* with another container's network is that container's, as on Docker.
        assert!(parse_all(&v(&["net.ipv4.ip_forward=1"]), "container:x", "private").is_ok());
    }

    #[test]
    fn the_hosts_settings_are_refused() {
        for (val, net, ipc, says) in [
            ("net.ipv4.ip_forward=1", "host", "private", "--network host"),
            ("kernel.shmmax=1", "bridge", "host", "--ipc host"),
            ("fs.mqueue.msg_max=1", "bridge", "host", "--ipc host"),
            (
                "kernel.domainname=x",
                "bridge",
                "private",
                "not whitelisted",
            ),
            ("vm.swappiness=1", "bridge", "private", "not whitelisted"),
            ("net..x=1", "bridge", "private", "invalid sysctl"),
            ("net.a/../../x=1", "bridge", "private", "invalid sysctl"),
            ("net.ipv4.ip_forward", "bridge", "private", "KEY=VALUE"),
        ] {
            let msg = parse_all(&v(&[val]), net, ipc).unwrap_err().to_string();
            assert!(
                msg.contains("\"--sysctl\" flag") && msg.contains(says),
                "{val}: {msg}"
            );
        }
    }
}
