//! The docker CLI's context store, read and written in its own format: each context's
//! `meta.json` under `contexts/meta/<sha256 of its name>/`, TLS files under
//! `contexts/tls/<same>/docker/`, and the current context as `currentContext` in
//! `config.json` (whose other keys, the registry logins, are kept as they are).

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::tls::{CA_FILE, CERT_FILE, KEY_FILE};
use super::{DEFAULT, LOCAL};

/// The endpoint whose TLS material berth stores and reads (Docker's only one).
const DOCKER_ENDPOINT: &str = "docker";

/// A context's TLS files, as read from the paths given to `context create`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsMaterial {
    pub ca: Option<Vec<u8>>,
    pub cert: Option<Vec<u8>>,
    pub key: Option<Vec<u8>>,
}

impl TlsMaterial {
    pub fn is_empty(&self) -> bool {
        self.ca.is_none() && self.cert.is_none() && self.key.is_none()
    }

    fn files(&self) -> [(&'static str, Option<&Vec<u8>>); 3] {
        [
            (CA_FILE, self.ca.as_ref()),
            (CERT_FILE, self.cert.as_ref()),
            (KEY_FILE, self.key.as_ref()),
        ]
    }
}

/// One context's `meta.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Metadata", default)]
    pub metadata: Value,
    #[serde(rename = "Endpoints", default)]
    pub endpoints: BTreeMap<String, Value>,
}

/// The `docker` endpoint of a context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerEndpoint {
    #[serde(rename = "Host")]
    pub host: String,
    #[serde(rename = "SkipTLSVerify", default)]
    pub skip_tls_verify: bool,
}

impl Meta {
    pub fn docker_endpoint(&self) -> Option<DockerEndpoint> {
        serde_json::from_value(self.endpoints.get("docker")?.clone()).ok()
    }

    pub fn description(&self) -> String {
        self.metadata["Description"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// The store in one docker config directory.
#[derive(Debug, Clone)]
pub struct ContextStore {
    dir: PathBuf,
}

/// Docker's rule for context names.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'))
}

fn digest(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

impl ContextStore {
    /// The docker CLI's config directory: `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn open() -> ContextStore {
        let config = berth_engine::image::registry::docker_config_path();
        let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
        ContextStore { dir }
    }

    /// The docker config directory this store is in (also where the docker CLI looks
    /// for default TLS files).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn at(dir: &Path) -> ContextStore {
        ContextStore {
            dir: dir.to_path_buf(),
        }
    }

    pub fn meta_dir(&self, name: &str) -> PathBuf {
        self.dir.join("contexts/meta").join(digest(name))
    }

    pub fn tls_dir(&self, name: &str) -> PathBuf {
        self.dir.join("contexts/tls").join(digest(name))
    }

    /// Where the docker CLI keeps the `docker` endpoint's TLS files of `name`.
    pub fn docker_tls_dir(&self, name: &str) -> PathBuf {
        self.tls_dir(name).join(DOCKER_ENDPOINT)
    }

    /// The TLS files stored for `name`, by endpoint, as `docker context inspect`
    /// lists them in `TLSMaterial`.
    pub fn tls_files(&self, name: &str) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        let Ok(endpoints) = std::fs::read_dir(self.tls_dir(name)) else {
            return out;
        };
        for e in endpoints.flatten() {
            let Ok(files) = std::fs::read_dir(e.path()) else {
                continue;
            };
            let mut names: Vec<String> = files
                .flatten()
                .filter(|f| f.path().is_file())
                .map(|f| f.file_name().to_string_lossy().into_owned())
                .collect();
            if names.is_empty() {
                continue;
            }
            names.sort();
            out.insert(e.file_name().to_string_lossy().into_owned(), names);
        }
        out
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    /// Every stored context (not the built-in `local` and `default`), by name.
    pub fn list(&self) -> Result<Vec<Meta>, String> {
        let dir = self.dir.join("contexts/meta");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let p = e.path().join("meta.json");
            if let Ok(text) = std::fs::read_to_string(&p) {
                let meta: Meta =
                    serde_json::from_str(&text).map_err(|err| format!("{}: {err}", p.display()))?;
                out.push(meta);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    pub fn get(&self, name: &str) -> Result<Meta, String> {
        let p = self.meta_dir(name).join("meta.json");
        let text =
            std::fs::read_to_string(&p).map_err(|_| format!("context {name:?} does not exist"))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    }

    /// Store a context with a docker endpoint and its TLS material (written, as the
    /// docker CLI writes it, to files only their owner can read).
    pub fn create(
        &self,
        name: &str,
        description: &str,
        host: &str,
        skip_tls_verify: bool,
        tls: &TlsMaterial,
    ) -> Result<Meta, String> {
        if name == DEFAULT || name == LOCAL {
            return Err(format!("{name:?} is a reserved context name"));
        }
        if !valid_name(name) {
            return Err(format!(
                "context name {name:?} is invalid, names are validated against regexp \"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$\""
            ));
        }
        if self.get(name).is_ok() {
            return Err(format!("context {name:?} already exists"));
        }
        let mut metadata = serde_json::Map::new();
        if !description.is_empty() {
            metadata.insert("Description".into(), Value::String(description.into()));
        }
        let endpoint = DockerEndpoint {
            host: host.to_string(),
            skip_tls_verify,
        };
        let meta = Meta {
            name: name.to_string(),
            metadata: Value::Object(metadata),
            endpoints: BTreeMap::from([(
                "docker".to_string(),
                serde_json::to_value(&endpoint).map_err(|e| e.to_string())?,
            )]),
        };
        // The material first: a context that is listed always has its files.
        let stored = self.write_tls(name, tls).and_then(|()| {
            let dir = self.meta_dir(name);
            std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
            let text = serde_json::to_vec(&meta).map_err(|e| e.to_string())?;
            write_atomic(&dir.join("meta.json"), &text)
        });
        if let Err(e) = stored {
            let _ = std::fs::remove_dir_all(self.tls_dir(name));
            return Err(e);
        }
        Ok(meta)
    }

    fn write_tls(&self, name: &str, tls: &TlsMaterial) -> Result<(), String> {
        if tls.is_empty() {
            return Ok(());
        }
        let dir = self.docker_tls_dir(name);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("create {}: {e}", dir.display()))?;
        for (file, data) in tls.files() {
            if let Some(data) = data {
                write_private(&dir.join(file), data)?;
            }
        }
        Ok(())
    }

    pub fn remove(&self, name: &str) -> Result<(), String> {
        if name == DEFAULT || name == LOCAL {
            return Err(format!("context {name:?} cannot be removed"));
        }
        self.get(name)?;
        let _ = std::fs::remove_dir_all(self.tls_dir(name));
        std::fs::remove_dir_all(self.meta_dir(name))
            .map_err(|e| format!("remove context {name:?}: {e}"))
    }

    fn config(&self) -> Result<serde_json::Map<String, Value>, String> {
        match std::fs::read_to_string(self.config_path()) {
            Ok(text) if !text.trim().is_empty() => serde_json::from_str(&text)
                .map_err(|e| format!("{}: {e}", self.config_path().display())),
            _ => Ok(serde_json::Map::new()),
        }
    }

    /// The current context as `config.json` names it (None: nothing chosen, which is
    /// Berth's own engine for berth and Docker's default for the docker CLI).
    pub fn current(&self) -> Result<Option<String>, String> {
        Ok(self
            .config()?
            .get("currentContext")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from))
    }

    /// Make `name` current (None, or `local`: clear the choice).
    pub fn set_current(&self, name: Option<&str>) -> Result<(), String> {
        let mut config = self.config()?;
        match name.filter(|n| *n != LOCAL) {
            Some(n) => {
                config.insert("currentContext".into(), Value::String(n.into()));
            }
            None => {
                config.remove("currentContext");
            }
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("create {}: {e}", self.dir.display()))?;
        let text = serde_json::to_vec_pretty(&config).map_err(|e| e.to_string())?;
        write_atomic(&self.config_path(), &text)
    }
}

/// A file only its owner may read (a key), through a temp file made with that mode,
/// fsynced and renamed: never readable by others, not even for a moment.
fn write_private(path: &Path, data: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(data)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("write {}: {e}", path.display())
    })
}

