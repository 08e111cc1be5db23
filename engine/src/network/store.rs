//! Network records (`networks/<id>/network.json`) and their endpoints
//! (`networks/<id>/endpoints.json`: container ID -> address). Every change happens under
//! the global lock, so names stay unique and no address is handed out twice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::host::Host;
use super::ipam;
use super::owner::Owner;
use super::subnets::{pick_subnet, taken};
use super::types::{Network, Subnet, DEFAULT_NETWORK, OVERLAY, PREDEFINED};
use crate::config::Config;
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
    /// Overlay networks only (see `Network`).
    pub attachable: bool,
    pub ingress: bool,
}

#[derive(Debug, Clone)]
pub struct NetworkStore {
    paths: Paths,
    /// The default network's subnet when one is asked for (`Config::default_subnet`);
    /// otherwise it is chosen host-wide like any other.
    default_subnet: Option<String>,
    /// Whether this store makes and removes the host's bridges and firewall rules
    /// (false: records only, for unit tests of the records).
    manages_host: bool,
    /// This root's names and marks on the host, read once (see `owner`).
    owner: std::sync::OnceLock<Owner>,
    pub(crate) host: Host,
}

/// Docker's attributes of network events: the network's name and type, and the
/// container for connect/disconnect.
pub fn net_attrs(net: &Network, container: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v = vec![("name", net.name.clone()), ("type", net.driver.clone())];
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
    /// The store of the engine with these settings (it takes the default network's
    /// subnet from `config`).
    pub fn new(paths: &Paths, config: &Config) -> Self {
        NetworkStore {
            default_subnet: config.default_subnet.clone(),
            ..Self::reader(paths)
        }
    }

    /// A store for looking at networks (records, and the host's links for what a
    /// container lost) from where no engine settings are at hand, such as `inspect`.
    /// Everything but making the default network works as with [`new`](Self::new).
    pub fn reader(paths: &Paths) -> Self {
        NetworkStore {
            paths: paths.clone(),
            default_subnet: None,
            manages_host: true,
            owner: std::sync::OnceLock::new(),
            host: Host::default(),
        }
    }

    /// A store that never touches the host's links or firewall (record tests).
    pub fn records_only(paths: &Paths) -> Self {
        NetworkStore {
            manages_host: false,
            ..Self::reader(paths)
        }
    }

    pub(crate) fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Whether this store acts on the host (bridges, firewall), not just on records.
    pub fn manages_host(&self) -> bool {
        self.manages_host
    }

    /// What this root owns on the host: its table, its default bridge, its mark.
    pub fn owner(&self) -> Result<&Owner> {
        if let Some(o) = self.owner.get() {
            return Ok(o);
        }
        let o = Owner::of(&self.paths.root)?;
        Ok(self.owner.get_or_init(|| o))
    }

    /// Rebuild this root's firewall table from its networks (none left: remove it).
    pub fn refresh_firewall(&self) -> Result<()> {
        if !self.manages_host {
            return Ok(());
        }
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        self.rebuild_firewall_locked()
    }

    fn rebuild_firewall_locked(&self) -> Result<()> {
        let table = &self.owner()?.table;
        let nets = self.list()?;
        let (published, _) = super::ports::active::list_live(&self.paths);
        // Forget what the table covered first: a failed apply must not look applied.
        let stamp = self.paths.firewall_stamp();
        let _ = fs::remove_file(&stamp);
        if nets.is_empty() {
            return super::firewall::remove(table);
        }
        super::firewall::apply(table, &nets, &published)?;
        let bridges: Vec<&str> = nets.iter().map(|n| n.bridge.as_str()).collect();
        crate::store::atomic::write_atomic_volatile(&stamp, bridges.join("\n").as_bytes())
    }

    /// Whether the last firewall rebuild of this root covered `bridge` (its chains
    /// exist): a bridge found already made, say after a crash, may still lack them.
    pub(crate) fn firewall_covers(&self, bridge: &str) -> bool {
        fs::read_to_string(self.paths.firewall_stamp())
            .is_ok_and(|t| t.lines().any(|l| l == bridge))
    }

    /// Record a container's published ports and start redirecting them: one small
    /// change to the table, or a rebuild when that is refused (no table yet, or an
    /// element left by a killed monitor in the way).
    pub fn publish_ports(&self, a: &super::ports::active::Active) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        super::ports::active::write(&self.paths, a)?;
        if !self.manages_host {
            return Ok(());
        }
        if super::firewall::change_ports(&self.owner()?.table, a, true).is_ok() {
            return Ok(());
        }
        self.rebuild_firewall_locked()
    }

    /// Stop redirecting a container's ports and forget them.
    pub fn unpublish_ports(&self, container: &str) -> Result<()> {
        let _lock = FileLock::exclusive(&self.paths.firewall_lock())?;
        let Some(a) = super::ports::active::read(&self.paths, container) else {
            return Ok(());
        };
        super::ports::active::remove(&self.paths, container);
        if !self.manages_host {
            return Ok(());
        }
        if super::firewall::change_ports(&self.owner()?.table, &a, false).is_ok() {
            return Ok(());
        }
        self.rebuild_firewall_locked()
    }

    fn dir(&self, id: &str) -> PathBuf {
        self.paths.networks_dir().join(id)
    }

    pub fn list(&self) -> Result<Vec<Network>> {
        list_networks(&self.paths.networks_dir())
    }

    /// By full ID: one record read (the start of every container asks this).
    pub(crate) fn get_by_id(&self, id: &str) -> Result<Network> {
        read_json(&self.dir(id).join("network.json"))
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

    /// A network a container is to join, by name or ID: Docker words a missing one
    /// differently here (`network x not found`) than `network inspect`/`rm` do.
    pub fn get_to_join(&self, reference: &str) -> Result<Network> {
        self.get(reference).map_err(|e| match e {
            Error::NotFound { .. } => Error::NetworkNotFound(reference.to_string()),
            other => other,
        })
    }

    /// Create a user network. Validates everything before writing anything.
    pub fn create(&self, o: &NetworkOptions) -> Result<Network> {
        validate_name(&o.name)?;
        let driver = o.driver.clone().unwrap_or_else(|| "bridge".into());
        if driver != "bridge" && driver != OVERLAY {
            return Err(Error::invalid(format!(
                "network driver {driver:?} is not supported: only \"bridge\" and \"overlay\" are"
            )));
        }
        // `--attachable` means something only to swarm networks; docker-compose sends
        // it for bridges too, and Docker records it there, as here.
        if driver != OVERLAY && o.ingress {
            return Err(Error::invalid(
                "--ingress is an option of swarm (overlay) networks",
            ));
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
            None => {
                let (host, foreign) = self.host_view()?;
                pick_subnet(&taken(&existing, None, &host, &foreign), default)?
            }
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
            subnet_auto: o.subnet.is_none() && o.gateway.is_none() && o.ip_range.is_none(),
            bridge: if default {
                self.owner()?.default_bridge.clone()
            } else {
                format!("br-{}", &id[..12])
            },
            id,
            name: o.name.clone(),
            driver: o.driver.clone().unwrap_or_else(|| "bridge".into()),
            created: crate::container::now_rfc3339(),
            subnet,
            gateway,
            ip_range,
            internal: o.internal,
            labels: o.labels.clone(),
            options: o.options.clone(),
            attachable: o.attachable,
            ingress: o.ingress,
        };
        let dir = self.dir(&net.id);
        fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        write_json_atomic(
            &dir.join("endpoints.json"),
            &BTreeMap::<String, Endpoint>::new(),
        )?;
        write_json_atomic(&dir.join("network.json"), &net)?;
        if self.manages_host {
            // Other roots choosing a subnet now see this one.
            self.host.register(self.owner()?)?;
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
        let bridge = &self.owner()?.default_bridge;
        if let Ok(n) = self.get(DEFAULT_NETWORK) {
            if n.bridge == *bridge {
                return Ok(n);
            }
        }
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        if let Ok(mut n) = self.get(DEFAULT_NETWORK) {
            // Roots made before roots had IDs all named their default bridge `berth0`:
            // move the network to this root's own bridge while nothing uses it.
            if n.bridge != *bridge && self.endpoints(&n)?.is_empty() {
                n.bridge = bridge.clone();
                n.subnet_auto = self.default_subnet.is_none();
                write_json_atomic(&self.dir(&n.id).join("network.json"), &n)?;
            }
            return Ok(n);
        }
        let o = NetworkOptions {
            name: DEFAULT_NETWORK.into(),
            subnet: self.default_subnet.clone(),
            ..Default::default()
        };
        self.create_locked(&o, true)
    }

    /// The host's interface subnets and the other roots' recorded ones (nothing for a
    /// records-only store, which must not depend on the host).
    pub(crate) fn host_view(
        &self,
    ) -> Result<(
        Vec<super::subnets::HostSubnet>,
        Vec<super::host::ForeignSubnet>,
    )> {
        if !self.manages_host {
            return Ok((Vec::new(), Vec::new()));
        }
        let owner = self.owner()?;
        let mut nl = super::netlink::Netlink::open()?;
        let host = super::subnets::host_subnets(&mut nl)?;
        Ok((host, self.host.foreign_subnets(owner)))
    }

    /// Replace a network's record (the caller holds the global lock).
    pub(crate) fn rewrite_locked(&self, net: &Network) -> Result<()> {
        write_json_atomic(&self.dir(&net.id).join("network.json"), net)
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
        let used = self.taken_locked(net, &eps)?;
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

    /// Every address handed out on `net`: the containers' (`eps`, already read) and
    /// the services' virtual IPs. The caller holds the global lock.
    pub(crate) fn taken_locked(
        &self,
        net: &Network,
        eps: &BTreeMap<String, Endpoint>,
    ) -> Result<BTreeSet<Ipv4Addr>> {
        let mut used: BTreeSet<Ipv4Addr> = eps.values().map(|e| e.ip).collect();
        used.extend(self.vips(net)?.values().map(|v| v.ip));
        Ok(used)
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
        if let Some(v) = self.vips(net)?.values().next() {
            return Err(Error::Conflict(format!(
                "rpc error: code = FailedPrecondition desc = network {} is in use by service {}",
                net.name, v.service
            )));
        }
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
        if !self.manages_host {
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
        super::bridge::remove_if_ours(self.owner()?, &net.bridge);
        self.refresh_firewall()
    }
}

/// The networks recorded in `dir` (a root's `networks/`), by name.
pub fn list_networks(dir: &std::path::Path) -> Result<Vec<Network>> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else {
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
            ("bridge", s.owner().unwrap().default_bridge.as_str())
        );
        assert!(def.subnet_auto);
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
