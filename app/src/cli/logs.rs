//! `logs`: read the json log, with `--tail`, `--since`, `--until`, `-t`, and `-f` that
//! follows new lines until the container stops.

use std::io::Write;

use berth_engine::container::logfile::LogLine;
use berth_engine::container::logread::LogWindow;
use berth_engine::Engine;
use clap::Args;

use super::{CliResult, Failure};
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

/// How a line is printed: Docker's order is timestamp, then the details (the line's
/// attributes as `k=v` pairs, sorted, comma-separated and URL-escaped, then a space,
/// even when there are none), then the text.
#[derive(Debug, Clone, Copy)]
struct Show {
    timestamps: bool,
    details: bool,
}

fn line_text(l: &LogLine, show: Show) -> String {
    let mut text = String::new();
    if show.timestamps {
        text.push_str(&l.time);
        text.push(' ');
    }
    if show.details {
        let attrs: Vec<String> = l
            .attrs
            .iter()
            .map(|(k, v)| format!("{}={}", query_escape(k), query_escape(v)))
            .collect();
        text.push_str(&attrs.join(","));
        text.push(' ');
    }
    text.push_str(&l.log);
    text
}

/// Go's `url.QueryEscape`: unreserved characters stay, a space becomes `+`, the rest
/// `%XX`.
fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn emit(l: &LogLine, show: Show) {
    let text = line_text(l, show);
    if l.stream == "stderr" {
        let _ = std::io::stderr().write_all(text.as_bytes());
    } else {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(text.as_bytes());
        let _ = o.flush();
    }
}

pub fn run(engine: &Engine, a: LogsArgs) -> CliResult {
    let c = engine.containers().find(&a.container)?;
    let now = chrono::Local::now();
    let since = a
        .since
        .as_deref()
        .map(|s| parse_since(s, &now))
        .transpose()
        .map_err(|e| format!("invalid value for --since: {e}"))?;
    let until = a
        .until
        .as_deref()
        .map(|s| parse_since(s, &now))
        .transpose()
        .map_err(|e| format!("invalid value for --until: {e}"))?;
    let tail: Option<usize> = match a.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().map_err(|_| {
            Failure::from(format!(
                "invalid value for --tail: {n:?} is not a number or \"all\""
            ))
        })?),
    };
    let show = Show {
        timestamps: a.timestamps,
        details: a.details,
    };
    let window = LogWindow { since, until, tail };
    let (lines, mut follower) = engine
        .read_logs(&c, &window)
        .map_err(|e| Failure::from(format!("Error response from daemon: {e}")))?;
    for l in &lines {
        emit(l, show);
    }
    if !a.follow || until.is_some() {
        return Ok(0);
    }
    while let Some(lines) = follower.next_lines()? {
        for l in &lines {
            emit(l, show);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(attrs: &[(&str, &str)]) -> LogLine {
        LogLine {
            log: "hello\n".into(),
            stream: "stdout".into(),
            time: "2024-01-02T03:04:05.000000006Z".into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn details_come_after_the_timestamp_and_before_the_text() {
        let plain = Show {
            timestamps: false,
            details: false,
        };
        assert_eq!(line_text(&line(&[]), plain), "hello\n");
        let details = Show {
            timestamps: false,
            details: true,
        };
        // No attributes still leave Docker's separating space.
        assert_eq!(line_text(&line(&[]), details), " hello\n");
        assert_eq!(
            line_text(&line(&[("team", "a b"), ("app", "x=1")]), details),
            "app=x%3D1,team=a+b hello\n"
        );
        let both = Show {
            timestamps: true,
            details: true,
        };
        assert_eq!(
            line_text(&line(&[]), both),
            "2024-01-02T03:04:05.000000006Z  hello\n"
        );
    }
}
