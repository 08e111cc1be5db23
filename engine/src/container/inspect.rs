//! Docker-shaped `inspect` output for a container, built from its two records.

use serde_json::{json, Value};

use super::launch::ContainerDirs;
use super::model::{Container, Status};
use crate::store::Paths;

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl Container {
    pub fn inspect_json(&self, paths: &Paths) -> Value {
        let r = &self.record;
        let s = &self.state;
        let dir = paths.container_dir(&r.id);
        let dirs = ContainerDirs::of(paths, &r.id);
        let mounts = self.mounts_json();
        let mut host_config = serde_json::to_value(&r.host_config).unwrap_or(Value::Null);
        super::inspect_keys::host_config(self, &mut host_config);
        let mut config = serde_json::to_value(&r.config).unwrap_or(Value::Null);
        super::inspect_keys::config(&mut config);
        // The image's layers as the overlay stacks them (gone if the image was removed).
        let images = crate::image::ImageStore::new(paths);
        let lower = images
            .resolve(&r.image_id.to_string())
            .and_then(|img| images.layer_dirs(&img))
            .map(|dirs| super::inspect_keys::lower_dir(&dirs))
            .unwrap_or_default();
        json!({
            "Id": r.id,
            "Created": r.created,
            "Path": r.path,
            "Args": r.args,
            "State": {
                "Status": s.status.as_str(),
                "Running": matches!(s.status, Status::Running | Status::Paused),
                "Paused": s.status == Status::Paused,
                "Restarting": s.status == Status::Restarting,
                "OOMKilled": s.oom_killed,
                "Dead": s.status == Status::Dead,
                "Pid": s.pid,
                "ExitCode": s.exit_code,
                "Error": error_of(self, paths),
                "StartedAt": s.started_at.clone().unwrap_or_else(|| ZERO_TIME.into()),
                "FinishedAt": s.finished_at.clone().unwrap_or_else(|| ZERO_TIME.into()),
                "Health": s.health,
            },
            "Image": r.image_id.to_string(),
            "ResolvConfPath": dir.join("resolv.conf"),
            "HostnamePath": dir.join("hostname"),
            "HostsPath": dir.join("hosts"),
            "LogPath": dir.join(format!("{}-json.log", r.id)),
            "Name": format!("/{}", r.name),
            "RestartCount": s.restart_count,
            "Driver": "overlay",
            "Platform": "linux",
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "",
            "HostConfig": host_config,
            // Berth keeps no record of execs once they end (Docker lists running ones).
            "ExecIDs": Value::Null,
            "GraphDriver": {
                "Name": "overlay",
                "Data": {
                    "LowerDir": lower,
                    "UpperDir": dirs.upper,
                    "WorkDir": dirs.work,
                    "MergedDir": dirs.rootfs,
                },
            },
            "Mounts": mounts,
            "Config": config,
            "NetworkSettings": self.network_settings(paths),
        })
    }

    /// Docker's `Mounts`: what the container mounts, as `inspect` and `ps` show it.
    pub fn mounts_json(&self) -> Value {
        let mounts: Vec<Value> = self
            .record
            .mounts
            .iter()
            .map(|m| {
                let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
                if m.kind == "tmpfs" {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("Driver");
                    }
                }
                v
            })
            .collect();
        Value::Array(mounts)
    }

    /// `NetworkSettings.Networks` alone (for a list row, without the rest of inspect).
    pub fn networks_json(&self, paths: &Paths) -> Value {
        self.network_settings(paths)["Networks"].take()
    }

    /// Docker's NetworkSettings: per network the live endpoint (empty while stopped), and
    /// the first network's address at the top level, as Docker shows the default bridge.
    /// Docker's NetworkSettings.Ports: while running, every exposed port with its host
    /// bindings, or null when it is not published.
    fn ports_json(&self, paths: &Paths) -> serde_json::Value {
        if !self.state.status.is_live() {
            return json!({});
        }
        let published = crate::network::ports::active::published(paths, self);
        let mut out = serde_json::Map::new();
        for key in self.record.config.exposed_ports.keys() {
            out.insert(key.clone(), serde_json::Value::Null);
        }
        for m in &published {
            let key = format!("{}/{}", m.container_port, m.proto.as_str());
            let b = json!({"HostIp": m.host_ip.to_string(), "HostPort": m.host_port.to_string()});
            match out.get_mut(&key) {
                Some(serde_json::Value::Array(list)) => list.push(b),
                _ => {
                    out.insert(key, json!([b]));
                }
            }
        }
        serde_json::Value::Object(out)
    }

    fn network_settings(&self, paths: &Paths) -> serde_json::Value {
        let store = crate::network::NetworkStore::reader(paths);
        let mut networks = serde_json::Map::new();
        let mut first: Option<(String, String, String)> = None;
        for (name, cfg) in &self.record.endpoints_config {
            let net = store.get(name).ok();
            let ep = net
                .as_ref()
                .and_then(|n| store.endpoints(n).ok()?.remove(&self.record.id));
            let ip = ep.as_ref().map(|e| e.ip.to_string()).unwrap_or_default();
            let gw = match (&ep, &net) {
                (Some(_), Some(n)) => n.gateway.to_string(),
                _ => String::new(),
            };
            let mac = ep.as_ref().map(|e| e.mac.clone()).unwrap_or_default();
            if first.is_none() {
                first = Some((ip.clone(), gw.clone(), mac.clone()));
            }
            let attached = ep.is_some();
            let mut entry = json!({
                    "IPAMConfig": cfg.ipv4_address.map(|a| json!({"IPv4Address": a.to_string()})),
                    "Aliases": if cfg.aliases.is_empty() { serde_json::Value::Null } else { json!(cfg.aliases) },
                    "MacAddress": mac,
                    "NetworkID": net.as_ref().map(|n| n.id.clone()).unwrap_or_default(),
                    "Gateway": gw,
                    "IPAddress": ip,
                    "IPPrefixLen": if ep.is_some() { net.as_ref().map(|n| n.subnet.prefix).unwrap_or(0) } else { 0 },
                    "DNSNames": ep.as_ref().map(|e| e.aliases.clone()),
            });
            let net_id = net.as_ref().map(|n| n.id.clone()).unwrap_or_default();
            super::inspect_keys::network_endpoint(
                &mut entry,
                super::inspect_keys::endpoint_id(&self.record.id, &net_id, attached),
            );
            networks.insert(name.clone(), entry);
        }
        if self.record.host_config.network_mode == "host" {
            networks.insert(
                "host".into(),
                json!({"IPAddress": "", "Gateway": "", "MacAddress": ""}),
            );
        } else if self.record.host_config.network_mode == "none" {
            networks.insert(
                "none".into(),
                json!({"IPAddress": "", "Gateway": "", "MacAddress": ""}),
            );
        }
        let (ip, gw, mac) = first.unwrap_or_default();
        // The same network the top-level address comes from.
        let first_entry = self
            .record
            .endpoints_config
            .keys()
            .next()
            .and_then(|name| networks.get(name.as_str()))
            .and_then(|v| v.as_object())
            .cloned();
        let s = &self.state;
        let mut settings = json!({
            "Bridge": "",
            "SandboxKey": if s.pid > 0 { format!("/proc/{}/ns/net", s.pid) } else { String::new() },
            "Ports": self.ports_json(paths),
            "IPAddress": ip,
            "Gateway": gw,
            "MacAddress": mac,
            "Networks": networks,
        });
        super::inspect_keys::network_settings(self, &mut settings, first_entry.as_ref());
        settings
    }
}

/// The state's error, or for a running container what it lost of its networks (a
/// bridge deleted under it), so `inspect` and the TUI say so.
fn error_of(c: &Container, paths: &Paths) -> String {
    if !c.state.error.is_empty() {
        return c.state.error.clone();
    }
    // A remote log driver that fails or lost lines (the container itself runs on).
    if let Some(said) = super::logdriver::status::read(paths, c.id()).and_then(|s| s.describe()) {
        return said;
    }
    let store = crate::network::NetworkStore::reader(paths);
    let lost = crate::network::wiring::check(&store, c).unwrap_or_default();
    lost.iter()
        .map(|(net, fault)| {
            crate::network::wiring::LostNetwork {
                network: net.name.clone(),
                fault: fault.clone(),
            }
            .describe(c.name(), &net.bridge)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
