//! `berth events`: the journal's events, filtered, then (without `--until`) new ones as
//! they are written.

use std::time::Duration;

use berth_engine::events::filter::{parse_time, Filters};
use berth_engine::events::follow::Follower;
use berth_engine::events::{now_nanos, Event};
use berth_engine::Engine;
use chrono::{Local, TimeZone};
use clap::Args;

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

/// Docker's line: `TIME TYPE ACTION ID (key=value, ...)`.
fn line(e: &Event) -> String {
    let t = Local.timestamp_nanos(e.time_nano);
    let attrs: Vec<String> = e
        .actor
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{} {} {} {} ({})",
        t.format("%Y-%m-%dT%H:%M:%S%.9f%:z"),
        e.kind,
        e.action,
        e.actor.id,
        attrs.join(", ")
    )
}

fn print(e: &Event, format: Option<&str>) -> Result<(), Failure> {
    match format {
        Some(f) => {
            let v = serde_json::to_value(e).map_err(|x| Failure::from(x.to_string()))?;
            println!("{}", render_one(&v, f)?);
        }
        None => println!("{}", line(e)),
    }
    Ok(())
}

pub fn run(engine: &Engine, a: EventsArgs) -> CliResult {
    let now = now_nanos();
    let since = a
        .since
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()
        .map_err(|e| Failure::from(format!("--since: {e}")))?;
    let until = a
        .until
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()
        .map_err(|e| Failure::from(format!("--until: {e}")))?;
    let filters = Filters::parse(&a.filter).map_err(Failure::from)?;
    let fmt = a.format.as_deref();
    let wanted = |e: &Event| {
        since.is_none_or(|s| e.time_nano >= s)
            && until.is_none_or(|u| e.time_nano <= u)
            && filters.matches(e)
    };
    // History only with --since (as Docker), then new events until --until passes.
    let (mut follower, history) = Follower::start(&engine.paths, since.is_some())?;
    for e in history.iter().filter(|e| wanted(e)) {
        print(e, fmt)?;
    }
    loop {
        let now = now_nanos();
        if until.is_some_and(|u| now > u) {
            return Ok(0);
        }
        let wait = until.map(|u| Duration::from_nanos((u - now).max(0) as u64));
        for e in follower.next(wait)? {
            if wanted(&e) {
                print(&e, fmt)?;
            }
        }
    }
}
