//! When a service starts, is healthy and stops: `depends_on`, `healthcheck`, lifecycle
//! hooks, `develop.watch`, `logging`, and `extends` (resolved by the loader, accepted
//! here).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::command::ShellCommand;
use super::options;
use super::scalars::{self, is_false, yes};
use super::units::Duration;

/// What a dependency must reach before the dependent service starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    #[default]
    ServiceStarted,
    ServiceHealthy,
    ServiceCompletedSuccessfully,
}

/// One `depends_on` entry (canonical: the list form has become these, with the
/// defaults written).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    #[serde(default)]
    pub condition: Condition,
    /// Restart this service when the dependency is updated.
    #[serde(
        default,
        deserialize_with = "scalars::bool",
        skip_serializing_if = "is_false"
    )]
    pub restart: bool,
    /// False: a missing or disabled dependency is only warned about. Always printed.
    #[serde(default = "yes", deserialize_with = "scalars::bool")]
    pub required: bool,
}

impl Default for Dependency {
    fn default() -> Dependency {
        Dependency {
            condition: Condition::ServiceStarted,
            restart: false,
            required: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Healthcheck {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`; a string is read as
    /// `CMD-SHELL`.
    #[serde(
        deserialize_with = "health_test",
        skip_serializing_if = "Option::is_none"
    )]
    pub test: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<Duration>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub disable: bool,
}

fn health_test<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(vec!["CMD-SHELL".to_string(), s.to_string()]))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut words = Vec::new();
            while let Some(w) = a.next_element::<String>()? {
                words.push(w);
            }
            Ok(Some(words))
        }
    }
    d.deserialize_any(V)
}

/// `extends: {service, file}`; the loader merges it away before the runtime runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Extends {
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Logging {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub options: BTreeMap<String, String>,
}

/// A command run at a lifecycle event (`post_start`, `pre_stop`), or a container run
/// before the service starts (`pre_start`, which may name an `image`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceHook {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<ShellCommand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub privileged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(
        deserialize_with = "options::mapping_with_equals",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub environment: BTreeMap<String, Option<String>>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub per_replica: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Develop {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<WatchRule>,
}

/// What `compose watch` does when a watched path changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum WatchAction {
    #[serde(rename = "sync")]
    Sync,
    #[serde(rename = "rebuild")]
    Rebuild,
    #[serde(rename = "restart")]
    Restart,
    #[serde(rename = "sync+restart")]
    SyncRestart,
    #[serde(rename = "sync+exec")]
    SyncExec,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRule {
    pub path: String,
    pub action: WatchAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// For `sync+exec`: what to run in the container after syncing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ServiceHook>,
    #[serde(
        default,
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub include: Vec<String>,
    #[serde(
        default,
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ignore: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initial_sync: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depends_on_defaults_and_printing() {
        let d: Dependency =
            serde_json::from_value(json!({"condition": "service_healthy"})).unwrap();
        assert_eq!(d.condition, Condition::ServiceHealthy);
        assert!(d.required);
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"condition": "service_healthy", "required": true})
        );
        let d: Dependency =
            serde_json::from_value(json!({"required": "false", "restart": true})).unwrap();
        assert_eq!(
            (d.condition, d.required, d.restart),
            (Condition::ServiceStarted, false, true)
        );
        let e = serde_json::from_value::<Dependency>(json!({"condition": "healthy"})).unwrap_err();
        assert!(
            e.to_string().starts_with("unknown variant `healthy`"),
            "{e}"
        );
    }

    #[test]
    fn healthcheck_reads_strings_and_durations() {
        let h: Healthcheck = serde_json::from_value(json!({
            "test": "curl -f http://localhost", "interval": "1m30s", "timeout": "10s",
            "retries": "3", "start_period": "0s"
        }))
        .unwrap();
        assert_eq!(
            h.test,
            Some(vec!["CMD-SHELL".into(), "curl -f http://localhost".into()])
        );
        assert_eq!(h.interval, Some(Duration::from_secs(90)));
        assert_eq!(h.retries, Some(3));
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"test":["CMD-SHELL","curl -f http://localhost"],"timeout":"10s","interval":"1m30s","retries":3,"start_period":"0s"}"#
        );
        let h: Healthcheck = serde_json::from_value(json!({"disable": true})).unwrap();
        assert!(h.disable && h.test.is_none());
    }

    #[test]
    fn watch_rules() {
        let d: Develop = serde_json::from_value(json!({"watch": [
            {"path": "./src", "action": "sync+restart", "target": "/app", "ignore": "node_modules"},
            {"path": "pkg.json", "action": "sync+exec", "exec": {"command": "npm i"}}
        ]}))
        .unwrap();
        assert_eq!(d.watch[0].action, WatchAction::SyncRestart);
        assert_eq!(d.watch[0].ignore, ["node_modules"]);
        let exec = d.watch[1].exec.as_ref().and_then(|e| e.command.clone());
        assert_eq!(
            exec.map(|c| c.to_vec()),
            Some(Ok(vec!["npm".into(), "i".into()]))
        );
        assert_eq!(
            serde_json::to_value(&d).unwrap()["watch"][0]["action"],
            "sync+restart"
        );
        let e = serde_json::from_value::<WatchRule>(json!({"path": "x"})).unwrap_err();
        assert_eq!(e.to_string(), "missing field `action`");
    }
}
