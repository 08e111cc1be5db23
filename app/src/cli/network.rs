//! Network commands: create, ls, inspect, rm, connect, disconnect and prune, through
//! the engine interface.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

use bollard::models as m;
use bollard::query_parameters as q;
use chrono::Datelike;
use clap::Subcommand;
use serde_json::{json, Value};

use super::door::{missing_object, Door};
use super::filters::Filters;
use super::go_json::{always, omit_empty, shape, Field, Inner};
use super::inspect::inspect_each;
use super::output::print_rows_with;
use super::{CliResult, Failure};
use crate::format::contexts::{labels_column, Labelled};

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    /// Create a network
    Create {
        /// Driver to manage the Network ("bridge", or "overlay" for a swarm network)
        #[arg(short = 'd', long, default_value = "bridge")]
        driver: String,
        /// Enable manual container attachment (overlay networks)
        #[arg(long)]
        attachable: bool,
        /// Create swarm routing-mesh network
        #[arg(long)]
        ingress: bool,
        /// Control the network's scope
        #[arg(long)]
        scope: Option<String>,
        /// Subnet in CIDR format that represents a network segment
        #[arg(long)]
        subnet: Option<String>,
        /// IPv4 Gateway for the master subnet
        #[arg(long)]
        gateway: Option<String>,
        /// Allocate container ip from a sub-range
        #[arg(long = "ip-range")]
        ip_range: Option<String>,
        /// Restrict external access to the network
        #[arg(long)]
        internal: bool,
        /// Set metadata on a network
        #[arg(long = "label")]
        labels: Vec<String>,
        /// Set driver specific options
        #[arg(short = 'o', long = "opt")]
        opts: Vec<String>,
        name: String,
    },
    /// List networks
    #[command(visible_alias = "list")]
    Ls {
        /// Only display network IDs
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Pretty-print networks using a Go template
        #[arg(long)]
        format: Option<String>,
        /// Do not truncate the output
        #[arg(long = "no-trunc")]
        no_trunc: bool,
        /// Provide filter values (e.g. 'driver=bridge', 'name=', 'id=', 'label=', 'type=custom|builtin', 'dangling=true')
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
    },
    /// Display detailed information on one or more networks
    Inspect {
        #[arg(short = 'f', long)]
        format: Option<String>,
        #[arg(required = true)]
        networks: Vec<String>,
    },
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm {
        #[arg(required = true)]
        networks: Vec<String>,
    },
    /// Connect a container to a network (a running one gets the interface at once)
    Connect {
        /// Add network-scoped alias for the container
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// IPv4 address (e.g., 172.30.100.104)
        #[arg(long)]
        ip: Option<String>,
        network: String,
        container: String,
    },
    /// Disconnect a container from a network
    Disconnect {
        /// Force the container to disconnect from a network
        #[arg(short = 'f', long)]
        force: bool,
        network: String,
        container: String,
    },
    /// Remove all unused networks
    Prune {
        #[arg(short = 'f', long)]
        force: bool,
    },
}

fn kv(items: &[String]) -> HashMap<String, String> {
    items
        .iter()
        .map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.into(), v.into()))
                .unwrap_or((l.clone(), String::new()))
        })
        .collect()
}

/// Docker prints a network's creation time as Go's `time.Time.String()`; the modes
/// listed as networks (`host`, `none`) have Go's zero time, which berth leaves blank.
fn created_at(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .filter(|t| t.year() > 1)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S%.f +0000 UTC")
                .to_string()
        })
        .unwrap_or_default()
}

/// `network inspect` as the daemon prints Docker's `NetworkResource` (the IPAM config
/// keys in the order berth has always printed them).
const NETWORK: &[Field] = &[
    always("Name", Inner::Plain),
    always("Id", Inner::Plain),
    always("Created", Inner::Plain),
    always("Scope", Inner::Plain),
    always("Driver", Inner::Plain),
    omit_empty("EnableIPv4", Inner::Plain),
    always("EnableIPv6", Inner::Plain),
    always("IPAM", Inner::Struct(IPAM)),
    always("Internal", Inner::Plain),
    always("Attachable", Inner::Plain),
    always("Ingress", Inner::Plain),
    always("ConfigFrom", Inner::Struct(CONFIG_FROM)),
    always("ConfigOnly", Inner::Plain),
    always("Containers", Inner::MapOf(ENDPOINT)),
    always("Options", Inner::Map),
    always("Labels", Inner::Map),
    omit_empty("Peers", Inner::Plain),
    omit_empty("Services", Inner::Plain),
    omit_empty("Status", Inner::Plain),
];
const IPAM: &[Field] = &[
    always("Driver", Inner::Plain),
    always("Options", Inner::Map),
    always("Config", Inner::ListOf(IPAM_CONFIG)),
];
const IPAM_CONFIG: &[Field] = &[
    omit_empty("Subnet", Inner::Plain),
    omit_empty("Gateway", Inner::Plain),
    omit_empty("IPRange", Inner::Plain),
    omit_empty("AuxiliaryAddresses", Inner::Map),
];
const CONFIG_FROM: &[Field] = &[always("Network", Inner::Plain)];
const ENDPOINT: &[Field] = &[
    always("Name", Inner::Plain),
    always("EndpointID", Inner::Plain),
    always("MacAddress", Inner::Plain),
    always("IPv4Address", Inner::Plain),
    always("IPv6Address", Inner::Plain),
];

