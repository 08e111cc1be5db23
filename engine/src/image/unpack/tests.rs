//! Every known way out of a layer root, each refused with an error naming the layer and
//! the entry, and nothing written outside; plus whiteouts and metadata kept.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use tar::EntryType;

use super::whiteout::OPAQUE_XATTR;
use super::{unpack, Unpacked};
use crate::image::tests::util::TarBuf;
use crate::store::Digest;

struct Sandbox {
    _dir: tempfile::TempDir,
    outer: PathBuf,
    root: PathBuf,
}

/// `outer/` holds the layer root `outer/root/` and a file `outer/secret`, the target that
/// escape attempts aim at.
fn sandbox() -> Sandbox {
    let dir = tempfile::tempdir().expect("temp dir");
    let outer = dir.path().to_path_buf();
    let root = outer.join("root");
    fs::create_dir(&root).expect("mkdir root");
    fs::write(outer.join("secret"), b"secret").expect("write secret");
    Sandbox {
        _dir: dir,
        outer,
        root,
    }
}

fn run(sb: &Sandbox, tar: &[u8]) -> crate::Result<Unpacked> {
    unpack(tar, &sb.root, "sha256:test")
}

/// Outside the root there is still only `root/` and the untouched `secret`.
fn assert_outside_untouched(sb: &Sandbox) {
    let mut names: Vec<_> = fs::read_dir(&sb.outer)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, vec!["root", "secret"]);
    assert_eq!(fs::read(sb.outer.join("secret")).unwrap(), b"secret");
}

fn assert_refused(sb: &Sandbox, tar: &[u8], entry: &str) {
    let err = run(sb, tar)
        .expect_err("malicious layer must be refused")
        .to_string();
    assert!(
        err.contains("sha256:test"),
        "error should name the layer: {err}"
    );
    assert!(
        err.contains(&format!("{entry:?}")),
        "error should name entry {entry:?}: {err}"
    );
    assert_outside_untouched(sb);
}

fn outer_str(sb: &Sandbox) -> String {
    sb.outer.to_str().expect("utf-8 temp path").to_string()
}

#[test]
fn refuses_dotdot_entry() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .file("ok", b"x")
        .raw(b"../evil", EntryType::Regular, b"", b"pwned", 0o644)
        .finish();
    assert_refused(&sb, &tar, "../evil");
}

#[test]
fn refuses_dotdot_in_the_middle() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .raw(b"a/../../secret", EntryType::Regular, b"", b"pwned", 0o644)
        .finish();
    assert_refused(&sb, &tar, "a/../../secret");
}

#[test]
fn refuses_absolute_entry() {
    let sb = sandbox();
    let name = format!("{}/evil", outer_str(&sb));
    let tar = TarBuf::new()
        .raw(name.as_bytes(), EntryType::Regular, b"", b"pwned", 0o644)
        .finish();
    assert_refused(&sb, &tar, &name);
    assert!(!Path::new(&name).exists());
}

#[test]
fn refuses_writing_through_absolute_symlink() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .symlink("evil", &outer_str(&sb))
        .file("evil/secret", b"pwned")
        .finish();
    assert_refused(&sb, &tar, "evil/secret");
}

#[test]
fn refuses_writing_through_relative_symlink() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .symlink("evil", "..")
        .file("evil/secret", b"pwned")
        .finish();
    assert_refused(&sb, &tar, "evil/secret");
    let tar = TarBuf::new()
        .dir("d/")
        .symlink("d/up", "../..")
        .file("d/up/newfile", b"pwned")
        .finish();
    let sb = sandbox();
    assert_refused(&sb, &tar, "d/up/newfile");
}

#[test]
fn refuses_directory_through_symlink() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .symlink("evil", &outer_str(&sb))
        .dir("evil/sub/")
        .finish();
    assert_refused(&sb, &tar, "evil/sub/");
}

#[test]
fn refuses_hardlink_to_absolute_path() {
    let sb = sandbox();
    let target = format!("{}/secret", outer_str(&sb));
    let tar = TarBuf::new().hardlink("x", &target).finish();
    assert_refused(&sb, &tar, "x");
    assert!(!sb.root.join("x").exists());
}

#[test]
fn refuses_hardlink_with_dotdot() {
    let sb = sandbox();
    let tar = TarBuf::new().hardlink("x", "../secret").finish();
    assert_refused(&sb, &tar, "x");
    assert!(!sb.root.join("x").exists());
}

#[test]
fn refuses_hardlink_through_symlink() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .symlink("evil", &outer_str(&sb))
        .hardlink("x", "evil/secret")
        .finish();
    assert_refused(&sb, &tar, "x");
    assert!(!sb.root.join("x").exists());
    let sb = sandbox();
    let tar = TarBuf::new()
        .symlink("evil", "..")
        .hardlink("x", "evil/secret")
        .finish();
    assert_refused(&sb, &tar, "x");
}

