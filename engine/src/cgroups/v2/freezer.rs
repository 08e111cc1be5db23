//! v2 freezer (core, no controller needed): `cgroup.freeze` asks, and `cgroup.events`'
//! `frozen` line says when every task has actually stopped.

use std::path::Path;
use std::time::Duration;

use super::super::files::{keyed, read_opt, wait_until, write};
use crate::error::{Error, Result};

pub const FREEZE: &str = "cgroup.freeze";
pub const EVENTS: &str = "cgroup.events";

fn frozen_now(dir: &Path) -> Result<bool> {
    let events = read_opt(&dir.join(EVENTS))?.unwrap_or_default();
    Ok(keyed(&events, "frozen") == Some(1))
}

pub fn freeze(dir: &Path, timeout: Duration) -> Result<()> {
    write(&dir.join(FREEZE), "1")?;
    if wait_until(timeout, || frozen_now(dir))? {
        return Ok(());
    }
    // Do not leave it half frozen: the caller is told it failed, so it must still run.
    let _ = write(&dir.join(FREEZE), "0");
    Err(Error::Runtime(format!(
        "timed out after {timeout:?} freezing {}: {EVENTS} never said frozen 1",
        dir.display()
    )))
}

pub fn thaw(dir: &Path, timeout: Duration) -> Result<()> {
    write(&dir.join(FREEZE), "0")?;
    if wait_until(timeout, || Ok(!frozen_now(dir)?))? {
        return Ok(());
    }
    Err(Error::Runtime(format!(
        "timed out after {timeout:?} thawing {}",
        dir.display()
    )))
}

/// Whether a freeze was asked for, settled or not. An emptied cgroup whose freeze was
/// never undone reads `frozen 1` forever, so teardown goes by this, not by the events.
pub fn freeze_requested(dir: &Path) -> Result<bool> {
    Ok(read_opt(&dir.join(FREEZE))?.as_deref() == Some("1"))
}

pub fn is_frozen(dir: &Path) -> Result<bool> {
    if !dir.is_dir() {
        return Err(Error::not_found("cgroup", dir.display().to_string()));
    }
    frozen_now(dir)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn freeze_waits_for_events() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(d.join(EVENTS), "populated 1\nfrozen 1\n").unwrap();
        freeze(d, Duration::from_millis(50)).unwrap();
        assert_eq!(fs::read_to_string(d.join(FREEZE)).unwrap(), "1");
        assert!(is_frozen(d).unwrap() && freeze_requested(d).unwrap());
    }

    #[test]
    fn freeze_timeout_thaws_again() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(d.join(EVENTS), "populated 1\nfrozen 0\n").unwrap();
        let err = freeze(d, Duration::from_millis(30)).unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
        assert_eq!(fs::read_to_string(d.join(FREEZE)).unwrap(), "0");
        assert!(!is_frozen(d).unwrap());
        thaw(d, Duration::from_millis(30)).unwrap();
    }
}