pub(super) fn document(n: &m::NetworkInspect) -> Result<Value, Failure> {
    let v = serde_json::to_value(n).map_err(|e| format!("network inspect: {e}"))?;
    Ok(shape(&v, NETWORK))
}

/// A row of `network ls`, with `.Label "key"` for templates.
fn row(n: m::Network, no_trunc: bool) -> (Value, Labelled) {
    let full = n.id.unwrap_or_default();
    let id = if no_trunc {
        full.clone()
    } else {
        full.get(..12).unwrap_or(&full).to_string()
    };
    let labels: BTreeMap<String, String> = n.labels.unwrap_or_default().into_iter().collect();
    let row = json!({
        "ID": id, "Name": n.name.unwrap_or_default(), "Driver": n.driver.unwrap_or_default(),
        "Scope": n.scope.unwrap_or_default(),
        "IPv6": n.enable_ipv6.unwrap_or(false).to_string(),
        "Internal": n.internal.unwrap_or(false).to_string(),
        "Labels": labels_column(&labels),
        "CreatedAt": created_at(n.created.as_deref().unwrap_or_default()),
    });
    (row, Labelled(labels))
}

fn list(
    door: &Door,
    quiet: bool,
    format: Option<String>,
    no_trunc: bool,
    filter: &[String],
) -> CliResult {
    let filters = Filters::parse(
        filter,
        &["driver", "id", "label", "name", "scope", "type", "dangling"],
    )?;
    for t in filters.values("type") {
        if t != "custom" && t != "builtin" {
            return Err(format!("Error response from daemon: invalid filter: 'type'='{t}'").into());
        }
    }
    let dangling = filters.boolean("dangling")?;
    let opts = q::ListNetworksOptions {
        filters: filters.with_boolean("dangling", dangling).query(&[]),
    };
    let mut rows: Vec<_> = door
        .call(door.backend().network_list(opts))?
        .into_iter()
        .map(|n| row(n, no_trunc))
        .collect();
    rows.sort_by(|a, b| a.0["Name"].as_str().cmp(&b.0["Name"].as_str()));
    if quiet {
        for (r, _) in &rows {
            println!("{}", r["ID"].as_str().unwrap_or_default());
        }
        return Ok(0);
    }
    let headers = [
        ("ID", "NETWORK ID"),
        ("Name", "NAME"),
        ("Driver", "DRIVER"),
        ("Scope", "SCOPE"),
        ("IPv6", "IPV6"),
        ("Internal", "INTERNAL"),
        ("Labels", "LABELS"),
        ("CreatedAt", "CREATED AT"),
    ];
    print_rows_with(
        &rows,
        &headers,
        "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
        format.as_deref(),
    )?;
    Ok(0)
}

