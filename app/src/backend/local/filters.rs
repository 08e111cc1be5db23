//! The `filters` query of `GET /containers/json` and `POST /containers/prune`: Docker's
//! filter arguments (`filter_args.rs`) tested against container records.

use std::collections::HashMap;

use berth_engine::container::{Container, Status};
use berth_engine::Engine;

use super::filter_args::{rfc3339_nanos, FilterArgs};
use crate::backend::{BackendError, Result};

const KEYS: &[&str] = &[
    "id", "name", "label", "status", "ancestor", "exited", "health", "network", "volume", "before",
    "since", "is-task", "expose", "publish", "until",
];

#[derive(Debug, Default)]
pub struct ContainerFilters {
    args: FilterArgs,
    /// `until=`, in nanoseconds since the epoch.
    until: Option<i64>,
}

impl ContainerFilters {
    pub fn parse(filters: Option<&HashMap<String, Vec<String>>>) -> Result<Self> {
        let args = FilterArgs::parse(filters, KEYS)?;
        for v in args.values("health") {
            if !matches!(v.as_str(), "starting" | "healthy" | "unhealthy" | "none") {
                return Err(BackendError::invalid(format!(
                    "Invalid filter: 'health'='{v}'"
                )));
            }
        }
        for v in args.values("status") {
            if Status::parse(v).is_none() {
                return Err(BackendError::invalid(format!(
                    "invalid filter 'status={v}'"
                )));
            }
        }
        let until = args.until(berth_engine::events::now_nanos())?;
        Ok(ContainerFilters { args, until })
    }

    /// Filters on state reach stopped containers without `all`, as in Docker.
    pub fn wants_stopped(&self) -> bool {
        self.args.has("status") || self.args.has("exited")
    }

    /// Keep the containers every key matches (list order kept: newest first).
    pub fn retain(&self, e: &Engine, list: &mut Vec<Container>) {
        let pos = |r: &str, list: &[Container]| {
            e.containers()
                .find(r)
                .ok()
                .and_then(|c| list.iter().position(|x| x.id() == c.id()))
        };
        let snapshot = list.clone();
        let mut keep = vec![true; list.len()];
        for (i, c) in snapshot.iter().enumerate() {
            keep[i] = self.args.keys().all(|k| match k {
                // Every label asked for must be there.
                "label" => self.args.labels(&c.record.config.labels),
                "until" => self
                    .until
                    .is_some_and(|limit| created_before(&c.record.created, limit)),
                // The list is newest first: "before X" are the later entries.
                "before" => self
                    .args
                    .any(k, |v| pos(v, &snapshot).is_some_and(|p| i > p)),
                "since" => self
                    .args
                    .any(k, |v| pos(v, &snapshot).is_some_and(|p| i < p)),
                _ => self.args.any(k, |v| matches(e, c, k, v)),
            });
        }
        let mut it = keep.into_iter();
        list.retain(|_| it.next().unwrap_or(false));
    }
}

fn matches(e: &Engine, c: &Container, key: &str, v: &str) -> bool {
    let r = &c.record;
    match key {
        "status" => c.state.status.as_str() == v,
        "name" => c.name().contains(v.trim_start_matches('/')),
        "id" => c.id().starts_with(v),
        "ancestor" => {
            r.config.image == v
                || r.image_id.to_string().contains(v)
                || e.images().resolve(v).is_ok_and(|img| img.id == r.image_id)
        }
        "exited" => c.state.status == Status::Exited && c.state.exit_code.to_string() == v,
        "health" => {
            c.state
                .health
                .as_ref()
                .map_or("none", |h| h.status.as_str())
                == v
        }
        "network" => {
            r.endpoints_config.contains_key(v)
                || e.networks()
                    .get(v)
                    .is_ok_and(|n| r.endpoints_config.contains_key(&n.name))
        }
        "volume" => r
            .mounts
            .iter()
            .any(|m| m.name == v || m.destination == v || m.source == v),
        "is-task" => v == "false",
        "expose" => r.config.exposed_ports.contains_key(&with_proto(v)),
        "publish" => r.host_config.port_bindings.contains_key(&with_proto(v)),
        _ => false,
    }
}

fn with_proto(p: &str) -> String {
    if p.contains('/') {
        p.to_string()
    } else {
        format!("{p}/tcp")
    }
}

/// Whether an RFC 3339 creation time is before `limit` (nanoseconds).
fn created_before(created: &str, limit: i64) -> bool {
    rfc3339_nanos(Some(created)).is_some_and(|t| t < limit)
}
