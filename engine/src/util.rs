//! Small helpers shared by several modules: disk usage, Go-style durations, mountinfo
//! fields, go-units sizes.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A path field of /proc/PID/mountinfo as it is: the kernel writes space, tab, newline
/// and backslash as `\ooo` octal escapes.
pub fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let d = |k: usize| u32::from(b[i + k] - b'0');
            out.push((d(1) * 64 + d(2) * 8 + d(3)) as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Disk usage of a tree in bytes (apparent sizes, hard links counted once per walk).
pub fn du(p: &Path) -> u64 {
    let mut seen = std::collections::HashSet::new();
    du_inner(p, &mut seen)
}

fn du_inner(p: &Path, seen: &mut std::collections::HashSet<(u64, u64)>) -> u64 {
    let Ok(meta) = fs::symlink_metadata(p) else {
        return 0;
    };
    if meta.is_dir() {
        let Ok(rd) = fs::read_dir(p) else { return 0 };
        rd.flatten().map(|e| du_inner(&e.path(), seen)).sum()
    } else if meta.nlink() > 1 && !seen.insert((meta.dev(), meta.ino())) {
        0
    } else {
        meta.len()
    }
}

/// A Go-style duration (`1h30m`, `90s`, `500ms`) in nanoseconds.
pub fn parse_go_duration(s: &str) -> Option<i64> {
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * unit;
        rest = &rest[u..];
    }
    Some(total as i64)
}

/// go-units' RAMInBytes syntax as Docker takes it for `tmpfs-size=` and
/// `--log-opt max-size=` (`64m`, `1.5g`, `512MiB`, bytes without a suffix), 1024-based.
/// Returns bytes.
pub fn ram_in_bytes(v: &str) -> Result<u64, String> {
    let bad = || format!("invalid size {v:?}: expected bytes or a number with k, m, g, t or p");
    let lower = v.trim().to_ascii_lowercase();
    let unit_start = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(unit_start);
    let unit = unit.trim_start();
    let n: f64 = num.parse().map_err(|_| bad())?;
    let power = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return Err(bad()),
    };
    // Only "", "b", "ib" and "i" may follow the letter, as in go-units.
    if !matches!(unit.get(1..).unwrap_or(""), "" | "b" | "ib" | "i") {
        return Err(bad());
    }
    let bytes = n * 1024f64.powi(power);
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// go-units `HumanDuration`: "Less than a second", "About a minute",
/// "3 hours", "2 weeks", ... Negative durations (clock skew) read as
/// "Less than a second", as in Go.
pub fn human_duration(d: chrono::TimeDelta) -> String {
    let seconds = d.num_seconds();
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = d.num_minutes();
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // Hours round to nearest (Go: int(d.Hours() + 0.5)); the larger units
    // are then whole divisions of that rounded count.
    let exact_hours = d.num_milliseconds() as f64 / 3_600_000.0;
    let hours = (exact_hours + 0.5) as i64;
    if hours == 1 {
        "About an hour".into()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        // Years use the unrounded hours, as go-units does.
        format!("{} years", d.num_hours() / 24 / 365)
    }
}

/// This binary, for re-executing it as a helper (`__dns`, `__logship`): its real path,
/// so `ps` shows what runs, or /proc/self/exe if it is gone (replaced by an upgrade
/// under a long-running TUI or API service: the link then names a "(deleted)" path,
/// but /proc/self/exe still opens the running binary).
pub fn self_exe() -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "/proc/self/exe".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_undone_up_to_the_last_byte() {
        assert_eq!(unescape_mountinfo("/my\\040dir"), "/my dir");
        assert_eq!(unescape_mountinfo("/end\\040"), "/end ");
        assert_eq!(unescape_mountinfo("/no\\04"), "/no\\04");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
    }
}
