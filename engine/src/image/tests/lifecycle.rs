//! Import, resolve, tag, rmi, prune, commit, history and disk usage against a temp root.

use std::fs;
use std::os::unix::fs::FileTypeExt;

use super::util::{gzip, import_bytes, names, rootfs_tar, store, TarBuf};
use crate::image::{ConfigChanges, RemoveAction};
use crate::store::{Digest, Paths};
use crate::Error;

fn paths(dir: &tempfile::TempDir) -> Paths {
    Paths::new(dir.path().join("root"), dir.path().join("run"))
}

fn never(_: &Digest) -> bool {
    false
}

#[test]
fn import_makes_a_one_layer_image_and_dedups_layers() {
    let (dir, s) = store();
    let tar = rootfs_tar("hello");
    let a = import_bytes(&dir, &s, &tar, Some("app:1"));
    let b = import_bytes(&dir, &s, &gzip(&tar), None);
    assert_eq!(a.repo_tags, vec!["app:1"]);
    assert!(
        b.repo_tags.is_empty(),
        "no reference means a dangling image"
    );
    assert_eq!(a.layers.len(), 1);
    assert_eq!(
        a.layers[0].diff_id,
        Digest::of(&tar),
        "the stored blob is the uncompressed tar"
    );
    assert_eq!(
        a.layers[0].diff_id, b.layers[0].diff_id,
        "same content, same layer"
    );
    assert_eq!(a.layers[0].blob, b.layers[0].blob);
    let p = paths(&dir);
    assert_eq!(names(&p.layers_dir()).len(), 1, "one unpacked layer shared");
    let dirs = s.layer_dirs(&a).unwrap();
    assert_eq!(
        fs::read_to_string(dirs[0].join("etc/hello")).unwrap(),
        "hello"
    );

    let cfg = s.config_json(&a).unwrap();
    assert_eq!(cfg["os"], "linux");
    assert_eq!(cfg["architecture"], "amd64");
    let d = s.run_defaults(&a).unwrap();
    assert_eq!(
        d.env,
        vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    );
    let h = s.history(&a).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].comment, "Imported from -");
    assert_eq!(h[0].id.as_ref(), Some(&a.id));
    assert_eq!(h[0].size, 5);
    assert_eq!(a.size, 5);
    assert_eq!(s.list().unwrap().len(), 2);
}

#[test]
fn import_refuses_what_is_not_a_tar() {
    let (dir, s) = store();
    let p = dir.path().join("notes.txt");
    fs::write(&p, "just some text, certainly not a tar archive").unwrap();
    let err = s.import(&p, None).unwrap_err().to_string();
    assert!(
        err.contains("notes.txt") && err.contains("not a tar"),
        "{err}"
    );
    let err = s
        .import(&dir.path().join("missing.tar"), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.tar"), "{err}");
    let p = dir.path().join("bad.tar");
    fs::write(&p, rootfs_tar("x")).unwrap();
    assert!(
        s.import(&p, Some("Bad:tag")).is_err(),
        "invalid tag refused"
    );
}

#[test]
fn import_refuses_a_malicious_rootfs_and_leaves_no_temp() {
    let (dir, s) = store();
    let tar = TarBuf::new()
        .symlink("evil", "/etc")
        .file("evil/passwd", b"root::0:0::/:/bin/sh")
        .finish();
    let p = dir.path().join("evil.tar");
    fs::write(&p, &tar).unwrap();
    let err = s.import(&p, Some("evil")).unwrap_err().to_string();
    assert!(
        err.contains("evil/passwd") && err.contains("evil.tar"),
        "{err}"
    );
    let paths = paths(&dir);
    assert!(
        names(&paths.tmp_dir()).is_empty(),
        "half-unpacked layer removed"
    );
    assert!(names(&paths.layers_dir()).is_empty());
    assert!(s.list().unwrap().is_empty());
}

#[test]
fn resolves_tags_ids_prefixes_and_digests() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("x"), Some("busybox"));
    assert_eq!(img.repo_tags, vec!["busybox:latest"]);
    for r in [
        "busybox",
        "busybox:latest",
        "docker.io/library/busybox",
        &img.id.to_string(),
        img.id.hex(),
        img.id.short(),
        &format!("sha256:{}", &img.id.hex()[..8]),
    ] {
        assert_eq!(
            s.resolve(r).unwrap_or_else(|e| panic!("{r}: {e}")).id,
            img.id,
            "{r}"
        );
    }
    let manifest_digest = s.read_stored(&img.id).unwrap().manifest;
    assert_eq!(
        s.resolve(&format!("busybox@{manifest_digest}")).unwrap().id,
        img.id
    );
    assert!(s
        .resolve(&format!("other@{manifest_digest}"))
        .unwrap_err()
        .is_not_found());
    let err = s.resolve("busybox:2").unwrap_err();
    assert!(
        err.is_not_found() && err.to_string().contains("busybox:2"),
        "{err}"
    );
    assert!(s
        .resolve("NoSuch")
        .unwrap_err()
        .to_string()
        .contains("invalid reference format"));
}

