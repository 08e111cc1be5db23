//! The `awslogs` driver's `--log-opt`s, checked as Docker checks them at create (unknown
//! keys, booleans, numbers, the options that exclude each other) and read into one value
//! by the shipper. What can only be known at start (the region, the credentials) is the
//! shipper's to find, and its failure is reported rather than refused.

use std::collections::BTreeMap;
use std::time::Duration;

use regex::Regex;

use super::datetime;

/// Every key of the driver's own (Docker's list).
pub const KEYS: &[&str] = &[
    "awslogs-region",
    "awslogs-endpoint",
    "awslogs-group",
    "awslogs-stream",
    "awslogs-create-group",
    "awslogs-create-stream",
    "awslogs-datetime-format",
    "awslogs-multiline-pattern",
    "awslogs-force-flush-interval-seconds",
    "awslogs-max-buffered-events",
    "awslogs-credentials-endpoint",
    "awslogs-format",
    "tag",
];

/// The driver's settings for one container.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// None: from `AWS_REGION` / `AWS_DEFAULT_REGION` when the shipper starts.
    pub region: Option<String>,
    /// None: `https://logs.REGION.amazonaws.com`.
    pub endpoint: Option<String>,
    pub group: String,
    /// None: the container's full ID, as Docker names it.
    pub stream: Option<String>,
    pub create_group: bool,
    pub create_stream: bool,
    /// Where one multi-line event begins (from the datetime format or the pattern).
    pub multiline: Option<Regex>,
    pub flush_interval: Duration,
    /// Docker's channel size: how many events wait before its driver blocks the
    /// container. Here nothing blocks; this many waiting events send a batch early.
    pub max_buffered_events: usize,
}

/// A refused option: `opt` as the user wrote it (`KEY=VALUE`, or the key when missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptError {
    pub opt: String,
    pub why: String,
}

fn refuse(opts: &BTreeMap<String, String>, key: &str, why: impl Into<String>) -> OptError {
    OptError {
        opt: match opts.get(key) {
            Some(v) => format!("{key}={v}"),
            None => key.to_string(),
        },
        why: why.into(),
    }
}

fn bool_opt(opts: &BTreeMap<String, String>, key: &str, default: bool) -> Result<bool, OptError> {
    match opts.get(key).map(String::as_str) {
        None => Ok(default),
        Some("true" | "1" | "t" | "T" | "TRUE" | "True") => Ok(true),
        Some("false" | "0" | "f" | "F" | "FALSE" | "False") => Ok(false),
        Some(_) => Err(refuse(opts, key, "must be true or false")),
    }
}

fn positive(opts: &BTreeMap<String, String>, key: &str, default: u64) -> Result<u64, OptError> {
    match opts.get(key) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(refuse(opts, key, "must be a positive whole number")),
        },
    }
}

fn pattern(opts: &BTreeMap<String, String>, key: &str, re: &str) -> Result<Regex, OptError> {
    Regex::new(&format!("^{re}")).map_err(|e| refuse(opts, key, e.to_string()))
}

