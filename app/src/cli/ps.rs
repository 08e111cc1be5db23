//! `ps` / `container ls`: rows in Docker's wording ("Up 2 minutes", "Exited (0) 15 minutes
//! ago"), filters, `-q` and `--format`.

use berth_engine::container::{Container, Status};
use berth_engine::Engine;
use clap::Args;
use serde_json::json;

use std::collections::HashMap;

use berth_engine::container::launch::ContainerDirs;

use super::output::print_rows_with;
use super::{CliResult, Failure};
use crate::format::contexts::{labels_column, Labelled};
use crate::format::human::{human_duration, human_size_with_precision};
use crate::format::table::{PS_DEFAULT, PS_HEADERS};
use crate::format::truncate::{command_column, ellipsis};

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long)]
    all: bool,
    /// Only display container IDs
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Filter output based on conditions provided (status=, name=, label=, id=, ancestor=)
    #[arg(short = 'f', long = "filter")]
    filter: Vec<String>,
    /// Format output using a Go template, "table", or "json"
    #[arg(long)]
    format: Option<String>,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Show the n last created containers (includes all states)
    #[arg(short = 'n', long = "last")]
    last: Option<usize>,
    /// Show the latest created container (includes all states)
    #[arg(short = 'l', long)]
    latest: bool,
    /// Display total file sizes
    #[arg(short = 's', long)]
    size: bool,
}

impl PsArgs {
    /// `ps -a` with the default table.
    pub fn all() -> Self {
        PsArgs {
            all: true,
            quiet: false,
            filter: Vec::new(),
            format: None,
            no_trunc: false,
            last: None,
            latest: false,
            size: false,
        }
    }
}

pub use berth_engine::container::summary::status_text;
use berth_engine::container::summary::{command_line, since};

/// The COMMAND column: quoted, cut at 20 characters unless --no-trunc.
fn command_text(c: &Container, no_trunc: bool) -> String {
    command_column(&command_line(&c.record.path, &c.record.args), no_trunc)
}

fn matches(c: &Container, filters: &[(String, String)]) -> bool {
    filters.iter().all(|(k, v)| match k.as_str() {
        "status" => c.state.status.as_str() == v,
        "name" => c.name().contains(v.as_str()),
        "id" => c.id().starts_with(v.as_str()),
        "ancestor" => {
            &c.record.config.image == v || c.record.image_id.to_string().contains(v.as_str())
        }
        "label" => match v.split_once('=') {
            Some((lk, lv)) => c.record.config.labels.get(lk).is_some_and(|x| x == lv),
            None => c.record.config.labels.contains_key(v),
        },
        "exited" => c.state.status == Status::Exited && c.state.exit_code.to_string() == *v,
        // Docker: `none` for containers without a healthcheck.
        "health" => {
            c.state
                .health
                .as_ref()
                .map_or("none", |h| h.status.as_str())
                == v.as_str()
        }
        _ => false,
    })
}

