//! `logs` through the interface: the engine's log reader on a blocking thread, its
//! lines sent on as stdout or stderr chunks (with the timestamp first when asked).

use berth_engine::container::logfile::LogLine;
use berth_engine::container::logread::LogWindow;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::{containers, LocalBackend};
use crate::backend::streams::LogOutput;
use crate::backend::{LogStream, LogsQuery, Result};

fn instant(nanos: Option<i64>) -> Option<DateTime<Utc>> {
    nanos.filter(|n| *n > 0).map(DateTime::from_timestamp_nanos)
}

/// A line as Docker's daemon sends it: the timestamp, then the details (the line's
/// attributes as `k=v` pairs, sorted, comma-separated and URL-escaped, then a space,
/// even when there are none), then the text.
pub fn line_text(l: &LogLine, timestamps: bool, details: bool) -> String {
    let mut text = String::new();
    if timestamps {
        text.push_str(&l.time);
        text.push(' ');
    }
    if details {
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

fn chunk(l: &LogLine, opts: &LogsQuery, tty: bool) -> Option<LogOutput> {
    let stderr = l.stream == "stderr";
    if (stderr && !opts.stderr) || (!stderr && !opts.stdout) {
        return None;
    }
    let message = Bytes::from(line_text(l, opts.timestamps, opts.details));
    Some(match (tty, stderr) {
        (true, _) => LogOutput::Console { message },
        (false, true) => LogOutput::StdErr { message },
        (false, false) => LogOutput::StdOut { message },
    })
}

pub async fn logs(b: &LocalBackend, id: &str, opts: LogsQuery) -> Result<LogStream> {
    let window = LogWindow {
        since: instant(opts.since),
        until: instant(opts.until),
        tail: opts.tail,
    };
    let id = id.to_string();
    let (lines, follower, tty) = b
        .call(move |e| {
            let c = containers::find(e, &id)?;
            let (lines, f) = e.read_logs(&c, &window)?;
            Ok((lines, f, c.record.config.tty))
        })
        .await?;
    let (tx, mut rx) = mpsc::channel::<Result<LogOutput>>(256);
    let follow = opts.follow && opts.until.is_none();
    std::thread::spawn(move || {
        let mut follower = follower;
        for l in &lines {
            if let Some(c) = chunk(l, &opts, tty) {
                if tx.blocking_send(Ok(c)).is_err() {
                    return;
                }
            }
        }
        if !follow {
            return;
        }
        loop {
            match follower.next_lines() {
                Ok(Some(lines)) => {
                    for l in &lines {
                        if let Some(c) = chunk(l, &opts, tty) {
                            if tx.blocking_send(Ok(c)).is_err() {
                                return;
                            }
                        }
                    }
                    if tx.is_closed() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e.into()));
                    return;
                }
            }
        }
    });
    Ok(Box::pin(futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
    })))
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
        assert_eq!(line_text(&line(&[]), false, false), "hello\n");
        // No attributes still leave Docker's separating space.
        assert_eq!(line_text(&line(&[]), false, true), " hello\n");
        assert_eq!(
            line_text(&line(&[("team", "a b"), ("app", "x=1")]), false, true),
            "app=x%3D1,team=a+b hello\n"
        );
        assert_eq!(
            line_text(&line(&[]), true, true),
            "2024-01-02T03:04:05.000000006Z  hello\n"
        );
    }
}
