//! `--log-driver` and `--log-opt`: checked and recorded as Docker's
//! `HostConfig.LogConfig`. The drivers are the ones that keep logs on this machine
//! (`json-file`, `local`, `none`) and `awslogs` (see [`super::logdriver`]); what the
//! options do is the log writer's and the shipper's business, this module only decides
//! what may be recorded, with Docker's rules and words.

use std::collections::BTreeMap;

use super::logdriver::{self, awslogs::AwsOptions};
use super::model::LogConfig;
use crate::error::{Error, Result};

const DRIVERS: &[&str] = &["json-file", "local", "none", "awslogs"];

/// The options each file driver takes.
const FILE_OPTS: &[&str] = &["max-size", "max-file", "compress"];

fn bad(key: &str, value: &str, why: impl Into<String>) -> Error {
    Error::flag("--log-opt", format!("{key}={value}"), why)
}

/// A size option (`max-size`, `cache-max-size`, `max-buffer-size`): go-units, above 0.
fn size(key: &str, value: &str) -> Result<()> {
    let n = crate::util::ram_in_bytes(value).map_err(|e| bad(key, value, e))?;
    if n == 0 {
        return Err(bad(key, value, format!("{key} must be greater than 0")));
    }
    Ok(())
}

/// A file count (`max-file`, `cache-max-file`): a whole number, at least 1.
fn count(key: &str, value: &str) -> Result<()> {
    match value.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(()),
        Ok(_) => Err(bad(key, value, format!("{key} cannot be less than 1"))),
        Err(_) => Err(bad(key, value, format!("{key} must be a whole number"))),
    }
}

fn boolean(key: &str, value: &str) -> Result<()> {
    if value != "true" && value != "false" {
        return Err(bad(key, value, format!("{key} must be true or false")));
    }
    Ok(())
}

/// `mode` and `max-buffer-size`, which every driver but `none` takes.
fn mode(config: &BTreeMap<String, String>) -> Result<()> {
    let mode = config.get("mode").map(String::as_str);
    if let Some(m) = mode {
        if m != "blocking" && m != "non-blocking" {
            return Err(bad(
                "mode",
                m,
                "logging mode not supported: use blocking or non-blocking",
            ));
        }
    }
    if let Some(b) = config.get("max-buffer-size") {
        if mode != Some("non-blocking") {
            return Err(bad(
                "max-buffer-size",
                b,
                "max-buffer-size option is only supported with 'mode=non-blocking'",
            ));
        }
        size("max-buffer-size", b)?;
    }
    Ok(())
}

/// The file drivers' own options.
fn file_opts(kind: &str, config: &BTreeMap<String, String>) -> Result<()> {
    for (k, v) in config {
        if !FILE_OPTS.contains(&k.as_str()) && !logdriver::MODE_KEYS.contains(&k.as_str()) {
            return Err(bad(
                k,
                v,
                format!("unknown log opt '{k}' for {kind} log driver"),
            ));
        }
    }
    if let Some(s) = config.get("max-size") {
        size("max-size", s)?;
    }
    if let Some(files) = config.get("max-file") {
        count("max-file", files)?;
        if !config.contains_key("max-size") {
            return Err(bad(
                "max-file",
                files,
                "max-file needs max-size: without a size limit nothing rotates",
            ));
        }
    }
    if let Some(c) = config.get("compress") {
        boolean("compress", c)?;
    }
    Ok(())
}

/// A remote driver's local copy (`cache-*`).
fn cache_opts(config: &BTreeMap<String, String>) -> Result<()> {
    if let Some(s) = config.get("cache-max-size") {
        size("cache-max-size", s)?;
    }
    if let Some(n) = config.get("cache-max-file") {
        count("cache-max-file", n)?;
    }
    for key in ["cache-disabled", "cache-compress"] {
        if let Some(v) = config.get(key) {
            boolean(key, v)?;
        }
    }
    Ok(())
}

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
        if kind == "none" {
            return Err(bad(
                k,
                v,
                format!("unknown log opt '{k}' for none log driver"),
            ));
        }
        config.insert(k.to_string(), v.to_string());
    }
    match kind {
        "none" => {}
        "awslogs" => {
            AwsOptions::parse(&config).map_err(|e| Error::flag("--log-opt", e.opt, e.why))?;
            cache_opts(&config)?;
        }
        _ => file_opts(kind, &config)?,
    }
    mode(&config)?;
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
        assert!(parse(
            Some("json-file"),
            &opts(&["mode=non-blocking", "max-buffer-size=4m"])
        )
        .is_ok());
        let aws = parse(
            Some("awslogs"),
            &opts(&[
                "awslogs-group=cctWebServerGroup",
                "awslogs-region=us-east-1",
                "awslogs-create-group=true",
                "awslogs-endpoint=http://localhost:4566",
                "cache-max-size=1m",
            ]),
        )
        .unwrap();
        assert_eq!(aws.kind, "awslogs");
        assert_eq!(aws.config["awslogs-group"], "cctWebServerGroup");
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
            (None, &["mode=fast"], "--log-opt", "mode=fast"),
            (
                None,
                &["max-buffer-size=1m"],
                "--log-opt",
                "only supported with 'mode=non-blocking'",
            ),
            (
                Some("awslogs"),
                &[],
                "--log-opt",
                "must specify a value for log opt 'awslogs-group'",
            ),
            (
                Some("awslogs"),
                &["awslogs-group=g", "awslogs-create-group=maybe"],
                "--log-opt",
                "awslogs-create-group=maybe",
            ),
            (
                Some("awslogs"),
                &["awslogs-group=g", "cache-max-file=0"],
                "--log-opt",
                "cache-max-file cannot be less than 1",
            ),
            (
                Some("awslogs"),
                &["awslogs-group=g", "max-size=1m"],
                "--log-opt",
                "unknown log opt 'max-size' for awslogs",
            ),
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
