//! The project: its name, services and shared resources, as `compose config` prints
//! them. `version` and `include` are read (an old file still has `version`; `include`
//! is resolved by the loader) but never printed, as compose drops both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::options;
use super::resources::{self, Config, Model, Network, Secret, Volume};
use super::service::Service;

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Project {
    /// Obsolete and ignored.
    #[serde(skip_serializing)]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing)]
    pub include: Vec<Include>,
    /// Always printed, `services: {}` when there are none.
    pub services: BTreeMap<String, Service>,
    #[serde(
        deserialize_with = "resources::named",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub networks: BTreeMap<String, Network>,
    #[serde(
        deserialize_with = "resources::named",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Volume>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Secret>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, Config>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Model>,
}

/// One `include` entry (canonical: a bare path has become `{path: [p]}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Include {
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub path: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_directory: Option<String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env_file: Vec<String>,
}

impl Project {
    /// Service names, sorted (compose-go's order for `ServiceNames`).
    pub fn service_names(&self) -> Vec<&str> {
        self.services.keys().map(String::as_str).collect()
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.get(name)
    }

    /// The project name, empty until the loader has set one.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// Every profile some service names, sorted, each once.
    pub fn profiles(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .services
            .values()
            .flat_map(|s| s.profiles.iter().map(String::as_str))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The services that depend on `name`, sorted.
    pub fn dependents(&self, name: &str) -> Vec<&str> {
        self.services
            .iter()
            .filter(|(_, s)| s.depends_on.contains_key(name))
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helpers() {
        let p: Project = serde_json::from_value(json!({
            "version": "3.8",
            "name": "demo",
            "include": [{"path": "other/compose.yaml", "env_file": ["a.env"]}],
            "services": {
                "web": {"image": "nginx", "profiles": ["front", "debug"], "depends_on": {"db": {"condition": "service_started", "required": true}}},
                "db": {"profiles": ["debug"]},
                "api": {"build": {"context": "."}, "depends_on": {"db": {}}}
            }
        }))
        .unwrap();
        assert_eq!(p.service_names(), ["api", "db", "web"]);
        assert_eq!(p.profiles(), ["debug", "front"]);
        assert_eq!(p.dependents("db"), ["api", "web"]);
        assert_eq!(p.include[0].path, ["other/compose.yaml"]);
        let api = p.service("api").unwrap();
        assert_eq!(api.image_or_default(p.name(), "api"), "demo-api");
        let web = &p.services["web"];
        assert_eq!(web.image_or_default(p.name(), "web"), "nginx");
        assert_eq!(web.replicas(), 1);
        let out = serde_json::to_value(&p).unwrap();
        assert!(out.get("version").is_none() && out.get("include").is_none());
        let empty = serde_json::to_string(&Project::default()).unwrap();
        assert_eq!(empty, r#"{"services":{}}"#);
    }
}
