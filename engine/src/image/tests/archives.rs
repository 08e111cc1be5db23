//! Archives: save/load round trips in both formats, hand-built `docker save` and OCI
//! layouts, and refusal (with nothing added) of archives whose digests do not match.

use std::fs;

use serde_json::{json, Value};

use super::util::{gzip, import_bytes, names, rootfs_tar, store, TarBuf};
use crate::image::{ArchiveFormat, ImageStore};
use crate::store::{Digest, Paths};

/// An archive built with `tar::Builder` from (name, content) pairs and symlinks.
struct Archive {
    b: tar::Builder<Vec<u8>>,
}

impl Archive {
    fn new() -> Self {
        Archive {
            b: tar::Builder::new(Vec::new()),
        }
    }
    fn file(mut self, name: &str, data: &[u8]) -> Self {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        self.b.append_data(&mut h, name, data).unwrap();
        self
    }
    fn json(self, name: &str, v: &Value) -> Self {
        self.file(name, &serde_json::to_vec(v).unwrap())
    }
    fn blob(self, data: &[u8]) -> Self {
        self.file(&format!("blobs/sha256/{}", Digest::of(data).hex()), data)
    }
    fn symlink(mut self, name: &str, target: &str) -> Self {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        self.b.append_link(&mut h, name, target).unwrap();
        self
    }
    fn finish(self) -> Vec<u8> {
        self.b.into_inner().unwrap()
    }
}

fn config(diff_ids: &[&[u8]], extra: Value) -> Vec<u8> {
    let ids: Vec<String> = diff_ids.iter().map(|t| Digest::of(t).to_string()).collect();
    let mut v = json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": { "Env": ["PATH=/bin"], "Cmd": ["sh"], "Healthcheck": { "Test": ["CMD-SHELL", "true"] } },
        "rootfs": { "type": "layers", "diff_ids": ids },
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    serde_json::to_vec(&v).unwrap()
}

fn fresh() -> (tempfile::TempDir, ImageStore, Paths) {
    let (dir, s) = store();
    let p = Paths::new(dir.path().join("root"), dir.path().join("run"));
    (dir, s, p)
}

fn load(s: &ImageStore, bytes: &[u8]) -> crate::Result<Vec<String>> {
    s.load(&mut &bytes[..])
}

/// Nothing at all was added to the store, and no temp file is left.
fn assert_empty(s: &ImageStore, p: &Paths) {
    assert!(s.list().unwrap().is_empty());
    assert!(
        names(&p.blobs_dir()).is_empty(),
        "blobs: {:?}",
        names(&p.blobs_dir())
    );
    assert!(names(&p.layers_dir()).is_empty());
    assert!(
        names(&p.tmp_dir()).is_empty(),
        "tmp: {:?}",
        names(&p.tmp_dir())
    );
}

fn entry_names(archive: &[u8]) -> Vec<String> {
    let mut a = tar::Archive::new(archive);
    a.entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect()
}

fn round_trip(fmt: ArchiveFormat, compress: bool) {
    let (dir, s) = store();
    let a = import_bytes(&dir, &s, &rootfs_tar("a"), Some("app:1"));
    s.tag("app:1", "app:2").unwrap();
    let b = import_bytes(
        &dir,
        &s,
        &rootfs_tar("b"),
        Some("localhost:5000/team/b:0.1"),
    );
    let c = import_bytes(&dir, &s, &rootfs_tar("c"), None);
    let mut out = Vec::new();
    let refs = [
        "app".to_string(),
        "localhost:5000/team/b:0.1".into(),
        c.id.short().into(),
    ];
    s.save(&refs, &mut out, fmt).unwrap();
    let listed = entry_names(&out);
    for must in ["oci-layout", "index.json"] {
        assert!(
            listed.contains(&must.to_string()),
            "{must} missing from {listed:?}"
        );
    }
    let docker_files = listed.contains(&"manifest.json".to_string())
        && listed.contains(&"repositories".to_string());
    assert_eq!(docker_files, fmt == ArchiveFormat::Docker);
    if compress {
        out = gzip(&out);
    }

    let (_dir2, s2, p2) = fresh();
    let mut loaded = load(&s2, &out).unwrap();
    loaded.sort();
    let mut want = vec![
        c.id.to_string(),
        "app:1".into(),
        "app:2".into(),
        "localhost:5000/team/b:0.1".into(),
    ];
    want.sort();
    assert_eq!(loaded, want);
    assert_eq!(
        s2.resolve("app:2").unwrap().id,
        a.id,
        "same image ID after the round trip"
    );
    assert_eq!(s2.resolve("localhost:5000/team/b:0.1").unwrap().id, b.id);
    assert!(s2.resolve(c.id.hex()).unwrap().repo_tags.is_empty());
    // The manifest (repo digest) survives too.
    assert_eq!(
        s2.read_stored(&a.id).unwrap().manifest,
        s.read_stored(&a.id).unwrap().manifest
    );
    let img = s2.resolve("app:1").unwrap();
    assert_eq!(img.layers, a.layers);
    assert_eq!(
        fs::read_to_string(s2.layer_dirs(&img).unwrap()[0].join("etc/hello")).unwrap(),
        "a"
    );
    assert!(names(&p2.tmp_dir()).is_empty());
    // Loading again only re-tags.
    assert_eq!(load(&s2, &out).unwrap().len(), 4);
    assert_eq!(s2.list().unwrap().len(), 3);
}

