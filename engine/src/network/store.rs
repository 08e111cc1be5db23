//! Network records (`networks/<id>/network.json`) and their endpoints
//! (`networks/<id>/endpoints.json`: container ID -> address). Every change happens under
//! the global lock, so names stay unique and no address is handed out twice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ipam;
use super::types::{Network, Subnet, DEFAULT_NETWORK, PREDEFINED};
use crate::error::{Error, IoContext, Result};
use crate::store::{ids, read_json, write_json_atomic, FileLock, Paths};

/// One container's place on a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub ip: Ipv4Addr,
    pub mac: String,
    /// Every name the container answers to on this network (its DNS names): the
    /// aliases asked for, then on user networks its name and short ID.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The container's name (for reverse lookups and renames).
    #[serde(default)]
    pub name: String,
}

/// What `network create` asks for.
#[derive(Debug, Default, Clone)]
pub struct NetworkOptions {
    pub name: String,
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct NetworkStore {
    paths: Paths,
    /// The default network's bridge and subnet (`BERTH_BRIDGE`, `BERTH_DEFAULT_SUBNET`;
    /// tests give each state root its own so they can run side by side).
    default_bridge: String,
    default_subnet: Option<String>,
    /// The nftables table this root keeps (None: leave the host's firewall alone, for
    /// unit tests of the records).
    firewall_table: Option<String>,
}

/// Docker's attributes of network events: the network's name and type, and the
/// container for connect/disconnect.
pub fn net_attrs(net: &Network, container: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v = vec![("name", net.name.clone()), ("type", "bridge".to_string())];
    if let Some(c) = container {
        v.push(("container", c.to_string()));
    }
    v
}

fn validate_name(name: &str) -> Result<()> {
    let ok = crate::store::names::is_valid_object_name(name, 1);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid network name {name:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )))
    }
}

impl NetworkStore {
    pub fn new(paths: &Paths) -> Self {
        NetworkStore {
            paths: paths.clone(),
            default_bridge: std::env::var("BERTH_BRIDGE").unwrap_or_else(|_| "berth0".into()),
            default_subnet: std::env::var("BERTH_DEFAULT_SUBNET").ok(),
            firewall_table: Some(super::firewall::table_name()),
        }
    }

    /// A store that never touches the host's links or firewall (record tests).
    pub fn records_only(paths: &Paths) -> Self {
        NetworkStore {
            firewall_table: None,
            ..Self::new(paths)
        }
    }

    /// The nftables table of this root (None for a records-only store).
    pub fn firewall_table(&self) -> Option<&str> {
        self.firewall_table.as_deref()
    }

    /// Rebuild this root's firewall table from its networks (none left: remove it).
    pub fn refresh_firewall(&self) -> Result<()> {
        let Some(table) = &self.firewall_table else {
            return Ok(());
        };
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        self.rebuild_firewall_locked(table)
    }

    fn rebuild_firewall_locked(&self, table: &str) -> Result<()> {
        let nets = self.list()?;
        let (published, _) = super::ports::active::list_live(&self.paths);
        if nets.is_empty() {
            super::firewall::remove(table)
        } else {
            super::firewall::apply(table, &nets, &published)
        }
    }

