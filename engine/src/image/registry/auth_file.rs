//! Docker's auth file, `config.json` in `$DOCKER_CONFIG` (default `~/.docker`), read and
//! written as the docker CLI does, so `docker login` and `berth login` share credentials:
//! - `auths`: registry -> `{"auth": base64("user:password")}`;
//! - `credsStore`: a helper for every registry, `credHelpers`: one per registry; a helper
//!   is the program `docker-credential-<name>`, spoken to with `get`, `store`, `erase`
//!   and `list` (the server on stdin, JSON on stdout).
//!
//! Docker Hub's key is `https://index.docker.io/v1/`; other registries are keyed by
//! `host[:port]`, and a key written with a scheme or path (`https://host/v1/`) matches too.
//! Other keys of the file are kept as they are. The file is replaced atomically, mode 0600.
//! These functions block (file I/O and helper programs).

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::Credentials;
use crate::error::{Error, IoContext, Result};
use crate::store::ids::random_hex;

/// Docker Hub's key in `auths` and for credential helpers.
pub const HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub fn docker_config_path() -> PathBuf {
    let dir = match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/root"))
            .join(".docker"),
    };
    dir.join("config.json")
}

/// `https://host:5000/v2/` -> `host:5000`, as Docker's `ConvertToHostname`.
fn hostname(key: &str) -> &str {
    let s = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    s.split('/').next().unwrap_or(s)
}

