//! The layout of the state root (`/var/lib/berth`) and the runtime root (`/run/berth`).
//! Every path the engine touches on disk is named here, so the layout is read in one place.

use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};

pub const DEFAULT_ROOT: &str = "/var/lib/berth";
pub const DEFAULT_RUN_ROOT: &str = "/run/berth";

/// Make `dir` 0700 unless it already is (one stat on the common path).
fn private(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let m = std::fs::metadata(dir).ctx("stat", dir)?;
    if m.permissions().mode() & 0o777 != 0o700 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .ctx("restrict permissions of", dir)?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Paths {
    /// Persistent state: images, layers, containers, volumes.
    pub root: PathBuf,
    /// Runtime files that die with the machine: sockets, locks of live processes.
    pub run: PathBuf,
}

impl Paths {
    pub fn new(root: impl Into<PathBuf>, run: impl Into<PathBuf>) -> Self {
        Paths {
            root: root.into(),
            run: run.into(),
        }
    }

    /// Create the directory skeleton if missing. Cheap when it exists.
    pub fn ensure(&self) -> Result<()> {
        for dir in [
            self.blobs_dir(),
            self.layers_dir(),
            self.images_dir(),
            self.containers_dir(),
            self.volumes_dir(),
            self.networks_dir(),
            self.tmp_dir(),
            self.run.join("containers"),
            self.ports_dir(),
        ] {
            std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        }
        // Unpacked layers (device nodes included, as Docker's unpacker makes them),
        // containers' upper dirs and staging are root's alone: no other user of the host
        // may reach a node an image or a container made (a world-writable /dev/sda copy,
        // say). Containers see them through their own mounts, unaffected.
        for dir in [self.layers_dir(), self.containers_dir(), self.tmp_dir()] {
            private(&dir)?;
        }
        Ok(())
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs/sha256")
    }
    /// Unpacked layers, one directory per diff ID, each used as an overlay lower dir.
    pub fn layers_dir(&self) -> PathBuf {
        self.root.join("layers")
    }
    pub fn images_dir(&self) -> PathBuf {
        self.root.join("images")
    }
    /// The tag index: `name:tag` -> image ID, one file written atomically.
    pub fn repositories_file(&self) -> PathBuf {
        self.root.join("images/repositories.json")
    }
    pub fn containers_dir(&self) -> PathBuf {
        self.root.join("containers")
    }
    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }
    pub fn container_run_dir(&self, id: &str) -> PathBuf {
        self.run.join("containers").join(id)
    }
    pub fn networks_dir(&self) -> PathBuf {
        self.root.join("networks")
    }
    /// Published ports in force, one file per running container (they die with the
    /// machine, as the firewall rules made from them do).
    pub fn ports_dir(&self) -> PathBuf {
        self.run.join("ports")
    }
    /// Held while the firewall ruleset is computed and applied, so two writers never
    /// apply rulesets built from different views.
    pub fn firewall_lock(&self) -> PathBuf {
        self.run.join("firewall.lock")
    }
    /// The bridges the last firewall rebuild covered (gone with the machine, as the
    /// table is).
    pub fn firewall_stamp(&self) -> PathBuf {
        self.run.join("firewall.bridges")
    }
    pub fn volumes_dir(&self) -> PathBuf {
        self.root.join("volumes")
    }
    /// Scratch space on the same filesystem as the records, so renames are atomic.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
    /// Held shared while an operation stages files in `tmp/` (see `store::scratch`).
    pub fn tmp_lock(&self) -> PathBuf {
        self.root.join("tmp.lock")
    }
    /// The global lock, held while names are allocated and records created or removed.
    pub fn global_lock(&self) -> PathBuf {
        self.root.join("berth.lock")
    }
    pub fn is_within(&self, p: &Path) -> bool {
        p.starts_with(&self.root) || p.starts_with(&self.run)
    }
}
