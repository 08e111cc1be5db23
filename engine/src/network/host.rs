//! The host-wide view that every state root shares, in `/run/berth-host`:
//! - `host.lock`, held while a root makes a bridge, so two roots never claim one
//!   subnet at the same moment;
//! - `roots/<id>`, one file per root that has networks, holding the root's path, so a
//!   root choosing a subnet can read every other root's network records.
//!
//! It lives under /run because it describes the running host: after a reboot no bridge
//! exists and each root registers again when it next makes a network or a bridge.

use std::fs;
use std::path::{Path, PathBuf};

use super::owner::Owner;
use super::store::list_networks;
use super::types::Subnet;
use crate::error::{IoContext, Result};
use crate::store::root_id::existing_root_id;
use crate::store::FileLock;

pub const HOST_DIR: &str = "/run/berth-host";

/// A subnet another root has recorded, and whose it is (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignSubnet {
    pub subnet: Subnet,
    pub network: String,
    pub root: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Host {
    dir: PathBuf,
}

impl Default for Host {
    fn default() -> Self {
        Host::at(Path::new(HOST_DIR))
    }
}

impl Host {
    /// A registry kept in `dir` (tests use a temp dir).
    pub fn at(dir: &Path) -> Host {
        Host {
            dir: dir.to_path_buf(),
        }
    }

    fn roots_dir(&self) -> PathBuf {
        self.dir.join("roots")
    }

    /// The host lock (bridges are made under it).
    pub fn lock(&self) -> Result<FileLock> {
        fs::create_dir_all(&self.dir).ctx("create directory", &self.dir)?;
        FileLock::exclusive(&self.dir.join("host.lock"))
    }

    /// Make `owner`'s root known to the others. Cheap when it already is.
    pub fn register(&self, owner: &Owner) -> Result<()> {
        let file = self.roots_dir().join(&owner.id);
        let want = owner.root.to_string_lossy();
        if fs::read_to_string(&file).is_ok_and(|t| t.trim_end() == want) {
            return Ok(());
        }
        let dir = self.roots_dir();
        fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        crate::store::write_atomic(&file, format!("{want}\n").as_bytes())
    }

    /// Every subnet recorded by a root other than `owner`'s. Entries of roots that are
    /// gone (or whose ID changed, a root removed and made again) are dropped.
    pub fn foreign_subnets(&self, owner: &Owner) -> Vec<ForeignSubnet> {
        let mut out = Vec::new();
        let Ok(rd) = fs::read_dir(self.roots_dir()) else {
            return out;
        };
        for e in rd.flatten() {
            let id = e.file_name().to_string_lossy().into_owned();
            if id == owner.id || id.starts_with('.') {
                continue;
            }
            let Ok(text) = fs::read_to_string(e.path()) else {
                continue;
            };
            let root = PathBuf::from(text.trim_end());
            if existing_root_id(&root).as_deref() != Some(id.as_str()) {
                let _ = fs::remove_file(e.path());
                continue;
            }
            for n in list_networks(&root.join("networks")).unwrap_or_default() {
                out.push(ForeignSubnet {
                    subnet: n.subnet,
                    network: n.name,
                    root: root.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::store::NetworkOptions;
    use crate::network::NetworkStore;
    use crate::store::Paths;

    #[test]
    fn roots_see_each_others_subnets_and_forget_removed_roots() {
        let d = tempfile::tempdir().unwrap();
        let host = Host::at(&d.path().join("host"));
        let mk = |name: &str| {
            let paths = Paths::new(d.path().join(name), d.path().join(format!("{name}-run")));
            paths.ensure().unwrap();
            let owner = Owner::of(&paths.root).unwrap();
            host.register(&owner).unwrap();
            (paths, owner)
        };
        let (pa, a) = mk("a");
        let (_pb, b) = mk("b");
        NetworkStore::records_only(&pa)
            .create(&NetworkOptions {
                name: "front".into(),
                subnet: Some("10.77.0.0/24".into()),
                ..Default::default()
            })
            .unwrap();
        let seen = host.foreign_subnets(&b);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].subnet.to_string(), "10.77.0.0/24");
        assert_eq!(seen[0].network, "front");
        assert!(
            host.foreign_subnets(&a).is_empty(),
            "a root is not foreign to itself"
        );
        // Registering twice is a no-op; a removed root drops out of the registry.
        host.register(&a).unwrap();
        fs::remove_dir_all(&pa.root).unwrap();
        assert!(host.foreign_subnets(&b).is_empty());
        assert!(!host.roots_dir().join(&a.id).exists());
    }
}
