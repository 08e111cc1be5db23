//! The `filters` query of `GET /containers/json` and `POST /containers/prune`, as
//! Docker's daemon reads it: values of one key are alternatives (labels excepted: each
//! must hold), keys combine.

use std::collections::HashMap;

use berth_engine::container::{Container, Status};
use berth_engine::Engine;

use crate::backend::{BackendError, Result};

const KEYS: &[&str] = &[
    "id", "name", "label", "status", "ancestor", "exited", "health", "network", "volume", "before",
    "since", "is-task", "expose", "publish", "until",
];

#[derive(Debug, Default)]
pub struct ContainerFilters {
    items: Vec<(String, Vec<String>)>,
}

impl ContainerFilters {
    pub fn parse(filters: Option<&HashMap<String, Vec<String>>>) -> Result<Self> {
        let mut items = Vec::new();
        for (k, vs) in filters.into_iter().flatten() {
            if !KEYS.contains(&k.as_str()) {
                return Err(BackendError::invalid(format!("invalid filter '{k}'")));
            }
            if k == "health" {
                for v in vs {
                    if !matches!(v.as_str(), "starting" | "healthy" | "unhealthy" | "none") {
                        return Err(BackendError::invalid(format!(
                            "Invalid filter: 'health'='{v}'"
                        )));
                    }
                }
            }
            if k == "status" {
                for v in vs {
                    if Status::parse(v).is_none() {
                        return Err(BackendError::invalid(format!(
                            "invalid filter 'status={v}'"
                        )));
                    }
                }
            }
            items.push((k.clone(), vs.clone()));
        }
        items.sort();
        Ok(ContainerFilters { items })
    }

    /// Filters on state reach stopped containers without `all`, as in Docker.
    pub fn wants_stopped(&self) -> bool {
        self.items
            .iter()
            .any(|(k, _)| k == "status" || k == "exited")
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
            keep[i] = self.items.iter().all(|(k, vs)| {
                let one = |v: &String| match k.as_str() {
                    // The list is newest first: "before X" are the later entries.
                    "before" => pos(v, &snapshot).is_some_and(|p| i > p),
                    "since" => pos(v, &snapshot).is_some_and(|p| i < p),
                    _ => matches(e, c, k, v),
                };
                // Every label asked for must be there; other keys' values are
                // alternatives.
                if k == "label" {
                    vs.iter().all(one)
                } else {
                    vs.iter().any(one)
                }
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
        "label" => match v.split_once('=') {
            Some((lk, lv)) => r.config.labels.get(lk).is_some_and(|x| x == lv),
            None => r.config.labels.contains_key(v),
        },
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
        "until" => until(&r.created, v),
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

/// `until=`: created before a time (Unix seconds, RFC 3339 or a duration back).
fn until(created: &str, v: &str) -> bool {
    let now = berth_engine::events::now_nanos();
    let Ok(limit) = berth_engine::events::filter::parse_time(v, now) else {
        return false;
    };
    chrono::DateTime::parse_from_rfc3339(created)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .is_some_and(|t| t < limit)
}