/// The key a registry's credentials are stored under.
pub fn auth_key(server: &str) -> String {
    match hostname(server) {
        "" | "docker.io" | "index.docker.io" | "registry-1.docker.io" => HUB_AUTH_KEY.to_string(),
        h => h.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct AuthFile {
    pub path: PathBuf,
    /// A directory where `docker-credential-*` helpers are looked for before `PATH`.
    pub helper_dir: Option<PathBuf>,
}

impl Default for AuthFile {
    fn default() -> Self {
        AuthFile::new(docker_config_path())
    }
}

impl AuthFile {
    pub fn new(path: impl Into<PathBuf>) -> AuthFile {
        AuthFile {
            path: path.into(),
            helper_dir: None,
        }
    }

    fn read(&self) -> Result<Map<String, Value>> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
            Err(e) => return Err(Error::io("read", &self.path, e)),
        };
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Map::new());
        }
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(self.corrupt("not a JSON object".into())),
            Err(e) => Err(self.corrupt(e.to_string())),
        }
    }

    fn corrupt(&self, reason: String) -> Error {
        Error::Corrupt {
            path: self.path.clone(),
            reason,
        }
    }

    /// The credential helper for `key`, if one is configured.
    fn helper(file: &Map<String, Value>, key: &str) -> Option<String> {
        file.get("credHelpers")
            .and_then(|h| h.get(key))
            .or_else(|| file.get("credsStore"))
            .and_then(Value::as_str)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
    }

    /// The credentials stored for a registry (`127.0.0.1:5000`, `docker.io`, ...).
    pub fn get(&self, server: &str) -> Result<Option<Credentials>> {
        let file = self.read()?;
        let key = auth_key(server);
        if let Some(h) = Self::helper(&file, &key) {
            return self.helper_get(&h, &key);
        }
        let Some(auths) = file.get("auths").and_then(Value::as_object) else {
            return Ok(None);
        };
        let entry = auths.get(&key).or_else(|| {
            auths
                .iter()
                .find(|(k, _)| auth_key(k) == key)
                .map(|(_, v)| v)
        });
        let Some(entry) = entry else {
            return Ok(None);
        };
        if let Some(a) = entry["auth"].as_str().filter(|a| !a.is_empty()) {
            let decoded = STANDARD
                .decode(a.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| self.corrupt(format!("auths[{key:?}]: invalid base64 auth")))?;
            let (user, pass) = decoded.split_once(':').ok_or_else(|| {
                self.corrupt(format!("auths[{key:?}]: auth is not user:password"))
            })?;
            return Ok(Some(Credentials {
                username: user.to_string(),
                password: pass.trim_end_matches('\0').to_string(),
            }));
        }
        match (entry["username"].as_str(), entry["password"].as_str()) {
            (Some(u), Some(p)) if !u.is_empty() => Ok(Some(Credentials {
                username: u.into(),
                password: p.into(),
            })),
            _ => Ok(None),
        }
    }

    /// Every registry with credentials and what they are, as Docker's CLI gathers them
    /// for a build (`X-Registry-Config`): the `auths` keys, the `credHelpers` registries
    /// and what a `credsStore` helper lists. A registry whose credentials cannot be read
    /// is left out: the build then pulls from it anonymously, as Docker's does.
    pub fn all(&self) -> Result<Vec<(String, Credentials)>> {
        let file = self.read()?;
        let mut keys = std::collections::BTreeSet::new();
        for section in ["auths", "credHelpers"] {
            if let Some(m) = file.get(section).and_then(Value::as_object) {
                keys.extend(m.keys().map(|k| auth_key(k)));
            }
        }
        let store = file.get("credsStore").and_then(Value::as_str);
        if let Some(helper) = store.filter(|h| !h.is_empty()) {
            let listed = self.helper_run(helper, "list", b"").ok();
            if let Some(Value::Object(m)) = listed.and_then(|o| serde_json::from_str(&o).ok()) {
                keys.extend(m.keys().map(|k| auth_key(k)));
            }
        }
        Ok(keys
            .into_iter()
            .filter_map(|k| self.get(&k).ok().flatten().map(|c| (k, c)))
            .collect())
    }

    /// Keep credentials after a login: in the configured helper, else in `auths`.
    pub fn store(&self, server: &str, creds: &Credentials) -> Result<()> {
        let mut file = self.read()?;
        let key = auth_key(server);
        let entry = match Self::helper(&file, &key) {
            Some(h) => {
                let input =
                    json!({"ServerURL": key, "Username": creds.username, "Secret": creds.password});
                self.helper_run(&h, "store", input.to_string().as_bytes())?;
                // As the docker CLI: the registry is listed, its secret is the helper's.
                json!({})
            }
            None => json!({
                "auth": STANDARD.encode(format!("{}:{}", creds.username, creds.password)),
            }),
        };
        let auths = file
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if !auths.is_object() {
            *auths = Value::Object(Map::new());
        }
        auths
            .as_object_mut()
            .expect("made an object above")
            .insert(key, entry);
        self.write(&file)
    }

    /// Forget a registry's credentials (`logout`). False when there were none.
    pub fn erase(&self, server: &str) -> Result<bool> {
        let mut file = self.read()?;
        let key = auth_key(server);
        let mut had = false;
        if let Some(h) = Self::helper(&file, &key) {
            had = self.helper_run(&h, "erase", key.as_bytes()).is_ok();
        }
        if let Some(auths) = file.get_mut("auths").and_then(Value::as_object_mut) {
            let keys: Vec<String> = auths
                .keys()
                .filter(|k| auth_key(k) == key)
                .cloned()
                .collect();
            for k in keys {
                auths.remove(&k);
                had = true;
            }
        }
        if had {
            self.write(&file)?;
        }
        Ok(had)
    }

    /// Write temp (0600), fsync, rename: never a torn or world-readable file.
    fn write(&self, file: &Map<String, Value>) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if !dir.exists() {
            fs::create_dir_all(dir).ctx("create directory", dir)?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .ctx("restrict permissions of", dir)?;
        }
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| self.corrupt(e.to_string()))?;
        let tmp = dir.join(format!(".config.json.{}", random_hex(6)));
        let written = (|| {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .ctx("create", &tmp)?;
            f.write_all(&bytes).ctx("write", &tmp)?;
            f.write_all(b"\n").ctx("write", &tmp)?;
            f.sync_all().ctx("fsync", &tmp)?;
            fs::rename(&tmp, &self.path).ctx("rename into place", &self.path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Run `docker-credential-<helper> <action>` with `input` on stdin; its stdout.
    fn helper_run(&self, helper: &str, action: &str, input: &[u8]) -> Result<String> {
        let program = format!("docker-credential-{helper}");
        let mut cmd = Command::new(&program);
        if let Some(dir) = &self.helper_dir {
            // A PATH set on the command is the one the program is looked up in.
            let mut path = std::ffi::OsString::from(dir);
            if let Some(p) = std::env::var_os("PATH") {
                path.push(":");
                path.push(p);
            }
            cmd.env("PATH", path);
        }
        let mut child = cmd
            .arg(action)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::Runtime(format!(
                    "error getting credentials - err: exec: {program:?}: {e}"
                ))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input);
        }
        let out = child
            .wait_with_output()
            .map_err(|e| Error::Runtime(format!("{program} {action}: {e}")))?;
        let mut stdout = String::new();
        let _ = (&out.stdout[..]).read_to_string(&mut stdout);
        if !out.status.success() {
            let msg = if stdout.trim().is_empty() {
                String::from_utf8_lossy(&out.stderr).trim().to_string()
            } else {
                stdout.trim().to_string()
            };
            return Err(Error::Runtime(format!("{program} {action}: {msg}")));
        }
        Ok(stdout)
    }

    fn helper_get(&self, helper: &str, key: &str) -> Result<Option<Credentials>> {
        let out = match self.helper_run(helper, "get", key.as_bytes()) {
            Ok(o) => o,
            // The helpers' protocol: this exact text means "none stored".
            Err(Error::Runtime(m)) if m.contains("credentials not found") => return Ok(None),
            Err(e) => return Err(e),
        };
        let v: Value = serde_json::from_str(&out).map_err(|e| {
            Error::Runtime(format!(
                "docker-credential-{helper} get: invalid answer: {e}"
            ))
        })?;
        let (user, secret) = (
            v["Username"].as_str().unwrap_or(""),
            v["Secret"].as_str().unwrap_or(""),
        );
        if secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(Credentials {
            username: user.to_string(),
            password: secret.to_string(),
        }))
    }
}