#[test]
fn docker_format_round_trip() {
    round_trip(ArchiveFormat::Docker, false);
}

#[test]
fn oci_format_round_trip() {
    round_trip(ArchiveFormat::Oci, false);
}

#[test]
fn gzip_compressed_archive_round_trip() {
    round_trip(ArchiveFormat::Docker, true);
    round_trip(ArchiveFormat::Oci, true);
}

#[test]
fn oci_save_annotates_ref_names() {
    let (dir, s) = store();
    import_bytes(&dir, &s, &rootfs_tar("a"), Some("app:1"));
    let mut out = Vec::new();
    s.save(&["app:1".to_string()], &mut out, ArchiveFormat::Oci)
        .unwrap();
    let mut a = tar::Archive::new(&out[..]);
    let mut index = None;
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_str() == Some("index.json") {
            index = Some(serde_json::from_reader::<_, Value>(&mut e).unwrap());
        }
    }
    let index = index.unwrap();
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "app:1"
    );
    assert!(s
        .save(
            &["nothere".to_string()],
            &mut Vec::new(),
            ArchiveFormat::Oci
        )
        .unwrap_err()
        .is_not_found());
}

#[test]
fn loads_legacy_docker_save_archive() {
    let l1 = rootfs_tar("one");
    let l2 = TarBuf::new()
        .file("etc/.wh.hello", b"")
        .file("two", b"2")
        .finish();
    let cfg1 = config(&[&l1, &l2], json!({}));
    let cfg2 = config(&[&l1], json!({"created": "2023-01-01T00:00:00Z"}));
    let manifest = json!([
        { "Config": format!("{}.json", Digest::of(&cfg1).hex()), "RepoTags": ["docker.io/library/busybox:latest"],
          "Layers": ["aaa/layer.tar", "bbb/layer.tar"] },
        { "Config": format!("{}.json", Digest::of(&cfg2).hex()), "RepoTags": ["localhost:5000/x/y:1.0"],
          "Layers": ["ccc/layer.tar"] },
    ]);
    let archive = Archive::new()
        .file("aaa/layer.tar", &l1)
        .file("aaa/VERSION", b"1.0")
        .file("bbb/layer.tar", &gzip(&l2))
        .symlink("ccc/layer.tar", "../aaa/layer.tar")
        .file(&format!("{}.json", Digest::of(&cfg1).hex()), &cfg1)
        .file(&format!("{}.json", Digest::of(&cfg2).hex()), &cfg2)
        .json("repositories", &json!({"busybox": {"latest": "bbb"}}))
        .json("manifest.json", &manifest)
        .finish();
    let (_d, s, p) = fresh();
    assert_eq!(
        load(&s, &archive).unwrap(),
        vec!["busybox:latest", "localhost:5000/x/y:1.0"]
    );
    let img = s.resolve("busybox").unwrap();
    assert_eq!(img.id, Digest::of(&cfg1));
    assert_eq!(
        img.layers[1].media_type,
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    assert_eq!(img.layers[1].blob, Digest::of(&gzip(&l2)));
    let d = s.run_defaults(&img).unwrap();
    assert_eq!(d.healthcheck.unwrap()["Test"][0], "CMD-SHELL");
    let dirs = s.layer_dirs(&img).unwrap();
    assert_eq!(fs::read_to_string(dirs[1].join("two")).unwrap(), "2");
    assert_eq!(
        s.resolve("localhost:5000/x/y:1.0").unwrap().layers[0].diff_id,
        Digest::of(&l1)
    );
    assert_eq!(
        names(&p.layers_dir()).len(),
        2,
        "the shared layer is unpacked once"
    );
    assert!(names(&p.tmp_dir()).is_empty());
}

/// A manifest for `cfg` and `layers` (blob bytes as stored) with OCI media types.
fn manifest(cfg: &[u8], layers: &[&[u8]]) -> Vec<u8> {
    let descs: Vec<Value> = layers
        .iter()
        .map(|l| {
            let mt = if l.starts_with(&[0x1f, 0x8b]) {
                "application/vnd.oci.image.layer.v1.tar+gzip"
            } else {
                "application/vnd.oci.image.layer.v1.tar"
            };
            json!({"mediaType": mt, "digest": Digest::of(l).to_string(), "size": l.len()})
        })
        .collect();
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest::of(cfg).to_string(), "size": cfg.len()},
        "layers": descs,
    }))
    .unwrap()
}

