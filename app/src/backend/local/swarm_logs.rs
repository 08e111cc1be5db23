//! A service's (or one task's) log as the Docker Engine API serves it: the task
//! containers' logs merged, each line carrying its task's `com.docker.swarm.*` details
//! (`details=1`) between the timestamp and the message, which is how Docker's CLI
//! learns which task a line came from (`web.1.TASKID@node | ...`).

use std::collections::HashMap;

use bollard::models as m;
use bytes::Bytes;
use futures_util::StreamExt;

use super::LocalBackend;
use crate::backend::streams::{LogOutput, LogStream};
use crate::backend::{Backend, LogsQuery, Result};
use crate::swarm::task_container::{NODE_ID, SERVICE_ID, TASK_ID};

/// Docker's details: `k=v` pairs, comma-separated, values query-escaped.
fn details(task: &m::Task) -> String {
    let pairs = [
        (NODE_ID, task.node_id.as_deref()),
        (SERVICE_ID, task.service_id.as_deref()),
        (TASK_ID, task.id.as_deref()),
    ];
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Put `details` into a line: after its timestamp when it has one.
fn with_details(message: &Bytes, details: &str, timestamps: bool) -> Bytes {
    let text = message.as_ref();
    let (stamp, rest) = match (timestamps, text.iter().position(|b| *b == b' ')) {
        (true, Some(i)) => text.split_at(i + 1),
        _ => (&text[..0], text),
    };
    let mut out = Vec::with_capacity(text.len() + details.len() + 1);
    out.extend_from_slice(stamp);
    out.extend_from_slice(details.as_bytes());
    out.push(b' ');
    out.extend_from_slice(rest);
    Bytes::from(out)
}

fn tag(o: LogOutput, details: &str, timestamps: bool) -> LogOutput {
    match o {
        LogOutput::StdOut { message } => LogOutput::StdOut {
            message: with_details(&message, details, timestamps),
        },
        LogOutput::StdErr { message } => LogOutput::StdErr {
            message: with_details(&message, details, timestamps),
        },
        LogOutput::Console { message } => LogOutput::Console {
            message: with_details(&message, details, timestamps),
        },
        other => other,
    }
}

pub async fn logs(b: &LocalBackend, id: &str, task: bool, opts: LogsQuery) -> Result<LogStream> {
    let tasks = if task {
        vec![b.task_inspect(id).await?]
    } else {
        let service = b.service_inspect(id).await?;
        let filters =
            HashMap::from([("service".to_string(), vec![service.id.unwrap_or_default()])]);
        b.task_list(filters).await?
    };
    let mut streams = Vec::new();
    for t in tasks {
        let Some(container) = t
            .status
            .as_ref()
            .and_then(|s| s.container_status.as_ref())
            .and_then(|c| c.container_id.clone())
        else {
            continue;
        };
        // A task whose container is gone (removed, or pruned from history) has no log.
        // The containers' own details (their log labels) are not the task's: asked
        // for, they would come first, as an empty field and a space.
        let plain = LogsQuery {
            details: false,
            ..opts.clone()
        };
        let Ok(stream) = b.container_logs(&container, plain).await else {
            continue;
        };
        let d = details(&t);
        let (want, stamps) = (opts.details, opts.timestamps);
        streams.push(
            stream
                .map(move |r| r.map(|o| if want { tag(o, &d, stamps) } else { o }))
                .boxed(),
        );
    }
    Ok(futures_util::stream::select_all(streams).boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_go_between_the_timestamp_and_the_message() {
        let t = m::Task {
            id: Some("t1".into()),
            service_id: Some("s1".into()),
            node_id: Some("n1".into()),
            ..Default::default()
        };
        let d = details(&t);
        assert_eq!(
            d,
            "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1"
        );
        let line = Bytes::from_static(b"2026-12-07T20:00:00.000000000Z hello world\n");
        assert_eq!(
            with_details(&line, "k=v", true),
            Bytes::from_static(b"2026-12-07T20:00:00.000000000Z k=v hello world\n")
        );
        assert_eq!(
            with_details(&Bytes::from_static(b"hello\n"), "k=v", false),
            Bytes::from_static(b"k=v hello\n")
        );
    }
}
