//! Swarm state in the state root, under `swarm/`: the cluster (with this host's node),
//! and one file per service, task, secret and config, in Docker's API models, so what
//! `inspect` shows is what is kept. Secret data lives apart, in one 0600 file.
//!
//! Readers take a shared lock and writers an exclusive one around a whole
//! read-modify-write ([`SwarmStore::transact`]): the CLI, the API server and the manager
//! process all change the same records, and none may lose another's change. Each
//! record is replaced atomically, so a crash leaves old or new records, never torn ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use bollard_stubs::models as m;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::atomic::{read_json, write_atomic_private, write_json_atomic};
use crate::store::lock::FileLock;
use crate::store::Paths;

/// The cluster: Docker's `Swarm` object and this host, its one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub swarm: m::Swarm,
    pub node: m::Node,
}

/// A service as kept: Docker's `Service` and the spec before its last update (Docker's
/// `PreviousSpec`, which `service rollback` goes back to; bollard's model lacks it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRecord {
    #[serde(flatten)]
    pub service: m::Service,
    #[serde(
        rename = "PreviousSpec",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub previous_spec: Option<m::ServiceSpec>,
    /// The rolling update in flight, as the manager tracks it between rounds (Berth's
    /// own; Docker shows only `UpdateStatus`).
    #[serde(
        rename = "BerthUpdate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub update: Option<super::update::UpdateProgress>,
}

/// Everything, as one value for a transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// None: this host is not in swarm mode.
    pub cluster: Option<Cluster>,
    pub services: BTreeMap<String, ServiceRecord>,
    pub tasks: BTreeMap<String, m::Task>,
    pub secrets: BTreeMap<String, m::Secret>,
    pub configs: BTreeMap<String, m::Config>,
    /// Secret ID to its bytes.
    pub secret_data: BTreeMap<String, Vec<u8>>,
}

impl State {
    /// The next version index (Docker's objects carry the raft index of their last
    /// change; here one counter in the cluster does that job).
    pub fn next_version(&mut self) -> m::ObjectVersion {
        let index = match self.cluster.as_mut() {
            Some(c) => {
                let v = c.swarm.version.get_or_insert_with(Default::default);
                let next = v.index.unwrap_or(0) + 1;
                v.index = Some(next);
                next
            }
            None => 1,
        };
        m::ObjectVersion { index: Some(index) }
    }

    /// The cluster, or Docker's error for a host that is not a manager.
    pub fn cluster(&self) -> Result<&Cluster> {
        self.cluster.as_ref().ok_or_else(not_a_manager)
    }
}

/// Docker's words when a swarm command meets a host outside swarm mode.
pub fn not_a_manager() -> Error {
    Error::Unavailable(
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" \
         to connect this node to swarm and try again."
            .replace("docker ", "berth "),
    )
}

pub struct SwarmStore {
    dir: PathBuf,
}

const KINDS: [&str; 4] = ["services", "tasks", "secrets", "configs"];

fn load_dir<T: DeserializeOwned>(dir: &Path) -> Result<BTreeMap<String, T>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        // Temp files of a write in progress start with a dot.
        if let Some(id) = name
            .strip_suffix(".json")
            .filter(|_| !name.starts_with('.'))
        {
            out.insert(id.to_string(), read_json(&e.path())?);
        }
    }
    Ok(out)
}

/// Write the records that changed and remove the ones that went.
fn save_dir<T: Serialize + PartialEq>(
    dir: &Path,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
) -> Result<()> {
    for (id, rec) in after {
        if before.get(id) != Some(rec) {
            write_json_atomic(&dir.join(format!("{id}.json")), rec)?;
        }
    }
    for id in before.keys().filter(|id| !after.contains_key(*id)) {
        let p = dir.join(format!("{id}.json"));
        if let Err(e) = std::fs::remove_file(&p) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(Error::io("remove", &p, e));
            }
        }
    }
    Ok(())
}

