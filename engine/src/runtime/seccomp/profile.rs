//! Docker's seccomp profile format (`--security-opt seccomp=PROFILE.json`, the format of
//! moby's `profiles/seccomp/default.json`): `defaultAction`, `defaultErrnoRet`,
//! `architectures`, and `syscalls` entries with `names`, `action`, `errnoRet`, `args`,
//! `includes`/`excludes` (by capability, architecture and kernel version).
//!
//! Rules name x86_64 system calls and are applied to x86_64 calls; the filter refuses
//! the foreign ABIs (i386, x32) whatever `architectures` lists. Names the kernel does
//! not have on x86_64 are skipped, as runc does, since Docker's own profile lists calls
//! of every architecture. What cannot be expressed (`SCMP_ACT_NOTIFY`, `listenerPath`,
//! filter `flags`) is an error that says so.

use serde::Deserialize;

use super::bpf::{Action, ArgCond, Cmp, Filter, Rule};
use super::syscalls;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub default_action: String,
    #[serde(default)]
    pub default_errno_ret: Option<u16>,
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default)]
    pub arch_map: Vec<ArchMap>,
    #[serde(default)]
    pub syscalls: Vec<SyscallRule>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub listener_path: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMap {
    pub architecture: String,
    #[serde(default)]
    pub sub_architectures: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyscallRule {
    #[serde(default)]
    pub names: Vec<String>,
    /// The old single-name spelling.
    #[serde(default)]
    pub name: String,
    pub action: String,
    #[serde(default)]
    pub errno_ret: Option<u16>,
    #[serde(default)]
    pub args: Option<Vec<Arg>>,
    #[serde(default)]
    pub includes: Filters,
    #[serde(default)]
    pub excludes: Filters,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Arg {
    pub index: u8,
    pub value: u64,
    #[serde(default)]
    pub value_two: u64,
    pub op: String,
}

/// When a rule applies: `includes` needs one of each listed kind to match, `excludes`
/// drops the rule when any does.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    #[serde(default)]
    pub arches: Vec<String>,
    #[serde(default)]
    pub caps: Vec<String>,
    #[serde(default)]
    pub min_kernel: String,
}

/// The architectures a profile may name (libseccomp's names).
const ARCHES: &[&str] = &[
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",
    "SCMP_ARCH_SH",
    "SCMP_ARCH_SHEB",
];

/// Parse a profile's JSON text. Only the syntax is checked here; [`Profile::filter`]
/// checks the meaning.
pub fn parse(text: &str) -> Result<Profile, String> {
    serde_json::from_str(text).map_err(|e| format!("not a seccomp profile: {e}"))
}

fn action(name: &str, errno: Option<u16>) -> Result<Action, String> {
    Ok(match name {
        "SCMP_ACT_ALLOW" => Action::Allow,
        "SCMP_ACT_ERRNO" => Action::Errno(errno.unwrap_or(libc::EPERM as u16)),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
        "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
        "SCMP_ACT_TRAP" => Action::Trap,
        "SCMP_ACT_TRACE" => Action::Trace(errno.unwrap_or(libc::ENOSYS as u16)),
        "SCMP_ACT_LOG" => Action::Log,
        "SCMP_ACT_NOTIFY" => {
            return Err(
                "action SCMP_ACT_NOTIFY is not supported (berth has no seccomp agent)".into(),
            )
        }
        other => return Err(format!("unknown action {other:?}")),
    })
}

fn cmp(a: &Arg) -> Result<ArgCond, String> {
    if a.index > 5 {
        return Err(format!("argument index {} is out of range 0..5", a.index));
    }
    let cmp = match a.op.as_str() {
        "SCMP_CMP_EQ" => Cmp::Eq(a.value),
        "SCMP_CMP_NE" => Cmp::Ne(a.value),
        "SCMP_CMP_LT" => Cmp::Lt(a.value),
        "SCMP_CMP_LE" => Cmp::Le(a.value),
        "SCMP_CMP_GT" => Cmp::Gt(a.value),
        "SCMP_CMP_GE" => Cmp::Ge(a.value),
        "SCMP_CMP_MASKED_EQ" => Cmp::MaskedEq {
            mask: a.value,
            value: a.value_two,
        },
        other => return Err(format!("unknown argument operator {other:?}")),
    };
    Ok(ArgCond {
        index: a.index,
        cmp,
    })
}

/// `major.minor` of a kernel release such as `6.1.0-13-amd64`.
fn kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// What a rule's includes/excludes are checked against.
pub struct Context<'a> {
    /// The container's capabilities (`CAP_SYS_ADMIN` form).
    pub caps: &'a [String],
    /// The running kernel's `major.minor`.
    pub kernel: (u32, u32),
}

impl Context<'_> {
    pub fn of_this_host(caps: &[String]) -> Context<'_> {
        let release = nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default();
        Context {
            caps,
            kernel: kernel_version(&release).unwrap_or((0, 0)),
        }
    }

    fn has_cap(&self, c: &str) -> bool {
        self.caps.contains(&crate::runtime::caps::normalize(c))
    }

    fn kernel_at_least(&self, min: &str) -> Result<Option<bool>, String> {
        if min.is_empty() {
            return Ok(None);
        }
        let want = kernel_version(min).ok_or_else(|| format!("invalid minKernel {min:?}"))?;
        Ok(Some(self.kernel >= want))
    }

    /// Docker's reading: every listed kind of `includes` must hold (all its caps, one of
    /// its arches), and any condition of `excludes` that holds drops the rule.
    fn applies(&self, rule: &SyscallRule) -> Result<bool, String> {
        let (inc, exc) = (&rule.includes, &rule.excludes);
        let excluded = exc.arches.iter().any(|a| a == GO_ARCH)
            || exc.caps.iter().any(|c| self.has_cap(c))
            || self.kernel_at_least(&exc.min_kernel)? == Some(true);
        let included = (inc.arches.is_empty() || inc.arches.iter().any(|a| a == GO_ARCH))
            && inc.caps.iter().all(|c| self.has_cap(c))
            && self.kernel_at_least(&inc.min_kernel)? != Some(false);
        Ok(included && !excluded)
    }
}

