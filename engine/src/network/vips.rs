//! Virtual IPs of swarm services (`networks/<id>/vips.json`: service ID -> address and
//! names). A service in `vip` endpoint mode has one address on each of its networks,
//! taken from the same pool as the containers' (so no container is ever given it),
//! answered by the embedded DNS for the service's name, and spread over the service's
//! tasks by the routing mesh's rules. No interface holds it inside a container: the
//! host answers for it on the network's bridge.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::ipam;
use super::store::NetworkStore;
use super::types::Network;
use crate::error::{Error, Result};
use crate::store::{read_json, write_json_atomic, FileLock};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vip {
    pub ip: Ipv4Addr,
    /// The service's name on this network, for messages and the anatomy view.
    pub service: String,
    /// What the embedded DNS answers with this address (the service's name and its
    /// aliases on the network; none on `ingress`), lower-cased.
    pub names: Vec<String>,
}

impl NetworkStore {
    fn vips_path(&self, net: &Network) -> std::path::PathBuf {
        self.paths().networks_dir().join(&net.id).join("vips.json")
    }

    /// The virtual IPs on `net`, by service ID. Only swarm networks have any: the
    /// others' file is never looked for (a container's start on a bridge reads no
    /// more than before).
    pub fn vips(&self, net: &Network) -> Result<BTreeMap<String, Vip>> {
        if !net.is_swarm() {
            return Ok(BTreeMap::new());
        }
        match read_json(&self.vips_path(net)) {
            Err(e) if e.is_not_found() => Ok(BTreeMap::new()),
            r => r,
        }
    }

    /// The service's address on `net`: the one it has (its names brought up to date),
    /// or the next free one.
    pub fn reserve_vip(
        &self,
        net: &Network,
        service_id: &str,
        service: &str,
        names: Vec<String>,
    ) -> Result<Vip> {
        let _lock = FileLock::exclusive(&self.paths().global_lock())?;
        let mut vips = self.vips(net)?;
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let ip = match vips.get(service_id) {
            Some(v) => v.ip,
            None => {
                let used = self.taken_locked(net, &self.endpoints(net)?)?;
                ipam::next_free(net, &used).ok_or_else(|| {
                    Error::Conflict(format!(
                        "no available IPv4 addresses on network {} for service {service}",
                        net.name
                    ))
                })?
            }
        };
        let vip = Vip {
            ip,
            service: service.to_string(),
            names,
        };
        if vips.get(service_id) != Some(&vip) {
            vips.insert(service_id.to_string(), vip.clone());
            write_json_atomic(&self.vips_path(net), &vips)?;
        }
        Ok(vip)
    }

    /// Give the service's address on `net` back to the pool.
    pub fn release_vip(&self, net: &Network, service_id: &str) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths().global_lock())?;
        let mut vips = self.vips(net)?;
        if vips.remove(service_id).is_some() {
            write_json_atomic(&self.vips_path(net), &vips)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::network::{NetworkOptions, NetworkStore};
    use crate::store::Paths;

    #[test]
    fn vips_come_from_the_pool_and_are_never_given_to_containers() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        paths.ensure().unwrap();
        let s = NetworkStore::records_only(&paths);
        let n = s
            .create(&NetworkOptions {
                name: "web".into(),
                driver: Some("overlay".into()),
                subnet: Some("10.6.0.0/24".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((n.scope(), n.is_swarm()), ("swarm", true));
        let c = s.allocate(&n, "c1", None, None, "c1", vec![]).unwrap();
        let v = s
            .reserve_vip(&n, "svc1", "api", vec!["API".into(), "backend".into()])
            .unwrap();
        assert_eq!(
            (c.ip.to_string(), v.ip.to_string()),
            ("10.6.0.2".into(), "10.6.0.3".into())
        );
        assert_eq!(v.names, ["api", "backend"]);
        // Asking again keeps the address; the next container skips it.
        assert_eq!(
            s.reserve_vip(&n, "svc1", "api", vec!["api".into()])
                .unwrap()
                .ip,
            v.ip
        );
        let c2 = s.allocate(&n, "c2", None, None, "c2", vec![]).unwrap();
        assert_eq!(c2.ip.to_string(), "10.6.0.4");
        s.release_vip(&n, "svc1").unwrap();
        assert!(s.vips(&n).unwrap().is_empty());
        let c3 = s.allocate(&n, "c3", None, None, "c3", vec![]).unwrap();
        assert_eq!(c3.ip, v.ip);
    }
}
