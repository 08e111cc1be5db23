//! The registry client end to end, against Debian's `docker-registry` started on a free
//! loopback port with its own config and storage in a temp dir (killed and removed by a
//! guard, even when a test fails). The CLI commands are not wired yet, so the tests call
//! the engine's async API on a runtime of their own and drive images with `berth`.
//! Interop: what berth pushes, skopeo and podman read and run; what skopeo pushes
//! (gzip, zstd, uncompressed layers), berth pulls and runs.

use std::path::Path;
use std::process::Command;

use berth_engine::image::registry::{Credentials, PullEvent, PushEvent};
use berth_engine::store::Digest;
use berth_engine::{Config, Engine};
use berth_tests::registry_server::RegistryServer as Registry;
use berth_tests::{eventually, require_tool, Berth};

fn engine(b: &Berth) -> Engine {
    Engine::open_with(Config {
        root: b.root.clone(),
        run_root: b.run_root.clone(),
        cgroup_parent: b.cgroup_parent.clone(),
        ..Config::default()
    })
    .expect("open engine")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn creds(u: &str, p: &str) -> Option<Credentials> {
    Some(Credentials {
        username: u.into(),
        password: p.into(),
    })
}

fn push(
    rt: &tokio::runtime::Runtime,
    e: &Engine,
    r: &str,
    c: Option<Credentials>,
) -> (berth_engine::Result<Digest>, Vec<PushEvent>) {
    let mut events = Vec::new();
    let res = rt.block_on(e.push(r, c, &mut |ev| events.push(ev)));
    (res, events)
}

fn pull(
    rt: &tokio::runtime::Runtime,
    e: &Engine,
    r: &str,
    c: Option<Credentials>,
) -> (
    berth_engine::Result<berth_engine::image::ImageRecord>,
    Vec<PullEvent>,
) {
    let mut events = Vec::new();
    let res = rt.block_on(e.pull(r, None, c, &mut |ev| events.push(ev)));
    (res, events)
}

fn dir_entries(p: &Path) -> Vec<String> {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn push_remove_pull_run_round_trip() {
    let b = Berth::new();
    let reg = Registry::start(None);
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    let name = format!("{}/team/app:1", reg.addr());
    b.ok(&["tag", "busybox:latest", &name]);
    let id = b.inspect(&name, "{{.Id}}");

    let (digest, events) = push(&rt, &e, &name, None);
    let digest = digest.unwrap_or_else(|err| panic!("push: {err}\n{}", reg.log()));
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, PushEvent::Pushed { .. })),
        "{events:?}"
    );
    let Some(PushEvent::Done {
        tag,
        digest: d,
        size,
    }) = events.last()
    else {
        panic!("no Done: {events:?}")
    };
    assert_eq!((tag.as_str(), d), ("1", &digest));
    assert!(*size > 0);

    // A tag that is not here is not pushed.
    let (res, _) = push(&rt, &e, &format!("{}/team/app:none", reg.addr()), None);
    assert_eq!(
        res.unwrap_err().to_string(),
        format!("No such image: {}/team/app:none", reg.addr())
    );

    // Again: every layer is there already, the manifest is the same.
    let (again, events) = push(&rt, &e, &name, None);
    assert_eq!(again.unwrap(), digest);
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, PushEvent::LayerAlreadyExists { .. })),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|ev| matches!(ev, PushEvent::Pushed { .. })),
        "{events:?}"
    );

    // Another repository of the same registry: the layer is mounted, not uploaded.
    let other = format!("{}/other/app:2", reg.addr());
    b.ok(&["tag", "busybox:latest", &other]);
    let (res, events) = push(&rt, &e, &other, None);
    res.unwrap();
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, PushEvent::MountedFrom { from, .. } if from == "team/app")),
        "{events:?}"
    );

    // Gone locally, then pulled back: the same image, runnable.
    b.ok(&["rmi", &name, &other, "busybox:latest"]);
    assert!(b.run(&["image", "inspect", &name]).code != 0);
    let (rec, events) = pull(&rt, &e, &name, None);
    let rec = rec.unwrap_or_else(|err| panic!("pull: {err}\n{}", reg.log()));
    assert_eq!(rec.id.to_string(), id);
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, PullEvent::PullComplete { .. })),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(PullEvent::Done { digest: d, new: true, .. }) if *d == digest),
        "{events:?}"
    );
    assert_eq!(
        b.ok(&["run", "--rm", &name, "echo", "round trip"]),
        "round trip"
    );
    let inspect = e.images().inspect_json(&rec).unwrap();
    assert_eq!(
        inspect["RepoDigests"],
        serde_json::json!([format!("{}/team/app@{digest}", reg.addr())])
    );
    // `name@digest` finds it.
    assert_eq!(
        b.inspect(&format!("{}/team/app@{digest}", reg.addr()), "{{.Id}}"),
        id
    );
    let image_events = b.events("type=image");
    assert!(
        image_events.contains("pull") && image_events.contains("push"),
        "{image_events}"
    );

    // Pulled again: nothing to download.
    let (rec2, events) = pull(&rt, &e, &name, None);
    assert_eq!(rec2.unwrap().id, rec.id);
    assert!(
        events
            .iter()
            .all(|ev| !matches!(ev, PullEvent::Downloading { .. })),
        "{events:?}"
    );
    assert!(matches!(
        events.last(),
        Some(PullEvent::Done { new: false, .. })
    ));

    // An unknown tag, in Docker's words; nothing left in tmp.
    let (err, _) = pull(&rt, &e, &format!("{}/team/app:nope", reg.addr()), None);
    let err = err.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "manifest for {}/team/app:nope not found: manifest unknown",
            reg.addr()
        )),
        "{err}"
    );
    assert_eq!(dir_entries(&b.root.join("tmp")), Vec::<String>::new());
}