    /// Record a container's published ports and start redirecting them: one small
    /// change to the table, or a rebuild when that is refused (no table yet, or an
    /// element left by a killed monitor in the way).
    pub fn publish_ports(&self, a: &super::ports::active::Active) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        super::ports::active::write(&self.paths, a)?;
        let Some(table) = &self.firewall_table else {
            return Ok(());
        };
        if super::firewall::change_ports(table, a, true).is_ok() {
            return Ok(());
        }
        self.rebuild_firewall_locked(table)
    }

    /// Stop redirecting a container's ports and forget them.
    pub fn unpublish_ports(&self, container: &str) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        let Some(a) = super::ports::active::read(&self.paths, container) else {
            return Ok(());
        };
        super::ports::active::remove(&self.paths, container);
        let Some(table) = &self.firewall_table else {
            return Ok(());
        };
        if super::firewall::change_ports(table, &a, false).is_ok() {
            return Ok(());
        }
        self.rebuild_firewall_locked(table)
    }

    fn dir(&self, id: &str) -> PathBuf {
        self.paths.networks_dir().join(id)
    }

    pub fn list(&self) -> Result<Vec<Network>> {
        let mut out = Vec::new();
        let dir = self.paths.networks_dir();
        let Ok(rd) = fs::read_dir(&dir) else {
            return Ok(out);
        };
        for e in rd.flatten() {
            let p = e.path().join("network.json");
            if p.exists() {
                out.push(read_json(&p)?);
            }
        }
        out.sort_by(|a: &Network, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// By name, full ID or unique ID prefix.
    pub fn get(&self, reference: &str) -> Result<Network> {
        let all = self.list()?;
        if let Some(n) = all
            .iter()
            .find(|n| n.name == reference || n.id == reference)
        {
            return Ok(n.clone());
        }
        let hits: Vec<&Network> = all.iter().filter(|n| n.id.starts_with(reference)).collect();
        match hits.as_slice() {
            [one] if !reference.is_empty() => Ok((*one).clone()),
            [] | [_] => Err(Error::not_found("network", reference)),
            _ => Err(Error::Conflict(format!(
                "network {reference} is ambiguous ({} matches found based on ID prefix)",
                hits.len()
            ))),
        }
    }

    /// Create a user network. Validates everything before writing anything.
    pub fn create(&self, o: &NetworkOptions) -> Result<Network> {
        validate_name(&o.name)?;
        let driver = o.driver.clone().unwrap_or_else(|| "bridge".into());
        if driver != "bridge" {
            return Err(Error::invalid(format!(
                "network driver {driver:?} is not supported: only \"bridge\" is"
            )));
        }
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        if PREDEFINED.contains(&o.name.as_str()) && o.name != DEFAULT_NETWORK
            || self.get(&o.name).is_ok()
        {
            return Err(Error::Conflict(format!(
                "network with name {} already exists",
                o.name
            )));
        }
        self.create_locked(o, false)
    }

    fn create_locked(&self, o: &NetworkOptions, default: bool) -> Result<Network> {
        let existing = self.list()?;
        let subnet = match &o.subnet {
            Some(s) => {
                let s = Subnet::parse(s).map_err(Error::invalid)?;
                if let Some(other) = existing.iter().find(|n| n.subnet.overlaps(&s)) {
                    return Err(Error::Conflict(format!(
                        "invalid pool request: Pool overlaps with other one on this address space ({} of network {})",
                        other.subnet, other.name
                    )));
                }
                s
            }
            None => pick_subnet(&existing, &host_subnets(), default)?,
        };
        let gateway = match &o.gateway {
            Some(g) => {
                let g: Ipv4Addr = g.parse().map_err(|_| {
                    Error::invalid(format!("invalid gateway {g:?}: not an IPv4 address"))
                })?;
                if !subnet.contains(g) || g == subnet.addr || g == subnet.broadcast() {
                    return Err(Error::invalid(format!(
                        "invalid gateway {g}: not a host address of subnet {subnet}"
                    )));
                }
                g
            }
            None => subnet.first_host(),
        };
        let ip_range = match &o.ip_range {
            Some(r) => {
                let r = Subnet::parse(r).map_err(Error::invalid)?;
                if !subnet.contains(r.addr) || !subnet.contains(r.broadcast()) {
                    return Err(Error::invalid(format!(
                        "invalid --ip-range {r}: it must lie within subnet {subnet}"
                    )));
                }
                Some(r)
            }
            None => None,
        };
        let id = ids::new_container_id();
        let net = Network {
            bridge: if default {
                self.default_bridge.clone()
            } else {
                format!("br-{}", &id[..12])
            },
            id,
            name: o.name.clone(),
            driver: "bridge".into(),
            created: crate::container::now_rfc3339(),
            subnet,
            gateway,
            ip_range,
            internal: o.internal,
            labels: o.labels.clone(),
            options: o.options.clone(),
        };
        let dir = self.dir(&net.id);
        fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        write_json_atomic(
            &dir.join("endpoints.json"),
            &BTreeMap::<String, Endpoint>::new(),
        )?;
        write_json_atomic(&dir.join("network.json"), &net)?;
        if self.firewall_table.is_some() {
            crate::events::object_event(
                &self.paths,
                "network",
                "create",
                &net.id,
                &net_attrs(&net, None),
            );
        }
        Ok(net)
    }

    /// The default `bridge` network, made on first use.
    pub fn ensure_default(&self) -> Result<Network> {
        if let Ok(n) = self.get(DEFAULT_NETWORK) {
            return Ok(n);
        }
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        if let Ok(n) = self.get(DEFAULT_NETWORK) {
            return Ok(n);
        }
        let o = NetworkOptions {
            name: DEFAULT_NETWORK.into(),
            subnet: self.default_subnet.clone(),
            ..Default::default()
        };
        self.create_locked(&o, true)
    }

    pub fn endpoints(&self, net: &Network) -> Result<BTreeMap<String, Endpoint>> {
        match read_json(&self.dir(&net.id).join("endpoints.json")) {
            Err(e) if e.is_not_found() => Ok(BTreeMap::new()),
            r => r,
        }
    }

    /// Give `container` an address on `net` (the requested one, or the next free one).
    /// A container that already has one keeps it.
    pub fn allocate(
        &self,
        net: &Network,
        container: &str,
        requested: Option<Ipv4Addr>,
        mac: Option<[u8; 6]>,
        name: &str,
        aliases: Vec<String>,
    ) -> Result<Endpoint> {
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        let mut eps = self.endpoints(net)?;
        if let Some(ep) = eps.get(container) {
            return Ok(ep.clone());
        }
        let used: BTreeSet<Ipv4Addr> = eps.values().map(|e| e.ip).collect();
        let ip = match requested {
            Some(ip) => {
                ipam::check_requested(net, ip, &used).map_err(Error::Conflict)?;
                ip
            }
            None => ipam::next_free(net, &used).ok_or_else(|| {
                Error::Conflict(format!(
                    "no available IPv4 addresses on network {}",
                    net.name
                ))
            })?,
        };
        let ep = Endpoint {
            ip,
            mac: ipam::format_mac(&mac.unwrap_or_else(|| ipam::mac_for(ip))),
            aliases,
            name: name.to_string(),
        };
        eps.insert(container.to_string(), ep.clone());
        write_json_atomic(&self.dir(&net.id).join("endpoints.json"), &eps)?;
        Ok(ep)
    }

    /// A renamed container answers to its new name at once (the caller holds the
    /// global lock).
    pub fn rename_endpoints_locked(&self, container: &str, old: &str, new: &str) -> Result<()> {
        for net in self.list()? {
            let mut eps = self.endpoints(&net)?;
            let Some(ep) = eps.get_mut(container) else {
                continue;
            };
            ep.name = new.to_string();
            for a in ep.aliases.iter_mut().filter(|a| a.as_str() == old) {
                *a = new.to_string();
            }
            write_json_atomic(&self.dir(&net.id).join("endpoints.json"), &eps)?;
        }
        Ok(())
    }

    pub fn release(&self, net: &Network, container: &str) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        let mut eps = self.endpoints(net)?;
        if eps.remove(container).is_some() {
            write_json_atomic(&self.dir(&net.id).join("endpoints.json"), &eps)?;
        }
        Ok(())
    }

    /// Remove a network record; refuses while containers are attached.
    pub fn remove(&self, net: &Network) -> Result<()> {
        if PREDEFINED.contains(&net.name.as_str()) {
            return Err(Error::Conflict(format!(
                "{} is a pre-defined network and cannot be removed",
                net.name
            )));
        }
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        let eps = self.endpoints(net)?;
        if !eps.is_empty() {
            let names: Vec<&str> = eps.keys().map(|k| &k[..12.min(k.len())]).collect();
            return Err(Error::Conflict(format!(
                "error while removing network: network {} id {} has active endpoints ({})",
                net.name,
                net.id,
                names.join(", ")
            )));
        }
        let dir = self.dir(&net.id);
        fs::remove_dir_all(&dir).ctx("remove network", &dir)?;
        if self.firewall_table.is_none() {
            return Ok(());
        }
        crate::events::object_event(
            &self.paths,
            "network",
            "destroy",
            &net.id,
            &net_attrs(net, None),
        );
        // The bridge goes with the network; nothing is attached to it any more. Then the
        // firewall forgets it (and goes entirely with the last network).
        if let Ok(mut nl) = super::netlink::Netlink::open() {
            let _ = nl.delete_link_by_name(&net.bridge);
        }
        self.refresh_firewall()
    }
}

