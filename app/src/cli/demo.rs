//! `berth demo`: a ready demo that needs no registry. It makes a busybox image from the
//! host's static busybox (`busybox-static`), then starts a few containers worth looking
//! at. `--rootfs FILE` only writes the image's rootfs tarball (the tests import it).

use std::path::{Path, PathBuf};

use berth_engine::container::create::CreateOptions;
use bollard::models as m;
use bollard::query_parameters as q;
use clap::Args;

use super::door::Door;
use super::{CliResult, Failure};
use crate::backend::{once_bytes, ErrorKind};

pub const DEMO_IMAGE: &str = "demo/busybox:latest";
const BUSYBOX_PATHS: &[&str] = &["/bin/busybox", "/usr/bin/busybox"];

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Only write the demo image's rootfs tarball to FILE and exit
    #[arg(long, value_name = "FILE")]
    rootfs: Option<PathBuf>,
}

fn find_busybox() -> Result<PathBuf, Failure> {
    for p in BUSYBOX_PATHS {
        let path = Path::new(p);
        // The image needs a static busybox: a dynamic one has no libc inside the container.
        if let Ok(bytes) = std::fs::read(path) {
            if is_static_elf(&bytes) {
                return Ok(path.to_path_buf());
            }
        }
    }
    Err("berth demo needs a static busybox: apt-get install -y busybox-static".into())
}

/// A 64-bit ELF without a PT_INTERP program header needs no dynamic loader.
fn is_static_elf(b: &[u8]) -> bool {
    let u16_at = |o: usize| {
        b.get(o..o + 2)
            .map(|s| u16::from_le_bytes([s[0], s[1]]) as usize)
    };
    let u64_at = |o: usize| {
        b.get(o..o + 8)
            .map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])) as usize)
    };
    if b.get(..5) != Some(b"\x7fELF\x02") {
        return false;
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        return false;
    };
    (0..phnum).all(|i| {
        let o = phoff + i * phentsize;
        b.get(o..o + 4)
            .is_some_and(|t| u32::from_le_bytes([t[0], t[1], t[2], t[3]]) != 3)
    })
}

/// A root-owned entry header with a fixed mtime, so the tarball is reproducible.
fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h
}

/// `--rootfs FILE`: the tarball into a file.
pub fn write_rootfs(out: &Path) -> Result<(), Failure> {
    let file = std::fs::File::create(out).map_err(|e| format!("create {}: {e}", out.display()))?;
    rootfs_tar(file, &out.display().to_string())?;
    Ok(())
}

/// A rootfs tarball: static busybox with every applet linked in /bin, a small /etc.
/// `what` names the destination in errors.
fn rootfs_tar<W: std::io::Write>(out: W, what: &str) -> Result<W, Failure> {
    let busybox = find_busybox()?;
    let list = std::process::Command::new(&busybox)
        .arg("--list")
        .output()
        .map_err(|e| format!("run {} --list: {e}", busybox.display()))?;
    let mut tar = tar::Builder::new(out);
    let io = |e: std::io::Error| Failure::from(format!("write {what}: {e}"));
    let dir = |tar: &mut tar::Builder<W>, path: &str, mode: u32| -> std::io::Result<()> {
        let mut h = header(tar::EntryType::Directory, mode, 0);
        tar.append_data(&mut h, path, std::io::empty())
    };
    for d in [
        "bin", "etc", "root", "home", "home/app", "var", "var/www", "usr", "usr/bin", "data",
    ] {
        dir(&mut tar, d, 0o755).map_err(io)?;
    }
    dir(&mut tar, "tmp", 0o1777).map_err(io)?;
    let file_entry = |tar: &mut tar::Builder<W>, path: &str, mode: u32, data: &[u8]| {
        let mut h = header(tar::EntryType::Regular, mode, data.len() as u64);
        tar.append_data(&mut h, path, data)
    };
    let bb = std::fs::read(&busybox).map_err(|e| format!("read {}: {e}", busybox.display()))?;
    file_entry(&mut tar, "bin/busybox", 0o755, &bb).map_err(io)?;
    for applet in String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|a| *a != "busybox")
    {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        tar.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .map_err(io)?;
    }
    let passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n";
    let group = "root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n";
    file_entry(&mut tar, "etc/passwd", 0o644, passwd.as_bytes()).map_err(io)?;
    file_entry(&mut tar, "etc/group", 0o644, group.as_bytes()).map_err(io)?;
    file_entry(&mut tar, "data/seed.txt", 0o644, b"from the image\n").map_err(io)?;
    file_entry(
        &mut tar,
        "var/www/index.html",
        0o644,
        b"<h1>Hello from a berth container</h1>\n",
    )
    .map_err(io)?;
    tar.into_inner().map_err(io)
}