#[test]
fn basic_auth_registry_wants_credentials() {
    let b = Berth::new();
    let reg = Registry::start(Some(("alice", "s3cret")));
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    let name = format!("{}/private/app:1", reg.addr());
    b.ok(&["tag", "busybox:latest", &name]);

    let (res, _) = push(&rt, &e, &name, None);
    let err = res.unwrap_err().to_string();
    assert!(err.ends_with("no basic auth credentials"), "{err}");
    let (res, _) = push(&rt, &e, &name, creds("alice", "wrong"));
    assert!(res.is_err());
    let (res, _) = push(&rt, &e, &name, creds("alice", "s3cret"));
    let digest = res.unwrap_or_else(|err| panic!("push: {err}\n{}", reg.log()));

    b.ok(&["rmi", &name]);
    let (res, _) = pull(&rt, &e, &name, None);
    let err = res.unwrap_err().to_string();
    assert!(err.ends_with("no basic auth credentials"), "{err}");
    let (res, _) = pull(&rt, &e, &name, creds("alice", "wrong"));
    assert_eq!(
        res.unwrap_err().to_string(),
        "unauthorized: authentication required"
    );
    let (res, events) = pull(&rt, &e, &name, creds("alice", "s3cret"));
    res.unwrap();
    assert!(matches!(events.last(), Some(PullEvent::Done { digest: d, .. }) if *d == digest));

    let err = rt
        .block_on(e.registry_login(&reg.addr(), &creds("alice", "wrong").unwrap()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "login attempt to http://{}/v2/ failed with status: 401 Unauthorized",
            reg.addr()
        )
    );
    rt.block_on(e.registry_login(&reg.addr(), &creds("alice", "s3cret").unwrap()))
        .unwrap();
}

