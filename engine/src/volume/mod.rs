//! Named and anonymous volumes: `volumes/<name>/_data` plus a record, as Docker lays them
//! out. A volume is seeded from the image the first time it is mounted.

pub mod tmpfs;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};
use crate::store::{ids, read_json, write_json_atomic, FileLock, Paths};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    pub created_at: String,
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    pub mountpoint: String,
    pub name: String,
    pub options: BTreeMap<String, String>,
    pub scope: String,
    /// Made for one container (image VOLUME or `-v /path`); `rm -v` removes it.
    #[serde(default)]
    pub anonymous: bool,
}

#[derive(Debug, Clone)]
pub struct VolumeStore {
    paths: Paths,
}

pub fn validate_name(name: &str) -> Result<()> {
    let ok = crate::store::names::is_valid_object_name(name, 2);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{name:?} includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"
        )))
    }
}

impl VolumeStore {
    pub fn new(paths: &Paths) -> Self {
        VolumeStore {
            paths: paths.clone(),
        }
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.paths.volumes_dir().join(name)
    }

    /// Create a volume, or return the existing one of that name (as `docker volume create`).
    pub fn create(
        &self,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
        anonymous: bool,
    ) -> Result<Volume> {
        let name = match name {
            Some(n) => {
                validate_name(n)?;
                n.to_string()
            }
            None => ids::random_hex(32),
        };
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        self.create_with(name, labels, anonymous)
    }

    /// As `create`, for a caller that already holds the global lock.
    pub fn create_locked(&self, name: &str, anonymous: bool) -> Result<Volume> {
        validate_name(name)?;
        self.create_with(name.to_string(), BTreeMap::new(), anonymous)
    }

    fn create_with(
        &self,
        name: String,
        labels: BTreeMap<String, String>,
        anonymous: bool,
    ) -> Result<Volume> {
        if let Ok(v) = self.get(&name) {
            return Ok(v);
        }
        let dir = self.dir(&name);
        let data = dir.join("_data");
        fs::create_dir_all(&data).ctx("create volume", &data)?;
        let v = Volume {
            created_at: crate::container::now_rfc3339_secs(),
            driver: "local".into(),
            labels,
            mountpoint: data.display().to_string(),
            name,
            options: BTreeMap::new(),
            scope: "local".into(),
            anonymous,
        };
        write_json_atomic(&dir.join("volume.json"), &v)?;
        crate::events::object_event(
            &self.paths,
            "volume",
            "create",
            &v.name,
            &[("driver", "local".into())],
        );
        Ok(v)
    }

    pub fn get(&self, name: &str) -> Result<Volume> {
        let p = self.dir(name).join("volume.json");
        if name.contains('/') || !p.exists() {
            return Err(Error::not_found("volume", name));
        }
        read_json(&p)
    }

    pub fn list(&self) -> Result<Vec<Volume>> {
        let mut out = Vec::new();
        let dir = self.paths.volumes_dir();
        let Ok(rd) = fs::read_dir(&dir) else {
            return Ok(out);
        };
        for e in rd.flatten() {
            if let Ok(v) = self.get(&e.file_name().to_string_lossy()) {
                out.push(v);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The data directory to mount, and whether this is its first mount (so the caller
    /// seeds it from the image). Creates the volume if it does not exist yet.
    pub fn data_dir_for_mount(&self, name: &str) -> Result<(PathBuf, bool)> {
        let v = self.create(Some(name), BTreeMap::new(), false)?;
        let marker = self.dir(&v.name).join(".seeded");
        let fresh = !marker.exists();
        if fresh {
            fs::write(&marker, b"").ctx("write", &marker)?;
        }
        Ok((PathBuf::from(v.mountpoint), fresh))
    }

    /// Remove a volume; refuses while `in_use` names containers using it, unless forced.
    pub fn remove(&self, name: &str, in_use: &[String]) -> Result<()> {
        self.get(name)?;
        if !in_use.is_empty() {
            return Err(Error::Conflict(format!(
                "remove {name}: volume is in use - [{}]",
                in_use.join(", ")
            )));
        }
        let dir = self.dir(name);
        fs::remove_dir_all(&dir).ctx("remove volume", &dir)?;
        crate::events::object_event(
            &self.paths,
            "volume",
            "destroy",
            name,
            &[("driver", "local".into())],
        );
        Ok(())
    }

    pub fn size(&self, name: &str) -> u64 {
        crate::util::du(&self.dir(name).join("_data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_is_idempotent_and_names_are_checked() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        paths.ensure().unwrap();
        let s = VolumeStore::new(&paths);
        let v = s.create(Some("data"), BTreeMap::new(), false).unwrap();
        assert_eq!(s.create(Some("data"), BTreeMap::new(), false).unwrap(), v);
        assert!(s.create(Some("../x"), BTreeMap::new(), false).is_err());
        let (_, fresh) = s.data_dir_for_mount("data").unwrap();
        assert!(fresh);
        let (_, fresh) = s.data_dir_for_mount("data").unwrap();
        assert!(!fresh);
        assert!(s.remove("data", &["c1".into()]).is_err());
        s.remove("data", &[]).unwrap();
        assert!(s.get("data").is_err());
    }
}
