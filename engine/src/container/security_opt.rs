//! `--security-opt`, as Docker takes it: `no-new-privileges[=true|false]` (also the old
//! `no-new-privileges:true`), `seccomp=unconfined|PROFILE.json`, `systempaths=unconfined`,
//! and `label=...`/`apparmor=...`, which are accepted but do nothing here (Berth uses
//! neither SELinux nor AppArmor).
//!
//! At create the list is checked and recorded as Docker records it in
//! `HostConfig.SecurityOpt`: a seccomp profile file is replaced by its content
//! (`seccomp={...}`), so the container does not depend on the file staying put. At start
//! and exec the recorded list is read back by the same parser.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::runtime::seccomp::{self, profile, Seccomp};

/// What the options ask for.
#[derive(Debug, Clone, Default)]
pub struct SecurityOpts {
    pub no_new_privileges: bool,
    pub seccomp: Seccomp,
    /// `systempaths=unconfined`: no masked or read-only /proc and /sys paths.
    pub unconfined_system_paths: bool,
}

impl SecurityOpts {
    /// The filter a container gets: `--privileged` runs unconfined whatever was asked,
    /// as in Docker.
    pub fn seccomp_for(&self, privileged: bool) -> Seccomp {
        if privileged {
            Seccomp::Unconfined
        } else {
            self.seccomp.clone()
        }
    }
}

/// The options checked at create: what to record.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub record: Vec<String>,
}

fn invalid(opt: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid(format!("invalid --security-opt {opt:?}: {why}"))
}

/// One option as `KEY`, `KEY=VALUE` or Docker's older `KEY:VALUE`.
fn split(opt: &str) -> Result<(&str, Option<&str>)> {
    if opt == "no-new-privileges" {
        return Ok((opt, None));
    }
    opt.split_once('=')
        .or_else(|| opt.split_once(':'))
        .map(|(k, v)| (k, Some(v)))
        .ok_or_else(|| {
            invalid(
                opt,
                "expected KEY=VALUE (no-new-privileges, seccomp, systempaths, label, apparmor)",
            )
        })
}

/// Go's strconv.ParseBool, which Docker uses for no-new-privileges.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

const LABEL_KEYS: &[&str] = &["user", "role", "type", "level", "filetype"];

/// Apply one option to `out`. `profile_text` turns a `seccomp=` value that is not JSON
/// into the profile's text (reading the file at create; refusing in a record).
fn apply(
    opt: &str,
    out: &mut SecurityOpts,
    profile_text: &mut dyn FnMut(&str) -> Result<String>,
) -> Result<Option<String>> {
    let (key, value) = split(opt)?;
    match (key, value) {
        ("no-new-privileges", None) => out.no_new_privileges = true,
        ("no-new-privileges", Some(v)) => {
            out.no_new_privileges =
                parse_bool(v).ok_or_else(|| invalid(opt, "expected true or false"))?
        }
        ("seccomp", Some("unconfined")) => out.seccomp = Seccomp::Unconfined,
        ("seccomp", Some("")) => return Err(invalid(opt, "name a profile file or unconfined")),
        ("seccomp", Some(v)) => {
            let text = if v.trim_start().starts_with('{') {
                v.to_string()
            } else {
                profile_text(v)?
            };
            let p = profile::parse(&text).map_err(|e| invalid(opt, e))?;
            out.seccomp = Seccomp::Profile(Arc::new(p));
            return Ok(Some(format!("seccomp={}", text.trim())));
        }
        ("systempaths", Some("unconfined")) => out.unconfined_system_paths = true,
        ("label", Some(v)) => {
            let ok = matches!(v, "disable" | "nested")
                || v.split_once(':')
                    .is_some_and(|(k, _)| LABEL_KEYS.contains(&k));
            if !ok {
                return Err(invalid(
                    opt,
                    "expected label=disable or label=user|role|type|level|filetype:VALUE",
                ));
            }
        }
        ("apparmor", Some(v)) if !v.is_empty() => {}
        _ => {
            return Err(invalid(
                opt,
                "unknown option (berth takes no-new-privileges, seccomp=unconfined|PROFILE.json, \
                 systempaths=unconfined, label and apparmor)",
            ))
        }
    }
    Ok(Some(opt.to_string()))
}

/// Notes for the options that are accepted and do nothing here, for the front end to
/// show (the CLI prints them on stderr).
pub fn notes(opts: &[String]) -> Vec<String> {
    opts.iter().filter_map(|o| note(o)).collect()
}

fn note(opt: &str) -> Option<String> {
    let (key, _) = split(opt).ok()?;
    match key {
        "label" => Some(format!(
            "--security-opt {opt}: SELinux labels do not apply here (berth does not use SELinux); ignored"
        )),
        "apparmor" => Some(format!(
            "--security-opt {opt}: AppArmor profiles do not apply here (berth does not use AppArmor); ignored"
        )),
        _ => None,
    }
}