#[test]
fn a_tampered_blob_fails_the_pull_and_leaves_nothing() {
    let b = Berth::new();
    let reg = Registry::start(None);
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    let name = format!("{}/team/tampered:1", reg.addr());
    b.ok(&["tag", "busybox:latest", &name]);
    let (digest, _) = push(&rt, &e, &name, None);
    let digest = digest.unwrap();
    // Pulled into a fresh state root, which has none of the blobs.
    let b = Berth::new();
    let e = engine(&b);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reg.blob_file(&digest)).unwrap()).unwrap();
    let layer: Digest = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let data = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&data).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();

    let (res, _) = pull(&rt, &e, &name, None);
    let err = res.unwrap_err().to_string();
    assert_eq!(
        err,
        format!("filesystem layer verification failed for digest {layer}")
    );
    assert!(e.images().list().unwrap().is_empty());
    assert_eq!(dir_entries(&b.root.join("layers")), Vec::<String>::new());
    assert_eq!(dir_entries(&b.root.join("tmp")), Vec::<String>::new());
    assert!(!b.root.join("blobs/sha256").join(layer.hex()).exists());
}

#[test]
fn skopeo_and_podman_read_what_berth_pushes() {
    require_tool("skopeo", "skopeo");
    require_tool("podman", "podman");
    require_tool("runc", "runc");
    let b = Berth::new();
    let reg = Registry::start(None);
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    let name = format!("{}/team/interop:1", reg.addr());
    b.ok(&["tag", "busybox:latest", &name]);
    let digest = push(&rt, &e, &name, None).0.unwrap();

    let out = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", &format!("docker://{name}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Digest"], digest.to_string());

    let podman = berth_tests::podman::Podman::new();
    podman.ok(&["pull", "--tls-verify=false", &name]);
    let said = podman.run(&name, &["echo", "from podman"]);
    assert_eq!(said, "from podman");
}

