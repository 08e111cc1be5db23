//! `network connect` and `network disconnect`, on running containers as well as stopped
//! ones: one engine call each (the TUI binds a key to them). A running container gets
//! (or loses) its interface at once; the record changes so the next start agrees.

use std::net::Ipv4Addr;

use super::attach;
use crate::container::model::EndpointConfig;
use crate::container::{Container, Status};
use crate::error::{Error, Result};
use crate::store::intent::{Intent, Orphan};
use crate::Engine;

impl Engine {
    pub fn network_connect(
        &self,
        network: &str,
        c: &Container,
        aliases: Vec<String>,
        ip: Option<Ipv4Addr>,
    ) -> Result<()> {
        let store = self.networks();
        let net = if network == super::types::DEFAULT_NETWORK {
            store.ensure_default()?
        } else {
            store.get_to_join(network)?
        };
        net.may_join(&c.record.config.labels)
            .map_err(Error::Forbidden)?;
        let mode = &c.record.host_config.network_mode;
        if mode == "host" || mode == "none" {
            return Err(Error::Conflict(format!(
                "container {} is on --network {mode}: it cannot join other networks",
                c.name()
            )));
        }
        if c.record.endpoints_config.contains_key(&net.name) {
            if let Some(repaired) = self.repair_wiring(&store, c, &net)? {
                return Ok(repaired);
            }
            return Err(Error::Conflict(format!(
                "endpoint with name {} already exists in network {}",
                c.name(),
                net.name
            )));
        }
        let _lock = self.containers().lock(c.id())?;
        let mut rec = self.containers().load(c.id())?.record;
        let order = rec
            .endpoints_config
            .values()
            .map(|e| e.order + 1)
            .max()
            .unwrap_or(0);
        let cfg = EndpointConfig {
            ipv4_address: ip,
            aliases,
            mac_address: None,
            order,
        };
        let current = self.containers().load(c.id())?;
        // Killed between the address, the interface and the record, the next command
        // rolls the connect back (see `undo_connect`).
        let _intent = Intent::begin(
            &self.paths,
            "connect",
            &format!("{}-{}", c.id(), net.id),
            "",
        )?;
        if current.state.status == Status::Running || current.state.status == Status::Paused {
            let ifname = format!("eth{}", rec.endpoints_config.len());
            let a = attach::reserve_one(&store, &rec, &net.name, &cfg, ifname)?;
            let wired = attach::connect_running(current.state.pid, c.id(), &a).and_then(|_| {
                crate::network::dns::ensure_server(&self.config, &net).map_err(|e| e.to_string())
            });
            if let Err(e) = wired {
                let _ = store.release(&net, c.id());
                return Err(Error::Runtime(format!(
                    "connect {} to {}: {e}",
                    c.name(),
                    net.name
                )));
            }
        }
        let had_dns = rec
            .endpoints_config
            .keys()
            .any(|n| store.get(n).is_ok_and(|other| super::dns::serves(&other)));
        rec.endpoints_config.insert(net.name.clone(), cfg);
        self.containers().save_record(&rec)?;
        let running = matches!(current.state.status, Status::Running | Status::Paused);
        if running && !had_dns && rec.host_config.dns.is_empty() && super::dns::serves(&net) {
            // Docker points a running container at the embedded server when it first
            // joins a user network; from then on its names resolve.
            self.use_embedded_dns(c.id(), &net)?;
        }
        crate::events::object_event(
            &self.paths,
            "network",
            "connect",
            &net.id,
            &super::store::net_attrs(&net, Some(c.id())),
        );
        Ok(())
    }

    pub fn network_disconnect(&self, network: &str, c: &Container, force: bool) -> Result<()> {
        let store = self.networks();
        let net = match store.get(network) {
            Ok(n) => n,
            Err(e) if force => {
                // The network is gone: just forget it in the record.
                let _ = e;
                let _lock = self.containers().lock(c.id())?;
                let mut rec = self.containers().load(c.id())?.record;
                rec.endpoints_config.remove(network);
                return self.containers().save_record(&rec);
            }
            Err(e) => return Err(e),
        };
        let _lock = self.containers().lock(c.id())?;
        let mut rec = self.containers().load(c.id())?.record;
        if rec.endpoints_config.remove(&net.name).is_none() {
            return Err(Error::Conflict(format!(
                "container {} is not connected to network {}",
                c.id(),
                net.name
            )));
        }
        let current = self.containers().load(c.id())?;
        if current.state.status.is_live() {
            attach::disconnect_running(c.id(), &net).map_err(Error::Runtime)?;
        }
        store.release(&net, c.id())?;
        self.containers().save_record(&rec)?;
        crate::events::object_event(
            &self.paths,
            "network",
            "disconnect",
            &net.id,
            &super::store::net_attrs(&net, Some(c.id())),
        );
        Ok(())
    }

    /// A `network connect` killed midway: if the record does not list the network, the
    /// connect did not happen, so its interface (if made) and its address go.
    pub(crate) fn undo_connect(&self, o: &Orphan) -> Result<()> {
        let Some((cid, net_id)) = o.id.split_once('-') else {
            return Ok(());
        };
        let store = self.networks();
        let net = match store.get(net_id) {
            Ok(n) => n,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        let rec = match self.containers().load(cid) {
            Ok(c) => c.record,
            // The container went; its removal released its addresses.
            Err(e) if e.is_not_found() => return store.release(&net, cid),
            Err(e) => return Err(e),
        };
        if rec.endpoints_config.contains_key(&net.name) {
            return Ok(());
        }
        // Deleting the host end of the veth takes the container's end with it.
        attach::disconnect_running(cid, &net).map_err(Error::Runtime)?;
        store.release(&net, cid)
    }

    /// Point the container's resolv.conf at `net`'s server. Written in place: the
    /// container sees the file through a bind mount, which a rename would not update.
    fn use_embedded_dns(&self, id: &str, net: &super::Network) -> Result<()> {
        let host = std::fs::read_to_string(&self.config.resolv_conf).unwrap_or_default();
        let text = crate::container::launch::embedded_resolv_conf(&host, net.gateway);
        let path = self.paths.container_dir(id).join("resolv.conf");
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))
    }

    /// `network connect` to a network the running container is on but has lost (see
    /// `wiring`): make the bridge again, put its veth back, or wire a new interface
    /// with its address. `None` when nothing was lost (then it is the usual conflict).
    fn repair_wiring(
        &self,
        store: &super::NetworkStore,
        c: &Container,
        net: &super::Network,
    ) -> Result<Option<()>> {
        let current = self.containers().load(c.id())?;
        let lost = super::wiring::check(store, &current)?;
        let Some((_, fault)) = lost.into_iter().find(|(n, _)| n.id == net.id) else {
            return Ok(None);
        };
        let _lock = self.containers().lock(c.id())?;
        let net = store.claim_bridge(net)?;
        if fault == super::wiring::Fault::VethGone {
            let rec = &current.record;
            let cfg = rec
                .endpoints_config
                .get(&net.name)
                .cloned()
                .unwrap_or_default();
            let a = attach::reserve_one(store, rec, &net.name, &cfg, "eth0".into())?;
            attach::connect_running(current.state.pid, c.id(), &a).map_err(Error::Runtime)?;
        }
        super::dns::ensure_server(&self.config, &net)?;
        Ok(Some(()))
    }
}
