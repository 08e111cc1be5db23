//! `berth events`: the engine interface's event stream, printed as Docker's CLI prints
//! it. Relative times (`--since 10m`) become absolute ones here, on the client, as
//! Docker's CLI sends them.

use std::collections::HashMap;

use berth_engine::events::filter::parse_time;
use berth_engine::events::now_nanos;
use bollard::models as m;
use bollard::query_parameters as q;
use chrono::{Local, TimeZone};
use clap::Args;
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::door::Door;
use super::output::render_one;
use super::{CliResult, Failure};

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Show all events created since timestamp
    #[arg(long)]
    since: Option<String>,
    /// Stream events until this timestamp
    #[arg(long)]
    until: Option<String>,
    /// Filter output based on conditions provided (type=, container=, image=, event=,
    /// label=, network=, volume=)
    #[arg(short = 'f', long = "filter")]
    filter: Vec<String>,
    /// Format the output using the given Go template
    #[arg(long)]
    format: Option<String>,
}

/// Docker's line: `TIME TYPE ACTION ID (key=value, ...)`, attributes sorted by key.
fn line(e: &m::EventMessage) -> String {
    let t = Local.timestamp_nanos(e.time_nano.unwrap_or(0));
    let actor = e.actor.clone().unwrap_or_default();
    let mut attrs: Vec<(String, String)> =
        actor.attributes.unwrap_or_default().into_iter().collect();
    attrs.sort();
    let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{} {} {} {} ({})",
        t.format("%Y-%m-%dT%H:%M:%S%.9f%:z"),
        e.typ.map(|t| t.to_string()).unwrap_or_default(),
        e.action.as_deref().unwrap_or_default(),
        actor.id.as_deref().unwrap_or_default(),
        attrs.join(", ")
    )
}

/// An event as `--format` sees it: Docker's `events.Message`, with the legacy `status`,
/// `id` and `from` of container events that Docker's daemon fills for older clients
/// (API 1.53's model no longer has them), and the attributes in key order.
fn document(e: &m::EventMessage) -> Value {
    let actor = e.actor.clone().unwrap_or_default();
    let attrs: std::collections::BTreeMap<String, String> =
        actor.attributes.unwrap_or_default().into_iter().collect();
    let kind = e.typ.map(|t| t.to_string()).unwrap_or_default();
    let action = e.action.clone().unwrap_or_default();
    let id = actor.id.unwrap_or_default();
    let mut v = serde_json::Map::new();
    if kind == "container" {
        v.insert("status".into(), json!(action));
        v.insert("id".into(), json!(id));
        if let Some(image) = attrs.get("image") {
            v.insert("from".into(), json!(image));
        }
    }
    v.insert("Type".into(), json!(kind));
    v.insert("Action".into(), json!(action));
    v.insert("Actor".into(), json!({"ID": id, "Attributes": attrs}));
    v.insert(
        "scope".into(),
        json!(e.scope.map(|s| s.to_string()).unwrap_or_default()),
    );
    v.insert("time".into(), json!(e.time.unwrap_or(0)));
    v.insert("timeNano".into(), json!(e.time_nano.unwrap_or(0)));
    Value::Object(v)
}

fn print(e: &m::EventMessage, format: Option<&str>) -> Result<(), Failure> {
    match format {
        Some(f) => println!("{}", render_one(&document(e), f)?),
        None => println!("{}", line(e)),
    }
    Ok(())
}

/// A `--since`/`--until` value as the API's `SECONDS.NANOSECONDS`.
fn api_time(flag: &str, value: Option<&str>, now: i64) -> Result<Option<String>, Failure> {
    value
        .map(|s| parse_time(s, now))
        .transpose()
        .map_err(|e| Failure::from(format!("{flag}: {e}")))
        .map(|t| {
            t.map(|n| {
                format!(
                    "{}.{:09}",
                    n.div_euclid(1_000_000_000),
                    n.rem_euclid(1_000_000_000)
                )
            })
        })
}

/// `name=value` filters grouped by name, as the API takes them.
fn filters(specs: &[String]) -> Result<HashMap<String, Vec<String>>, Failure> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for s in specs {
        let (k, v) = s.split_once('=').ok_or_else(|| {
            Failure::from(format!("bad format of filter (expected name=value): {s}"))
        })?;
        out.entry(k.trim().to_lowercase())
            .or_default()
            .push(v.to_string());
    }
    Ok(out)
}

pub fn run(door: &Door, a: EventsArgs) -> CliResult {
    let now = now_nanos();
    let opts = q::EventsOptions {
        since: api_time("--since", a.since.as_deref(), now)?,
        until: api_time("--until", a.until.as_deref(), now)?,
        filters: Some(filters(&a.filter)?).filter(|f| !f.is_empty()),
    };
    let mut events = door.call(door.backend().events(opts))?;
    let fmt = a.format.as_deref();
    door.block_on(async {
        while let Some(e) = events.next().await {
            print(&e?, fmt)?;
        }
        Ok::<_, Failure>(())
    })?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_go_as_seconds_and_nanoseconds() {
        let now = 1_700_000_000_500_000_000;
        assert_eq!(
            api_time("--since", Some("1s"), now)
                .ok()
                .flatten()
                .as_deref(),
            Some("1699999999.500000000")
        );
        let e = api_time("--since", Some("yesterday"), now)
            .err()
            .map(|f| f.message);
        assert!(e.is_some_and(|m| m.starts_with("--since: ")));
    }

    #[test]
    fn container_events_carry_the_legacy_fields() {
        let e: m::EventMessage = serde_json::from_value(json!({
            "Type": "container", "Action": "start", "scope": "local",
            "Actor": {"ID": "abc", "Attributes": {"name": "x", "image": "busybox"}},
            "time": 1, "timeNano": 1_000_000_001,
        }))
        .expect("model");
        let d = document(&e);
        assert_eq!(
            serde_json::to_string(&d).expect("json"),
            r#"{"status":"start","id":"abc","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"x"}},"scope":"local","time":1,"timeNano":1000000001}"#
        );
        assert!(line(&e).ends_with(" container start abc (image=busybox, name=x)"));
    }
}