pub fn run(door: &Door, cmd: NetworkCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        NetworkCmd::Create {
            driver,
            attachable,
            ingress,
            scope,
            subnet,
            gateway,
            ip_range,
            internal,
            labels,
            opts,
            name,
        } => {
            let given = subnet.is_some() || gateway.is_some() || ip_range.is_some();
            let ipam = given.then(|| m::Ipam {
                config: Some(vec![m::IpamConfig {
                    subnet,
                    gateway,
                    ip_range,
                    ..Default::default()
                }]),
                ..Default::default()
            });
            let req = m::NetworkCreateRequest {
                name,
                driver: Some(driver),
                attachable: Some(attachable),
                ingress: Some(ingress),
                scope,
                internal: Some(internal),
                labels: Some(kv(&labels)),
                options: Some(kv(&opts)),
                ipam,
                ..Default::default()
            };
            let created = door.call(b.network_create(req))?;
            println!("{}", created.id);
            Ok(0)
        }
        NetworkCmd::Ls {
            quiet,
            format,
            no_trunc,
            filter,
        } => list(door, quiet, format, no_trunc, &filter),
        NetworkCmd::Inspect { format, networks } => {
            inspect_each(&networks, format.as_deref(), |r| {
                let n = door
                    .call(b.network_inspect(r))
                    .map_err(|e| Failure::from(missing_object("network", r, &e)))?;
                document(&n)
            })
        }
        NetworkCmd::Rm { networks } => {
            let mut failed = false;
            for r in &networks {
                match door.call(b.network_remove(r)) {
                    Ok(()) => println!("{r}"),
                    Err(e) => {
                        eprintln!("{}", missing_object("network", r, &e));
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        NetworkCmd::Connect {
            aliases,
            ip,
            network,
            container,
        } => {
            if let Some(s) = ip.as_deref().filter(|s| s.parse::<Ipv4Addr>().is_err()) {
                // A missing container is named before a bad address, as berth always has.
                door.call(b.container_inspect(&container, false))?;
                return Err(format!("invalid --ip {s:?}: not an IPv4 address").into());
            }
            let endpoint = m::EndpointSettings {
                aliases: (!aliases.is_empty()).then_some(aliases),
                ipam_config: ip.map(|ip| m::EndpointIpamConfig {
                    ipv4_address: Some(ip),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let req = m::NetworkConnectRequest {
                container,
                endpoint_config: Some(endpoint),
            };
            door.call(b.network_connect(&network, req))?;
            Ok(0)
        }
        NetworkCmd::Disconnect {
            force,
            network,
            container,
        } => {
            let req = m::NetworkDisconnectRequest {
                container,
                force: Some(force),
            };
            door.call(b.network_disconnect(&network, req))?;
            Ok(0)
        }
        NetworkCmd::Prune { force: _ } => {
            let opts = q::PruneNetworksOptions { filters: None };
            let pruned = door.call(b.network_prune(opts))?;
            let removed = pruned.networks_deleted.unwrap_or_default();
            if !removed.is_empty() {
                println!("Deleted Networks:");
                for n in removed {
                    println!("{n}");
                }
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the engine printed for a user network before the CLI read the model.
    const ENGINE_DOC: &str = r#"{
  "Name": "n1",
  "Id": "75341ce221ca6c39ec50cb558b047f3aa15304bd1e8f3197c5262e8df4e05b5f",
  "Created": "2026-12-07T04:56:16.075261338Z",
  "Scope": "local",
  "Driver": "bridge",
  "EnableIPv6": false,
  "IPAM": {
    "Driver": "default",
    "Options": {},
    "Config": [
      {
        "Subnet": "172.20.0.0/16",
        "Gateway": "172.20.0.1",
        "IPRange": "172.20.5.0/24"
      }
    ]
  },
  "Internal": false,
  "Attachable": false,
  "Ingress": false,
  "ConfigFrom": {
    "Network": ""
  },
  "ConfigOnly": false,
  "Containers": {
    "aaa": {
      "Name": "web",
      "EndpointID": "ac140002",
      "MacAddress": "02:42:ac:14:00:02",
      "IPv4Address": "172.20.0.2/16",
      "IPv6Address": ""
    },
    "bbb": {
      "Name": "db",
      "EndpointID": "ac140003",
      "MacAddress": "02:42:ac:14:00:03",
      "IPv4Address": "172.20.0.3/16",
      "IPv6Address": ""
    }
  },
  "Options": {
    "a.first": "1",
    "com.docker.network.bridge.name": "br-75341ce221ca"
  },
  "Labels": {
    "x": "1",
    "y": "2"
  }
}"#;

    #[test]
    fn inspect_from_the_model_prints_what_the_engine_printed() {
        let model: m::NetworkInspect = serde_json::from_str(ENGINE_DOC).expect("model");
        let doc = document(&model).ok().expect("document");
        assert_eq!(
            serde_json::to_string_pretty(&doc).expect("json"),
            ENGINE_DOC
        );
    }

    #[test]
    fn the_modes_keep_their_null_ipam_fields() {
        let host = json!({
            "Name": "host", "Id": format!("{:0>64}", 1), "Created": "0001-01-01T00:00:00Z",
            "Scope": "local", "Driver": "host", "EnableIPv4": true, "EnableIPv6": false,
            "IPAM": {"Driver": "default", "Options": null, "Config": null},
            "Internal": false, "Attachable": false, "Ingress": false,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": false,
            "Containers": {}, "Options": {}, "Labels": {},
        });
        let model: m::NetworkInspect = serde_json::from_value(host.clone()).expect("model");
        let doc = document(&model).ok().expect("document");
        assert_eq!(
            serde_json::to_string(&doc).expect("json"),
            serde_json::to_string(&host).expect("json")
        );
    }

    #[test]
    fn rows_show_short_ids_and_blank_zero_times() {
        let n = m::Network {
            id: Some(format!("{:0>64}", 2)),
            name: Some("none".into()),
            driver: Some("null".into()),
            scope: Some("local".into()),
            created: Some("0001-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        let (r, _) = row(n, false);
        assert_eq!(r["ID"], "000000000000");
        assert_eq!(r["CreatedAt"], "");
        assert_eq!(r["IPv6"], "false");
        assert_eq!(
            created_at("2026-12-07T04:56:16.075261338Z"),
            "2026-12-07 04:56:16.075261338 +0000 UTC"
        );
    }
}
