//! `berth commit`: the container's upper dir becomes an OCI layer (overlay whiteouts turned
//! back into `.wh.NAME` files and `.wh..wh..opq` markers) on top of its image, with the
//! container's config, the user's `-c` changes, and the container paused meanwhile.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::launch::ContainerDirs;
use super::model::{Config, Status};
use super::overlay_tree::{
    is_opaque, is_runtime_placeholder, is_whiteout, sorted_entries, LowerView,
};
use super::tarwrite::TarWriter;
use super::Container;
use crate::error::{Error, IoContext, Result};
use crate::image::{ConfigChanges, ImageRecord};
use crate::Engine;

pub const OPAQUE_MARKER: &str = ".wh..wh..opq";
pub const WHITEOUT_PREFIX: &str = ".wh.";

#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    /// `-a`.
    pub author: String,
    /// `-m`.
    pub message: String,
    /// `-c`, parsed (see `commit_changes`).
    pub changes: ConfigChanges,
    /// `-p` (Docker's default: true).
    pub pause: bool,
    /// `REPO[:TAG]`.
    pub reference: Option<String>,
}

impl Engine {
    pub fn commit(&self, c: &Container, o: &CommitOptions) -> Result<ImageRecord> {
        let c = self.containers().load(c.id())?;
        // Pause so the layer is one moment of the filesystem, not a smear across writes.
        let paused_here = o.pause && c.state.status == Status::Running;
        // If this process is killed while the container is frozen, the next command
        // thaws it (see `Engine::repair_intents`).
        let _intent = if paused_here {
            let i = crate::store::intent::Intent::begin(&self.paths, "commit", c.id(), "")?;
            self.pause(&c)?;
            Some(i)
        } else {
            None
        };
        let made = self.commit_paused(&c, o);
        if paused_here {
            let undo = self.unpause(&c);
            if let (Ok(_), Err(e)) = (&made, undo) {
                return Err(e);
            }
        }
        made
    }

    fn commit_paused(&self, c: &Container, o: &CommitOptions) -> Result<ImageRecord> {
        let images = self.images();
        let parent = images.resolve(&c.record.image_id.to_string())?;
        let lower = LowerView::new(images.layer_dirs(&parent)?);
        let upper = ContainerDirs::of(&self.paths, c.id()).upper;
        let tmp = self.paths.tmp_dir();
        let _staging = crate::store::scratch::hold(&self.paths)?;
        let tar_path = tmp.join(format!(
            "commit-{}-{}.tar",
            c.short_id(),
            std::process::id()
        ));
        let result = (|| {
            let f = File::create(&tar_path).ctx("create", &tar_path)?;
            write_layer(&upper, &lower, BufWriter::new(f))
                .map_err(|e| Error::io("write layer of", &tar_path, e))?;
            let mut changes = changes_from_config(&c.record.config);
            merge(&mut changes, &o.changes);
            let mut created_by = vec![c.record.path.clone()];
            created_by.extend(c.record.args.iter().cloned());
            images.create_from_layer(
                Some(&parent),
                &tar_path,
                changes,
                &o.message,
                &o.author,
                &created_by.join(" "),
                o.reference.as_deref(),
            )
        })();
        let _ = fs::remove_file(&tar_path);
        result
    }
}

/// What the container ran with becomes the new image's config, as in Docker.
fn changes_from_config(cfg: &Config) -> ConfigChanges {
    ConfigChanges {
        cmd: cfg.cmd.clone(),
        entrypoint: cfg.entrypoint.clone(),
        env: cfg.env.clone(),
        working_dir: Some(cfg.working_dir.clone()).filter(|w| !w.is_empty()),
        user: Some(cfg.user.clone()).filter(|u| !u.is_empty()),
        exposed_ports: cfg.exposed_ports.keys().cloned().collect(),
        labels: cfg.labels.clone(),
        volumes: cfg.volumes.keys().cloned().collect(),
        stop_signal: cfg.stop_signal.clone(),
        healthcheck: cfg.healthcheck.clone(),
    }
}