#[test]
fn ambiguous_id_prefix_is_an_error() {
    let (dir, s) = store();
    // 17 images: two must share a first hex digit.
    let ids: Vec<Digest> = (0..17)
        .map(|_| import_bytes(&dir, &s, &rootfs_tar("x"), None).id)
        .collect();
    let first = ids
        .iter()
        .find(|a| ids.iter().filter(|b| b.hex()[..1] == a.hex()[..1]).count() > 1)
        .unwrap();
    let err = s.resolve(&first.hex()[..1]).unwrap_err().to_string();
    assert!(err.contains("ambiguous"), "{err}");
}

#[test]
fn tag_moves_and_refuses_bad_names() {
    let (dir, s) = store();
    let a = import_bytes(&dir, &s, &rootfs_tar("a"), Some("app:1"));
    let b = import_bytes(&dir, &s, &rootfs_tar("b"), Some("app:2"));
    s.tag("app:2", "app:1").unwrap();
    assert_eq!(s.resolve("app:1").unwrap().id, b.id);
    assert!(s.resolve(a.id.hex()).unwrap().repo_tags.is_empty());
    s.tag(a.id.short(), "localhost:5000/team/app:v1.0").unwrap();
    assert_eq!(s.resolve("localhost:5000/team/app:v1.0").unwrap().id, a.id);
    for bad in ["App:1", "app:-1", "app:a/b", "/app", "app@sha256:123"] {
        let err = s.tag("app:1", bad).unwrap_err().to_string();
        assert!(
            err.contains("invalid reference format") || err.contains("digest"),
            "{bad}: {err}"
        );
    }
    assert!(s.tag("nothere", "x").unwrap_err().is_not_found());
}

#[test]
fn rmi_untags_then_deletes_and_collects_blobs() {
    let (dir, s) = store();
    let p = paths(&dir);
    let img = import_bytes(&dir, &s, &rootfs_tar("x"), Some("app:1"));
    s.tag("app:1", "app:2").unwrap();
    assert_eq!(
        s.remove("app:1", false, &never).unwrap(),
        vec![RemoveAction::Untagged("app:1".into())]
    );
    assert!(s.resolve(img.id.hex()).is_ok());
    let acts = s.remove("app:2", false, &never).unwrap();
    assert_eq!(
        acts,
        vec![
            RemoveAction::Untagged("app:2".into()),
            RemoveAction::Deleted(img.id.clone())
        ]
    );
    assert!(s.list().unwrap().is_empty());
    assert!(
        names(&p.blobs_dir()).is_empty(),
        "blobs left: {:?}",
        names(&p.blobs_dir())
    );
    assert!(names(&p.layers_dir()).is_empty());
}

#[test]
fn rmi_by_id_with_several_repositories_must_be_forced() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("x"), Some("one:1"));
    s.tag("one:1", "two:1").unwrap();
    let err = s.remove(img.id.short(), false, &never).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)));
    assert_eq!(
        err.to_string(),
        format!("conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories", img.id.short())
    );
    let acts = s.remove(img.id.short(), true, &never).unwrap();
    assert_eq!(acts.len(), 3);
    assert_eq!(acts[2], RemoveAction::Deleted(img.id.clone()));

    // Several tags of one repository: removing by ID untags them all, as Docker does.
    let img = import_bytes(&dir, &s, &rootfs_tar("y"), Some("one:1"));
    s.tag("one:1", "one:2").unwrap();
    assert_eq!(s.remove(img.id.hex(), false, &never).unwrap().len(), 3);
}