/// The IPv4 subnets of the host's own interfaces, which a new network must not shadow
/// (a machine that also runs Docker has 172.17/16 on docker0, say). Best effort.
fn host_subnets() -> Vec<Subnet> {
    let mut out = Vec::new();
    let Ok(mut nl) = super::netlink::Netlink::open() else {
        return out;
    };
    for link in nl.links().unwrap_or_default() {
        for (addr, prefix) in nl.addresses(link.index).unwrap_or_default() {
            if let std::net::IpAddr::V4(a) = addr {
                if let Ok(s) = Subnet::parse(&format!("{a}/{}", prefix.min(30))) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Docker's pools: 172.17/16 for the default bridge, then 172.18/16 ... 172.31/16, then
/// 192.168.0.0/20 chunks. The first that overlaps no existing network and no host
/// interface wins. (A bridge of our own shows up in both; it never excludes itself
/// because the network it carries is what `existing` holds.)
fn pick_subnet(existing: &[Network], host: &[Subnet], default: bool) -> Result<Subnet> {
    let mut candidates: Vec<String> = Vec::new();
    if default {
        candidates.push("172.17.0.0/16".into());
    }
    candidates.extend((18..=31).map(|b| format!("172.{b}.0.0/16")));
    candidates.extend((0..16).map(|c| format!("192.168.{}.0/20", c * 16)));
    for c in candidates {
        let s = Subnet::parse(&c).map_err(Error::invalid)?;
        let taken =
            existing.iter().any(|n| n.subnet.overlaps(&s)) || host.iter().any(|h| h.overlaps(&s));
        if !taken {
            return Ok(s);
        }
    }
    Err(Error::Conflict(
        "could not find an available, non-overlapping IPv4 address pool".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, NetworkStore) {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        paths.ensure().unwrap();
        let s = NetworkStore::records_only(&paths);
        (d, s)
    }

    #[test]
    fn default_and_user_networks_get_distinct_subnets() {
        let (_d, s) = store();
        let def = s.ensure_default().unwrap();
        // Which pool entry wins depends on the host's own interfaces (pick_subnet's test
        // covers the order); here: the default network, on a bridge of its own.
        assert_eq!(
            (def.name.as_str(), def.bridge.as_str()),
            ("bridge", "berth0")
        );
        assert!(def.subnet.to_string().starts_with("172."), "{}", def.subnet);
        assert_eq!(s.ensure_default().unwrap().id, def.id);
        let a = s
            .create(&NetworkOptions {
                name: "appnet".into(),
                ..Default::default()
            })
            .unwrap();
        assert!(!a.subnet.overlaps(&def.subnet));
        assert_eq!(a.gateway, a.subnet.first_host());
        assert!(a.bridge.starts_with("br-"));
        assert!(s
            .create(&NetworkOptions {
                name: "appnet".into(),
                ..Default::default()
            })
            .unwrap_err()
            .to_string()
            .contains("already exists"));
        let err = s
            .create(&NetworkOptions {
                name: "clash".into(),
                subnet: Some(a.subnet.to_string()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains("overlaps"), "{err}");
        assert!(s
            .create(&NetworkOptions {
                name: "bad/name".into(),
                ..Default::default()
            })
            .is_err());
        assert!(s
            .create(&NetworkOptions {
                name: "gw".into(),
                subnet: Some("10.9.0.0/24".into()),
                gateway: Some("10.8.0.1".into()),
                ..Default::default()
            })
            .is_err());
        assert_eq!(s.get(&a.id[..6]).unwrap().name, "appnet");
    }

    #[test]
    fn subnets_in_use_on_the_host_are_skipped() {
        let host = [
            Subnet::parse("172.17.0.1/16").unwrap(),
            Subnet::parse("172.18.3.0/24").unwrap(),
        ];
        assert_eq!(
            pick_subnet(&[], &host, true).unwrap().to_string(),
            "172.19.0.0/16"
        );
        assert_eq!(
            pick_subnet(&[], &[], true).unwrap().to_string(),
            "172.17.0.0/16"
        );
    }

    #[test]
    fn endpoints_are_unique_kept_and_block_removal() {
        let (_d, s) = store();
        let n = s
            .create(&NetworkOptions {
                name: "n1".into(),
                subnet: Some("10.7.0.0/24".into()),
                ..Default::default()
            })
            .unwrap();
        let a = s.allocate(&n, "c1", None, None, "one", vec![]).unwrap();
        let b = s
            .allocate(&n, "c2", None, None, "two", vec!["db".into(), "two".into()])
            .unwrap();
        assert_eq!(
            (a.ip.to_string(), b.ip.to_string()),
            ("10.7.0.2".into(), "10.7.0.3".into())
        );
        assert_eq!(s.allocate(&n, "c1", None, None, "one", vec![]).unwrap(), a);
        assert!(s
            .allocate(
                &n,
                "c3",
                Some("10.7.0.3".parse().unwrap()),
                None,
                "three",
                vec![]
            )
            .is_err());
        s.rename_endpoints_locked("c2", "two", "deux").unwrap();
        let c2 = &s.endpoints(&n).unwrap()["c2"];
        assert_eq!(
            (c2.name.as_str(), c2.aliases.clone()),
            ("deux", vec!["db".to_string(), "deux".to_string()])
        );
        assert!(s
            .remove(&n)
            .unwrap_err()
            .to_string()
            .contains("active endpoints"));
        s.release(&n, "c1").unwrap();
        s.release(&n, "c2").unwrap();
        s.remove(&n).unwrap();
        assert!(s.get("n1").is_err());
    }
}