/// Check the options of `create` for a container holding `caps`, read any seccomp
/// profile file, and make sure its filter can be built.
pub fn prepare(opts: &[String], caps: &[String]) -> Result<Prepared> {
    let mut parsed = SecurityOpts::default();
    let mut out = Prepared::default();
    let mut seccomp_opt = None;
    for opt in opts {
        let mut read_file = |path: &str| {
            std::fs::read_to_string(path)
                .map_err(|e| invalid(opt, format_args!("reading the profile {path}: {e}")))
        };
        if let Some(rec) = apply(opt, &mut parsed, &mut read_file)? {
            out.record.push(rec);
        }
        if opt.starts_with("seccomp") {
            seccomp_opt = Some(opt);
        }
    }
    // The profile's meaning (actions, architectures, conditions) is checked by building
    // the filter the container would get.
    if let (Seccomp::Profile(_), Some(opt)) = (&parsed.seccomp, seccomp_opt) {
        let filter = seccomp::filter_for(&parsed.seccomp, caps).map_err(|e| invalid(opt, e))?;
        if let Some(f) = filter {
            seccomp::bpf::compile(&f).map_err(|e| invalid(opt, e))?;
        }
    }
    Ok(out)
}

/// Read a recorded list back (at start and exec).
pub fn parse(recorded: &[String]) -> Result<SecurityOpts> {
    let mut out = SecurityOpts::default();
    for opt in recorded {
        let mut no_files = |path: &str| -> Result<String> {
            Err(invalid(
                opt,
                format_args!("the record names a profile file ({path}) instead of its content"),
            ))
        };
        apply(opt, &mut out, &mut no_files)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_new_privileges_spellings() {
        for (opts, want) in [
            (vec![], false),
            (vec!["no-new-privileges"], true),
            (vec!["no-new-privileges=true"], true),
            (vec!["no-new-privileges:true"], true),
            (vec!["no-new-privileges=false"], false),
            (vec!["no-new-privileges", "no-new-privileges=false"], false),
        ] {
            let p = prepare(&strings(&opts), &[]).unwrap();
            assert_eq!(p.record, strings(&opts));
            assert_eq!(
                parse(&p.record).unwrap().no_new_privileges,
                want,
                "{opts:?}"
            );
        }
    }

    #[test]
    fn seccomp_profiles_are_recorded_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.json");
        let text = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}"#;
        std::fs::write(&file, format!("{text}\n")).unwrap();
        let opt = format!("seccomp={}", file.display());
        let p = prepare(&[opt], &[]).unwrap();
        assert_eq!(p.record, vec![format!("seccomp={text}")]);
        std::fs::remove_file(&file).unwrap();
        let back = parse(&p.record).unwrap();
        assert!(matches!(back.seccomp, Seccomp::Profile(_)));
        assert!(matches!(back.seccomp_for(true), Seccomp::Unconfined));
        let p = prepare(&strings(&["seccomp=unconfined"]), &[]).unwrap();
        assert!(matches!(
            parse(&p.record).unwrap().seccomp,
            Seccomp::Unconfined
        ));
    }

    #[test]
    fn label_and_apparmor_are_accepted_with_a_note() {
        let opts = strings(&[
            "label=disable",
            "label=type:svirt_t",
            "apparmor=unconfined",
            "no-new-privileges",
        ]);
        let p = prepare(&opts, &[]).unwrap();
        assert!(parse(&p.record).is_ok());
        let notes = notes(&opts);
        assert_eq!(notes.len(), 3);
        assert!(notes[0].contains("SELinux"), "{notes:?}");
        assert!(notes[2].contains("AppArmor"), "{notes:?}");
    }

    #[test]
    fn bad_options_name_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let notify = dir.path().join("notify.json");
        std::fs::write(&notify, r#"{"defaultAction": "SCMP_ACT_NOTIFY"}"#).unwrap();
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, "{ nope").unwrap();
        let missing = dir.path().join("missing.json");
        for (opt, says) in [
            ("bogus".to_string(), "expected KEY=VALUE"),
            ("foo=bar".into(), "unknown option"),
            ("no-new-privileges=maybe".into(), "expected true or false"),
            ("seccomp=".into(), "name a profile file"),
            ("label=bogus".into(), "expected label=disable"),
            ("apparmor=".into(), "unknown option"),
            ("systempaths=confined".into(), "unknown option"),
            (
                format!("seccomp={}", missing.display()),
                "reading the profile",
            ),
            (
                format!("seccomp={}", broken.display()),
                "not a seccomp profile",
            ),
            (format!("seccomp={}", notify.display()), "SCMP_ACT_NOTIFY"),
        ] {
            let err = prepare(std::slice::from_ref(&opt), &[]).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("invalid --security-opt {opt:?}: ")),
                "{text}"
            );
            assert!(text.contains(says), "{opt}: {text}");
            assert!(matches!(err, Error::InvalidArgument(_)));
        }
    }
}