#[test]
fn berth_pulls_what_skopeo_pushes_gzip_and_zstd() {
    require_tool("skopeo", "skopeo");
    let b = Berth::new();
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    let id = b.inspect("busybox:latest", "{{.Id}}");
    let layers = b.inspect("busybox:latest", "{{json .RootFS.Layers}}");
    let archive = b.dir.path().join("busybox-save.tar");
    b.ok(&["save", "-o", archive.to_str().unwrap(), "busybox:latest"]);
    b.ok(&["rmi", "busybox:latest"]);

    for (repo, flags) in [
        ("skopeo/gzip", vec![]),
        (
            "skopeo/zstd",
            vec![
                "--format",
                "oci",
                "--dest-compress",
                "--dest-compress-format",
                "zstd",
            ],
        ),
    ] {
        // A registry each: skopeo would reuse a gzip blob the registry has already
        // instead of compressing with zstd (or not at all).
        let reg = Registry::start(None);
        let name = format!("{}/{repo}:1", reg.addr());
        let out = Command::new("skopeo")
            .arg("copy")
            .args(&flags)
            .arg("--dest-tls-verify=false")
            .arg(format!("docker-archive:{}", archive.display()))
            .arg(format!("docker://{name}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo {flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (rec, _) = pull(&rt, &e, &name, None);
        let rec = rec.unwrap_or_else(|err| panic!("pull {name}: {err}\n{}", reg.log()));
        // skopeo keeps the config as it is for a Docker manifest (so the image ID), and
        // rewrites it for an OCI one; the layers' content is the same either way.
        if flags.is_empty() {
            assert_eq!(rec.id.to_string(), id, "{repo}");
        }
        let diff_ids: Vec<String> = rec.layers.iter().map(|l| l.diff_id.to_string()).collect();
        assert_eq!(serde_json::json!(diff_ids).to_string(), layers, "{repo}");
        let media_type = &rec.layers[0].media_type;
        match repo {
            "skopeo/zstd" => assert!(media_type.ends_with("+zstd"), "{media_type}"),
            _ => assert!(media_type.ends_with("gzip"), "{media_type}"),
        }
        assert_eq!(b.ok(&["run", "--rm", &name, "echo", repo]), repo);
        b.ok(&["rmi", &name]);
    }
}

/// Upload a blob with plain HTTP, as a registry client does (POST, then PUT ?digest=).
fn upload_blob(reg: &Registry, repo: &str, bytes: &[u8], dir: &Path) {
    let file = dir.join("upload");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("curl")
        .args(["-sS", "-i", "-X", "POST"])
        .arg(format!("http://{}/v2/{repo}/blobs/uploads/", reg.addr()))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&out.stdout).into_owned();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .unwrap_or_else(|| panic!("no upload location: {head}"))
        .trim()
        .to_string();
    let location = if location.starts_with('/') {
        format!("http://{}{location}", reg.addr())
    } else {
        location
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    let url = format!("{location}{sep}digest={}", Digest::of(bytes));
    let ok = Command::new("curl")
        .args([
            "-sS",
            "-f",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/octet-stream",
        ])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .arg(url)
        .status()
        .unwrap();
    assert!(ok.success(), "blob upload failed");
}

/// PUT a manifest (or index) under `reference` (a tag or a digest).
fn put_manifest(
    reg: &Registry,
    repo: &str,
    reference: &str,
    media_type: &str,
    body: &[u8],
    dir: &Path,
) {
    let file = dir.join("manifest.json");
    std::fs::write(&file, body).unwrap();
    let ok = Command::new("curl")
        .args(["-sS", "-f", "-X", "PUT", "-H"])
        .arg(format!("Content-Type: {media_type}"))
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .arg(format!(
            "http://{}/v2/{repo}/manifests/{reference}",
            reg.addr()
        ))
        .status()
        .unwrap();
    assert!(ok.success(), "manifest upload failed");
}

#[test]
fn berth_pulls_uncompressed_layers() {
    require_tool("curl", "curl");
    let b = Berth::new();
    let reg = Registry::start(None);
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    // An imported image keeps its layer as a plain tar: push that blob as it is, under
    // an OCI manifest saying so (neither berth nor this skopeo pushes uncompressed).
    let img = e.images().resolve("busybox:latest").unwrap();
    let blobs = b.root.join("blobs/sha256");
    let config = std::fs::read(blobs.join(img.id.hex())).unwrap();
    let layer = std::fs::read(blobs.join(img.layers[0].blob.hex())).unwrap();
    assert_eq!(
        Digest::of(&layer),
        img.layers[0].diff_id,
        "the blob is a plain tar"
    );
    upload_blob(&reg, "plain/app", &layer, b.dir.path());
    upload_blob(&reg, "plain/app", &config, b.dir.path());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": Digest::of(&config).to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": Digest::of(&layer).to_string(), "size": layer.len()}],
    });
    let manifest = manifest.to_string().into_bytes();
    put_manifest(
        &reg,
        "plain/app",
        "1",
        MT_OCI_MANIFEST,
        &manifest,
        b.dir.path(),
    );
    // Pulled into a fresh root.
    let b2 = Berth::new();
    let e2 = engine(&b2);
    let name = format!("{}/plain/app:1", reg.addr());
    let (rec, _) = pull(&rt, &e2, &name, None);
    let rec = rec.unwrap_or_else(|err| panic!("pull: {err}\n{}", reg.log()));
    assert_eq!(rec.id, img.id);
    assert_eq!(
        rec.layers[0].media_type,
        "application/vnd.oci.image.layer.v1.tar"
    );
    assert_eq!(b2.ok(&["run", "--rm", &name, "echo", "plain"]), "plain");

    // Behind an OCI index: the host's entry is chosen; the repo digest is the index's.
    let host_arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    };
    let entry = |arch: &str| {
        serde_json::json!({"mediaType": MT_OCI_MANIFEST, "digest": Digest::of(&manifest).to_string(),
            "size": manifest.len(), "platform": {"os": "linux", "architecture": arch}})
    };
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
        "manifests": [entry("s390x"), entry(host_arch)]})
    .to_string()
    .into_bytes();
    put_manifest(
        &reg,
        "plain/app",
        "multi",
        MT_OCI_INDEX,
        &index,
        b.dir.path(),
    );
    let multi = format!("{}/plain/app:multi", reg.addr());
    let (rec, events) = pull(&rt, &e2, &multi, None);
    let rec = rec.unwrap();
    assert_eq!(rec.id, img.id);
    let index_digest = Digest::of(&index);
    assert!(
        matches!(events.first(), Some(PullEvent::Resolved { digest }) if *digest == index_digest),
        "{events:?}"
    );
    let repo_digests = e2.images().repo_digests(&rec.id).unwrap();
    assert!(
        repo_digests.contains(&format!("{}/plain/app@{index_digest}", reg.addr())),
        "{repo_digests:?}"
    );

    // A config whose diff ID is not the layer's: refused, naming it, leaving nothing.
    let mut bad_config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    let wrong = Digest::of(b"not the layer");
    bad_config["rootfs"]["diff_ids"] = serde_json::json!([wrong.to_string()]);
    let bad_config = bad_config.to_string().into_bytes();
    upload_blob(&reg, "plain/bad", &layer, b.dir.path());
    upload_blob(&reg, "plain/bad", &bad_config, b.dir.path());
    let bad = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MT_OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": Digest::of(&bad_config).to_string(), "size": bad_config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": Digest::of(&layer).to_string(), "size": layer.len()}],
    });
    put_manifest(
        &reg,
        "plain/bad",
        "1",
        MT_OCI_MANIFEST,
        bad.to_string().as_bytes(),
        b.dir.path(),
    );
    let b3 = Berth::new();
    let e3 = engine(&b3);
    let (res, _) = pull(&rt, &e3, &format!("{}/plain/bad:1", reg.addr()), None);
    let err = res.unwrap_err().to_string();
    assert!(
        err.contains("diff ID mismatch") && err.contains(&wrong.to_string()),
        "{err}"
    );
    assert!(e3.images().list().unwrap().is_empty());
    assert_eq!(dir_entries(&b3.root.join("layers")), Vec::<String>::new());
    assert_eq!(dir_entries(&b3.root.join("tmp")), Vec::<String>::new());
}

