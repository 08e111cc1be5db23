//! Volume commands: create, ls, inspect, rm, prune, through the engine interface.

use std::collections::{BTreeMap, HashMap};

use bollard::models as m;
use bollard::query_parameters as q;
use clap::Subcommand;
use serde_json::json;

use super::door::{missing_object, Door};
use super::filters::Filters;
use super::inspect::{inspect_each, volume_document};
use super::output::print_rows_with;
use super::{CliResult, Failure};
use crate::backend::ErrorKind;
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

pub fn run(door: &Door, cmd: VolumeCmd) -> CliResult {
    let b = door.backend();
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
            let labels: HashMap<String, String> = labels
                .iter()
                .map(|l| {
                    l.split_once('=')
                        .map(|(k, v)| (k.into(), v.into()))
                        .unwrap_or((l.clone(), String::new()))
                })
                .collect();
            let req = m::VolumeCreateRequest {
                name,
                driver: Some(driver),
                labels: Some(labels),
                ..Default::default()
            };
            let v = door.call(b.volume_create(req))?;
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
            let opts = q::ListVolumesOptions {
                filters: filters.with_boolean("dangling", dangling).query(&[]),
            };
            let list = door.call(b.volume_list(opts))?.volumes.unwrap_or_default();
            if quiet {
                for v in &list {
                    println!("{}", v.name);
                }
                return Ok(0);
            }
            let rows: Vec<_> = list.into_iter().map(row).collect();
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
            let found = door
                .call(b.volume_inspect(n))
                .map_err(|e| Failure::from(missing_object("volume", n, &e)))?;
            volume_document(&found)
        }),
        VolumeCmd::Rm { force, names } => {
            let mut failed = false;
            for n in &names {
                // The interface's `force` only makes a missing volume no error (one in
                // use is refused either way). Asked without it, a miss is seen here,
                // and `--force` skips it silently as berth always has (the daemon's
                // quiet success would print its name).
                match door.call(b.volume_remove(n, false)) {
                    Ok(()) => println!("{n}"),
                    Err(e) if force && e.kind == ErrorKind::NotFound => {}
                    Err(e) => {
                        eprintln!("{}", missing_object("volume", n, &e));
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        VolumeCmd::Prune { all, force: _ } => {
            // Docker 23+: anonymous volumes only, unless `all=true`.
            let filters =
                all.then(|| HashMap::from([("all".to_string(), vec!["true".to_string()])]));
            let pruned = door.call(b.volume_prune(q::PruneVolumesOptions { filters }))?;
            let removed = pruned.volumes_deleted.unwrap_or_default();
            if !removed.is_empty() {
                println!("Deleted Volumes:");
                for n in removed {
                    println!("{n}");
                }
                println!();
            }
            let bytes = pruned.space_reclaimed.unwrap_or(0).max(0) as u64;
            println!(
                "Total reclaimed space: {}",
                crate::format::human::human_size(bytes)
            );
            Ok(0)
        }
    }
}

/// A row of `volume ls`, with `.Label "key"` for templates.
fn row(v: m::Volume) -> (serde_json::Value, Labelled) {
    let labels: BTreeMap<String, String> = v.labels.into_iter().collect();
    let scope = v.scope.map(|s| s.to_string()).unwrap_or_default();
    let row = json!({
        "Driver": v.driver, "Name": v.name, "Mountpoint": v.mountpoint,
        "Scope": scope, "Labels": labels_column(&labels),
        // Docker knows these only from `system df -v`.
        "Links": "N/A", "Size": "N/A",
    });
    (row, Labelled(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_shows_labels_sorted_and_usage_as_docker_ls_does() {
        let v = m::Volume {
            name: "v".into(),
            driver: "local".into(),
            mountpoint: "/r/volumes/v/_data".into(),
            labels: [("b", "2"), ("a", "1")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            scope: Some(m::VolumeScopeEnum::LOCAL),
            ..Default::default()
        };
        let (r, labelled) = row(v);
        assert_eq!(r["Labels"], "a=1,b=2");
        assert_eq!(r["Scope"], "local");
        assert_eq!(r["Size"], "N/A");
        assert_eq!(labelled.0.get("b").map(String::as_str), Some("2"));
    }
}