impl SwarmStore {
    pub fn new(paths: &Paths) -> SwarmStore {
        SwarmStore {
            dir: paths.root.join("swarm"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn ensure(&self) -> Result<()> {
        for d in KINDS {
            let p = self.dir.join(d);
            std::fs::create_dir_all(&p).map_err(|e| Error::io("create directory", &p, e))?;
        }
        Ok(())
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    fn secrets_file(&self) -> PathBuf {
        self.dir.join("secrets.data")
    }

    fn read_all(&self) -> Result<State> {
        let cluster_file = self.dir.join("cluster.json");
        let cluster = if cluster_file.exists() {
            Some(read_json(&cluster_file)?)
        } else {
            None
        };
        let encoded: BTreeMap<String, String> = match std::fs::read(self.secrets_file()) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Corrupt {
                path: self.secrets_file(),
                reason: e.to_string(),
            })?,
            Err(_) => BTreeMap::new(),
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        let secret_data = encoded
            .into_iter()
            .filter_map(|(id, d)| b64.decode(d).ok().map(|bytes| (id, bytes)))
            .collect();
        Ok(State {
            cluster,
            services: load_dir(&self.dir.join("services"))?,
            tasks: load_dir(&self.dir.join("tasks"))?,
            secrets: load_dir(&self.dir.join("secrets"))?,
            configs: load_dir(&self.dir.join("configs"))?,
            secret_data,
        })
    }

    /// The state as it is now.
    pub fn load(&self) -> Result<State> {
        if !self.dir.exists() {
            return Ok(State::default());
        }
        let _lock = FileLock::shared(&self.lock_path())?;
        self.read_all()
    }

    /// Read, change and write back under the exclusive lock; only what changed is
    /// written. An error from `f` writes nothing.
    pub fn transact<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        self.ensure()?;
        let _lock = FileLock::exclusive(&self.lock_path())?;
        let before = self.read_all()?;
        let mut after = before.clone();
        let out = f(&mut after)?;
        if after == before {
            return Ok(out);
        }
        save_dir(
            &self.dir.join("services"),
            &before.services,
            &after.services,
        )?;
        save_dir(&self.dir.join("tasks"), &before.tasks, &after.tasks)?;
        save_dir(&self.dir.join("secrets"), &before.secrets, &after.secrets)?;
        save_dir(&self.dir.join("configs"), &before.configs, &after.configs)?;
        if after.secret_data != before.secret_data {
            let b64 = base64::engine::general_purpose::STANDARD;
            let encoded: BTreeMap<&String, String> = after
                .secret_data
                .iter()
                .map(|(id, d)| (id, b64.encode(d)))
                .collect();
            let bytes = serde_json::to_vec(&encoded)
                .map_err(|e| Error::Runtime(format!("encode secrets: {e}")))?;
            write_atomic_private(&self.secrets_file(), &bytes)?;
        }
        // The cluster last: leaving the swarm removes it once the rest is gone.
        let cluster_file = self.dir.join("cluster.json");
        match &after.cluster {
            Some(c) if before.cluster.as_ref() != Some(c) => write_json_atomic(&cluster_file, c)?,
            None if before.cluster.is_some() => {
                std::fs::remove_file(&cluster_file)
                    .map_err(|e| Error::io("remove", &cluster_file, e))?;
            }
            _ => {}
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn store() -> (tempfile::TempDir, SwarmStore) {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        let s = SwarmStore::new(&paths);
        (d, s)
    }

    #[test]
    fn a_transaction_writes_what_changed_and_reads_back() {
        let (_d, s) = store();
        assert!(s.load().unwrap().cluster.is_none());
        assert!(s.load().unwrap().cluster().is_err());
        s.transact(|st| {
            st.cluster = Some(Cluster {
                swarm: m::Swarm {
                    id: Some("c1".into()),
                    ..Default::default()
                },
                node: m::Node::default(),
            });
            let v = st.next_version();
            st.services.insert(
                "s1".into(),
                ServiceRecord {
                    service: m::Service {
                        id: Some("s1".into()),
                        version: Some(v),
                        ..Default::default()
                    },
                    previous_spec: None,
                    update: None,
                },
            );
            st.secret_data.insert("x".into(), b"hush".to_vec());
            Ok(())
        })
        .unwrap();
        let st = s.load().unwrap();
        assert_eq!(
            st.services["s1"].service.version.as_ref().unwrap().index,
            Some(1)
        );
        assert_eq!(st.secret_data["x"], b"hush");
        let mode = std::fs::metadata(s.dir().join("secrets.data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A failed transaction writes nothing.
        let e = s.transact(|st| {
            st.services.clear();
            Err::<(), _>(Error::Runtime("no".into()))
        });
        assert!(e.is_err());
        assert_eq!(s.load().unwrap().services.len(), 1);
        // Removing a record removes its file.
        s.transact(|st| {
            st.services.clear();
            Ok(())
        })
        .unwrap();
        assert!(!s.dir().join("services/s1.json").exists());
    }
}
