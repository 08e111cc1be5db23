//! Volume commands: create, ls, inspect, rm, prune.

use std::collections::BTreeMap;

use berth_engine::Engine;
use clap::Subcommand;
use serde_json::json;

use super::filters::Filters;
use super::inspect::inspect_each;
use super::output::print_rows_with;
use super::{CliResult, Failure};
use crate::format::contexts::{labels_column, Labelled};

#[derive(Subcommand, Debug)]
pub enum VolumeCmd {
    /// Create a volume
    Create {
        /// Set metadata for a volume
        #[arg(short = 'l', long = "label")]
        labels: Vec<String>,
        /// Volume driver name (only "local")
        #[arg(short = 'd', long, default_value = "local")]
        driver: String,
        name: Option<String>,
    },
    /// List volumes
    #[command(visible_alias = "list")]
    Ls {
        /// Only display volume names
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Pretty-print volumes using a Go template
        #[arg(long)]
        format: Option<String>,
        /// Provide filter values (e.g. 'dangling=true', 'name=', 'label=', 'driver=')
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
    },
    /// Display detailed information on one or more volumes
    Inspect {
        #[arg(short = 'f', long)]
        format: Option<String>,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm {
        /// Force the removal of one or more volumes
        #[arg(short = 'f', long)]
        force: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Remove unused volumes (anonymous ones; with --all every unused one)
    Prune {
        #[arg(short = 'a', long)]
        all: bool,
        #[arg(short = 'f', long)]
        force: bool,
    },
}

pub fn run(engine: &Engine, cmd: VolumeCmd) -> CliResult {
    let vs = engine.volumes();
    match cmd {
        VolumeCmd::Create {
            labels,
            driver,
            name,
        } => {
            if driver != "local" {
                return Err(format!(
                    "volume driver {driver:?} is not available: only \"local\" is"
                )
                .into());
            }
            let labels: BTreeMap<String, String> = labels
                .iter()
                .map(|l| {
                    l.split_once('=')
                        .map(|(k, v)| (k.into(), v.into()))
                        .unwrap_or((l.clone(), String::new()))
                })
                .collect();
            let v = vs.create(name.as_deref(), labels, false)?;
            println!("{}", v.name);
            Ok(0)
        }
        VolumeCmd::Ls {
            quiet,
            format,
            filter,
        } => {
            let filters = Filters::parse(&filter, &["dangling", "name", "label", "driver"])?;
            let dangling = filters.boolean("dangling")?;
            let mut list = Vec::new();
            for v in vs.list()? {
                // Dangling: no container, running or not, refers to the volume.
                let keep = match dangling {
                    Some(d) => engine.volume_users(&v.name)?.is_empty() == d,
                    None => true,
                } && filters.any("name", |n| v.name.contains(n))
                    && filters.any("driver", |d| v.driver == d)
                    && filters.all_labels(&v.labels);
                if keep {
                    list.push(v);
                }
            }
            if quiet {
                for v in &list {
                    println!("{}", v.name);
                }
                return Ok(0);
            }
            let rows: Vec<_> = list
                .iter()
                .map(|v| {
                    let row = json!({
                        "Driver": v.driver, "Name": v.name, "Mountpoint": v.mountpoint,
                        "Scope": v.scope, "Labels": labels_column(&v.labels),
                        // Docker knows these only from `system df -v`.
                        "Links": "N/A", "Size": "N/A",
                    });
                    (row, Labelled(v.labels.clone()))
                })
                .collect();
            let headers = [
                ("Driver", "DRIVER"),
                ("Name", "VOLUME NAME"),
                ("Mountpoint", "MOUNTPOINT"),
                ("Scope", "SCOPE"),
                ("Labels", "LABELS"),
                ("Links", "LINKS"),
                ("Size", "SIZE"),
            ];
            print_rows_with(
                &rows,
                &headers,
                "table {{.Driver}}\t{{.Name}}",
                format.as_deref(),
            )?;
            Ok(0)
        }
        VolumeCmd::Inspect { format, names } => inspect_each(&names, format.as_deref(), |n| {
            let v = vs
                .get(n)
                .map_err(|e| Failure::from(super::object_error(&e)))?;
            Ok(serde_json::to_value(v).unwrap_or_default())
        }),
        VolumeCmd::Rm { force, names } => {
            let mut failed = false;
            for n in &names {
                let users = engine.volume_users(n)?;
                match vs.remove(n, &users) {
                    Ok(()) => println!("{n}"),
                    Err(e) if force && e.is_not_found() => {}
                    Err(e) => {
                        eprintln!("{}", super::object_error(&e));
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        VolumeCmd::Prune { all, force: _ } => {
            let mut removed = Vec::new();
            let mut bytes = 0;
            for v in vs.list()? {
                if (all || v.anonymous) && engine.volume_users(&v.name)?.is_empty() {
                    bytes += vs.size(&v.name);
                    if vs.remove(&v.name, &[]).is_ok() {
                        removed.push(v.name);
                    }
                }
            }
            if !removed.is_empty() {
                println!("Deleted Volumes:");
                for n in removed {
                    println!("{n}");
                }
                println!();
            }
            println!(
                "Total reclaimed space: {}",
                crate::format::human::human_size(bytes)
            );
            Ok(0)
        }
    }
}
