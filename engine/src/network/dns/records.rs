//! What the embedded DNS server knows: every network's endpoints, read from the same
//! records the engine writes (`networks/<id>/endpoints.json`), and the rules of who
//! sees whom. A container resolves the names of the containers it shares a network
//! with, on every network it is on, and no others (Docker's embedded DNS does the same).

use std::net::Ipv4Addr;

use crate::network::{Network, NetworkStore};
use crate::store::Paths;

#[derive(Debug, Clone)]
pub struct Entry {
    pub container: String,
    pub ip: Ipv4Addr,
    pub name: String,
    /// Every name it answers to, lower-cased.
    pub names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NetView {
    pub network: Network,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default)]
pub struct Records {
    pub nets: Vec<NetView>,
}

impl Records {
    /// Read every network and its endpoints. A record that cannot be read is skipped:
    /// one broken file must not take name resolution down for everyone.
    pub fn load(paths: &Paths) -> Records {
        let store = NetworkStore::records_only(paths);
        let mut nets = Vec::new();
        for network in store.list().unwrap_or_default() {
            let eps = store.endpoints(&network).unwrap_or_default();
            let mut entries: Vec<Entry> = eps
                .into_iter()
                .map(|(container, ep)| Entry {
                    names: ep.aliases.iter().map(|a| a.to_ascii_lowercase()).collect(),
                    container,
                    ip: ep.ip,
                    name: ep.name,
                })
                .collect();
            // A swarm service's name answers with its virtual IP (no container holds it,
            // so it never counts as the asker).
            let vips = store.vips(&network).unwrap_or_default();
            entries.extend(vips.into_iter().map(|(service, v)| Entry {
                container: format!("vip:{service}"),
                ip: v.ip,
                name: v.service,
                names: v.names,
            }));
            nets.push(NetView { network, entries });
        }
        Records { nets }
    }

    pub fn network(&self, id: &str) -> Option<&NetView> {
        self.nets.iter().find(|n| n.network.id == id)
    }

    /// The networks a query from `src`, arriving on network `net`, may see: that
    /// network, and every other network the asking container is on.
    fn visible(&self, net: &str, src: Ipv4Addr) -> Vec<&NetView> {
        let Some(home) = self.network(net) else {
            return Vec::new();
        };
        let asker = home
            .entries
            .iter()
            .find(|e| e.ip == src)
            .map(|e| &e.container);
        self.nets
            .iter()
            .filter(|n| {
                n.network.id == net
                    || asker.is_some_and(|c| n.entries.iter().any(|e| &e.container == c))
            })
            .collect()
    }

    /// The addresses of `name` for a query from `src` on `net`; None when no container
    /// the asker can see has that name.
    pub fn lookup(&self, net: &str, src: Ipv4Addr, name: &str) -> Option<Vec<Ipv4Addr>> {
        let mut out = Vec::new();
        for n in self.visible(net, src) {
            for e in &n.entries {
                if e.names.iter().any(|x| x == name) && !out.contains(&e.ip) {
                    out.push(e.ip);
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The name of the container at `ip` (`name.network`), for reverse lookups.
    pub fn reverse(&self, net: &str, src: Ipv4Addr, ip: Ipv4Addr) -> Option<String> {
        self.visible(net, src).into_iter().find_map(|n| {
            n.entries
                .iter()
                .find(|e| e.ip == ip && !e.name.is_empty())
                .map(|e| format!("{}.{}", e.name, n.network.name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::NetworkOptions;

    #[test]
    fn names_resolve_across_shared_networks_only() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        paths.ensure().unwrap();
        let s = NetworkStore::records_only(&paths);
        let mk = |name: &str, subnet: &str| {
            s.create(&NetworkOptions {
                name: name.into(),
                subnet: Some(subnet.into()),
                ..Default::default()
            })
            .unwrap()
        };
        let (front, back) = (mk("front", "10.1.0.0/24"), mk("back", "10.2.0.0/24"));
        let names = |n: &str, extra: &[&str]| {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.push(n.into());
            v
        };
        // web on front; api on front and back; db on back, as are two "cache" replicas.
        let web = s
            .allocate(&front, "w", None, None, "web", names("web", &[]))
            .unwrap();
        let api = s
            .allocate(&front, "a", None, None, "api", names("api", &["API"]))
            .unwrap();
        s.allocate(&back, "a", None, None, "api", names("api", &[]))
            .unwrap();
        let db = s
            .allocate(&back, "d", None, None, "db", names("db", &[]))
            .unwrap();
        let c1 = s
            .allocate(&back, "c1", None, None, "c1", names("c1", &["cache"]))
            .unwrap();
        let c2 = s
            .allocate(&back, "c2", None, None, "c2", names("c2", &["cache"]))
            .unwrap();
        let r = Records::load(&paths);

        // web sees api (by its alias too, in any case) but not db.
        assert_eq!(r.lookup(&front.id, web.ip, "api"), Some(vec![api.ip]));
        assert_eq!(r.lookup(&front.id, web.ip, "api").unwrap().len(), 1);
        assert_eq!(r.lookup(&front.id, web.ip, "db"), None);
        // api, asking on front, also sees its other network.
        assert_eq!(r.lookup(&front.id, api.ip, "db"), Some(vec![db.ip]));
        // Both replicas of an alias.
        assert_eq!(r.lookup(&back.id, db.ip, "cache"), Some(vec![c1.ip, c2.ip]));
        // A stranger (the host, say) sees only the network it asks on.
        let host = "10.1.0.1".parse().unwrap();
        assert_eq!(r.lookup(&front.id, host, "db"), None);
        assert_eq!(
            r.reverse(&back.id, db.ip, c1.ip).as_deref(),
            Some("c1.back")
        );
        assert_eq!(r.reverse(&front.id, web.ip, db.ip), None);
    }
}