fn desc(m: &[u8], annotations: Value) -> Value {
    json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": Digest::of(m).to_string(), "size": m.len(), "annotations": annotations})
}

#[test]
fn loads_oci_layout_with_annotations() {
    let l1 = gzip(&rootfs_tar("oci"));
    let cfg1 = config(&[&rootfs_tar("oci")], json!({}));
    let m1 = manifest(&cfg1, &[&l1]);
    let l2 = rootfs_tar("other");
    let cfg2 = config(&[&l2], json!({}));
    let m2 = manifest(&cfg2, &[&l2]);
    let index = json!({"schemaVersion": 2, "manifests": [
        desc(&m1, json!({"org.opencontainers.image.ref.name": "foo:1.0"})),
        desc(&m1, json!({"io.containerd.image.name": "docker.io/library/bar:2", "org.opencontainers.image.ref.name": "2"})),
        desc(&m2, json!({"org.opencontainers.image.ref.name": "latest"})),
    ]});
    let archive = Archive::new()
        .json("oci-layout", &json!({"imageLayoutVersion": "1.0.0"}))
        .blob(&l1)
        .blob(&cfg1)
        .blob(&m1)
        .blob(&l2)
        .blob(&cfg2)
        .blob(&m2)
        .json("index.json", &index)
        .finish();
    let (_d, s, _p) = fresh();
    let loaded = load(&s, &archive).unwrap();
    assert_eq!(
        loaded,
        vec![
            "foo:1.0".to_string(),
            "bar:2".into(),
            Digest::of(&cfg2).to_string()
        ]
    );
    let img = s.resolve("bar:2").unwrap();
    assert_eq!(img.id, Digest::of(&cfg1));
    assert_eq!(img.repo_tags, vec!["bar:2", "foo:1.0"]);
    assert_eq!(
        s.read_stored(&img.id).unwrap().manifest,
        Digest::of(&m1),
        "the manifest is kept byte for byte"
    );
    assert!(
        s.resolve(Digest::of(&cfg2).hex())
            .unwrap()
            .repo_tags
            .is_empty(),
        "a tag-only ref.name names no repository"
    );
}

#[test]
fn diff_id_mismatch_adds_nothing() {
    let layer = rootfs_tar("real");
    let cfg = config(&[&rootfs_tar("claimed")], json!({}));
    let archive = Archive::new()
        .file("l/layer.tar", &layer)
        .file(&format!("{}.json", Digest::of(&cfg).hex()), &cfg)
        .json("manifest.json", &json!([{ "Config": format!("{}.json", Digest::of(&cfg).hex()), "RepoTags": ["x:1"], "Layers": ["l/layer.tar"] }]))
        .finish();
    let (_d, s, p) = fresh();
    let err = load(&s, &archive).unwrap_err().to_string();
    assert!(
        err.contains("diff ID mismatch") && err.contains("l/layer.tar"),
        "{err}"
    );
    assert_empty(&s, &p);
}

#[test]
fn mismatch_in_a_later_image_adds_nothing_at_all() {
    let good = rootfs_tar("good");
    let cfg_good = config(&[&good], json!({}));
    let cfg_bad = config(
        &[&rootfs_tar("claimed")],
        json!({"created": "2020-01-01T00:00:00Z"}),
    );
    let archive = Archive::new()
        .file("g.tar", &good)
        .file("b.tar", &rootfs_tar("actual"))
        .file("g.json", &cfg_good)
        .file("b.json", &cfg_bad)
        .json(
            "manifest.json",
            &json!([
                { "Config": "g.json", "RepoTags": ["good:1"], "Layers": ["g.tar"] },
                { "Config": "b.json", "RepoTags": ["bad:1"], "Layers": ["b.tar"] },
            ]),
        )
        .finish();
    let (_d, s, p) = fresh();
    assert!(load(&s, &archive).is_err());
    assert_empty(&s, &p);
}

