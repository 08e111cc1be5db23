//! Capabilities: Docker's default set, `--cap-add`/`--cap-drop`, and applying a set to
//! the current process (bounding set dropped first, then the working sets).

use std::collections::HashSet;

use caps::{CapSet, Capability, CapsHashSet};

/// Docker's default capability set for containers.
pub const DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// `chown`, `CHOWN` and `cap_chown` all name CAP_CHOWN, as in Docker.
pub fn normalize(name: &str) -> String {
    let up = name.trim().to_ascii_uppercase();
    if up == "ALL" || up.starts_with("CAP_") {
        up
    } else {
        format!("CAP_{up}")
    }
}

fn parse(name: &str) -> Result<Capability, String> {
    name.parse::<Capability>()
        .map_err(|_| format!("unknown capability: {name:?}"))
}

/// The final list: defaults, minus drops, plus adds (`ALL` works on either side).
pub fn compute(add: &[String], drop: &[String], privileged: bool) -> Result<Vec<String>, String> {
    let all: Vec<String> = caps::all().iter().map(|c| c.to_string()).collect();
    if privileged {
        return Ok(all);
    }
    let add: Vec<String> = add.iter().map(|s| normalize(s)).collect();
    let drop: Vec<String> = drop.iter().map(|s| normalize(s)).collect();
    for c in add.iter().chain(drop.iter()) {
        if c != "ALL" {
            parse(c)?;
        }
    }
    let mut set: Vec<String> = if drop.iter().any(|c| c == "ALL") {
        Vec::new()
    } else {
        DEFAULT_CAPS
            .iter()
            .map(|s| s.to_string())
            .filter(|c| !drop.contains(c))
            .collect()
    };
    if add.iter().any(|c| c == "ALL") {
        set = all.into_iter().filter(|c| !drop.contains(c)).collect();
    } else {
        for c in add {
            if !set.contains(&c) {
                set.push(c);
            }
        }
    }
    Ok(set)
}

/// Drop the bounding set to `keep`. Must run before switching user (needs CAP_SETPCAP).
pub fn limit_bounding(keep: &[String]) -> Result<(), String> {
    let keep: HashSet<Capability> = keep.iter().filter_map(|c| parse(c).ok()).collect();
    for cap in caps::all() {
        if !keep.contains(&cap) && caps::has_cap(None, CapSet::Bounding, cap).unwrap_or(false) {
            caps::drop(None, CapSet::Bounding, cap)
                .map_err(|e| format!("drop {cap} from bounding set: {e}"))?;
        }
    }
    Ok(())
}

/// Set effective, permitted and inheritable to `keep` (after the user switch, which keeps
/// capabilities through PR_SET_KEEPCAPS). The kernel then recomputes them at exec: root
/// keeps them; other users lose them unless files grant them, as in Docker.
pub fn apply_working_sets(keep: &[String]) -> Result<(), String> {
    // Never ask for more than we hold: `--privileged` means every capability berth
    // itself has (a host may withhold some, as this one does CAP_SYS_RESOURCE).
    let held =
        caps::read(None, CapSet::Permitted).map_err(|e| format!("read capabilities: {e}"))?;
    let set: CapsHashSet = keep
        .iter()
        .filter_map(|c| parse(c).ok())
        .filter(|c| held.contains(c))
        .collect();

    // Effective first: the kernel refuses a permitted set smaller than the effective one.
    caps::set(None, CapSet::Effective, &set)
        .map_err(|e| format!("set effective capabilities: {e}"))?;
    caps::set(None, CapSet::Permitted, &set)
        .map_err(|e| format!("set permitted capabilities: {e}"))?;

    caps::set(None, CapSet::Inheritable, &CapsHashSet::new())
        .map_err(|e| format!("clear inheritable capabilities: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_adds_and_drops() {
        let d = compute(&[], &[], false).unwrap();
        assert_eq!(d.len(), 14);
        assert!(!d.contains(&"CAP_SYS_ADMIN".to_string()));
        let d = compute(&["sys_admin".into()], &["NET_RAW".into()], false).unwrap();
        assert!(d.contains(&"CAP_SYS_ADMIN".to_string()));
        assert!(!d.contains(&"CAP_NET_RAW".to_string()));
        let d = compute(&["CHOWN".into()], &["ALL".into()], false).unwrap();
        assert_eq!(d, vec!["CAP_CHOWN".to_string()]);
        assert!(compute(&["CAP_BOGUS".into()], &[], false)
            .unwrap_err()
            .contains("CAP_BOGUS"));
    }
}
