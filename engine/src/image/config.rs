//! Image configs as raw JSON: what a container starts from (read field by field, since
//! Docker configs carry fields the OCI type drops and write `null` where OCI omits), the
//! config berth writes for an import, and the changes `berth commit` applies.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{ImageRecord, ImageStore, RunDefaults};
use crate::error::{Error, Result};
use crate::store::Digest;

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl ImageStore {
    pub fn run_defaults(&self, img: &ImageRecord) -> Result<RunDefaults> {
        Ok(run_defaults_of(&self.config_json(img)?))
    }

    /// The raw config JSON (for `image inspect`).
    pub fn config_json(&self, img: &ImageRecord) -> Result<Value> {
        let bytes = self.blobs().read(&img.id)?;
        parse(&bytes, &self.blobs().path(&img.id).display().to_string())
    }
}

/// Parse a config blob; `what` names it in errors.
pub fn parse(bytes: &[u8], what: &str) -> Result<Value> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid(format!("image config {what}: {e}")))?;
    if !v.is_object() {
        return Err(Error::invalid(format!(
            "image config {what}: not a JSON object"
        )));
    }
    Ok(v)
}

/// The layer diff IDs a config lists, lowest first.
pub fn diff_ids(config: &Value, what: &str) -> Result<Vec<Digest>> {
    let bad = |why: String| Error::invalid(format!("image config {what}: {why}"));
    let list = config["rootfs"]["diff_ids"]
        .as_array()
        .ok_or_else(|| bad("no rootfs.diff_ids".into()))?;
    list.iter()
        .map(|d| {
            let s = d
                .as_str()
                .ok_or_else(|| bad("a diff ID is not a string".into()))?;
            s.parse::<Digest>().map_err(|e| bad(e.to_string()))
        })
        .collect()
}

fn string(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    })
}

fn object(v: &Value) -> BTreeMap<String, Value> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