#[test]
fn blob_digest_mismatch_adds_nothing() {
    let layer = rootfs_tar("x");
    let cfg = config(&[&layer], json!({}));
    let m = manifest(&cfg, &[&layer]);
    let wrong_name = format!("blobs/sha256/{}", Digest::of(b"something else").hex());
    // The layer is stored under a name that is not its digest.
    let m_bad = String::from_utf8(m.clone()).unwrap().replace(
        Digest::of(&layer).hex(),
        Digest::of(b"something else").hex(),
    );
    let archive = Archive::new()
        .json("oci-layout", &json!({"imageLayoutVersion": "1.0.0"}))
        .file(&wrong_name, &layer)
        .blob(&cfg)
        .blob(m_bad.as_bytes())
        .json("index.json", &json!({"schemaVersion": 2, "manifests": [desc(m_bad.as_bytes(), json!({"org.opencontainers.image.ref.name": "x:1"}))]}))
        .finish();
    let (_d, s, p) = fresh();
    let err = load(&s, &archive).unwrap_err().to_string();
    assert!(err.contains(&wrong_name) && err.contains("digest"), "{err}");
    assert_empty(&s, &p);

    // A legacy config whose name is not its digest.
    let archive = Archive::new()
        .file("l.tar", &layer)
        .file(&format!("{}.json", Digest::of(b"nope").hex()), &cfg)
        .json("manifest.json", &json!([{ "Config": format!("{}.json", Digest::of(b"nope").hex()), "Layers": ["l.tar"] }]))
        .finish();
    let err = load(&s, &archive).unwrap_err().to_string();
    assert!(err.contains(".json") && err.contains("digest"), "{err}");
    assert_empty(&s, &p);
}

#[test]
fn malicious_layer_in_archive_adds_nothing() {
    let layer = TarBuf::new()
        .raw(b"../../escape", tar::EntryType::Regular, b"", b"x", 0o644)
        .finish();
    let cfg = config(&[&layer], json!({}));
    let archive = Archive::new()
        .file("l.tar", &layer)
        .file("c.json", &cfg)
        .json(
            "manifest.json",
            &json!([{ "Config": "c.json", "RepoTags": ["evil:1"], "Layers": ["l.tar"] }]),
        )
        .finish();
    let (d, s, p) = fresh();
    let err = load(&s, &archive).unwrap_err().to_string();
    assert!(
        err.contains("../../escape") && err.contains("l.tar"),
        "{err}"
    );
    assert_empty(&s, &p);
    assert!(!d.path().join("escape").exists());
}

#[test]
fn refuses_what_is_not_an_archive() {
    let (_d, s, _p) = fresh();
    let err = load(
        &s,
        b"definitely not a tar stream, just text that goes on for a while",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not a tar"), "{err}");
    let err = load(&s, &Archive::new().file("hello.txt", b"hi").finish())
        .unwrap_err()
        .to_string();
    assert!(err.contains("manifest.json"), "{err}");
}

#[test]
fn history_maps_entries_to_layers_with_empty_layers_at_zero() {
    let l1 = TarBuf::new().file("a", b"1234").finish();
    let l2 = TarBuf::new().file("b", b"12").finish();
    let history = json!({"history": [
        {"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs.tar /"},
        {"created": "2024-01-01T00:00:01Z", "created_by": "ENV A=1", "empty_layer": true},
        {"created": "2024-01-01T00:00:02Z", "created_by": "RUN make", "comment": "buildkit"},
        {"created": "2024-01-01T00:00:03Z", "created_by": "CMD [\"sh\"]", "empty_layer": true},
    ]});
    let cfg = config(&[&l1, &l2], history);
    let archive = Archive::new()
        .file("1.tar", &l1)
        .file("2.tar", &l2)
        .file("c.json", &cfg)
        .json(
            "manifest.json",
            &json!([{ "Config": "c.json", "RepoTags": ["h:1"], "Layers": ["1.tar", "2.tar"] }]),
        )
        .finish();
    let (_d, s, _p) = fresh();
    load(&s, &archive).unwrap();
    let img = s.resolve("h:1").unwrap();
    let h = s.history(&img).unwrap();
    let rows: Vec<(Option<Digest>, &str, u64)> = h
        .iter()
        .map(|e| (e.id.clone(), e.created_by.as_str(), e.size))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(img.id.clone()), "CMD [\"sh\"]", 0),
            (None, "RUN make", 2),
            (None, "ENV A=1", 0),
            (None, "ADD rootfs.tar /", 4),
        ]
    );
    assert_eq!(h[1].comment, "buildkit");
    assert_eq!(img.size, 6);
}