#[test]
fn rmi_of_an_image_in_use_must_be_forced_and_keeps_it() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("x"), Some("busy"));
    let id = img.id.clone();
    let user = move |d: &Digest| (*d == id).then(|| "0123456789abcdef0123".to_string());
    let err = s
        .remove_image("busy", false, &user)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "conflict: unable to remove repository reference \"busy\" (must force) - container 0123456789ab is using its referenced image {}",
            img.id.short()
        )
    );
    let err = s
        .remove(img.id.hex(), false, &|_| true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("(must be forced)") && err.contains("being used by"),
        "{err}"
    );
    let acts = s.remove("busy", true, &|_| true).unwrap();
    assert_eq!(acts, vec![RemoveAction::Untagged("busy:latest".into())]);
    let left = s.resolve(img.id.hex()).unwrap();
    assert!(left.repo_tags.is_empty());
    assert!(
        s.layer_dirs(&left).unwrap()[0].is_dir(),
        "a container's layers stay"
    );
}

#[test]
fn shared_layers_survive_until_the_last_image_goes() {
    let (dir, s) = store();
    let p = paths(&dir);
    let tar = rootfs_tar("shared");
    let a = import_bytes(&dir, &s, &tar, Some("a"));
    let b = import_bytes(&dir, &s, &tar, Some("b"));
    s.remove("a", false, &never).unwrap();
    assert!(s.layer_dirs(&b).unwrap()[0].is_dir());
    assert!(p.blobs_dir().join(b.layers[0].blob.hex()).exists());
    assert!(
        !p.blobs_dir().join(a.id.hex()).exists(),
        "a's config is gone"
    );
    s.remove("b", false, &never).unwrap();
    assert!(names(&p.blobs_dir()).is_empty());
    assert!(names(&p.layers_dir()).is_empty());
}

#[test]
fn prune_removes_dangling_or_all_unused() {
    let (dir, s) = store();
    let p = paths(&dir);
    let tagged = import_bytes(&dir, &s, &rootfs_tar("t"), Some("keep"));
    let dangling = import_bytes(&dir, &s, &rootfs_tar("d"), None);
    let used = import_bytes(&dir, &s, &rootfs_tar("u"), None);
    let used_id = used.id.clone();
    let in_use = move |d: &Digest| *d == used_id;
    // Leftover content no image names (an interrupted load) is swept too.
    fs::write(p.blobs_dir().join(Digest::of(b"orphan").hex()), b"orphan").unwrap();
    // So is a half-unpacked layer a crash left in tmp/ long ago (but not a fresh one).
    let stale = p.tmp_dir().join("layer-0123abcd");
    fs::create_dir_all(stale.join("usr")).unwrap();
    let fresh = p.tmp_dir().join("layer-fresh");
    fs::create_dir_all(&fresh).unwrap();
    let long_ago = nix::sys::time::TimeSpec::new(1_000_000_000, 0);
    nix::sys::stat::utimensat(
        None,
        &stale,
        &long_ago,
        &long_ago,
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .unwrap();
    let acts = s.prune(false, &in_use).unwrap();
    assert_eq!(acts, vec![RemoveAction::Deleted(dangling.id.clone())]);
    assert!(!stale.exists() && fresh.exists());
    assert!(!p.blobs_dir().join(Digest::of(b"orphan").hex()).exists());
    assert!(s.resolve("keep").is_ok() && s.resolve(used.id.hex()).is_ok());
    let acts = s.prune(true, &in_use).unwrap();
    assert_eq!(
        acts,
        vec![
            RemoveAction::Untagged("keep:latest".into()),
            RemoveAction::Deleted(tagged.id.clone())
        ]
    );
    assert_eq!(s.list().unwrap().len(), 1);
    let left = s.resolve(used.id.hex()).unwrap();
    let mut want = vec![
        left.id.hex().to_string(),
        left.layers[0].blob.hex().to_string(),
        s.read_stored(&left.id).unwrap().manifest.hex().to_string(),
    ];
    want.sort();
    want.dedup();
    assert_eq!(names(&p.blobs_dir()), want);
}

#[test]
fn commit_adds_a_layer_config_changes_and_history() {
    let (dir, s) = store();
    let base = import_bytes(&dir, &s, &rootfs_tar("base"), Some("base"));
    let diff = TarBuf::new()
        .dir("etc/")
        .file("etc/.wh.hello", b"")
        .file("etc/new", b"new!")
        .finish();
    let diff_path = dir.path().join("diff.tar");
    fs::write(&diff_path, &diff).unwrap();
    let changes = ConfigChanges {
        cmd: Some(vec!["/bin/sh".into()]),
        env: vec!["MODE=prod".into()],
        working_dir: Some("/srv".into()),
        stop_signal: Some("SIGINT".into()),
        ..Default::default()
    };
    let img = s
        .create_from_layer(
            Some(&base),
            &diff_path,
            changes,
            "first commit",
            "me",
            "/bin/sh -c make",
            Some("app:v2"),
        )
        .unwrap();
    assert_eq!(img.repo_tags, vec!["app:v2"]);
    assert_eq!(img.parent.as_ref(), Some(&base.id));
    assert_eq!(img.layers.len(), 2);
    assert_eq!(img.layers[0], base.layers[0]);
    assert_eq!(img.layers[1].diff_id, Digest::of(&diff));
    let d = s.run_defaults(&img).unwrap();
    assert_eq!(d.cmd, Some(vec!["/bin/sh".to_string()]));
    assert_eq!(d.working_dir, "/srv");
    assert_eq!(d.stop_signal.as_deref(), Some("SIGINT"));
    assert!(d.env.contains(&"MODE=prod".to_string()) && d.env[0].starts_with("PATH="));
    let cfg = s.config_json(&img).unwrap();
    assert_eq!(cfg["author"], "me");
    assert_eq!(cfg["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);

    let dirs = s.layer_dirs(&img).unwrap();
    let wh = fs::symlink_metadata(dirs[1].join("etc/hello")).unwrap();
    assert!(wh.file_type().is_char_device(), "whiteout converted");

    let h = s.history(&img).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (
            h[0].id.as_ref(),
            h[0].created_by.as_str(),
            h[0].comment.as_str(),
            h[0].size
        ),
        (Some(&img.id), "/bin/sh -c make", "first commit", 4)
    );
    assert_eq!(
        h[1].id.as_ref(),
        Some(&base.id),
        "the parent recorded by commit has its ID"
    );

    // From scratch, untagged.
    let scratch = s
        .create_from_layer(None, &diff_path, ConfigChanges::default(), "", "", "", None)
        .unwrap();
    assert!(scratch.repo_tags.is_empty() && scratch.parent.is_none() && scratch.layers.len() == 1);
}

#[test]
fn history_marks_missing_and_empty_layers() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("abc"), Some("h"));
    // Rewrite the history through a commit whose parent has an empty-layer entry is not
    // possible without a builder, so check the mapping on a hand-made config instead.
    let diff_path = dir.path().join("d.tar");
    fs::write(&diff_path, TarBuf::new().file("f", b"12").finish()).unwrap();
    let child = s
        .create_from_layer(
            Some(&img),
            &diff_path,
            ConfigChanges::default(),
            "",
            "",
            "c",
            None,
        )
        .unwrap();
    let h = s.history(&child).unwrap();
    assert_eq!(h.iter().map(|e| e.size).collect::<Vec<_>>(), vec![2, 3]);
    s.remove("h", false, &never).unwrap();
    let h = s.history(&child).unwrap();
    assert_eq!(h[1].id, None, "<missing> once the parent is gone");
}

