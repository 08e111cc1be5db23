//! Where a stage stands between steps: its latest image (None while a `FROM scratch`
//! stage has made nothing), that image's whole config as it will be written next, and
//! the stage's ARGs.

use serde_json::{json, Value};

use super::scope::{self, Args};
use crate::error::Result;
use crate::image::{ImageRecord, DEFAULT_PATH};

#[derive(Debug, Clone)]
pub struct StageState {
    pub image: Option<ImageRecord>,
    pub config: Value,
    pub args: Args,
}

impl StageState {
    /// `FROM scratch`: no layers, and the PATH BuildKit gives every Linux image.
    pub fn scratch() -> Self {
        let now = crate::image::now();
        StageState {
            image: None,
            config: crate::image::empty_config(&now, &[DEFAULT_PATH]),
            args: Args::default(),
        }
    }

    pub fn from_image(image: ImageRecord, config: Value) -> Self {
        let mut s = StageState {
            image: Some(image),
            config,
            args: Args::default(),
        };
        if s.env().iter().all(|e| !e.starts_with("PATH=")) {
            s.set_env(vec![DEFAULT_PATH.to_string()]);
        }
        s
    }

    /// A new stage starting from this one's result: its ARGs do not carry over.
    pub fn fresh_stage(&self) -> Self {
        StageState {
            image: self.image.clone(),
            config: self.config.clone(),
            args: Args::default(),
        }
    }

    pub fn moved_to(&mut self, image: ImageRecord, config: Value) {
        self.image = Some(image);
        self.config = config;
    }

    pub fn image_id(&self) -> String {
        self.image
            .as_ref()
            .map(|i| i.id.to_string())
            .unwrap_or_default()
    }

    /// The base image's ONBUILD triggers, removed from what this stage will write
    /// (a child does not inherit them).
    pub fn take_onbuild(&mut self) -> Vec<String> {
        let Some(c) = self.config.get_mut("config").and_then(Value::as_object_mut) else {
            return Vec::new();
        };
        let triggers = c
            .get("OnBuild")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        c.insert("OnBuild".into(), Value::Null);
        triggers
    }

    fn field(&self, k: &str) -> Option<&Value> {
        self.config.get("config").and_then(|c| c.get(k))
    }

    pub fn set(&mut self, k: &str, v: Value) {
        if !self.config.get("config").is_some_and(Value::is_object) {
            self.config["config"] = json!({});
        }
        self.config["config"][k] = v;
    }

    pub fn strings(&self, k: &str) -> Option<Vec<String>> {
        self.field(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
    }

    pub fn env(&self) -> Vec<String> {
        self.strings("Env").unwrap_or_default()
    }

    /// Set or replace `KEY=value` entries, keeping the order of the ones kept.
    pub fn set_env(&mut self, entries: Vec<String>) {
        let mut env = self.env();
        for e in entries {
            let key = e.split('=').next().unwrap_or(&e).to_string();
            match env
                .iter_mut()
                .find(|x| x.split('=').next() == Some(key.as_str()))
            {
                Some(slot) => *slot = e,
                None => env.push(e),
            }
        }
        self.set("Env", json!(env));
    }

    pub fn shell(&self) -> Vec<String> {
        self.strings("Shell")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()])
    }

    pub fn workdir(&self) -> String {
        self.field("WorkingDir")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("/")
            .to_string()
    }

    pub fn user(&self) -> String {
        self.field("User")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }

    /// Expand a word with this stage's ENV and ARGs.
    pub fn expand(&self, word: &str, escape: char) -> Result<String> {
        scope::expand(word, escape, &self.env(), &self.args)
    }
}

impl StageState {
    /// A COPY heredoc body with `$NAME`, `${NAME}` and `${NAME:-default}` expanded
    /// (quotes are the file's own, so they stay); `\$` is a literal `$`.
    pub fn expand_heredoc(&self, body: &str, escape: char) -> Result<String> {
        let value = |name: &str| -> String {
            self.expand(&format!("${{{name}}}"), escape)
                .unwrap_or_default()
        };
        let mut out = String::with_capacity(body.len());
        let chars: Vec<char> = body.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == escape && chars.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
                continue;
            }
            if c != '$' {
                out.push(c);
                i += 1;
                continue;
            }
            if chars.get(i + 1) == Some(&'{') {
                if let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') {
                    let inner: String = chars[i + 2..i + 2 + end].iter().collect();
                    out.push_str(&self.expand(&format!("${{{inner}}}"), escape)?);
                    i += end + 3;
                    continue;
                }
            }
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            if name.is_empty() {
                out.push('$');
                i += 1;
            } else {
                out.push_str(&value(&name));
                i += 1 + name.len();
            }
        }
        Ok(out)
    }
}
