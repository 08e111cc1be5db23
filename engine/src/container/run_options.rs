//! Small `run`/`create` flags with no module of their own, each checked before anything
//! is made: `--pull`, `--platform`, `--group-add`, `--oom-score-adj`, `--domainname`,
//! `--volumes-from` and `-a/--attach`.

use super::model::MountPoint;
use super::store::ContainerStore;
use crate::error::{Error, Result};

/// `--pull`: when the client pulls before it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullPolicy {
    #[default]
    Missing,
    Always,
    Never,
}

impl PullPolicy {
    pub fn parse(s: &str) -> Result<PullPolicy> {
        match s {
            "missing" => Ok(PullPolicy::Missing),
            "always" => Ok(PullPolicy::Always),
            "never" => Ok(PullPolicy::Never),
            _ => Err(Error::flag(
                "--pull",
                s,
                "must be one of \"always\", \"missing\" or \"never\"",
            )),
        }
    }
}

/// This host's platform in Docker's spelling (`linux/amd64`).
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!("linux/{arch}")
}

/// `--platform`: only the host's own (`linux`, `linux/ARCH`, `linux/ARCH/VARIANT`) can
/// run here; there is no emulation.
pub fn check_platform(p: &str) -> Result<()> {
    let host = host_platform();
    let lower = p.to_ascii_lowercase();
    let mut parts = lower.split('/');
    let os = parts.next().unwrap_or_default();
    let arch = parts.next();
    let ok = os == "linux"
        && arch.is_none_or(|a| Some(a) == host.split('/').nth(1))
        && parts.count() <= 1;
    if ok {
        Ok(())
    } else {
        Err(Error::flag(
            "--platform",
            p,
            format!("only this host's platform ({host}) can run here"),
        ))
    }
}

/// `--group-add`: a gid or a group name (looked up in the container's /etc/group at
/// start, where the image's files are).
pub fn check_groups(groups: &[String]) -> Result<()> {
    for g in groups {
        let numeric = g.parse::<u32>().is_ok();
        let name = !g.is_empty()
            && !g.starts_with('-')
            && g.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'));
        if !numeric && !name {
            return Err(Error::flag(
                "--group-add",
                g,
                "expected a group name or a gid",
            ));
        }
    }
    Ok(())
}

/// `--oom-score-adj`: the kernel's range.
pub fn check_oom_score_adj(v: i64) -> Result<()> {
    if (-1000..=1000).contains(&v) {
        Ok(())
    } else {
        Err(Error::flag(
            "--oom-score-adj",
            v.to_string(),
            "range for oom score adj is [-1000, 1000]",
        ))
    }
}

/// `--domainname`: what setdomainname(2) takes.
pub fn check_domainname(d: &str) -> Result<()> {
    if d.len() > 64 {
        return Err(Error::flag(
            "--domainname",
            d,
            format!("it is {} characters long, the limit is 64", d.len()),
        ));
    }
    if d.bytes().any(|b| b.is_ascii_whitespace() || b == 0) {
        return Err(Error::flag("--domainname", d, "no spaces allowed"));
    }
    Ok(())
}

/// `--volumes-from CONTAINER[:ro|rw]`: the other container's volumes and binds, in its
/// mode unless `ro`/`rw` says otherwise. Mounts the container asks for itself win (the
/// caller skips destinations it already has).
pub fn volumes_from(store: &ContainerStore, spec: &str) -> Result<Vec<MountPoint>> {
    let (name, mode) = match spec.rsplit_once(':') {
        Some((n, m @ ("ro" | "rw"))) => (n, Some(m)),
        Some((_, m)) => {
            return Err(Error::flag(
                "--volumes-from",
                spec,
                format!("invalid mode {m:?}: use ro or rw"),
            ))
        }
        None => (spec, None),
    };
    let c = store.find(name).map_err(|e| match e {
        Error::NotFound { .. } => {
            Error::flag("--volumes-from", spec, format!("no such container: {name}"))
        }
        e => e,
    })?;
    Ok(c.record
        .mounts
        .iter()
        .filter(|m| m.kind != "tmpfs")
        .map(|m| {
            let mut m = m.clone();
            // The volume stays the other container's: our `rm -v` must not take it.
            m.anonymous = false;
            match mode {
                Some("ro") => m.rw = false,
                Some(_) => m.rw = true,
                None => {}
            }
            m
        })
        .collect())
}

/// `-a/--attach`: which streams a foreground client attaches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachStreams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl AttachStreams {
    /// Docker's names, any case; several may be given.
    pub fn parse(values: &[String]) -> Result<AttachStreams> {
        let mut a = AttachStreams {
            stdin: false,
            stdout: false,
            stderr: false,
        };
        for v in values {
            match v.to_ascii_lowercase().as_str() {
                "stdin" => a.stdin = true,
                "stdout" => a.stdout = true,
                "stderr" => a.stderr = true,
                _ => {
                    return Err(Error::flag(
                        "--attach",
                        v,
                        "valid streams are STDIN, STDOUT and STDERR",
                    ))
                }
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policies() {
        assert_eq!(PullPolicy::parse("never").unwrap(), PullPolicy::Never);
        assert_eq!(PullPolicy::parse("always").unwrap(), PullPolicy::Always);
        let msg = PullPolicy::parse("sometimes").unwrap_err().to_string();
        assert!(msg.contains("\"--pull\" flag"), "{msg}");
    }

    #[test]
    fn only_the_hosts_platform() {
        let host = host_platform();
        assert!(check_platform("linux").is_ok());
        assert!(check_platform(&host).is_ok());
        let arch = host.split('/').nth(1).unwrap().to_string();
        let other = if arch == "amd64" {
            "linux/arm64"
        } else {
            "linux/amd64"
        };
        for p in [other, "windows/amd64", "", "linux/amd64/v8/x"] {
            if p == "linux/amd64/v8/x" && arch != "amd64" {
                continue;
            }
            let msg = check_platform(p).unwrap_err().to_string();
            assert!(msg.contains("\"--platform\" flag"), "{p}: {msg}");
        }
    }

    #[test]
    fn small_checks() {
        assert!(check_groups(&["audio".into(), "1234".into()]).is_ok());
        assert!(check_groups(&["a b".into()])
            .unwrap_err()
            .to_string()
            .contains("--group-add"));
        assert!(check_oom_score_adj(-1000).is_ok() && check_oom_score_adj(1000).is_ok());
        assert!(check_oom_score_adj(1001)
            .unwrap_err()
            .to_string()
            .contains("\"--oom-score-adj\" flag"));
        assert!(check_domainname("example.com").is_ok());
        assert!(check_domainname(&"d".repeat(65)).is_err());
        let a = AttachStreams::parse(&["STDOUT".into(), "stderr".into()]).unwrap();
        assert!(!a.stdin && a.stdout && a.stderr);
        assert!(AttachStreams::parse(&["stdio".into()])
            .unwrap_err()
            .to_string()
            .contains("\"--attach\" flag"));
    }
}
