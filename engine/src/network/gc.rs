//! Network cleanup: what a crash or a kill can leave behind, removed by
//! `berth system prune`, by `network rm`/`network prune` (endpoints only) and when the
//! TUI starts. Each step is judged from the records, never from names alone:
//! - endpoints (addresses) of containers that neither run nor are being started;
//! - redirects of published ports whose monitor is gone;
//! - bridges this state root made (marked `berth:<root id>`, see `owner`) that no
//!   network owns or whose network has no container left (made again on the next start);
//! - veths on those bridges that belong to no live endpoint.

use std::collections::BTreeSet;

use super::attach::veth_name;
use super::netlink::Netlink;
use super::owner::Owner;
use super::NetworkStore;
use crate::error::{Error, Result};
use crate::store::FileLock;
use crate::Engine;

/// What a cleanup removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GcReport {
    /// `network/container` pairs whose address went back to the pool.
    pub endpoints: Vec<String>,
    pub bridges: Vec<String>,
    pub veths: Vec<String>,
    /// Whether stale redirects were dropped.
    pub redirects: bool,
}

impl GcReport {
    pub fn is_empty(&self) -> bool {
        self == &GcReport::default()
    }
}

impl Engine {
    /// Release the addresses of containers that are not running and not starting.
    pub fn release_stale_endpoints(&self) -> Result<Vec<String>> {
        let store = self.networks();
        let mut released = Vec::new();
        for net in store.list()? {
            for id in store.endpoints(&net)?.keys() {
                if self.holds_its_endpoints(id) {
                    continue;
                }
                store.release(&net, id)?;
                released.push(format!("{}/{}", net.name, &id[..12.min(id.len())]));
            }
        }
        Ok(released)
    }

    /// A container keeps its addresses while it runs, and while a start holds its
    /// start lock (addresses are reserved before the container is marked running).
    fn holds_its_endpoints(&self, id: &str) -> bool {
        let Ok(c) = self.containers().load(id) else {
            return false;
        };
        if c.state.status.is_live() {
            return true;
        }
        let lock = self.paths.container_dir(id).join("start.lock");
        !matches!(FileLock::try_exclusive(&lock), Ok(Some(_)))
    }

    /// The whole network cleanup (see the module comment).
    pub fn network_gc(&self) -> Result<GcReport> {
        let mut report = GcReport {
            endpoints: self.release_stale_endpoints()?,
            ..Default::default()
        };
        let (_, stale) = super::ports::active::list_live(&self.paths);
        report.redirects = stale;
        let store = self.networks();
        if store.manages_host() {
            self.remove_unused_links(&store, store.owner()?, &mut report)?;
        }
        if !report.is_empty() {
            store.refresh_firewall()?;
        }
        Ok(report)
    }

    fn remove_unused_links(
        &self,
        store: &NetworkStore,
        owner: &Owner,
        report: &mut GcReport,
    ) -> Result<()> {
        let nets = store.list()?;
        // Bridges in use, and the host ends of veths live endpoints own.
        let mut busy_bridges = BTreeSet::new();
        let mut live_veths = BTreeSet::new();
        for n in &nets {
            let eps = store.endpoints(n)?;
            if !eps.is_empty() {
                busy_bridges.insert(n.bridge.clone());
            }
            for id in eps.keys() {
                live_veths.insert(veth_name(id, n));
            }
        }
        let mut nl = Netlink::open().map_err(|e| Error::Runtime(e.to_string()))?;
        let links = nl.links().map_err(|e| Error::Runtime(e.to_string()))?;
        let ours: Vec<_> = links
            .iter()
            .filter(|l| l.kind.as_deref() == Some("bridge") && owner.owns(l.alias.as_deref()))
            .collect();
        let our_indexes: BTreeSet<u32> = ours.iter().map(|l| l.index).collect();
        for l in &links {
            let on_ours = l.master.is_some_and(|m| our_indexes.contains(&m));
            if l.kind.as_deref() == Some("veth") && on_ours && !live_veths.contains(&l.name) {
                nl.delete_link(l.index)
                    .map_err(|e| Error::Runtime(e.to_string()))?;
                report.veths.push(l.name.clone());
            }
        }
        for b in ours {
            if !busy_bridges.contains(&b.name) {
                nl.delete_link(b.index)
                    .map_err(|e| Error::Runtime(e.to_string()))?;
                report.bridges.push(b.name.clone());
            }
        }
        Ok(())
    }
}
