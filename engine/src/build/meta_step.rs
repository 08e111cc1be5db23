//! Steps that change only the image config: ENV, LABEL, CMD, ENTRYPOINT, EXPOSE, USER,
//! VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER. Each still makes an image
//! (an `empty_layer` history entry), so the next step has a parent to key its cache on.

use serde_json::{json, Map, Value};

use super::builder::Builder;
use super::dockerfile::{Command, Healthcheck, Instruction, ShellOrExec};
use super::state::StageState;
use crate::error::{Error, Result};

impl Builder<'_> {
    pub(super) fn meta_step(
        &self,
        n: usize,
        ins: &Instruction,
        state: &mut StageState,
    ) -> Result<()> {
        let mut next = state.clone();
        let created_by = self
            .apply_meta(ins, &mut next)
            .map_err(|e| self.at(ins, e))?;
        let mut key = self.key(state);
        key.part("meta").part(&created_by);
        // The config itself is the step's whole effect: key on it, so an ENV that
        // expands differently (another build arg) is another step.
        key.part(&next.config["config"].to_string());
        let key = key.finish();
        if self.cached(n, &key, state)? {
            return Ok(());
        }
        let config = next.config;
        self.commit(&key, state, config, None, created_by)
    }

    /// Apply one instruction to `s`; returns its history `created_by` (BuildKit's).
    fn apply_meta(&self, ins: &Instruction, s: &mut StageState) -> Result<String> {
        let esc = self.plan.escape;
        Ok(match &ins.command {
            Command::Env(pairs) => {
                let mut shown = Vec::new();
                for (k, v) in pairs {
                    let k = s.expand(k, esc)?;
                    let v = s.expand(v, esc)?;
                    if k.is_empty() {
                        return Err(Error::invalid("ENV names can not be blank"));
                    }
                    shown.push(format!("{k}={v}"));
                    s.set_env(vec![format!("{k}={v}")]);
                }
                format!("ENV {}", shown.join(" "))
            }
            Command::Label(pairs) => {
                let mut labels = s
                    .config
                    .get("config")
                    .and_then(|c| c.get("Labels"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let mut shown = Vec::new();
                for (k, v) in pairs {
                    let k = s.expand(k, esc)?;
                    let v = s.expand(v, esc)?;
                    if k.is_empty() {
                        return Err(Error::invalid("LABEL names can not be blank"));
                    }
                    shown.push(format!("{k}={v}"));
                    labels.insert(k, json!(v));
                }
                s.set("Labels", Value::Object(labels));
                format!("LABEL {}", shown.join(" "))
            }
            Command::Cmd(c) => {
                let argv = self.argv(c, s);
                s.set("Cmd", json!(argv));
                format!("CMD {}", go_json(&argv))
            }
            Command::Entrypoint(c) => {
                let argv = self.argv(c, s);
                s.set("Entrypoint", json!(argv));
                // A new ENTRYPOINT drops the base image's CMD (Docker's rule).
                s.set("Cmd", Value::Null);
                format!("ENTRYPOINT {}", go_json(&argv))
            }
            Command::Expose(ports) => {
                let mut exposed = s
                    .config
                    .get("config")
                    .and_then(|c| c.get("ExposedPorts"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let mut shown = Vec::new();
                for p in ports {
                    for word in crate::build::scope::expand_words(p, esc, &s.env(), &s.args)? {
                        let key = port_key(&word)?;
                        shown.push(key.clone());
                        exposed.insert(key, json!({}));
                    }
                }
                s.set("ExposedPorts", Value::Object(exposed));
                format!(
                    "EXPOSE map[{}]",
                    shown
                        .iter()
                        .map(|p| format!("{p}:{{}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }
            Command::User(u) => {
                let u = s.expand(u, esc)?;
                s.set("User", json!(u));
                format!("USER {u}")
            }
            Command::Volume(vols) => {
                let mut volumes = s
                    .config
                    .get("config")
                    .and_then(|c| c.get("Volumes"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_else(Map::new);
                let mut shown = Vec::new();
                for v in vols {
                    let v = s.expand(v, esc)?;
                    if v.trim().is_empty() {
                        return Err(Error::invalid(
                            "VOLUME specified can not be an empty string",
                        ));
                    }
                    shown.push(v.clone());
                    volumes.insert(v, json!({}));
                }
                s.set("Volumes", Value::Object(volumes));
                format!("VOLUME [{}]", shown.join(" "))
            }
            Command::StopSignal(sig) => {
                let sig = s.expand(sig, esc)?;
                crate::signals::parse(&sig).map_err(|_| {
                    Error::invalid(format!("failed to process \"{sig}\": invalid signal"))
                })?;
                s.set("StopSignal", json!(sig));
                format!("STOPSIGNAL {sig}")
            }
            Command::Healthcheck(h) => {
                let v = healthcheck_json(h);
                s.set("Healthcheck", v);
                ins.text.clone()
            }
            Command::Shell(shell) => {
                s.set("Shell", json!(shell));
                format!("SHELL {}", go_json(shell))
            }
            Command::Onbuild(trigger) => {
                let mut list = s.strings("OnBuild").unwrap_or_default();
                list.push(trigger.text.clone());
                s.set("OnBuild", json!(list));
                format!("ONBUILD {}", trigger.text)
            }
            Command::Maintainer(m) => {
                let m = s.expand(m, esc)?;
                if let Some(root) = s.config.as_object_mut() {
                    root.insert("author".into(), json!(m));
                }
                format!("MAINTAINER {m}")
            }
            other => {
                return Err(Error::Runtime(format!(
                    "not a config instruction: {other:?}"
                )))
            }
        })
    }

    /// CMD/ENTRYPOINT/HEALTHCHECK argv: the exec form as written, the shell form
    /// wrapped in the stage's SHELL.
    pub(super) fn argv(&self, c: &ShellOrExec, s: &StageState) -> Vec<String> {
        match c {
            ShellOrExec::Exec(v) => v.clone(),
            ShellOrExec::Shell(cmd) => {
                let mut v = s.shell();
                v.push(cmd.clone());
                v
            }
        }
    }
}

/// Docker's Healthcheck object for the config.
fn healthcheck_json(h: &Healthcheck) -> Value {
    match h {
        Healthcheck::None => json!({ "Test": ["NONE"] }),
        Healthcheck::Check {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => {
            let test: Vec<String> = match test {
                ShellOrExec::Exec(v) => std::iter::once("CMD".to_string())
                    .chain(v.iter().cloned())
                    .collect(),
                ShellOrExec::Shell(cmd) => vec!["CMD-SHELL".into(), cmd.clone()],
            };
            let mut o = json!({ "Test": test });
            let nanos = |d: &Option<std::time::Duration>| d.map(|d| d.as_nanos() as u64);
            for (k, v) in [
                ("Interval", nanos(interval)),
                ("Timeout", nanos(timeout)),
                ("StartPeriod", nanos(start_period)),
                ("StartInterval", nanos(start_interval)),
            ] {
                if let Some(v) = v {
                    o[k] = json!(v);
                }
            }
            if let Some(r) = retries {
                o["Retries"] = json!(r);
            }
            o
        }
    }
}

/// `80`, `80/tcp`, `53/udp`, `8000-8002`: one key per port as the config keeps them.
fn port_key(word: &str) -> Result<String> {
    let (port, proto) = word.split_once('/').unwrap_or((word, "tcp"));
    let proto = proto.to_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(Error::invalid(format!("invalid proto: {proto}")));
    }
    let ok = |p: &str| p.parse::<u16>().is_ok_and(|n| n > 0);
    let valid = match port.split_once('-') {
        Some((a, b)) => ok(a) && ok(b),
        None => ok(port),
    };
    if !valid {
        return Err(Error::invalid(format!("invalid containerPort: {port}")));
    }
    Ok(format!("{port}/{proto}"))
}

/// A list as Go's `%q`-free JSON BuildKit writes in history (`["sh" "-c" "x"]` is what
/// Go prints; Docker's history shows JSON for CMD, which we keep).
fn go_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
