//! The published ports in force: one file per running container in the runtime root
//! (`ports/<id>.json`), written by its monitor once the container has its address and
//! removed when it stops. Each file names the monitor that holds the ports, so the
//! files of a monitor that was killed are recognised as stale and dropped, and the
//! firewall built from the rest never redirects to an address nobody holds.

use std::fs;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::spec::Mapping;
use crate::container::procfs;
use crate::error::Error;
use crate::error::Result;
use crate::store::atomic::write_atomic_volatile;
use crate::store::{read_json, Paths};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Active {
    pub container: String,
    pub monitor_pid: i32,
    pub monitor_start_time: u64,
    /// The container's address the ports lead to, and the bridge it sits on.
    pub container_ip: Ipv4Addr,
    pub bridge: String,
    pub mappings: Vec<Mapping>,
}

impl Active {
    pub fn alive(&self) -> bool {
        procfs::process_matches(self.monitor_pid, self.monitor_start_time)
    }
}

/// Volatile like the rest of the runtime root: after a power cut neither the file nor
/// the rules made from it exist.
pub fn write(paths: &Paths, a: &Active) -> Result<()> {
    let bytes = serde_json::to_vec(a).map_err(|e| Error::Runtime(e.to_string()))?;
    write_atomic_volatile(
        &paths.ports_dir().join(format!("{}.json", a.container)),
        &bytes,
    )
}

/// Forget a container's ports; true when it had some.
pub fn remove(paths: &Paths, container: &str) -> bool {
    fs::remove_file(paths.ports_dir().join(format!("{container}.json"))).is_ok()
}

/// Every container's ports whose monitor still runs. Files of dead monitors are
/// deleted; the bool says whether there were any (the firewall then needs rebuilding).
pub fn list_live(paths: &Paths) -> (Vec<Active>, bool) {
    let mut out = Vec::new();
    let mut stale = false;
    let Ok(rd) = fs::read_dir(paths.ports_dir()) else {
        return (out, false);
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        match read_json::<Active>(&p) {
            Ok(a) if a.alive() => out.push(a),
            _ => {
                let _ = fs::remove_file(&p);
                stale = true;
            }
        }
    }
    out.sort_by(|a, b| a.container.cmp(&b.container));
    (out, stale)
}

/// One container's ports record, whether or not its monitor lives.
pub fn read(paths: &Paths, container: &str) -> Option<Active> {
    read_json(&paths.ports_dir().join(format!("{container}.json"))).ok()
}

/// One container's ports in force, if it has any and its monitor lives.
pub fn of(paths: &Paths, container: &str) -> Option<Active> {
    read(paths, container).filter(Active::alive)
}

/// The ports a container publishes right now (none unless it runs).
pub fn published(paths: &Paths, c: &crate::container::Container) -> Vec<Mapping> {
    if !c.state.status.is_live() {
        return Vec::new();
    }
    of(paths, c.id()).map(|a| a.mappings).unwrap_or_default()
}

/// Which running container publishes this host port, if one does (to say so when a
/// port cannot be bound).
pub fn owner(paths: &Paths, m: &Mapping) -> Option<String> {
    let (live, _) = list_live(paths);
    live.into_iter()
        .find(|a| {
            a.mappings.iter().any(|o| {
                o.proto == m.proto
                    && o.host_port == m.host_port
                    && (o.host_ip == m.host_ip
                        || o.host_ip.is_unspecified()
                        || m.host_ip.is_unspecified())
            })
        })
        .map(|a| a.container)
}
