//! Network commands: create, ls, inspect, rm, prune. (connect/disconnect arrive with the
//! network driver.)

use std::collections::BTreeMap;

use berth_engine::network::types::PREDEFINED;
use berth_engine::network::{Network, NetworkOptions};
use berth_engine::Engine;
use clap::Subcommand;
use serde_json::json;

use super::filters::Filters;
use super::inspect::inspect_each;
use super::output::print_rows_with;
use super::{CliResult, Failure};
use crate::format::contexts::{labels_column, Labelled};

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    /// Create a network
    Create {
        /// Driver to manage the Network (only "bridge")
        #[arg(short = 'd', long, default_value = "bridge")]
        driver: String,
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

fn kv(items: &[String]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.into(), v.into()))
                .unwrap_or((l.clone(), String::new()))
        })
        .collect()
}

/// A row of `network ls`: a network record, or one of the modes listed as networks.
struct ListedNetwork {
    id: String,
    name: String,
    driver: String,
    internal: bool,
    created: String,
    labels: BTreeMap<String, String>,
    record: Option<Network>,
}

/// No container is attached to the network, nor asks for it in its record.
fn network_unused(engine: &Engine, n: &ListedNetwork) -> Result<bool, Failure> {
    let Some(net) = &n.record else {
        return Ok(false);
    };
    if !engine.networks().endpoints(net)?.is_empty() {
        return Ok(false);
    }
    Ok(!engine
        .containers()
        .list()?
        .iter()
        .any(|c| c.record.endpoints_config.contains_key(&net.name)))
}

/// Docker prints a network's creation time as Go's `time.Time.String()`.
fn created_at(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S%.f +0000 UTC")
                .to_string()
        })
        .unwrap_or_default()
}

pub fn run(engine: &Engine, cmd: NetworkCmd) -> CliResult {
    let nets = engine.networks();
    match cmd {
        NetworkCmd::Create {
            driver,
            subnet,
            gateway,
            ip_range,
            internal,
            labels,
            opts,
            name,
        } => {
            let n = nets.create(&NetworkOptions {
                name,
                driver: Some(driver),
                subnet,
                gateway,
                ip_range,
                internal,
                labels: kv(&labels),
                options: kv(&opts),
            })?;
            println!("{}", n.id);
            Ok(0)
        }
        NetworkCmd::Ls {
            quiet,
            format,
            no_trunc,
            filter,
        } => {
            let filters = Filters::parse(
                &filter,
                &["driver", "id", "label", "name", "scope", "type", "dangling"],
            )?;
            for t in filters.values("type") {
                if t != "custom" && t != "builtin" {
                    return Err(format!(
                        "Error response from daemon: invalid filter: 'type'='{t}'"
                    )
                    .into());
                }
            }
            let dangling = filters.boolean("dangling")?;
            nets.ensure_default()?;
            let mut listed: Vec<ListedNetwork> = nets
                .list()?
                .into_iter()
                .map(|n| ListedNetwork {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    driver: n.driver.clone(),
                    internal: n.internal,
                    created: n.created.clone(),
                    labels: n.labels.clone(),
                    record: Some(n),
                })
                .collect();
            // host and none exist as modes, not records; list them as Docker does.
            for (i, name) in ["host", "none"].iter().enumerate() {
                listed.push(ListedNetwork {
                    id: format!("{:0>64}", i + 1),
                    name: name.to_string(),
                    driver: if *name == "host" { "host" } else { "null" }.into(),
                    internal: false,
                    created: String::new(),
                    labels: BTreeMap::new(),
                    record: None,
                });
            }
            let mut rows = Vec::new();
            for n in listed {
                let builtin = PREDEFINED.contains(&n.name.as_str());
                let keep = filters.any("driver", |d| n.driver == d)
                    && filters.any("id", |i| n.id.contains(i))
                    && filters.any("name", |m| n.name.contains(m))
                    && filters.any("scope", |sc| sc == "local")
                    && filters.any("type", |t| (t == "builtin") == builtin)
                    && filters.all_labels(&n.labels);
                if !keep {
                    continue;
                }
                if let Some(d) = dangling {
                    // Docker never counts its predefined networks as dangling.
                    let unused = !builtin && network_unused(engine, &n)?;
                    if unused != d {
                        continue;
                    }
                }
                let id = if no_trunc {
                    n.id.clone()
                } else {
                    n.id[..12].to_string()
                };
                let row = json!({
                    "ID": id, "Name": n.name, "Driver": n.driver, "Scope": "local",
                    "IPv6": "false", "Internal": n.internal.to_string(),
                    "Labels": labels_column(&n.labels), "CreatedAt": created_at(&n.created),
                });
                rows.push((row, Labelled(n.labels)));
            }
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
        NetworkCmd::Inspect { format, networks } => {
            inspect_each(&networks, format.as_deref(), |r| {
                let found = if r == "bridge" {
                    nets.ensure_default()
                } else {
                    nets.get(r)
                };
                let net = found.map_err(|e| Failure::from(super::object_error(&e)))?;
                Ok(engine.network_inspect_json(&net)?)
            })
        }
        NetworkCmd::Rm { networks } => {
            // Addresses a crashed container still holds do not keep a network alive.
            engine.release_stale_endpoints()?;
            let mut failed = false;
            for r in &networks {
                match nets.get(r).and_then(|n| nets.remove(&n)) {
                    Ok(()) => println!("{r}"),
                    Err(e) => {
                        eprintln!("{}", super::object_error(&e));
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
            let c = engine.containers().find(&container)?;
            let ip = ip
                .map(|s| {
                    s.parse().map_err(|_| {
                        Failure::from(format!("invalid --ip {s:?}: not an IPv4 address"))
                    })
                })
                .transpose()?;
            engine.network_connect(&network, &c, aliases, ip)?;
            Ok(0)
        }
        NetworkCmd::Disconnect {
            force,
            network,
            container,
        } => {
            let c = engine.containers().find(&container)?;
            engine.network_disconnect(&network, &c, force)?;
            Ok(0)
        }
        NetworkCmd::Prune { force: _ } => {
            engine.release_stale_endpoints()?;
            // A network any container names (running or not) is in use, as in Docker.
            let used: std::collections::BTreeSet<String> = engine
                .containers()
                .list()?
                .into_iter()
                .flat_map(|c| c.record.endpoints_config.into_keys())
                .collect();
            let mut removed = Vec::new();
            for n in nets.list()? {
                let unused =
                    n.name != "bridge" && !used.contains(&n.name) && nets.endpoints(&n)?.is_empty();
                if unused && nets.remove(&n).is_ok() {
                    removed.push(n.name);
                }
            }
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
