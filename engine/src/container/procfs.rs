//! Reading /proc for the container code: process liveness with PID-reuse protection.

use std::fs;

/// Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat).
pub fn start_time(pid: i32) -> Option<u64> {
    if pid <= 0 {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Process state letter (R, S, Z...).
pub fn state(pid: i32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 2..].chars().next()
}

/// Is `pid` alive and the very process that started at `start`?
pub fn process_matches(pid: i32, start: u64) -> bool {
    match start_time(pid) {
        Some(t) => t == start && state(pid) != Some('Z'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_process_matches_itself_only() {
        let me = std::process::id() as i32;
        let t = super::start_time(me).unwrap();
        assert!(super::process_matches(me, t));
        assert!(!super::process_matches(me, t + 1));
        assert!(!super::process_matches(0, t));
    }
}
