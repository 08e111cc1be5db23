//! `--pid`, `--ipc` and `--uts`: which namespaces a container shares instead of getting
//! its own, recorded as Docker records them (`PidMode`, `IpcMode`, `UTSMode`), checked
//! at create and turned into what the runtime joins at each start.
//!
//! IPC follows Docker 20.10: `private` (the default: own namespace, own /dev/shm),
//! `shareable` (the same, but others may join it), `host` (the host's namespace and
//! /dev/shm), `none` (own namespace, no /dev/shm) and `container:NAME`, which only a
//! running `shareable` container admits.

use std::path::PathBuf;

use super::store::ContainerStore;
use super::Container;
use crate::error::{Error, Result};
use crate::runtime::spec::{NsMode, ShmMount};

/// Docker's default /dev/shm size: 64 MiB.
pub const DEFAULT_SHM_SIZE: i64 = 64 << 20;

fn target(mode: &str) -> Option<&str> {
    mode.strip_prefix("container:")
}

fn find_target(store: &ContainerStore, flag: &'static str, mode: &str) -> Result<Container> {
    let name = target(mode).unwrap_or_default();
    if name.is_empty() {
        return Err(Error::flag(flag, mode, "container: needs a container name"));
    }
    store
        .find(name)
        .map_err(|_| Error::flag(flag, mode, format!("no such container: {name}")))
}

/// `--pid`: "" (own namespace), `host` or `container:NAME`.
pub fn check_pid(store: &ContainerStore, mode: &str) -> Result<()> {
    match mode {
        "" | "host" => Ok(()),
        m if target(m).is_some() => find_target(store, "--pid", m).map(|_| ()),
        m => Err(Error::flag("--pid", m, "use host or container:NAME")),
    }
}

/// `--ipc`: the mode to record ("" is Docker 20.10's default, `private`).
pub fn check_ipc(store: &ContainerStore, mode: &str) -> Result<String> {
    match mode {
        "" => Ok("private".into()),
        "private" | "shareable" | "host" | "none" => Ok(mode.into()),
        m if target(m).is_some() => {
            let t = find_target(store, "--ipc", m)?;
            shareable(&t, m)?;
            Ok(m.into())
        }
        m => Err(Error::flag(
            "--ipc",
            m,
            "use private, shareable, host, none or container:NAME",
        )),
    }
}

fn shareable(t: &Container, mode: &str) -> Result<()> {
    if t.record.host_config.ipc_mode == "shareable" {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "can't join IPC of container {}: non-shareable IPC (hint: use IpcMode:shareable for the donor container) (--ipc {mode})",
            t.name()
        )))
    }
}

/// `--uts`: "" or `host`; the host's UTS namespace leaves no hostname to set.
pub fn check_uts(mode: &str, hostname_given: bool) -> Result<()> {
    match mode {
        "" => Ok(()),
        "host" if hostname_given => Err(Error::invalid(
            "conflicting options: hostname and the UTS mode",
        )),
        "host" => Ok(()),
        m => Err(Error::flag("--uts", m, "use host")),
    }
}

/// A running container's namespace file, or Docker's refusal naming what was joined.
fn live_ns(
    store: &ContainerStore,
    what: &str,
    mode: &str,
    ns: &str,
) -> Result<(Container, PathBuf)> {
    let name = target(mode).unwrap_or_default();
    let t = store.find(name)?;
    if !t.state.status.is_live() || t.state.pid <= 0 {
        return Err(Error::Conflict(format!(
            "cannot join {what} of a non running container: {}",
            t.name()
        )));
    }
    let path = PathBuf::from(format!("/proc/{}/ns/{ns}", t.state.pid));
    Ok((t, path))
}

/// The PID namespace a start joins.
pub fn pid_ns(store: &ContainerStore, mode: &str) -> Result<NsMode> {
    Ok(match mode {
        "host" => NsMode::Host,
        m if target(m).is_some() => NsMode::Join(live_ns(store, "PID", m, "pid")?.1),
        _ => NsMode::Private,
    })
}

/// The IPC namespace a start of container `id` joins and the /dev/shm it mounts. A
/// shareable container's /dev/shm is mounted on the host side here (see `shm.rs`).
pub fn ipc_ns(
    paths: &crate::store::Paths,
    id: &str,
    mode: &str,
    shm_size: i64,
) -> Result<(NsMode, ShmMount)> {
    let store = ContainerStore::new(paths);
    let size = if shm_size > 0 {
        shm_size
    } else {
        DEFAULT_SHM_SIZE
    } as u64;
    Ok(match mode {
        "host" => (NsMode::Host, ShmMount::Host),
        "none" => (NsMode::Private, ShmMount::None),
        "shareable" => (
            NsMode::Private,
            ShmMount::Join(super::shm::ensure(paths, id, size)?),
        ),
        m if target(m).is_some() => {
            let (t, ns) = live_ns(&store, "IPC", m, "ipc")?;
            shareable(&t, m)?;
            let shm = super::shm::existing(paths, t.id())?;
            (NsMode::Join(ns), ShmMount::Join(shm))
        }
        _ => (NsMode::Private, ShmMount::Private(size)),
    })
}

/// The UTS namespace a start uses.
pub fn uts_ns(mode: &str) -> NsMode {
    if mode == "host" {
        NsMode::Host
    } else {
        NsMode::Private
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, ContainerStore) {
        let tmp = tempfile::tempdir().unwrap();
        let paths = crate::store::Paths::new(tmp.path().join("root"), tmp.path().join("run"));
        let s = ContainerStore::new(&paths);
        (tmp, s)
    }

    #[test]
    fn modes_parse_like_dockers() {
        let (_t, s) = store();
        assert!(check_pid(&s, "").is_ok() && check_pid(&s, "host").is_ok());
        let e = check_pid(&s, "bogus").unwrap_err().to_string();
        assert!(e.contains("\"--pid\" flag"), "{e}");
        let e = check_pid(&s, "container:nope").unwrap_err().to_string();
        assert!(e.contains("\"--pid\" flag") && e.contains("nope"), "{e}");
        assert_eq!(check_ipc(&s, "").unwrap(), "private");
        for m in ["private", "shareable", "host", "none"] {
            assert_eq!(check_ipc(&s, m).unwrap(), m);
        }
        let e = check_ipc(&s, "bogus").unwrap_err().to_string();
        assert!(e.contains("\"--ipc\" flag"), "{e}");
        assert!(check_uts("host", false).is_ok());
        assert!(check_uts("host", true)
            .unwrap_err()
            .to_string()
            .contains("UTS mode"));
        assert!(check_uts("x", false)
            .unwrap_err()
            .to_string()
            .contains("\"--uts\" flag"));
    }

    #[test]
    fn private_ipc_gets_its_own_shm_of_the_size_asked() {
        let (t, s) = store();
        let paths = crate::store::Paths::new(t.path().join("root"), t.path().join("run"));
        assert_eq!(
            ipc_ns(&paths, "c1", "private", 0).unwrap(),
            (NsMode::Private, ShmMount::Private(64 << 20))
        );
        assert_eq!(
            ipc_ns(&paths, "c1", "", 1 << 20).unwrap(),
            (NsMode::Private, ShmMount::Private(1 << 20))
        );
        assert_eq!(
            ipc_ns(&paths, "c1", "host", 0).unwrap(),
            (NsMode::Host, ShmMount::Host)
        );
        assert_eq!(ipc_ns(&paths, "c1", "none", 0).unwrap().1, ShmMount::None);
        assert_eq!(uts_ns("host"), NsMode::Host);
        assert_eq!(pid_ns(&s, "").unwrap(), NsMode::Private);
    }
}