pub fn run(engine: &Engine, a: PsArgs) -> CliResult {
    let mut filters = Vec::new();
    for f in &a.filter {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| Failure::from(format!("invalid filter {f:?}: expected KEY=VALUE")))?;
        if !matches!(
            k,
            "status" | "name" | "label" | "id" | "ancestor" | "exited" | "health"
        ) {
            return Err(format!(
                "invalid filter {k:?}: supported are status, name, label, id, ancestor, exited, health"
            )
            .into());
        }
        if k == "health" && !matches!(v, "starting" | "healthy" | "unhealthy" | "none") {
            return Err(format!(
                "invalid filter 'health={v}': use starting, healthy, unhealthy or none"
            )
            .into());
        }
        filters.push((k.to_string(), v.to_string()));
    }
    let explicit_all = a.all
        || a.last.is_some()
        || a.latest
        || filters.iter().any(|(k, _)| k == "status" || k == "exited");
    let mut list: Vec<Container> = engine
        .containers()
        .list()?
        .into_iter()
        .filter(|c| explicit_all || c.state.status.is_live())
        .filter(|c| matches(c, &filters))
        .collect();
    if let Some(n) = a.last.or(a.latest.then_some(1)) {
        list.truncate(n);
    }
    if a.quiet {
        for c in &list {
            println!("{}", if a.no_trunc { c.id() } else { c.short_id() });
        }
        return Ok(0);
    }
    // Sizes cost a walk of every container's upper dir: only with -s, or when the
    // template asks for them (Docker turns --size on for a template with .Size too).
    let sizes = a.size || a.format.as_deref().is_some_and(|f| f.contains(".Size"));
    let image_sizes: HashMap<String, u64> = if sizes {
        engine
            .images()
            .list()?
            .into_iter()
            .map(|i| (i.id.to_string(), i.size))
            .collect()
    } else {
        HashMap::new()
    };
    let rows: Vec<(serde_json::Value, Labelled)> = list
        .iter()
        .map(|c| {
            let size = if sizes {
                let rw = berth_engine::util::du(&ContainerDirs::of(&engine.paths, c.id()).upper);
                let image = image_sizes
                    .get(&c.record.image_id.to_string())
                    .copied()
                    .unwrap_or(0);
                size_column(rw, rw + image)
            } else {
                String::new()
            };
            let row = json!({
                "ID": if a.no_trunc { c.id() } else { c.short_id() },
                "Image": c.record.config.image,
                "Command": command_text(c, a.no_trunc),
                "CreatedAt": c.record.created,
                "RunningFor": format!("{} ago", human_duration(since(Some(&c.record.created)))),
                "Status": status_text(c),
                "State": c.state.status.as_str(),
                "Ports": ports_text(engine, c),
                "Names": c.name(),
                "Labels": labels_column(&c.record.config.labels),
                "Mounts": mounts_column(c, a.no_trunc),
                "LocalVolumes": c.record.mounts.iter().filter(|m| m.driver == "local").count().to_string(),
                "Networks": networks_column(c),
                "Size": size,
            });
            (row, Labelled(c.record.config.labels.clone()))
        })
        .collect();
    let default = if a.size {
        format!("{PS_DEFAULT}\t{{{{.Size}}}}")
    } else {
        PS_DEFAULT.to_string()
    };
    print_rows_with(&rows, PS_HEADERS, &default, a.format.as_deref())?;
    Ok(0)
}

/// Docker's SIZE column: the writable layer, and with the image under it the virtual
/// size ("2B (virtual 1.24MB)"), three significant digits as go-units prints them.
pub fn size_column(rw: u64, virtual_size: u64) -> String {
    let rw_text = human_size_with_precision(rw as f64, 3);
    if virtual_size > 0 {
        format!(
            "{rw_text} (virtual {})",
            human_size_with_precision(virtual_size as f64, 3)
        )
    } else {
        rw_text
    }
}

/// Docker's MOUNTS column: volume names (or sources), each cut to 15 characters.
fn mounts_column(c: &Container, no_trunc: bool) -> String {
    c.record
        .mounts
        .iter()
        .map(|m| {
            let name = if m.name.is_empty() {
                &m.source
            } else {
                &m.name
            };
            if no_trunc {
                name.clone()
            } else {
                ellipsis(name, 15)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Docker's NETWORKS column: the networks the container is attached to, by name; a
/// container in host, none or another's namespace shows its mode.
fn networks_column(c: &Container) -> String {
    if c.record.endpoints_config.is_empty() {
        return c.record.host_config.network_mode.clone();
    }
    c.record
        .networks_in_order()
        .into_iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Docker's PORTS column: published ports, then exposed ones, for running containers.
pub fn ports_text(engine: &Engine, c: &Container) -> String {
    if !c.state.status.is_live() {
        return String::new();
    }
    let published = berth_engine::network::ports::active::published(&engine.paths, c);
    let exposed: Vec<String> = c.record.config.exposed_ports.keys().cloned().collect();
    berth_engine::network::ports::spec::ports_column(&published, &exposed)
}
