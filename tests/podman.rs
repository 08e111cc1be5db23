//! Podman with a storage of a test's own (vfs, so it mounts nothing on the host), with
//! the flags that work on these machines (see DESIGN.md); reset when dropped.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::require_tool;

pub struct Podman {
    dir: tempfile::TempDir,
}

impl Podman {
    pub fn new() -> Podman {
        require_tool("podman", "podman");
        let dir = tempfile::Builder::new()
            .prefix("berth-podman-")
            .tempdir()
            .expect("temp dir");
        Podman { dir }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("podman");
        c.arg("--root")
            .arg(self.path("root"))
            .arg("--runroot")
            .arg(self.path("run"))
            .args([
                "--cgroup-manager",
                "cgroupfs",
                "--runtime",
                "runc",
                "--storage-driver",
                "vfs",
                "--events-backend",
                "none",
            ])
            .stdin(Stdio::null());
        c
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Run podman with `args` and insist on success; returns trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run podman");
        assert!(
            out.status.success(),
            "podman {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// `podman run --rm` with the ulimits runc accepts here and no network.
    pub fn run(&self, image: &str, cmd: &[&str]) -> String {
        let mut args = vec![
            "run",
            "--rm",
            "--pull",
            "never",
            "--network",
            "none",
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1000:1000",
            image,
        ];
        args.extend_from_slice(cmd);
        self.ok(&args)
    }
}

impl Default for Podman {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.cmd().args(["system", "reset", "-f"]).output();
    }
}