#[test]
fn refuses_hardlink_to_path_outside_layer() {
    let sb = sandbox();
    // `etc/passwd` is not in this layer: a link to it would reach into whatever the
    // unpacker's working directory or a lower layer holds.
    let tar = TarBuf::new().hardlink("x", "etc/passwd").finish();
    assert_refused(&sb, &tar, "x");
}

#[test]
fn replacing_a_symlink_writes_inside_the_root() {
    let sb = sandbox();
    let target = format!("{}/secret", outer_str(&sb));
    let tar = TarBuf::new()
        .symlink("f", &target)
        .file("f", b"inside")
        .finish();
    run(&sb, &tar).unwrap();
    assert_eq!(fs::read(sb.root.join("f")).unwrap(), b"inside");
    assert!(!fs::symlink_metadata(sb.root.join("f"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_outside_untouched(&sb);
}

#[test]
fn keeps_absolute_symlink_targets() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .dir("bin/")
        .file("bin/busybox", b"#!")
        .symlink("bin/sh", "/bin/busybox")
        .finish();
    let out = run(&sb, &tar).unwrap();
    assert_eq!(
        fs::read_link(sb.root.join("bin/sh")).unwrap(),
        Path::new("/bin/busybox")
    );
    assert_eq!(out.diff_id, Digest::of(&tar));
    assert_eq!(out.size, 2);
    assert_outside_untouched(&sb);
}

#[test]
fn converts_whiteouts_to_overlay_form() {
    let sb = sandbox();
    let tar = TarBuf::new()
        .dir("a/")
        .file("a/.wh.gone", b"")
        .dir("b/")
        .file("b/.wh..wh..opq", b"")
        .file("b/kept", b"k")
        .file(".wh..wh.plnk", b"")
        .finish();
    run(&sb, &tar).unwrap();
    let m = fs::symlink_metadata(sb.root.join("a/gone")).unwrap();
    assert!(
        m.file_type().is_char_device(),
        "whiteout must be a char device"
    );
    assert_eq!(m.rdev(), 0, "whiteout device must be 0/0");
    assert!(!sb.root.join("a/.wh.gone").exists());
    let opq = xattr::get(sb.root.join("b"), OPAQUE_XATTR).unwrap();
    assert_eq!(opq.as_deref(), Some(&b"y"[..]));
    assert!(!sb.root.join("b/.wh..wh..opq").exists());
    assert!(sb.root.join("b/kept").exists());
    assert!(!sb.root.join(".wh..wh.plnk").exists());
}

#[test]
fn keeps_metadata_links_devices_and_xattrs() {
    let sb = sandbox();
    let mut t = TarBuf::new();
    t.dir("d/");
    let mut h = tar::Header::new_ustar();
    h.set_path("d/suid").unwrap();
    h.set_size(3);
    h.set_mode(0o4755);
    h.set_uid(1000);
    h.set_gid(2000);
    h.set_mtime(1_234_567_890);
    h.set_cksum();
    let mut raw = h.as_bytes().to_vec();
    raw.extend_from_slice(b"abc");
    raw.extend_from_slice(&[0u8; 509]);
    let mut tar = t.finish();
    tar.truncate(tar.len() - 1024);
    tar.extend_from_slice(&raw);
    let mut t2 = TarBuf::new();
    t2.hardlink("d/hard", "d/suid")
        .raw(b"d/null", EntryType::Char, b"", b"", 0o666)
        .raw(b"d/fifo", EntryType::Fifo, b"", b"", 0o600)
        .pax(&[("SCHILY.xattr.user.note", b"hello")])
        .file("d/noted", b"n");
    let mut rest = t2.finish();
    tar.append(&mut rest);
    run(&sb, &tar).unwrap();

    let m = fs::metadata(sb.root.join("d/suid")).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o4755);
    assert_eq!((m.uid(), m.gid()), (1000, 2000));
    assert_eq!(m.mtime(), 1_234_567_890);
    let hard = fs::metadata(sb.root.join("d/hard")).unwrap();
    assert_eq!(hard.ino(), m.ino(), "hard link shares the inode");
    let null = fs::symlink_metadata(sb.root.join("d/null")).unwrap();
    assert!(null.file_type().is_char_device());
    assert!(fs::symlink_metadata(sb.root.join("d/fifo"))
        .unwrap()
        .file_type()
        .is_fifo());
    let note = xattr::get(sb.root.join("d/noted"), "user.note").unwrap();
    assert_eq!(note.as_deref(), Some(&b"hello"[..]));
    assert_eq!(
        fs::metadata(sb.root.join("d")).unwrap().mtime(),
        1_600_000_000,
        "directory mtime set last"
    );
}
