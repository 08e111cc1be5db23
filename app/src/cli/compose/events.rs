//! `compose events`: the engine's events of the project's containers, as Docker
//! Compose prints them (`2024-01-02 03:04:05.000000 container start ID (attrs)`), or as
//! JSON lines with `--json`; until Ctrl-C.

use std::collections::HashMap;

use bollard::query_parameters as q;
use futures_util::StreamExt;
use serde_json::json;

use super::args::{ComposeArgs, EventsArgs};
use super::lifecycle::name_and_project;
use crate::cli::door::Door;
use crate::cli::CliResult;
use crate::compose::labels;

pub fn events_cmd(door: &Door, a: &ComposeArgs, e: EventsArgs) -> CliResult {
    let (name, _) = name_and_project(a)?;
    let b = door.backend();
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        (
            "label".to_string(),
            vec![format!("{}={name}", labels::PROJECT)],
        ),
    ]);
    let mut stream = door.call(b.events(q::EventsOptions {
        filters: Some(filters),
        ..Default::default()
    }))?;
    door.block_on(async {
        loop {
            let ev = tokio::select! {
                ev = stream.next() => ev,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(Ok(ev)) = ev else { break };
            let actor = ev.actor.unwrap_or_default();
            let attrs = actor.attributes.unwrap_or_default();
            let service = attrs.get(labels::SERVICE).cloned().unwrap_or_default();
            if !e.services.is_empty() && !e.services.contains(&service) {
                continue;
            }
            let nanos = ev.time_nano.unwrap_or(0);
            let when = chrono::DateTime::from_timestamp(
                nanos / 1_000_000_000,
                (nanos % 1_000_000_000) as u32,
            )
            .unwrap_or_default()
            .with_timezone(&chrono::Local);
            let action = ev.action.unwrap_or_default();
            let id = actor.id.unwrap_or_default();
            if e.json {
                println!(
                    "{}",
                    json!({
                        "time": when.to_rfc3339(),
                        "type": "container",
                        "action": action,
                        "id": id,
                        "service": service,
                        "attributes": attrs,
                    })
                );
            } else {
                let mut pairs: Vec<String> = attrs
                    .iter()
                    .filter(|(k, _)| !k.starts_with("com.docker.compose."))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                pairs.sort();
                println!(
                    "{} container {action} {id} ({})",
                    when.format("%Y-%m-%d %H:%M:%S%.6f"),
                    pairs.join(", ")
                );
            }
        }
    });
    Ok(0)
}
