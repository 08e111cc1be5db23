//! v1 freezer controller: `pause` and `unpause`.
//!
//! Writing FROZEN starts freezing; the state reads FREEZING until every task has stopped
//! (a task in an uninterruptible sleep can hold it there), so freezing waits for FROZEN
//! and, if it never comes, thaws again rather than leave the cgroup half frozen.

use std::path::Path;
use std::time::Duration;

use super::super::files::{read, wait_until, write};
use crate::error::{Error, Result};

pub const STATE: &str = "freezer.state";

pub fn freeze(dir: &Path, timeout: Duration) -> Result<()> {
    let state = dir.join(STATE);
    write(&state, "FROZEN")?;
    let mut last = String::new();
    let frozen = wait_until(timeout, || {
        last = read(&state)?;
        Ok(last == "FROZEN")
    })?;
    if frozen {
        return Ok(());
    }
    let _ = thaw(dir, timeout);
    Err(Error::Runtime(format!(
        "timed out after {timeout:?} freezing {}: state {last}",
        state.display()
    )))
}

pub fn thaw(dir: &Path, timeout: Duration) -> Result<()> {
    let state = dir.join(STATE);
    write(&state, "THAWED")?;
    let mut last = String::new();
    let thawed = wait_until(timeout, || {
        last = read(&state)?;
        Ok(last == "THAWED")
    })?;
    if thawed {
        Ok(())
    } else {
        Err(Error::Runtime(format!(
            "timed out after {timeout:?} thawing {}: state {last}",
            state.display()
        )))
    }
}

/// FROZEN or FREEZING: either way some tasks may be stopped and need a thaw before a
/// SIGKILL can land.
pub fn is_freezing_or_frozen(dir: &Path) -> Result<bool> {
    Ok(read(&dir.join(STATE))? != "THAWED")
}

pub fn is_frozen(dir: &Path) -> Result<bool> {
    Ok(read(&dir.join(STATE))? == "FROZEN")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn freeze_and_thaw_fixture() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(d.join(STATE), "THAWED\n").unwrap();
        assert!(!is_frozen(d).unwrap());
        freeze(d, Duration::from_millis(100)).unwrap();
        assert_eq!(fs::read_to_string(d.join(STATE)).unwrap(), "FROZEN");
        assert!(is_frozen(d).unwrap());
        thaw(d, Duration::from_millis(100)).unwrap();
        assert!(!is_frozen(d).unwrap());
    }

    #[test]
    fn missing_freezer_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let err = freeze(&tmp.path().join("gone"), Duration::from_millis(10)).unwrap_err();
        assert!(err.to_string().contains("freezer.state"), "{err}");
    }
}