pub fn run_defaults_of(config: &Value) -> RunDefaults {
    let c = &config["config"];
    RunDefaults {
        user: string(&c["User"]),
        env: strings(&c["Env"]).unwrap_or_default(),
        entrypoint: strings(&c["Entrypoint"]),
        cmd: strings(&c["Cmd"]),
        working_dir: string(&c["WorkingDir"]),
        labels: c["Labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        exposed_ports: object(&c["ExposedPorts"]),
        volumes: object(&c["Volumes"]),
        stop_signal: c["StopSignal"].as_str().map(str::to_string),
        healthcheck: Some(c["Healthcheck"].clone()).filter(|h| !h.is_null()),
    }
}

/// The platform this machine runs, in OCI's names.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A config with no layers yet, for the host's platform.
pub fn empty(created: &str, env: &[&str]) -> Value {
    json!({
        "architecture": host_arch(),
        "os": "linux",
        "created": created,
        "config": { "Env": env },
        "rootfs": { "type": "layers", "diff_ids": [] },
        "history": [],
    })
}

/// Append a layer and its history entry.
pub fn push_layer(config: &mut Value, diff_id: &Digest, history: Value) {
    let root = ensure_object(config);
    let rootfs = ensure_object(
        root.entry("rootfs")
            .or_insert_with(|| json!({"type": "layers"})),
    );
    let ids = rootfs.entry("diff_ids").or_insert_with(|| json!([]));
    if !ids.is_array() {
        *ids = json!([]);
    }
    if let Some(a) = ids.as_array_mut() {
        a.push(json!(diff_id.to_string()));
    }
    let hist = root.entry("history").or_insert_with(|| json!([]));
    if !hist.is_array() {
        *hist = json!([]);
    }
    if let Some(a) = hist.as_array_mut() {
        a.push(history);
    }
}

/// Append a history entry for a step that made no layer (`empty_layer: true`).
pub fn push_history(config: &mut Value, history: Value) {
    let root = ensure_object(config);
    let hist = root.entry("history").or_insert_with(|| json!([]));
    if !hist.is_array() {
        *hist = json!([]);
    }
    if let Some(a) = hist.as_array_mut() {
        a.push(history);
    }
}

fn ensure_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    match v {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

/// What `berth commit --change`/`-c` may override. `None` and empty mean "keep the
/// parent's".
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ConfigChanges {
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=value` entries added to the environment; one whose key is already set
    /// replaces that entry.
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    /// `80/tcp`, `53/udp`, or `80` (tcp is assumed).
    pub exposed_ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub volumes: Vec<String>,
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK`: Docker's Healthcheck object.
    pub healthcheck: Option<Value>,
}

/// An image's `config` as Docker's API shows it (`container.Config`): every key it
/// always carries, in its order, `null` for what is unset; the optional ones
/// (ExposedPorts, Healthcheck, ArgsEscaped, StopSignal, StopTimeout, Shell...) only
/// when set. Templates such as `{{.Config.Cmd}}` then find the key as on Docker.
pub fn docker_container_config(oci: &Value) -> Value {
    let get = |k: &str| oci.get(k).cloned();
    let or_null = |k: &str| get(k).unwrap_or(Value::Null);
    let or_str = |k: &str| get(k).unwrap_or_else(|| json!(""));
    let mut out = serde_json::Map::new();
    out.insert("Hostname".into(), or_str("Hostname"));
    out.insert("Domainname".into(), or_str("Domainname"));
    out.insert("User".into(), or_str("User"));
    for k in ["AttachStdin", "AttachStdout", "AttachStderr"] {
        out.insert(k.into(), get(k).unwrap_or(json!(false)));
    }
    if let Some(p) = get("ExposedPorts").filter(|p| !p.is_null()) {
        out.insert("ExposedPorts".into(), p);
    }
    for k in ["Tty", "OpenStdin", "StdinOnce"] {
        out.insert(k.into(), get(k).unwrap_or(json!(false)));
    }
    out.insert("Env".into(), or_null("Env"));
    out.insert("Cmd".into(), or_null("Cmd"));
    if let Some(h) = get("Healthcheck").filter(|h| !h.is_null()) {
        out.insert("Healthcheck".into(), h);
    }
    if let Some(a) = get("ArgsEscaped").filter(|a| a.as_bool() == Some(true)) {
        out.insert("ArgsEscaped".into(), a);
    }
    out.insert("Image".into(), or_str("Image"));
    out.insert("Volumes".into(), or_null("Volumes"));
    out.insert("WorkingDir".into(), or_str("WorkingDir"));
    out.insert("Entrypoint".into(), or_null("Entrypoint"));
    out.insert("OnBuild".into(), or_null("OnBuild"));
    out.insert("Labels".into(), or_null("Labels"));
    for k in ["StopSignal", "StopTimeout", "Shell"] {
        if let Some(v) = get(k).filter(|v| !v.is_null()) {
            out.insert(k.into(), v);
        }
    }
    Value::Object(out)
}

impl ConfigChanges {
    /// Apply to a whole config (the changes land in its `config` object).
    pub fn apply(&self, config: &mut Value) {
        let root = ensure_object(config);
        let c = ensure_object(root.entry("config").or_insert_with(|| json!({})));
        if let Some(cmd) = &self.cmd {
            c.insert("Cmd".into(), json!(cmd));
        }
        if let Some(ep) = &self.entrypoint {
            c.insert("Entrypoint".into(), json!(ep));
            // A new ENTRYPOINT drops the CMD it came with, unless this change sets one
            // too (Docker's rule for ENTRYPOINT in a Dockerfile and in `commit -c`).
            if self.cmd.is_none() {
                c.insert("Cmd".into(), Value::Null);
            }
        }
        if !self.env.is_empty() {
            let mut env = strings(c.get("Env").unwrap_or(&Value::Null)).unwrap_or_default();
            for e in &self.env {
                let key = e.split('=').next().unwrap_or(e);
                match env.iter_mut().find(|x| x.split('=').next() == Some(key)) {
                    Some(slot) => *slot = e.clone(),
                    None => env.push(e.clone()),
                }
            }
            c.insert("Env".into(), json!(env));
        }
        if let Some(w) = &self.working_dir {
            c.insert("WorkingDir".into(), json!(w));
        }
        if let Some(h) = &self.healthcheck {
            c.insert("Healthcheck".into(), h.clone());
        }
        if let Some(u) = &self.user {
            c.insert("User".into(), json!(u));
        }
        let mut add_keys = |field: &str, keys: Vec<String>| {
            if keys.is_empty() {
                return;
            }
            let m = ensure_object(c.entry(field.to_string()).or_insert_with(|| json!({})));
            for k in keys {
                m.insert(k, json!({}));
            }
        };
        add_keys(
            "ExposedPorts",
            self.exposed_ports
                .iter()
                .map(|p| {
                    if p.contains('/') {
                        p.clone()
                    } else {
                        format!("{p}/tcp")
                    }
                })
                .collect(),
        );
        add_keys("Volumes", self.volumes.clone());
        if !self.labels.is_empty() {
            let m = ensure_object(c.entry("Labels").or_insert_with(|| json!({})));
            for (k, v) in &self.labels {
                m.insert(k.clone(), json!(v));
            }
        }
        if let Some(s) = &self.stop_signal {
            c.insert("StopSignal".into(), json!(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_defaults_tolerate_docker_nulls_and_keep_healthcheck() {
        let cfg = json!({"config": {
            "User": "app", "Env": ["A=1"], "Cmd": null, "Entrypoint": ["/bin/sh", "-c"],
            "Labels": null, "Volumes": null, "ExposedPorts": {"80/tcp": {}},
            "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000},
            "WorkingDir": "/srv", "StopSignal": "SIGQUIT"
        }});
        let d = run_defaults_of(&cfg);
        assert_eq!(d.user, "app");
        assert_eq!(d.cmd, None);
        assert_eq!(d.entrypoint, Some(vec!["/bin/sh".into(), "-c".into()]));
        assert!(d.labels.is_empty());
        assert!(d.exposed_ports.contains_key("80/tcp"));
        assert_eq!(d.healthcheck.unwrap()["Test"][1], "true");
        assert_eq!(d.stop_signal.as_deref(), Some("SIGQUIT"));
        assert_eq!(run_defaults_of(&json!({})), RunDefaults::default());
    }

    #[test]
    fn changes_override_and_add() {
        let mut cfg = empty("now", &[DEFAULT_PATH, "A=1"]);
        let ch = ConfigChanges {
            cmd: Some(vec!["sh".into()]),
            env: vec!["A=2".into(), "B=3".into()],
            exposed_ports: vec!["80".into(), "53/udp".into()],
            labels: [("k".to_string(), "v".to_string())].into(),
            volumes: vec!["/data".into()],
            user: Some("nobody".into()),
            ..Default::default()
        };
        ch.apply(&mut cfg);
        let d = run_defaults_of(&cfg);
        assert_eq!(d.cmd, Some(vec!["sh".to_string()]));
        assert_eq!(
            d.env,
            vec![DEFAULT_PATH.to_string(), "A=2".into(), "B=3".into()]
        );
        assert!(d.exposed_ports.contains_key("80/tcp") && d.exposed_ports.contains_key("53/udp"));
        assert_eq!(d.labels["k"], "v");
        assert!(d.volumes.contains_key("/data"));
        assert_eq!(d.user, "nobody");
    }

    #[test]
    fn a_new_entrypoint_drops_the_cmd_unless_one_comes_with_it() {
        let base = json!({"config": {"Cmd": ["sleep", "1"], "Entrypoint": null}});
        let mut only_ep = base.clone();
        ConfigChanges {
            entrypoint: Some(vec!["echo".into()]),
            ..Default::default()
        }
        .apply(&mut only_ep);
        assert_eq!(only_ep["config"]["Cmd"], Value::Null);
        assert_eq!(only_ep["config"]["Entrypoint"], json!(["echo"]));
        let mut both = base.clone();
        ConfigChanges {
            entrypoint: Some(vec!["echo".into()]),
            cmd: Some(vec!["hi".into()]),
            ..Default::default()
        }
        .apply(&mut both);
        assert_eq!(both["config"]["Cmd"], json!(["hi"]));
        let mut env_only = base;
        ConfigChanges {
            env: vec!["A=1".into()],
            ..Default::default()
        }
        .apply(&mut env_only);
        assert_eq!(env_only["config"]["Cmd"], json!(["sleep", "1"]));
    }

    #[test]
    fn the_config_has_dockers_keys_whatever_the_image_set() {
        let c = docker_container_config(&json!({"Cmd": ["sh"], "StopSignal": "SIGQUIT"}));
        let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "Hostname",
                "Domainname",
                "User",
                "AttachStdin",
                "AttachStdout",
                "AttachStderr",
                "Tty",
                "OpenStdin",
                "StdinOnce",
                "Env",
                "Cmd",
                "Image",
                "Volumes",
                "WorkingDir",
                "Entrypoint",
                "OnBuild",
                "Labels",
                "StopSignal"
            ]
        );
        assert_eq!(c["Cmd"], json!(["sh"]));
        assert_eq!(c["Entrypoint"], Value::Null);
    }
}
