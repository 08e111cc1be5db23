//! `logs` through the engine interface: `--tail`, `--since`, `--until`, `-t`,
//! `--details`, and `-f` that follows new lines until the container stops.

use std::io::Write;

use clap::Args;
use futures_util::StreamExt;

use super::door::Door;
use super::{CliResult, Failure};
use crate::backend::streams::LogOutput;
use crate::backend::LogsQuery;
use crate::format::since::parse_since;

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Follow log output
    #[arg(short = 'f', long)]
    follow: bool,
    /// Number of lines to show from the end of the logs ("all" for all)
    #[arg(short = 'n', long, default_value = "all")]
    tail: String,
    /// Show timestamps
    #[arg(short = 't', long)]
    timestamps: bool,
    /// Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)
    #[arg(long)]
    since: Option<String>,
    /// Show logs before a timestamp or relative time
    #[arg(long)]
    until: Option<String>,
    /// Show extra details provided to logs
    #[arg(long)]
    details: bool,
    container: String,
}

pub fn run(door: &Door, a: LogsArgs) -> CliResult {
    let b = door.backend();
    // A missing container is said first, as Docker's daemon checks it first.
    door.call(b.container_inspect(&a.container, false))?;
    let now = chrono::Local::now();
    let nanos = |flag: &str, v: &Option<String>| -> Result<Option<i64>, Failure> {
        v.as_deref()
            .map(|s| parse_since(s, &now))
            .transpose()
            .map_err(|e| Failure::from(format!("invalid value for --{flag}: {e}")))
            .map(|t| t.and_then(|t| t.timestamp_nanos_opt()))
    };
    let tail: Option<usize> = match a.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().map_err(|_| {
            Failure::from(format!(
                "invalid value for --tail: {n:?} is not a number or \"all\""
            ))
        })?),
    };
    let q = LogsQuery {
        follow: a.follow,
        stdout: true,
        stderr: true,
        since: nanos("since", &a.since)?,
        until: nanos("until", &a.until)?,
        timestamps: a.timestamps,
        tail,
        details: a.details,
    };
    let mut out = door.call(b.container_logs(&a.container, q))?;
    door.block_on(async {
        while let Some(chunk) = out.next().await {
            match chunk? {
                LogOutput::StdErr { message } => {
                    let _ = std::io::stderr().write_all(&message);
                }
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    let mut o = std::io::stdout().lock();
                    let _ = o.write_all(&message);
                    let _ = o.flush();
                }
                LogOutput::StdIn { .. } => {}
            }
        }
        Ok::<_, Failure>(0)
    })
}