#[test]
fn layer_dirs_unpack_again_when_missing() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("again"), Some("x"));
    let d = s.layer_dirs(&img).unwrap().remove(0);
    fs::remove_dir_all(&d).unwrap();
    let d2 = s.layer_dirs(&img).unwrap().remove(0);
    assert_eq!(d, d2);
    assert_eq!(fs::read_to_string(d2.join("etc/hello")).unwrap(), "again");
}

#[test]
fn disk_usage_counts_shared_layers_once() {
    let (dir, s) = store();
    let tar = rootfs_tar("12345");
    import_bytes(&dir, &s, &tar, Some("a"));
    import_bytes(&dir, &s, &tar, Some("b"));
    let u = s.disk_usage().unwrap();
    assert_eq!(u.images.len(), 2);
    assert_eq!(u.layers_size, 5);
    assert!(u
        .images
        .iter()
        .all(|i| i.size == 5 && i.shared_size == 5 && i.unique_size == 0));
    assert!(u.blobs_size > tar.len() as u64);
    assert_eq!(u.total(), u.layers_size + u.blobs_size);
}

#[test]
fn podman_style_localhost_names_resolve_without_the_prefix() {
    let (dir, s) = store();
    let img = import_bytes(&dir, &s, &rootfs_tar("local"), Some("localhost/podbox:v2"));
    assert_eq!(s.resolve("podbox:v2").unwrap().id, img.id);
    assert_eq!(s.resolve("localhost/podbox:v2").unwrap().id, img.id);
    assert!(s.resolve("podbox:v3").is_err());
}