/// The demo's user network: its containers find each other by name.
const DEMO_NETWORK: &str = "demo";

fn demo_container(
    door: &Door,
    name: &str,
    cmd: &[&str],
    restart: Option<&str>,
    tweak: impl FnOnce(&mut CreateOptions),
) -> Result<(), Failure> {
    let b = door.backend();
    let force = q::RemoveContainerOptions {
        force: true,
        v: true,
        link: false,
    };
    match door.call(b.container_remove(name, force)) {
        Err(e) if e.kind != ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    let mut labels = std::collections::BTreeMap::new();
    labels.insert("berth.demo".to_string(), "true".to_string());
    let mut opts = CreateOptions {
        image: DEMO_IMAGE.into(),
        name: Some(name.into()),
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        labels,
        restart: restart.map(String::from),
        init: true,
        memory: Some(64 << 20),
        network: Some(DEMO_NETWORK.into()),
        ..Default::default()
    };
    tweak(&mut opts);
    let req = super::create_request::request(&opts).map_err(|e| e.to_string())?;
    let id = door
        .call(b.container_create(req.name, req.platform, req.body))?
        .id;
    door.call(b.container_start(&id)).map_err(|e| Failure {
        code: 1,
        message: e.message,
    })?;
    Ok(())
}

pub fn run(door: &Door, a: DemoArgs) -> CliResult {
    if let Some(out) = a.rootfs {
        write_rootfs(&out)?;
        return Ok(0);
    }
    let b = door.backend();
    match door.call(b.image_inspect(DEMO_IMAGE)) {
        Ok(_) => {}
        Err(e) if e.kind == ErrorKind::NotFound => {
            let tar = rootfs_tar(Vec::new(), "the demo image")?;
            // `sh` by default, like the busybox image on Docker Hub.
            let changes = vec!["CMD [\"sh\"]".to_string()];
            door.call(b.image_import(
                once_bytes(tar.into()),
                Some(DEMO_IMAGE.into()),
                changes,
                None,
            ))?;
        }
        Err(e) => return Err(e.into()),
    }
    match door.call(b.network_inspect(DEMO_NETWORK)) {
        Ok(_) => {}
        Err(e) if e.kind == ErrorKind::NotFound => {
            let req = m::NetworkCreateRequest {
                name: DEMO_NETWORK.into(),
                ..Default::default()
            };
            door.call(b.network_create(req))?;
        }
        Err(e) => return Err(e.into()),
    }
    // A web server with a healthcheck, watched by autoheal: `berth exec demo-web rm
    // /var/www/healthy` breaks its health on purpose (seed 000's /make-unhealthy).
    demo_container(
        door,
        "demo-web",
        &[
            "sh",
            "-c",
            "touch /var/www/healthy; exec httpd -f -v -p 8080 -h /var/www",
        ],
        Some("unless-stopped"),
        |o| {
            o.publish = vec!["127.0.0.1::8080".into()];
            o.labels.insert("autoheal".into(), "true".into());
            o.health = berth_engine::container::health::HealthFlags {
                cmd: Some(
                    "test -f /var/www/healthy && wget -q -O /dev/null http://127.0.0.1:8080/"
                        .into(),
                ),
                interval: Some(std::time::Duration::from_secs(2)),
                timeout: Some(std::time::Duration::from_secs(1)),
                ..Default::default()
            };
        },
    )?;
    demo_container(
        door,
        "demo-ticker",
        &[
            "sh",
            "-c",
            "while true; do echo tick $(date +%T): demo-web sent $(wget -q -O- http://demo-web:8080/ | wc -c) bytes; sleep 1; done",
        ],
        Some("always"),
        |_| {},
    )?;
    demo_container(
        door,
        "demo-flaky",
        &[
            "sh",
            "-c",
            "echo working; sleep 5; echo giving up >&2; exit 3",
        ],
        Some("on-failure:3"),
        |_| {},
    )?;
    println!("Demo ready: image {DEMO_IMAGE}, network {DEMO_NETWORK}, containers demo-web (healthcheck, autoheal), demo-ticker, demo-flaky.\n");
    super::ps::run(door, super::ps::PsArgs::all())
}
