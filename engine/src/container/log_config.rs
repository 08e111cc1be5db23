//! `--log-driver` and `--log-opt`: checked and recorded as Docker's
//! `HostConfig.LogConfig`. Only the drivers that keep logs on this machine exist here
//! (`json-file`, `local`, `none`); what the options do to the log file is the log
//! writer's business, this module only decides what may be recorded.

use std::collections::BTreeMap;

use super::model::LogConfig;
use crate::error::{Error, Result};

const DRIVERS: &[&str] = &["json-file", "local", "none"];

/// The options each file driver takes.
const FILE_OPTS: &[&str] = &["max-size", "max-file", "compress"];

/// Build the log config from `--log-driver` (None: json-file) and `--log-opt KEY=VALUE`.
pub fn parse(driver: Option<&str>, opts: &[String]) -> Result<LogConfig> {
    let kind = driver.unwrap_or("json-file");
    if !DRIVERS.contains(&kind) {
        return Err(Error::flag(
            "--log-driver",
            kind,
            format!("no log driver named {kind:?}: use {}", DRIVERS.join(", ")),
        ));
    }
    let mut config = BTreeMap::new();
    for o in opts {
        let (k, v) = o
            .split_once('=')
            .ok_or_else(|| Error::flag("--log-opt", o, "expected KEY=VALUE"))?;
        if kind == "none" || !FILE_OPTS.contains(&k) {
            return Err(Error::flag(
                "--log-opt",
                o,
                format!("unknown log opt '{k}' for {kind} log driver"),
            ));
        }
        config.insert(k.to_string(), v.to_string());
    }
    if let Some(size) = config.get("max-size") {
        let n = crate::util::ram_in_bytes(size)
            .map_err(|e| Error::flag("--log-opt", format!("max-size={size}"), e))?;
        if n == 0 {
            return Err(Error::flag(
                "--log-opt",
                format!("max-size={size}"),
                "max-size must be greater than 0",
            ));
        }
    }
    if let Some(files) = config.get("max-file") {
        let bad = |why: &str| Error::flag("--log-opt", format!("max-file={files}"), why);
        match files.parse::<i64>() {
            Ok(n) if n >= 1 => {}
            Ok(_) => return Err(bad("max-file cannot be less than 1")),
            Err(_) => return Err(bad("max-file must be a whole number")),
        }
        if !config.contains_key("max-size") {
            return Err(bad(
                "max-file needs max-size: without a size limit nothing rotates",
            ));
        }
    }
    if let Some(c) = config.get("compress") {
        if c != "true" && c != "false" {
            return Err(Error::flag(
                "--log-opt",
                format!("compress={c}"),
                "compress must be true or false",
            ));
        }
    }
    Ok(LogConfig {
        kind: kind.to_string(),
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_good_options() {
        assert_eq!(parse(None, &[]).unwrap(), LogConfig::default());
        let c = parse(
            Some("local"),
            &opts(&["max-size=10m", "max-file=3", "compress=false"]),
        )
        .unwrap();
        assert_eq!(c.kind, "local");
        assert_eq!(c.config["max-size"], "10m");
        assert_eq!(c.config["max-file"], "3");
        assert!(parse(Some("json-file"), &opts(&["max-size=512k"])).is_ok());
        assert!(parse(Some("json-file"), &opts(&["max-size=1048576"])).is_ok());
        assert_eq!(parse(Some("none"), &[]).unwrap().kind, "none");
    }

    #[test]
    fn refusals_name_the_flag() {
        let cases: &[(Option<&str>, &[&str], &str, &str)] = &[
            (Some("syslog"), &[], "--log-driver", "syslog"),
            (None, &["max-size"], "--log-opt", "KEY=VALUE"),
            (None, &["max-size=abc"], "--log-opt", "max-size=abc"),
            (None, &["max-size=0"], "--log-opt", "greater than 0"),
            (
                None,
                &["max-size=1m", "max-file=0"],
                "--log-opt",
                "less than 1",
            ),
            (
                None,
                &["max-size=1m", "max-file=x"],
                "--log-opt",
                "whole number",
            ),
            (None, &["max-file=2"], "--log-opt", "needs max-size"),
            (None, &["compress=yes"], "--log-opt", "true or false"),
            (
                None,
                &["colour=red"],
                "--log-opt",
                "unknown log opt 'colour'",
            ),
            (
                Some("none"),
                &["max-size=1m"],
                "--log-opt",
                "for none log driver",
            ),
        ];
        for (driver, o, flag, says) in cases {
            let msg = parse(*driver, &opts(o)).unwrap_err().to_string();
            assert!(
                msg.contains(&format!("\"{flag}\" flag")) && msg.contains(says),
                "{driver:?} {o:?}: {msg}"
            );
        }
    }
}