impl AwsOptions {
    /// Read and check the options (Docker's rules; the driver-independent `mode`,
    /// `max-buffer-size` and `cache-*` keys are let through for the caller to check).
    pub fn parse(opts: &BTreeMap<String, String>) -> Result<AwsOptions, OptError> {
        for k in opts.keys() {
            if !KEYS.contains(&k.as_str())
                && !super::super::MODE_KEYS.contains(&k.as_str())
                && !super::super::CACHE_KEYS.contains(&k.as_str())
            {
                return Err(refuse(
                    opts,
                    k,
                    format!("unknown log opt '{k}' for awslogs log driver"),
                ));
            }
        }
        let group = match opts.get("awslogs-group") {
            Some(g) if !g.is_empty() => g.clone(),
            _ => {
                return Err(refuse(
                    opts,
                    "awslogs-group",
                    "must specify a value for log opt 'awslogs-group'",
                ))
            }
        };
        if opts.contains_key("awslogs-credentials-endpoint") {
            return Err(refuse(
                opts,
                "awslogs-credentials-endpoint",
                "ECS task credentials are not supported; set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY or write ~/.aws/credentials",
            ));
        }
        if opts.contains_key("awslogs-format") {
            return Err(refuse(
                opts,
                "awslogs-format",
                "the embedded metric format is not supported",
            ));
        }
        if opts.contains_key("tag") && opts.contains_key("awslogs-stream") {
            return Err(refuse(
                opts,
                "tag",
                "you cannot configure log opt 'tag' and 'awslogs-stream' at the same time",
            ));
        }
        let multiline = match (
            opts.get("awslogs-datetime-format"),
            opts.get("awslogs-multiline-pattern"),
        ) {
            (Some(_), Some(_)) => {
                return Err(refuse(
                    opts,
                    "awslogs-multiline-pattern",
                    "you cannot configure log opt 'awslogs-datetime-format' and \
                     'awslogs-multiline-pattern' at the same time",
                ))
            }
            (Some(f), None) => Some(pattern(
                opts,
                "awslogs-datetime-format",
                &datetime::to_regex(f),
            )?),
            (None, Some(p)) => Some(pattern(opts, "awslogs-multiline-pattern", p)?),
            (None, None) => None,
        };
        if let Some(e) = opts.get("awslogs-endpoint") {
            let ok = reqwest::Url::parse(e)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(refuse(
                    opts,
                    "awslogs-endpoint",
                    "must be an http:// or https:// URL",
                ));
            }
        }
        let stream = opts
            .get("awslogs-stream")
            .or_else(|| opts.get("tag"))
            .filter(|s| !s.is_empty())
            .cloned();
        Ok(AwsOptions {
            region: opts
                .get("awslogs-region")
                .filter(|s| !s.is_empty())
                .cloned(),
            endpoint: opts.get("awslogs-endpoint").cloned(),
            group,
            stream,
            create_group: bool_opt(opts, "awslogs-create-group", false)?,
            create_stream: bool_opt(opts, "awslogs-create-stream", true)?,
            multiline,
            flush_interval: Duration::from_secs(positive(
                opts,
                "awslogs-force-flush-interval-seconds",
                5,
            )?),
            max_buffered_events: positive(opts, "awslogs-max-buffered-events", 4096)? as usize,
        })
    }

    /// The stream's name for this container: the option, or its ID (Docker's default).
    pub fn stream_for(&self, container_id: &str) -> String {
        self.stream
            .clone()
            .unwrap_or_else(|| container_id.to_string())
    }

    /// The endpoint for `region`: the option, or AWS's own (no trailing slash).
    pub fn endpoint_for(&self, region: &str) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            None => format!("https://logs.{region}.amazonaws.com"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[(&str, &str)]) -> BTreeMap<String, String> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn seed_000s_options_read() {
        let o = AwsOptions::parse(&opts(&[
            ("awslogs-region", "us-east-1"),
            ("awslogs-group", "cctWebServerGroup"),
            ("awslogs-create-group", "true"),
            ("awslogs-endpoint", "http://localhost:4566"),
            ("mode", "non-blocking"),
            ("max-buffer-size", "4m"),
        ]))
        .unwrap();
        assert_eq!(o.region.as_deref(), Some("us-east-1"));
        assert!(o.create_group && o.create_stream);
        assert_eq!(o.stream_for("abc"), "abc");
        assert_eq!(o.endpoint_for("us-east-1"), "http://localhost:4566");
        assert_eq!(o.flush_interval, Duration::from_secs(5));
        assert!(o.multiline.is_none());
        let aws =
            AwsOptions::parse(&opts(&[("awslogs-group", "g"), ("awslogs-stream", "s")])).unwrap();
        assert_eq!(
            aws.endpoint_for("eu-west-1"),
            "https://logs.eu-west-1.amazonaws.com"
        );
        assert_eq!(aws.stream_for("abc"), "s");
    }

    #[test]
    fn multiline_start_comes_from_the_format_or_the_pattern() {
        let o = AwsOptions::parse(&opts(&[
            ("awslogs-group", "g"),
            ("awslogs-datetime-format", "%Y-%m-%d %H:%M:%S"),
        ]))
        .unwrap();
        let re = o.multiline.unwrap();
        assert!(re.is_match("2026-12-07 17:36:46 started"));
        assert!(!re.is_match("  at frame 2"));
        let o = AwsOptions::parse(&opts(&[
            ("awslogs-group", "g"),
            ("awslogs-multiline-pattern", "INFO|ERROR"),
        ]))
        .unwrap();
        assert!(o.multiline.unwrap().is_match("ERROR boom"));
    }

    #[test]
    fn refusals_name_the_option() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "awslogs-group"),
            (
                &[("awslogs-group", "g"), ("colour", "red")],
                "unknown log opt 'colour'",
            ),
            (
                &[("awslogs-group", "g"), ("awslogs-create-group", "yes")],
                "awslogs-create-group=yes",
            ),
            (
                &[
                    ("awslogs-group", "g"),
                    ("awslogs-force-flush-interval-seconds", "0"),
                ],
                "awslogs-force-flush-interval-seconds=0",
            ),
            (
                &[
                    ("awslogs-group", "g"),
                    ("awslogs-datetime-format", "%Y"),
                    ("awslogs-multiline-pattern", "x"),
                ],
                "at the same time",
            ),
            (
                &[("awslogs-group", "g"), ("awslogs-multiline-pattern", "(")],
                "awslogs-multiline-pattern=(",
            ),
            (
                &[
                    ("awslogs-group", "g"),
                    ("awslogs-endpoint", "localhost:4566"),
                ],
                "awslogs-endpoint=",
            ),
            (
                &[
                    ("awslogs-group", "g"),
                    ("awslogs-credentials-endpoint", "/v2"),
                ],
                "not supported",
            ),
        ];
        for (o, says) in cases {
            let e = AwsOptions::parse(&opts(o)).unwrap_err();
            let text = format!("{} {}", e.opt, e.why);
            assert!(text.contains(says), "{o:?}: {text}");
        }
    }
}
