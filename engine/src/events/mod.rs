//! The event stream: what happened to containers, images, networks and volumes, in
//! Docker's shape (`Type`, `Action`, `Actor.ID`, `Actor.Attributes`, `time`, `timeNano`).
//! With no daemon to hold them, events go to a journal in the state root (journal.rs),
//! appended by whichever process acted (the CLI, a monitor, the TUI) and read back by
//! `berth events` and the TUI, which follow new ones with inotify (follow.rs).

pub mod filter;
pub mod follow;
pub mod journal;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::store::Paths;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes")]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Docker's legacy fields, kept for container events (`status`, `id`, `from`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// container, image, network, volume.
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: Actor,
    pub scope: String,
    /// Seconds and nanoseconds since the epoch.
    pub time: i64,
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
}

pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

impl Event {
    /// An event happening now. Container events also carry the legacy fields, and
    /// every event's attributes include the actor's name when it has one.
    pub fn new(kind: &str, action: &str, id: &str, attributes: BTreeMap<String, String>) -> Event {
        let nanos = now_nanos();
        let legacy = kind == "container";
        Event {
            status: if legacy {
                action.to_string()
            } else {
                String::new()
            },
            id: if legacy {
                id.to_string()
            } else {
                String::new()
            },
            from: if legacy {
                attributes.get("image").cloned().unwrap_or_default()
            } else {
                String::new()
            },
            kind: kind.to_string(),
            action: action.to_string(),
            actor: Actor {
                id: id.to_string(),
                attributes,
            },
            scope: "local".into(),
            time: nanos / 1_000_000_000,
            time_nano: nanos,
        }
    }
}

/// Record an event. Events are a record of what happened, never a reason to fail what
/// happened: a journal that cannot be written is skipped.
pub fn emit(paths: &Paths, e: &Event) {
    let _ = journal::append(paths, e);
}

/// A container event with Docker's attributes: the image, the name and the labels.
pub fn container_event(
    paths: &Paths,
    rec: &crate::container::ContainerRecord,
    action: &str,
    extra: &[(&str, String)],
) {
    let mut attrs: BTreeMap<String, String> = rec.config.labels.clone();
    attrs.insert("image".into(), rec.config.image.clone());
    attrs.insert("name".into(), rec.name.clone());
    for (k, v) in extra {
        attrs.insert(k.to_string(), v.clone());
    }
    emit(paths, &Event::new("container", action, &rec.id, attrs));
}

/// An event about an image, network or volume.
pub fn object_event(paths: &Paths, kind: &str, action: &str, id: &str, attrs: &[(&str, String)]) {
    let attributes = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    emit(paths, &Event::new(kind, action, id, attributes));
}
