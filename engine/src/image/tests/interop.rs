//! Interop with podman both ways: archives berth saves load into podman with the same
//! image ID, and archives podman saves (docker-archive and oci-archive) load into berth
//! with podman's ID. Podman runs against a temp root with the vfs driver so nothing
//! leaks into the machine's storage. Without podman the test fails and says so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::util::{store, TarBuf};
use crate::image::ArchiveFormat;

const PODMAN: &str = "/usr/bin/podman";

struct Podman {
    dir: tempfile::TempDir,
}

impl Podman {
    fn new() -> Podman {
        assert!(
            Path::new(PODMAN).exists(),
            "the podman interop test needs {PODMAN}: apt-get install -y podman \
             (README.md's test command installs everything the tests need)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join("tmp")).expect("mkdir");
        Podman { dir }
    }

    fn run(&self, args: &[&str]) -> String {
        let d = self.dir.path();
        let out = Command::new(PODMAN)
            .arg("--root")
            .arg(d.join("proot"))
            .arg("--runroot")
            .arg(d.join("prun"))
            .arg("--tmpdir")
            .arg(d.join("ptmp"))
            .args([
                "--storage-driver",
                "vfs",
                "--events-backend",
                "none",
                "--cgroup-manager",
                "cgroupfs",
            ])
            .args(args)
            .env("TMPDIR", d.join("tmp"))
            .output()
            .expect("run podman");
        assert!(
            out.status.success(),
            "podman {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Podman's ID for `name`, as bare hex.
    fn id_of(&self, name: &str) -> String {
        self.run(&["image", "inspect", "--format", "{{.Id}}", name])
            .trim()
            .trim_start_matches("sha256:")
            .to_string()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A busybox rootfs: the static busybox when installed (a few text bytes otherwise),
/// `bin/sh` pointing at it.
fn busybox_rootfs() -> Vec<u8> {
    let bin = fs::read("/usr/bin/busybox").unwrap_or_else(|_| b"#!/not/busybox\n".to_vec());
    let mut t = TarBuf::new();
    t.dir("bin/")
        .dir("etc/")
        .symlink("bin/sh", "busybox")
        .file("etc/motd", b"berth\n");
    let mut h = tar::Header::new_ustar();
    h.set_path("bin/busybox").expect("path");
    h.set_size(bin.len() as u64);
    h.set_mode(0o755);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_600_000_000);
    h.set_cksum();
    let mut out = t.finish();
    out.truncate(out.len() - 1024);
    let mut b = tar::Builder::new(out);
    b.append(&h, &bin[..]).expect("append busybox");
    b.into_inner().expect("tar")
}

#[test]
fn podman_loads_berth_archives_and_berth_loads_podman_archives() {
    let pm = Podman::new();
    let rootfs = pm.path("rootfs.tar");
    fs::write(&rootfs, busybox_rootfs()).expect("write rootfs");

    // berth -> podman, both formats.
    let (_d, berth) = store();
    let img = berth.import(&rootfs, Some("bbox:1")).expect("import");
    for (fmt, file) in [
        (ArchiveFormat::Docker, "berth-docker.tar"),
        (ArchiveFormat::Oci, "berth-oci.tar"),
    ] {
        let path = pm.path(file);
        let mut f = fs::File::create(&path).expect("create archive");
        berth
            .save(&["bbox:1".to_string()], &mut f, fmt)
            .expect("save");
        drop(f);
        pm.run(&["load", "-i", path.to_str().expect("utf-8")]);
        let ids = pm.run(&["images", "--no-trunc", "--format", "{{.ID}}"]);
        assert!(
            ids.contains(img.id.hex()),
            "{fmt:?}: podman has {ids}, berth saved {}",
            img.id
        );
    }

    // podman -> berth: an image podman made itself, in both archive formats.
    pm.run(&[
        "import",
        rootfs.to_str().expect("utf-8"),
        "localhost/pimp:1",
    ]);
    let pid = pm.id_of("localhost/pimp:1");
    for (format, file) in [
        ("docker-archive", "pm-docker.tar"),
        ("oci-archive", "pm-oci.tar"),
    ] {
        let path = pm.path(file);
        pm.run(&[
            "save",
            "--format",
            format,
            "-o",
            path.to_str().expect("utf-8"),
            "localhost/pimp:1",
        ]);
        let (_d2, fresh) = store();
        let loaded = fresh
            .load(&mut fs::File::open(&path).expect("open"))
            .expect("berth load");
        let got = fresh
            .resolve(&pid)
            .unwrap_or_else(|e| panic!("{format}: loaded {loaded:?}, not podman's {pid}: {e}"));
        assert_eq!(got.id.hex(), pid);
        assert!(
            got.repo_tags.contains(&"localhost/pimp:1".to_string()),
            "{format}: tags {:?}",
            got.repo_tags
        );
        let dirs = fresh.layer_dirs(&got).expect("layers");
        assert_eq!(
            fs::read_link(dirs[0].join("bin/sh")).expect("bin/sh"),
            Path::new("busybox")
        );
        assert_eq!(
            fs::read(dirs[0].join("etc/motd")).expect("motd"),
            b"berth\n"
        );
    }

    // Full circle: berth's image, re-saved by podman, loads back with the same ID.
    let path = pm.path("circle.tar");
    pm.run(&[
        "save",
        "--format",
        "docker-archive",
        "-o",
        path.to_str().expect("utf-8"),
        img.id.hex(),
    ]);
    let (_d3, fresh) = store();
    fresh
        .load(&mut fs::File::open(&path).expect("open"))
        .expect("berth load");
    assert_eq!(fresh.resolve(img.id.hex()).expect("same ID").id, img.id);
}
