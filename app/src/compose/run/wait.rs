//! Waiting for a dependency's condition before a service starts, as Docker Compose waits:
//! `service_healthy` until every container of the dependency reports healthy (an
//! unhealthy or exited one fails the start, with the end of its log), and
//! `service_completed_successfully` until they exited 0. `service_started` holds once
//! the dependency was started. `--wait` uses the same checks for every service.

use std::time::{Duration, Instant};

use bollard::models as m;

use super::progress::{Kind, Progress, Sink};
use super::state::Existing;
use super::{ComposeError, Result};
use crate::backend::{Backend, LogsQuery};
use crate::compose::graph::{condition_name, Condition};

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(100);

/// How many of a failed dependency's last log lines its error carries.
const LOG_LINES: usize = 10;

enum Seen {
    Met,
    NotYet,
    Failed(String),
}

/// Wait until every container of `service` meets `cond`, or `deadline` passes.
pub async fn condition(
    b: &dyn Backend,
    service: &str,
    containers: &[Existing],
    cond: Condition,
    deadline: Option<Instant>,
    sink: Sink<'_>,
) -> Result<()> {
    if cond == Condition::ServiceStarted {
        return Ok(());
    }
    for c in containers {
        sink(Progress::status(Kind::Container, &c.name, "Waiting"));
        loop {
            let inspect = b.container_inspect(&c.id, false).await?;
            match look(&inspect, cond, service, &c.name) {
                Seen::Met => {
                    let word = match cond {
                        Condition::ServiceHealthy => "Healthy",
                        _ => "Exited",
                    };
                    sink(Progress::status(Kind::Container, &c.name, word));
                    break;
                }
                Seen::Failed(message) => {
                    let log = last_lines(b, &c.id).await;
                    return Err(ComposeError::Dependency { message, log });
                }
                Seen::NotYet => {}
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(ComposeError::Dependency {
                    message: format!(
                        "timeout waiting for container {} to be {}",
                        c.name,
                        condition_name(cond)
                    ),
                    log: last_lines(b, &c.id).await,
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}

fn look(i: &m::ContainerInspectResponse, cond: Condition, service: &str, name: &str) -> Seen {
    let state = i.state.clone().unwrap_or_default();
    let status = state.status.map(|s| s.to_string()).unwrap_or_default();
    let code = state.exit_code.unwrap_or(0);
    match cond {
        Condition::ServiceStarted => Seen::Met,
        Condition::ServiceHealthy => {
            let health = state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let configured = i
                .config
                .as_ref()
                .and_then(|c| c.healthcheck.as_ref())
                .and_then(|h| h.test.as_ref())
                .is_some_and(|t| !t.is_empty() && t[0] != "NONE");
            if !configured {
                Seen::Failed(format!(
                    "dependency failed to start: container {name} has no healthcheck configured"
                ))
            } else if health == "healthy" {
                Seen::Met
            } else if health == "unhealthy" {
                Seen::Failed(format!(
                    "dependency failed to start: container {name} is unhealthy"
                ))
            } else if status == "exited" || status == "dead" {
                Seen::Failed(format!(
                    "dependency failed to start: container {name} exited ({code})"
                ))
            } else {
                Seen::NotYet
            }
        }
        Condition::ServiceCompletedSuccessfully => match status.as_str() {
            "exited" | "dead" if code == 0 => Seen::Met,
            "exited" | "dead" => Seen::Failed(format!(
                "service {service:?} didn't complete successfully: exit {code}"
            )),
            _ => Seen::NotYet,
        },
    }
}

/// The last lines a container wrote (both streams), for an error.
async fn last_lines(b: &dyn Backend, id: &str) -> Vec<String> {
    use futures_util::StreamExt;
    let query = LogsQuery {
        stdout: true,
        stderr: true,
        tail: Some(LOG_LINES),
        ..Default::default()
    };
    let Ok(mut stream) = b.container_logs(id, query).await else {
        return Vec::new();
    };
    let mut text = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        text.extend_from_slice(chunk.into_bytes().as_ref());
    }
    String::from_utf8_lossy(&text)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `up --wait`: every container running, and healthy where it has a healthcheck.
pub async fn running_or_healthy(
    b: &dyn Backend,
    containers: &[Existing],
    deadline: Option<Instant>,
    sink: Sink<'_>,
) -> Result<()> {
    for c in containers {
        loop {
            let i = b.container_inspect(&c.id, false).await?;
            let state = i.state.clone().unwrap_or_default();
            let has_health = state.health.is_some();
            let health = state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let running = state.running.unwrap_or(false);
            if running && (!has_health || health == "healthy") {
                sink(Progress::status(
                    Kind::Container,
                    &c.name,
                    if has_health { "Healthy" } else { "Running" },
                ));
                break;
            }
            if health == "unhealthy"
                || (!running && state.status.is_some_and(|s| s.to_string() == "exited"))
            {
                return Err(ComposeError::Dependency {
                    message: format!(
                        "container {} is {}",
                        c.name,
                        if health == "unhealthy" {
                            "unhealthy"
                        } else {
                            "not running"
                        }
                    ),
                    log: last_lines(b, &c.id).await,
                });
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(ComposeError::Dependency {
                    message: format!(
                        "timeout waiting for container {} to be running|healthy",
                        c.name
                    ),
                    log: Vec::new(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}
