//! tmpfs mount options (`--tmpfs /dst:OPTS`, `--mount type=tmpfs,...`): checked at
//! create time, so a typo is an error that names the flag instead of a mount failure at
//! start, and turned into mount flags and data at start by the same parser.
//!
//! As in Docker, a tmpfs is `noexec,nosuid,nodev` unless the options say `exec`, `suid`
//! or `dev`: a scratch directory is not a place to run or escalate from by default.

use nix::mount::MsFlags;

/// What a tmpfs is mounted with, apart from read-only (which the mount point records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmpfsOptions {
    pub flags: MsFlags,
    /// The filesystem's own options (`size=`, `mode=`...), comma-separated.
    pub data: String,
    /// `ro`/`rw` if the options name one.
    pub readonly: Option<bool>,
}

/// What every tmpfs gets unless its options say otherwise.
pub fn default_flags() -> MsFlags {
    MsFlags::MS_NOEXEC | MsFlags::MS_NOSUID | MsFlags::MS_NODEV
}

/// Flags a tmpfs option sets (true) or clears (false).
fn flag_option(name: &str) -> Option<(MsFlags, bool)> {
    Some(match name {
        "exec" => (MsFlags::MS_NOEXEC, false),
        "noexec" => (MsFlags::MS_NOEXEC, true),
        "suid" => (MsFlags::MS_NOSUID, false),
        "nosuid" => (MsFlags::MS_NOSUID, true),
        "dev" => (MsFlags::MS_NODEV, false),
        "nodev" => (MsFlags::MS_NODEV, true),
        "sync" => (MsFlags::MS_SYNCHRONOUS, true),
        "async" => (MsFlags::MS_SYNCHRONOUS, false),
        "dirsync" => (MsFlags::MS_DIRSYNC, true),
        "atime" => (MsFlags::MS_NOATIME, false),
        "noatime" => (MsFlags::MS_NOATIME, true),
        "diratime" => (MsFlags::MS_NODIRATIME, false),
        "nodiratime" => (MsFlags::MS_NODIRATIME, true),
        "relatime" => (MsFlags::MS_RELATIME, true),
        "norelatime" => (MsFlags::MS_RELATIME, false),
        "strictatime" => (MsFlags::MS_STRICTATIME, true),
        "nostrictatime" => (MsFlags::MS_STRICTATIME, false),
        _ => return None,
    })
}

/// Parse tmpfs options as `--tmpfs` takes them (`size=64m,mode=1777,exec,ro`). The
/// error says which option is wrong and why; the caller names the flag.
pub fn parse(opts: &str) -> Result<TmpfsOptions, String> {
    let mut flags = default_flags();
    let mut data = Vec::new();
    let mut readonly = None;
    for opt in opts.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        if let Some((bits, set)) = flag_option(opt) {
            flags.set(bits, set);
            continue;
        }
        match opt {
            "ro" => readonly = Some(true),
            "rw" => readonly = Some(false),
            // Every berth mount is private (the container's mount namespace is), so
            // asking for it changes nothing.
            "private" | "rprivate" => {}
            "noswap" => data.push(opt.to_string()),
            _ => {
                let (key, value) = opt
                    .split_once('=')
                    .ok_or_else(|| format!("unknown option {opt:?}"))?;
                check_data(key, value)?;
                data.push(opt.to_string());
            }
        }
    }
    Ok(TmpfsOptions {
        flags,
        data: data.join(","),
        readonly,
    })
}

fn check_data(key: &str, value: &str) -> Result<(), String> {
    let ok = match key {
        "size" => is_mem_size(value) || is_percent(value),
        "nr_blocks" | "nr_inodes" => is_mem_size(value),
        "mode" => is_mode(value),
        "uid" | "gid" => value.parse::<u32>().is_ok(),
        "huge" => matches!(
            value,
            "never" | "always" | "within_size" | "advise" | "deny" | "force"
        ),
        "mpol" => {
            let policy = value.split(':').next().unwrap_or("");
            matches!(
                policy,
                "default" | "prefer" | "bind" | "interleave" | "local"
            )
        }
        _ => return Err(format!("unknown option {key:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid value {value:?} for {key}: {}",
            expected(key)
        ))
    }
}

fn expected(key: &str) -> &'static str {
    match key {
        "size" => "expected a number of bytes with an optional k, m, g, t, p or e suffix, or a percentage of memory such as 50%",
        "nr_blocks" | "nr_inodes" => "expected a number with an optional k, m, g, t, p or e suffix",
        "mode" => "expected an octal mode such as 1777",
        "uid" | "gid" => "expected a numeric id",
        "huge" => "expected never, always, within_size, advise, deny or force",
        _ => "expected default, prefer:NODE, bind:NODES, interleave[:NODES] or local",
    }
}

/// The kernel's memparse syntax: digits, then at most one of k, m, g, t, p, e.
fn is_mem_size(v: &str) -> bool {
    let digits = v.trim_end_matches(|c: char| "kKmMgGtTpPeE".contains(c));
    v.len() - digits.len() <= 1 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_percent(v: &str) -> bool {
    v.strip_suffix('%')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_mode(v: &str) -> bool {
    !v.is_empty() && u32::from_str_radix(v, 8).is_ok_and(|m| m <= 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_noexec_nosuid_nodev_and_options_override() {
        let o = parse("").unwrap();
        assert_eq!(o.flags, default_flags());
        assert_eq!((o.data.as_str(), o.readonly), ("", None));
        let o = parse("size=64m,exec,mode=1777,ro").unwrap();
        assert_eq!(o.flags, MsFlags::MS_NOSUID | MsFlags::MS_NODEV);
        assert_eq!(o.data, "size=64m,mode=1777");
        assert_eq!(o.readonly, Some(true));
        let o = parse("suid,dev,noatime").unwrap();
        assert_eq!(o.flags, MsFlags::MS_NOEXEC | MsFlags::MS_NOATIME);
        // The last word wins, as with mount(8).
        assert_eq!(parse("exec,noexec").unwrap().flags, default_flags());
    }

    #[test]
    fn data_options_are_checked() {
        for good in [
            "size=64m",
            "size=1048576",
            "size=50%",
            "nr_inodes=1k",
            "mode=700",
            "uid=1000,gid=1000",
            "huge=within_size",
            "mpol=bind:0",
            "noswap",
            "rprivate",
        ] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("size=abc", "invalid value \"abc\" for size"),
            ("size=64mb", "invalid value \"64mb\" for size"),
            ("size=", "invalid value \"\" for size"),
            ("mode=999", "octal"),
            ("mode=17777", "octal"),
            ("uid=bob", "numeric"),
            ("bogus", "unknown option \"bogus\""),
            ("colour=blue", "unknown option \"colour\""),
            ("shared", "unknown option \"shared\""),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn ram_sizes_as_docker_reads_them() {
        assert_eq!(crate::util::ram_in_bytes("1024").unwrap(), 1024);
        assert_eq!(crate::util::ram_in_bytes("64m").unwrap(), 64 << 20);
        assert_eq!(crate::util::ram_in_bytes("64MiB").unwrap(), 64 << 20);
        assert_eq!(crate::util::ram_in_bytes("1.5g").unwrap(), 3 << 29);
        assert_eq!(crate::util::ram_in_bytes("2 kb").unwrap(), 2048);
        for bad in ["abc", "", "64x", "1mm", "-1", "1.2.3k"] {
            assert!(crate::util::ram_in_bytes(bad).is_err(), "{bad}");
        }
    }
}
