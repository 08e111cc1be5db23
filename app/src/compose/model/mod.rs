//! The typed compose model: what the loader makes of the tree once it is interpolated,
//! in canonical long form, merged and normalized. It follows compose-go's `types`
//! package and the compose-spec schema: every key the schema knows for a service, the
//! top-level `networks`, `volumes`, `secrets`, `configs` and `models`, and `version` and
//! `include` read but not printed. An unknown key is an error (`x-*` keys are the
//! loader's to strip first).
//!
//! What the canonical step leaves flexible, compose-go's decoder still takes, and so
//! does the model: a `list_or_dict` as either, a `string_or_list` as either, a command
//! as a string or a list, byte sizes and durations with units, booleans and numbers
//! written as strings where the schema allows it (an interpolated `${X}` is a string).
//!
//! Serialized, the model prints as `docker compose config` does: fields in compose-go's
//! order, maps sorted, empty values left out, durations as `1m30s`, byte sizes as
//! strings of digits, `published` ports as strings, commands as lists.
//!
//! [`from_json`] names the key path of an error, for the loader to turn into a file and
//! line with the origins `tree::Node::to_json` recorded.

mod build;
mod command;
mod deploy;
mod lifecycle;
mod mounts;
mod options;
mod ports;
mod project;
mod resources;
mod scalars;
mod service;
#[cfg(test)]
mod tests;
mod units;

use std::fmt;

pub use build::Build;
pub use command::{split as split_words, ShellCommand, SplitError};
pub use deploy::{
    Blkio, Deploy, DeviceRequest, DiscreteResource, GenericResource, Placement,
    PlacementPreference, Resource, Resources, RestartPolicy, ThrottleDevice, Ulimit, UpdateConfig,
    WeightDevice,
};
pub use lifecycle::{
    Condition, Dependency, Develop, Extends, Healthcheck, Logging, ServiceHook, WatchAction,
    WatchRule,
};
pub use mounts::{
    BindOptions, DeviceMapping, EnvFile, FileReference, ImageOptions, MountType, ServiceVolume,
    TmpfsOptions, VolumeOptions,
};
pub use ports::{networks_by_priority, Port, ServiceNetwork};
pub use project::{Include, Project};
pub use resources::{Config, Ipam, IpamPool, Model, Network, Secret, Volume};
pub use scalars::{go_float_text, DeviceCount, FileMode};
pub use service::{CredentialSpec, Provider, Service, ServiceModel};
pub use units::{Bytes, Duration};

/// A value the model could not take, at a key path written as the tree's origins are
/// keyed (`services.web.ports[0].target`; the root is the empty path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModelError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ModelError {
    /// `services.web additional properties 'imagee' not allowed`, as compose words its
    /// schema errors; `services.web.ports[0].target: invalid type: ...` for the rest.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else if self.is_schema_style() {
            write!(f, "{} {}", self.path, self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl ModelError {
    /// For an unknown key, the key (the path names the mapping that holds it), so the
    /// loader can point at the key's own line: `tree::join(&e.path, key)`.
    pub fn unknown_key(&self) -> Option<&str> {
        let rest = self.message.strip_prefix("additional properties '")?;
        rest.strip_suffix("' not allowed")
    }

    fn is_schema_style(&self) -> bool {
        [
            "additional properties ",
            "missing property ",
            "value must be one of ",
        ]
        .iter()
        .any(|p| self.message.starts_with(p))
    }
}

/// Type a project from the JSON of its tree.
pub fn from_json(value: serde_json::Value) -> Result<Project, ModelError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        compose_words(path, message)
    })
}

/// Reword serde's key errors as compose's schema words them. An unknown key is
/// reported, as compose reports it, at the mapping that holds it (serde_path_to_error
/// has stepped into the key), with the key named in the message.
fn compose_words(path: String, message: String) -> ModelError {
    if let Some(key) = quoted_after(&message, "unknown field `") {
        let message = format!("additional properties '{key}' not allowed");
        let path = if path == key {
            String::new()
        } else {
            match path.strip_suffix(key).and_then(|p| p.strip_suffix('.')) {
                Some(parent) => parent.to_string(),
                None => path,
            }
        };
        return ModelError { path, message };
    }
    if let Some(key) = quoted_after(&message, "missing field `") {
        let message = format!("missing property '{key}'");
        return ModelError { path, message };
    }
    if message.starts_with("unknown variant `") {
        if let Some((_, expected)) = message.split_once(", expected one of ") {
            let choices = expected.replace('`', "'");
            let message = format!("value must be one of {choices}");
            return ModelError { path, message };
        }
    }
    ModelError { path, message }
}

/// The text between `prefix` and the next backquote.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split_once('`').map(|(key, _)| key)
}