/// The user's `-c` changes over the container's config.
fn merge(base: &mut ConfigChanges, user: &ConfigChanges) {
    if user.cmd.is_some() {
        base.cmd = user.cmd.clone();
    }
    if user.entrypoint.is_some() {
        base.entrypoint = user.entrypoint.clone();
        if user.cmd.is_none() {
            base.cmd = None;
        }
    }
    if user.healthcheck.is_some() {
        base.healthcheck = user.healthcheck.clone();
    }
    base.env.extend(user.env.iter().cloned());
    if user.working_dir.is_some() {
        base.working_dir = user.working_dir.clone();
    }
    if user.user.is_some() {
        base.user = user.user.clone();
    }
    base.exposed_ports
        .extend(user.exposed_ports.iter().cloned());
    base.labels
        .extend(user.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    base.volumes.extend(user.volumes.iter().cloned());
    if user.stop_signal.is_some() {
        base.stop_signal = user.stop_signal.clone();
    }
}

/// Write the upper dir as an OCI layer tar. Whiteouts that hide nothing below and the
/// runtime's untouched mount points are left out, as Docker leaves out its init layer.
pub fn write_layer(upper: &Path, lower: &LowerView, w: impl Write) -> io::Result<()> {
    let mut t = TarWriter::new(w);
    if upper.is_dir() {
        walk(&mut t, upper, Path::new(""), lower, false)?;
    }
    t.finish()?.flush()
}

fn walk<W: Write>(
    t: &mut TarWriter<W>,
    upper: &Path,
    rel: &Path,
    lower: &LowerView,
    hidden: bool,
) -> io::Result<()> {
    for name in sorted_entries(&upper.join(rel))? {
        let path: PathBuf = rel.join(&name);
        let host = upper.join(&path);
        let m = fs::symlink_metadata(&host)?;
        let below = if hidden { None } else { lower.lookup(&path) };
        if is_whiteout(&m) {
            if below.is_some() {
                let mut marker = std::ffi::OsString::from(WHITEOUT_PREFIX);
                marker.push(&name);
                t.append_marker(&rel.join(marker), &m)?;
            }
            continue;
        }
        if below.is_none() && is_runtime_placeholder(&path, &m) && is_empty_dir_or_file(&host, &m) {
            continue;
        }
        t.append(&host, &path, &m)?;
        if m.is_dir() {
            let opaque = is_opaque(&host);
            if opaque {
                t.append_marker(&path.join(OPAQUE_MARKER), &m)?;
            }
            walk(t, upper, &path, lower, hidden || opaque)?;
        }
    }
    Ok(())
}

fn is_empty_dir_or_file(p: &Path, m: &fs::Metadata) -> bool {
    if m.is_dir() {
        fs::read_dir(p)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
    } else {
        m.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::overlay_tree::tests::whiteout;
    use crate::container::overlay_tree::OPAQUE_XATTR;

    fn names(data: &[u8]) -> Vec<String> {
        tar::Archive::new(data)
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn whiteouts_become_oci_markers() {
        let d = tempfile::tempdir().unwrap();
        let (l1, up) = (d.path().join("l1"), d.path().join("up"));
        fs::create_dir_all(l1.join("etc")).unwrap();
        fs::create_dir_all(l1.join("opq")).unwrap();
        fs::write(l1.join("etc/gone"), "g").unwrap();
        fs::write(l1.join("opq/old"), "o").unwrap();
        fs::create_dir_all(up.join("etc")).unwrap();
        fs::create_dir_all(up.join("opq")).unwrap();
        fs::create_dir_all(up.join("proc")).unwrap();
        fs::write(up.join("etc/hosts"), "").unwrap();
        fs::write(up.join("etc/new"), "n").unwrap();
        whiteout(&up.join("etc/gone"));
        whiteout(&up.join("etc/nothing-below"));
        let opaque = xattr::set(up.join("opq"), OPAQUE_XATTR, b"y").is_ok();
        let lower = LowerView::new(vec![l1]);
        let mut out = Vec::new();
        write_layer(&up, &lower, &mut out).unwrap();
        let mut want = vec!["etc", "etc/.wh.gone", "etc/new", "opq"];
        if opaque {
            want.push("opq/.wh..wh..opq");
        }
        assert_eq!(names(&out), want);
    }

    #[test]
    fn user_changes_override_the_container_config() {
        let cfg = Config {
            cmd: Some(vec!["sh".into()]),
            env: vec!["A=1".into()],
            working_dir: "/w".into(),
            ..Default::default()
        };
        let mut base = changes_from_config(&cfg);
        let user = ConfigChanges {
            cmd: Some(vec!["redis-server".into()]),
            env: vec!["A=2".into()],
            ..Default::default()
        };
        merge(&mut base, &user);
        assert_eq!(base.cmd, Some(vec!["redis-server".to_string()]));
        assert_eq!(base.env, vec!["A=1", "A=2"]);
        assert_eq!(base.working_dir.as_deref(), Some("/w"));
        assert_eq!(base.user, None);
    }
}
