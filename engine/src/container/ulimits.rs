//! `--ulimit NAME=SOFT[:HARD]`: the resource limits a container's process starts with,
//! under the names Docker takes (go-units'), recorded as Docker's `HostConfig.Ulimits`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One limit as Docker records it; -1 is unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    pub name: String,
    pub hard: i64,
    pub soft: i64,
}

/// The names Docker accepts, each with the kernel's resource.
const NAMES: &[(&str, nix::sys::resource::Resource)] = {
    use nix::sys::resource::Resource as R;
    &[
        ("as", R::RLIMIT_AS),
        ("core", R::RLIMIT_CORE),
        ("cpu", R::RLIMIT_CPU),
        ("data", R::RLIMIT_DATA),
        ("fsize", R::RLIMIT_FSIZE),
        ("locks", R::RLIMIT_LOCKS),
        ("memlock", R::RLIMIT_MEMLOCK),
        ("msgqueue", R::RLIMIT_MSGQUEUE),
        ("nice", R::RLIMIT_NICE),
        ("nofile", R::RLIMIT_NOFILE),
        ("nproc", R::RLIMIT_NPROC),
        ("rss", R::RLIMIT_RSS),
        ("rtprio", R::RLIMIT_RTPRIO),
        ("rttime", R::RLIMIT_RTTIME),
        ("sigpending", R::RLIMIT_SIGPENDING),
        ("stack", R::RLIMIT_STACK),
    ]
};

impl Ulimit {
    /// The kernel resource this limit sets (names were checked at parse time; a record
    /// edited by hand with an unknown name gets `None`).
    pub fn resource(&self) -> Option<nix::sys::resource::Resource> {
        NAMES.iter().find(|(n, _)| *n == self.name).map(|(_, r)| *r)
    }

    /// The kernel's value for a limit: -1 (and any negative) is RLIM_INFINITY.
    pub fn kernel_value(v: i64) -> u64 {
        if v < 0 {
            libc::RLIM_INFINITY
        } else {
            v as u64
        }
    }
}

const FLAG: &str = "--ulimit";

/// Parse one `--ulimit` value.
pub fn parse(s: &str) -> Result<Ulimit> {
    let bad = |why: String| Error::flag(FLAG, s, why);
    let (name, limits) = s
        .split_once('=')
        .ok_or_else(|| bad("expected NAME=SOFT[:HARD]".into()))?;
    if !NAMES.iter().any(|(n, _)| *n == name) {
        let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        return Err(bad(format!(
            "invalid ulimit type: {name} (one of {})",
            known.join(", ")
        )));
    }
    let num = |v: &str| {
        v.parse::<i64>()
            .map_err(|_| bad(format!("invalid ulimit argument: {v}")))
    };
    let (soft, hard) = match limits.split_once(':') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => {
            let v = num(limits)?;
            (v, v)
        }
    };
    // Unlimited (-1) is the largest value of all.
    let order = |v: i64| if v < 0 { u64::MAX } else { v as u64 };
    if order(soft) > order(hard) {
        return Err(bad(format!(
            "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
        )));
    }
    Ok(Ulimit {
        name: name.to_string(),
        hard,
        soft,
    })
}

/// Parse every `--ulimit`; a name given twice keeps the last, as Docker's map does.
pub fn parse_all(values: &[String]) -> Result<Vec<Ulimit>> {
    let mut out: Vec<Ulimit> = Vec::new();
    for v in values {
        let u = parse(v)?;
        out.retain(|o| o.name != u.name);
        out.push(u);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dockers_syntax() {
        let u = parse("nofile=1024:2048").unwrap();
        assert_eq!((u.name.as_str(), u.soft, u.hard), ("nofile", 1024, 2048));
        let u = parse("nproc=100").unwrap();
        assert_eq!((u.soft, u.hard), (100, 100));
        let u = parse("core=-1").unwrap();
        assert_eq!(Ulimit::kernel_value(u.soft), libc::RLIM_INFINITY);
        assert_eq!(parse("core=0:-1").unwrap().hard, -1);
    }

    #[test]
    fn refusals_name_the_flag() {
        for (v, says) in [
            ("nofile", "NAME=SOFT[:HARD]"),
            ("bogus=1", "invalid ulimit type: bogus"),
            ("nofile=x", "invalid ulimit argument: x"),
            ("nofile=10:5", "10 > 5"),
            ("nofile=-1:5", "-1 > 5"),
        ] {
            let msg = parse(v).unwrap_err().to_string();
            assert!(
                msg.contains("\"--ulimit\" flag") && msg.contains(says),
                "{v}: {msg}"
            );
        }
    }

    #[test]
    fn last_of_a_name_wins() {
        let all = parse_all(&["nofile=1".into(), "nproc=2".into(), "nofile=3".into()]).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].soft, 3);
        assert!(all.iter().all(|u| u.resource().is_some()));
    }
}
