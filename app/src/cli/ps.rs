//! `ps` / `container ls`: rows in Docker's wording ("Up 2 minutes", "Exited (0) 15 minutes
//! ago"), filters, `-q` and `--format`.

use std::collections::HashMap;

use berth_engine::network::ports::spec::{ports_column, Mapping, Proto};
use bollard::models as m;
use bollard::query_parameters as q;
use clap::Args;
use serde_json::json;

use super::door::Door;
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

/// `--filter` as the list query takes it; the keys and health values are checked here,
/// in the CLI's own words.
fn filters(specs: &[String]) -> Result<HashMap<String, Vec<String>>, Failure> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for f in specs {
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
        out.entry(k.to_string()).or_default().push(v.to_string());
    }
    Ok(out)
}

pub fn run(door: &Door, a: PsArgs) -> CliResult {
    let filters = filters(&a.filter)?;
    // Sizes cost a walk of every container's upper dir: only with -s, or when the
    // template asks for them (Docker turns --size on for a template with .Size too).
    let sizes = a.size || a.format.as_deref().is_some_and(|f| f.contains(".Size"));
    let opts = q::ListContainersOptions {
        all: a.all || a.last.is_some() || a.latest,
        limit: a.last.or(a.latest.then_some(1)).map(|n| n as i32),
        size: sizes,
        filters: (!filters.is_empty()).then_some(filters),
    };
    let list = door.call(door.backend().container_list(opts))?;
    let id_of = |c: &m::ContainerSummary| {
        let id = c.id.clone().unwrap_or_default();
        if a.no_trunc {
            id
        } else {
            id.chars().take(12).collect()
        }
    };
    if a.quiet {
        for c in &list {
            println!("{}", id_of(c));
        }
        return Ok(0);
    }
    let rows: Vec<(serde_json::Value, Labelled)> = list
        .iter()
        .map(|c| {
            let labels: std::collections::BTreeMap<String, String> =
                c.labels.clone().unwrap_or_default().into_iter().collect();
            let created = chrono::DateTime::from_timestamp(c.created.unwrap_or(0), 0)
                .unwrap_or_default();
            let size = if sizes {
                size_column(
                    c.size_rw.unwrap_or(0).max(0) as u64,
                    c.size_root_fs.unwrap_or(0).max(0) as u64,
                )
            } else {
                String::new()
            };
            let mounts = c.mounts.clone().unwrap_or_default();
            let row = json!({
                "ID": id_of(c),
                "Image": c.image.clone().unwrap_or_default(),
                "Command": command_column(c.command.as_deref().unwrap_or_default(), a.no_trunc),
                "CreatedAt": go_time(created),
                "RunningFor": format!("{} ago", human_duration(chrono::Utc::now() - created)),
                "Status": c.status.clone().unwrap_or_default(),
                "State": c.state.map(|s| s.to_string()).unwrap_or_default(),
                "Ports": ports_text(c),
                "Names": c.names.iter().flatten().next().map(|n| n.trim_start_matches('/')).unwrap_or_default(),
                "Labels": labels_column(&labels),
                "Mounts": mounts_column(&mounts, a.no_trunc),
                "LocalVolumes": mounts.iter().filter(|m| m.driver.as_deref() == Some("local")).count().to_string(),
                "Networks": networks_column(c),
                "Size": size,
            });
            (row, Labelled(labels))
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

/// Go's `time.Time.String()` of a local time (`2024-01-02 03:04:05 +0000 UTC`); zones
/// other than UTC show their offset where Go would name them.
fn go_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let local = t.with_timezone(&chrono::Local);
    let zone = if local.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        local.format("%z").to_string()
    };
    format!("{} {zone}", local.format("%Y-%m-%d %H:%M:%S %z"))
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
fn mounts_column(mounts: &[m::MountPoint], no_trunc: bool) -> String {
    mounts
        .iter()
        .map(|m| {
            let name = m
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| m.source.clone())
                .unwrap_or_default();
            if no_trunc {
                name
            } else {
                ellipsis(&name, 15)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Docker's NETWORKS column: the networks the container is attached to, by name, in
/// name order (as the docker CLI sorts them).
fn networks_column(c: &m::ContainerSummary) -> String {
    let mut names: Vec<String> = c
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| n.keys().cloned().collect())
        .unwrap_or_default();
    if names.is_empty() {
        return c
            .host_config
            .as_ref()
            .and_then(|h| h.network_mode.clone())
            .unwrap_or_default();
    }
    names.sort();
    names.join(",")
}

/// Docker's PORTS column from the list's port entries: published ones folded into
/// ranges, exposed ones bare.
pub fn ports_text(c: &m::ContainerSummary) -> String {
    let mut published = Vec::new();
    let mut exposed = Vec::new();
    for p in c.ports.iter().flatten() {
        let proto = match p.typ.map(|t| t.to_string()).as_deref() {
            Some("udp") => Proto::Udp,
            _ => Proto::Tcp,
        };
        match (
            p.public_port,
            p.ip.as_deref().and_then(|ip| ip.parse().ok()),
        ) {
            (Some(host_port), Some(host_ip)) => published.push(Mapping {
                proto,
                host_ip,
                host_port,
                container_port: p.private_port,
            }),
            _ => exposed.push(format!("{}/{}", p.private_port, proto.as_str())),
        }
    }
    ports_column(&published, &exposed)
}