/// This architecture as Docker's profiles name it in includes/excludes (Go's GOARCH).
const GO_ARCH: &str = "amd64";

impl Profile {
    /// The filter this profile gives a container in `ctx`.
    pub fn filter(&self, ctx: &Context) -> Result<Filter, String> {
        if !self.listener_path.is_empty() {
            return Err("listenerPath is not supported (berth has no seccomp agent)".into());
        }
        if let Some(f) = self.flags.first() {
            return Err(format!("filter flag {f:?} is not supported"));
        }
        let arches = self
            .architectures
            .iter()
            .chain(self.arch_map.iter().map(|m| &m.architecture))
            .chain(self.arch_map.iter().flat_map(|m| &m.sub_architectures));
        for a in arches {
            if !ARCHES.contains(&a.as_str()) {
                return Err(format!("unknown architecture {a:?}"));
            }
        }
        let default = action(&self.default_action, self.default_errno_ret)
            .map_err(|e| format!("defaultAction: {e}"))?;
        let mut rules = Vec::new();
        for (i, s) in self.syscalls.iter().enumerate() {
            let at = |e: String| {
                let first = s.names.first().unwrap_or(&s.name);
                format!("syscalls[{i}] ({first}): {e}")
            };
            let act = action(&s.action, s.errno_ret).map_err(at)?;
            let args: Vec<ArgCond> = s
                .args
                .iter()
                .flatten()
                .map(cmp)
                .collect::<Result<_, _>>()
                .map_err(at)?;
            if !ctx.applies(s).map_err(at)? {
                continue;
            }
            let names = s
                .names
                .iter()
                .chain((!s.name.is_empty()).then_some(&s.name));
            for name in names {
                // Not a system call on x86_64 (Docker's profile lists every arch's).
                let Some(nr) = syscalls::number(name) else {
                    continue;
                };
                rules.push(Rule {
                    nr,
                    args: args.clone(),
                    action: act,
                });
            }
        }
        Ok(Filter { default, rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(caps: &[String]) -> Context<'_> {
        Context {
            caps,
            kernel: (6, 1),
        }
    }

    #[test]
    fn a_small_deny_profile() {
        let p = parse(
            r#"{"defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                "syscalls": [
                  {"names": ["mkdir", "mkdirat", "no_such_call"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                  {"name": "chmod", "action": "SCMP_ACT_ERRNO"}
                ]}"#,
        )
        .unwrap();
        let f = p.filter(&ctx(&[])).unwrap();
        assert_eq!(f.default, Action::Allow);
        let nrs: Vec<_> = f.rules.iter().map(|r| (r.nr, r.action)).collect();
        assert_eq!(
            nrs,
            vec![
                (libc::SYS_mkdir as u32, Action::Errno(13)),
                (libc::SYS_mkdirat as u32, Action::Errno(13)),
                (libc::SYS_chmod as u32, Action::Errno(1)),
            ]
        );
    }

    #[test]
    fn includes_and_excludes_follow_caps_arch_and_kernel() {
        let p = parse(
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
                {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
                 "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
                {"names": ["io_uring_setup"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "7.0"}},
                {"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}}
            ]}"#,
        )
        .unwrap();
        let names = |caps: &[String]| -> Vec<u32> {
            p.filter(&ctx(caps))
                .unwrap()
                .rules
                .iter()
                .map(|r| r.nr)
                .collect()
        };
        let (mount, clone, read) = (
            libc::SYS_mount as u32,
            libc::SYS_clone as u32,
            libc::SYS_read as u32,
        );
        assert_eq!(names(&[]), vec![clone, read]);
        assert_eq!(names(&["CAP_SYS_ADMIN".into()]), vec![mount, read]);
        let f = p.filter(&ctx(&[])).unwrap();
        assert_eq!(
            f.rules[0].args,
            vec![ArgCond {
                index: 0,
                cmp: Cmp::MaskedEq {
                    mask: 2114060288,
                    value: 0
                }
            }]
        );
    }

    #[test]
    fn what_cannot_be_expressed_is_an_error() {
        for (text, says) in [
            (r#"{"defaultAction": "SCMP_ACT_NOTIFY"}"#, "SCMP_ACT_NOTIFY"),
            (r#"{"defaultAction": "SCMP_ACT_BOGUS"}"#, "unknown action"),
            (
                r#"{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock"}"#,
                "listenerPath",
            ),
            (
                r#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"]}"#,
                "SECCOMP_FILTER_FLAG_LOG",
            ),
            (
                r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}"#,
                "unknown architecture",
            ),
            (
                r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#,
                "syscalls[0] (read): argument index 9",
            ),
            (
                r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]}"#,
                "unknown argument operator",
            ),
        ] {
            let err = parse(text).and_then(|p| p.filter(&ctx(&[]))).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
        assert!(parse("{").unwrap_err().contains("not a seccomp profile"));
        assert!(parse(r#"{"syscalls": []}"#)
            .unwrap_err()
            .contains("defaultAction"));
    }

    #[test]
    fn kernel_versions() {
        assert_eq!(kernel_version("6.18.44-fc-v1272"), Some((6, 18)));
        assert_eq!(kernel_version("5.8"), Some((5, 8)));
        assert_eq!(kernel_version("x"), None);
    }
}