/// Write through a temp file and a rename, so a reader never sees half a file.
fn write_atomic(path: &Path, data: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, data).map_err(|e| format!("write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("write {}: {e}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_stored_as_the_docker_cli_stores_them() {
        let d = tempfile::tempdir().unwrap();
        let s = ContextStore::at(d.path());
        std::fs::write(d.path().join("config.json"), r#"{"auths":{"r:5000":{}}}"#).unwrap();
        s.create(
            "far",
            "remote",
            "tcp://far:2375",
            false,
            &TlsMaterial::default(),
        )
        .unwrap();
        // The docker CLI's path: the name's sha256, in hex.
        assert!(d
            .path()
            .join("contexts/meta")
            .join(hex::encode(Sha256::digest(b"far")))
            .join("meta.json")
            .is_file());
        let found = s.list().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].description(), "remote");
        assert_eq!(found[0].docker_endpoint().unwrap().host, "tcp://far:2375");
        let none = TlsMaterial::default();
        assert!(s.create("far", "", "tcp://x:1", false, &none).is_err());
        assert!(s.create("default", "", "tcp://x:1", false, &none).is_err());
        assert!(s.create("-bad", "", "tcp://x:1", false, &none).is_err());
        assert!(s.tls_files("far").is_empty());
        // Choosing one keeps the logins beside it.
        s.set_current(Some("far")).unwrap();
        assert_eq!(s.current().unwrap().as_deref(), Some("far"));
        let cfg = std::fs::read_to_string(d.path().join("config.json")).unwrap();
        assert!(cfg.contains("r:5000"), "{cfg}");
        s.set_current(Some("local")).unwrap();
        assert_eq!(s.current().unwrap(), None);
        s.remove("far").unwrap();
        assert!(s.list().unwrap().is_empty());
        assert!(s.remove("far").is_err());
    }

    #[test]
    fn tls_material_is_stored_where_and_as_the_docker_cli_stores_it() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let s = ContextStore::at(d.path());
        let material = TlsMaterial {
            ca: Some(b"CA".to_vec()),
            cert: Some(b"CERT".to_vec()),
            key: Some(b"KEY".to_vec()),
        };
        s.create("secure", "", "tcp://far:2376", false, &material)
            .unwrap();
        let dir = d
            .path()
            .join("contexts/tls")
            .join(hex::encode(Sha256::digest(b"secure")))
            .join("docker");
        assert_eq!(s.docker_tls_dir("secure"), dir);
        for (file, data) in [("ca.pem", "CA"), ("cert.pem", "CERT"), ("key.pem", "KEY")] {
            let p = dir.join(file);
            assert_eq!(std::fs::read_to_string(&p).unwrap(), data);
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{file}");
        }
        assert_eq!(
            s.tls_files("secure"),
            BTreeMap::from([(
                "docker".to_string(),
                vec!["ca.pem".into(), "cert.pem".into(), "key.pem".into()]
            )])
        );
        s.remove("secure").unwrap();
        assert!(!s.tls_dir("secure").exists());
    }
}
