//! Legacy `--link NAME[:ALIAS]`: the linked container named in /etc/hosts on its first
//! address, and Docker's link environment in the linking container's processes
//! (`ALIAS_NAME`, `ALIAS_PORT`, `ALIAS_PORT_80_TCP*`, `ALIAS_ENV_*`), which old
//! images still read to find their database.

use std::net::Ipv4Addr;

use super::model::Config;
use super::store::ContainerStore;
use crate::error::{Error, Result};
use crate::store::Paths;

/// What one link gives the linking container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub hosts_line: String,
    pub env: Vec<String>,
}

/// Resolve `link` for the container named `linking`.
pub fn resolve(paths: &Paths, store: &ContainerStore, link: &str, linking: &str) -> Result<Link> {
    let (name, alias) = link.split_once(':').unwrap_or((link, link));
    let target = store.find(name)?;
    let nets = crate::network::NetworkStore::reader(paths);
    let ip = target
        .record
        .networks_in_order()
        .into_iter()
        .find_map(|(n, _)| {
            nets.get(n)
                .ok()
                .and_then(|net| nets.endpoints(&net).ok()?.remove(&target.record.id))
        })
        .map(|ep| ep.ip)
        .ok_or_else(|| {
            Error::Conflict(format!(
                "cannot link to {name}: it is not running on a network"
            ))
        })?;
    let mut names = vec![alias.to_string()];
    if alias != target.record.name {
        names.push(target.record.name.clone());
    }
    names.push(target.record.id[..12].to_string());
    Ok(Link {
        hosts_line: format!("{ip}\t{}\n", names.join(" ")),
        env: link_env(alias, linking, ip, &target.record.config),
    })
}

/// Docker's link variables, prefixed by the alias in upper case (`-` becomes `_`).
fn link_env(alias: &str, linking: &str, ip: Ipv4Addr, target: &Config) -> Vec<String> {
    let prefix = alias.to_uppercase().replace('-', "_");
    let mut ports: Vec<(u16, String)> = target
        .exposed_ports
        .keys()
        .filter_map(|p| {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            Some((port.parse().ok()?, proto.to_string()))
        })
        .collect();
    ports.sort();
    let mut env = Vec::new();
    // The lowest port is the link's default one.
    if let Some((port, proto)) = ports.first() {
        env.push(format!("{prefix}_PORT={proto}://{ip}:{port}"));
    }
    for (port, proto) in &ports {
        let key = format!("{prefix}_PORT_{port}_{}", proto.to_uppercase());
        env.push(format!("{key}={proto}://{ip}:{port}"));
        env.push(format!("{key}_ADDR={ip}"));
        env.push(format!("{key}_PORT={port}"));
        env.push(format!("{key}_PROTO={proto}"));
    }
    env.push(format!("{prefix}_NAME=/{linking}/{alias}"));
    for e in &target.env {
        let Some((k, v)) = e.split_once('=') else {
            continue;
        };
        // Set by images for every process; not the linked service's settings.
        if k == "HOME" || k == "PATH" {
            continue;
        }
        env.push(format!("{prefix}_ENV_{k}={v}"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_link_variables() {
        let mut cfg = Config {
            env: vec!["PATH=/bin".into(), "PGPASS=x=y".into()],
            ..Default::default()
        };
        cfg.exposed_ports
            .insert("5432/tcp".into(), serde_json::json!({}));
        cfg.exposed_ports
            .insert("53/udp".into(), serde_json::json!({}));
        let env = link_env("my-db", "web", "10.0.0.5".parse().unwrap(), &cfg);
        assert_eq!(
            env,
            [
                "MY_DB_PORT=udp://10.0.0.5:53",
                "MY_DB_PORT_53_UDP=udp://10.0.0.5:53",
                "MY_DB_PORT_53_UDP_ADDR=10.0.0.5",
                "MY_DB_PORT_53_UDP_PORT=53",
                "MY_DB_PORT_53_UDP_PROTO=udp",
                "MY_DB_PORT_5432_TCP=tcp://10.0.0.5:5432",
                "MY_DB_PORT_5432_TCP_ADDR=10.0.0.5",
                "MY_DB_PORT_5432_TCP_PORT=5432",
                "MY_DB_PORT_5432_TCP_PROTO=tcp",
                "MY_DB_NAME=/web/my-db",
                "MY_DB_ENV_PGPASS=x=y",
            ]
        );
    }
}
