//! `compose ps`, `compose ls`, `compose version`: the project's containers as Docker
//! Compose lists them (found by labels), the projects the engine knows, and the version.

use std::collections::HashMap;

use bollard::models as m;
use bollard::query_parameters as q;
use serde_json::json;

use super::args::{ComposeArgs, LsArgs, PsArgs, VersionArgs};
use super::lifecycle::{failure, name_and_project};
use crate::cli::door::Door;
use crate::cli::ps::ports_text;
use crate::cli::{CliResult, Failure};
use crate::compose::labels;
use crate::compose::run::state;
use crate::format::human::human_duration;

pub fn ps_cmd(door: &Door, a: &ComposeArgs, p: PsArgs) -> CliResult {
    let (name, loaded) = name_and_project(a)?;
    if p.services {
        let names: Vec<String> = match &loaded {
            Some(l) => l.project.services.keys().cloned().collect(),
            None => {
                let cs = door
                    .block_on(state::containers(door.backend(), &name))
                    .map_err(failure)?;
                let mut s: Vec<String> = cs.into_iter().map(|c| c.service).collect();
                s.dedup();
                s
            }
        };
        for s in names
            .iter()
            .filter(|s| p.names.is_empty() || p.names.contains(s))
        {
            println!("{s}");
        }
        return Ok(0);
    }
    let list = door.call(door.backend().container_list(q::ListContainersOptions {
        all: true,
        filters: Some(HashMap::from([(
            "label".to_string(),
            vec![format!("{}={name}", labels::PROJECT)],
        )])),
        ..Default::default()
    }))?;
    let mut statuses: Vec<String> = p.status.clone();
    if let Some(f) = &p.filter {
        match f.split_once('=') {
            Some(("status", v)) => statuses.push(v.to_string()),
            _ => {
                return Err(Failure::usage(format!(
                    "invalid filter {f:?}: use status=STATE"
                )))
            }
        }
    }
    let mut rows: Vec<&m::ContainerSummary> = list
        .iter()
        .filter(|c| {
            let labels = c.labels.as_ref();
            let service = labels
                .and_then(|l| l.get(labels::SERVICE))
                .cloned()
                .unwrap_or_default();
            let oneoff = labels
                .and_then(|l| l.get(labels::ONEOFF))
                .is_some_and(|v| v == "True");
            let state = c.state.map(|s| s.to_string()).unwrap_or_default();
            !oneoff
                && (p.names.is_empty() || p.names.contains(&service))
                && (p.all
                    || !statuses.is_empty()
                    || state == "running"
                    || state == "restarting"
                    || state == "paused")
                && (statuses.is_empty() || statuses.contains(&state))
        })
        .collect();
    rows.sort_by_key(|c| name_of(c));
    if p.quiet {
        for c in rows {
            println!("{}", c.id.clone().unwrap_or_default());
        }
        return Ok(0);
    }
    let docs: Vec<serde_json::Value> = rows.iter().map(|c| row(c)).collect();
    match p.format.as_deref() {
        Some("json") => {
            for d in &docs {
                println!("{d}");
            }
        }
        None | Some("table") => table(&docs),
        Some(other) => {
            return Err(Failure::usage(format!(
                "unsupported format {other:?}: use \"table\" or \"json\""
            )))
        }
    }
    Ok(0)
}

fn name_of(c: &m::ContainerSummary) -> String {
    c.names
        .iter()
        .flatten()
        .next()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

fn row(c: &m::ContainerSummary) -> serde_json::Value {
    let labels = c.labels.clone().unwrap_or_default();
    let created = chrono::DateTime::from_timestamp(c.created.unwrap_or(0), 0).unwrap_or_default();
    json!({
        "ID": c.id.clone().unwrap_or_default(),
        "Name": name_of(c),
        "Image": c.image.clone().unwrap_or_default(),
        "Command": format!("\"{}\"", c.command.clone().unwrap_or_default()),
        "Project": labels.get(labels::PROJECT).cloned().unwrap_or_default(),
        "Service": labels.get(labels::SERVICE).cloned().unwrap_or_default(),
        "Created": c.created.unwrap_or(0),
        "RunningFor": format!("{} ago", human_duration(chrono::Utc::now() - created)),
        "State": c.state.map(|s| s.to_string()).unwrap_or_default(),
        "Status": c.status.clone().unwrap_or_default(),
        "Ports": ports_text(c),
    })
}

fn table(docs: &[serde_json::Value]) {
    let cols = [
        "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS",
    ];
    let keys = [
        "Name",
        "Image",
        "Command",
        "Service",
        "RunningFor",
        "Status",
        "Ports",
    ];
    let cells: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            keys.iter()
                .map(|k| {
                    let v = d[*k].as_str().unwrap_or_default().to_string();
                    if *k == "Command" && v.chars().count() > 22 {
                        format!("{}…\"", v.chars().take(20).collect::<String>())
                    } else {
                        v
                    }
                })
                .collect()
        })
        .collect();
    print_table(&cols, &cells);
}

/// Columns padded to their widest cell plus three spaces, as Docker's tables are.
fn print_table(cols: &[&str], cells: &[Vec<String>]) {
    let mut width: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
    for row in cells {
        for (i, c) in row.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |row: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in row.iter().enumerate() {
            if i + 1 == row.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}   ", w = width[i]));
            }
        }
        println!("{}", s.trim_end());
    };
    line(cols.to_vec());
    for row in cells {
        line(row.iter().map(String::as_str).collect());
    }
}

pub fn ls_cmd(door: &Door, l: LsArgs) -> CliResult {
    let projects = door
        .block_on(state::projects(door.backend()))
        .map_err(failure)?;
    let shown: Vec<_> = projects
        .into_iter()
        .filter(|p| l.all || p.running > 0)
        .filter(|p| {
            l.filter.iter().all(|f| match f.split_once('=') {
                Some(("name", n)) => p.name.contains(n),
                _ => true,
            })
        })
        .collect();
    if l.quiet {
        for p in &shown {
            println!("{}", p.name);
        }
        return Ok(0);
    }
    if l.format.as_deref() == Some("json") {
        let docs: Vec<serde_json::Value> = shown
            .iter()
            .map(|p| json!({"Name": p.name, "Status": p.status, "ConfigFiles": p.config_files}))
            .collect();
        println!("{}", serde_json::Value::Array(docs));
        return Ok(0);
    }
    let cells: Vec<Vec<String>> = shown
        .iter()
        .map(|p| vec![p.name.clone(), p.status.clone(), p.config_files.clone()])
        .collect();
    print_table(&["NAME", "STATUS", "CONFIG FILES"], &cells);
    Ok(0)
}

pub fn version_cmd(v: VersionArgs) -> CliResult {
    let version = labels::COMPOSE_VERSION;
    if v.short {
        println!("{version}");
    } else if v.format.as_deref() == Some("json") {
        println!("{}", json!({ "version": format!("v{version}") }));
    } else {
        println!(
            "Docker Compose version v{version} (berth {})",
            env!("CARGO_PKG_VERSION")
        );
    }
    Ok(0)
}