const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

#[test]
fn an_interrupted_pull_leaves_nothing_behind() {
    let b = Berth::new();
    let reg = Registry::start(None);
    let rt = runtime();
    let e = engine(&b);
    b.busybox_image("busybox:latest");
    // A layer of 8 MiB that does not compress, so the download takes many reads.
    b.ok(&[
        "run",
        "--name",
        "filler",
        "busybox:latest",
        "sh",
        "-c",
        "head -c 8388608 /dev/urandom > /filler",
    ]);
    let name = format!("{}/team/big:1", reg.addr());
    b.ok(&["commit", "filler", &name]);
    b.ok(&["rm", "filler"]);
    let started = std::time::Instant::now();
    push(&rt, &e, &name, None).0.unwrap();
    eprintln!(
        "push (busybox + 8 MiB random layer, debug build): {:?}",
        started.elapsed()
    );

    // Into a fresh root; the caller drops the pull as soon as bytes flow.
    let b2 = Berth::new();
    let e2 = engine(&b2);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    rt.block_on(async {
        let mut on = |ev: PullEvent| {
            if matches!(ev, PullEvent::Downloading { current, .. } if current > 0) {
                if let Some(t) = tx.take() {
                    let _ = t.send(());
                }
            }
        };
        tokio::select! {
            r = e2.pull(&name, None, None, &mut on) => panic!("the pull ended before it was dropped: {r:?}"),
            _ = rx => {}
        }
    });
    assert!(e2.images().list().unwrap().is_empty());
    // A layer being unpacked on the blocking pool stops at its next read.
    let tmp = b2.root.join("tmp");
    assert!(
        eventually(10, || dir_entries(&tmp).is_empty()),
        "{:?}",
        dir_entries(&tmp)
    );
    assert_eq!(dir_entries(&b2.root.join("layers")), Vec::<String>::new());

    // Then a whole pull works.
    let started = std::time::Instant::now();
    let rec = pull(&rt, &e2, &name, None).0.unwrap();
    eprintln!(
        "pull of the same into an empty root: {:?}",
        started.elapsed()
    );
    assert_eq!(rec.layers.len(), 2);
    assert_eq!(
        b2.ok(&["run", "--rm", &name, "sh", "-c", "wc -c < /filler"]),
        "8388608"
    );
}
