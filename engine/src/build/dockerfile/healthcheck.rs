//! HEALTHCHECK: `NONE`, or `CMD` with its `--interval`-style flags, durations in Go's
//! syntax (`30s`, `1m30s`, `1.5h`, `500ms`) and BuildKit's messages.

use std::time::Duration;

use super::flags::{Flags, Kind};
use super::types::{Healthcheck, ShellOrExec};
use super::words::parse_json;

const FLAGS: &[(&str, Kind)] = &[
    ("interval", Kind::String),
    ("timeout", Kind::String),
    ("start-period", Kind::String),
    ("start-interval", Kind::String),
    ("retries", Kind::String),
];

/// Parses HEALTHCHECK's flags and the rest of its line.
pub(crate) fn parse_healthcheck(flags: &[String], rest: &str) -> Result<Healthcheck, String> {
    let (kind, args) = match rest.split_once(char::is_whitespace) {
        Some((k, a)) => (k, a.trim_start()),
        None => (rest, ""),
    };
    if kind.is_empty() {
        return Err("HEALTHCHECK requires at least one argument".into());
    }
    let kind = kind.to_uppercase();
    if kind == "NONE" {
        // Docker does not look at flags given with NONE.
        if !args.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".into());
        }
        return Ok(Healthcheck::None);
    }
    let flags = Flags::parse(flags, FLAGS)?;
    if kind != "CMD" {
        return Err(format!("Unknown type {kind:?} in HEALTHCHECK (try CMD)"));
    }
    let test = match parse_json(args)? {
        Some(v) if !v.is_empty() => ShellOrExec::Exec(v),
        None if !args.is_empty() => ShellOrExec::Shell(args.to_string()),
        _ => return Err("Missing command after HEALTHCHECK CMD".into()),
    };
    let retries = match flags.string("retries") {
        None => None,
        Some(v) => {
            let n: i32 = v
                .parse()
                .map_err(|_| format!("strconv.ParseInt: parsing {v:?}: invalid syntax"))?;
            if n < 0 {
                return Err(format!("--retries cannot be negative ({n})"));
            }
            // 0 means "not set": the image's or Docker's default applies.
            u32::try_from(n).ok().filter(|n| *n > 0)
        }
    };
    Ok(Healthcheck::Check {
        test,
        interval: interval(&flags, "interval")?,
        timeout: interval(&flags, "timeout")?,
        start_period: interval(&flags, "start-period")?,
        start_interval: interval(&flags, "start-interval")?,
        retries,
    })
}

/// A duration flag: unset and 0 are `None`; anything under a millisecond is refused.
fn interval(flags: &Flags, name: &str) -> Result<Option<Duration>, String> {
    let Some(text) = flags.string(name).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let nanos = parse_go_duration(&text)?;
    if nanos == 0 {
        return Ok(None);
    }
    if nanos < 1_000_000 {
        return Err(format!("Interval {name:?} cannot be less than 1ms"));
    }
    Ok(Some(Duration::from_nanos(
        u64::try_from(nanos).unwrap_or(u64::MAX),
    )))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_go_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut s) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let num = &s[..num_end];
        if num.is_empty() || num == "." {
            return Err(invalid());
        }
        let value: f64 = num.parse().map_err(|_| invalid())?;
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let scale: f64 = match unit {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        total += value * scale;
    }
    let nanos = total.round() as i128;
    Ok(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hc(flags: &[&str], rest: &str) -> Result<Healthcheck, String> {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        parse_healthcheck(&flags, rest)
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30s"), Ok(30_000_000_000));
        assert_eq!(parse_go_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("500ms"), Ok(500_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("-2s"), Ok(-2_000_000_000));
        assert_eq!(
            parse_go_duration("10"),
            Err("time: missing unit in duration \"10\"".into())
        );
        assert_eq!(
            parse_go_duration("3d"),
            Err("time: unknown unit \"d\" in duration \"3d\"".into())
        );
        assert_eq!(
            parse_go_duration("abc"),
            Err("time: invalid duration \"abc\"".into())
        );
    }

    #[test]
    fn check_with_flags() {
        let got = hc(
            &[
                "--interval=30s",
                "--timeout=5s",
                "--start-period=1m",
                "--retries=3",
            ],
            "CMD curl -f http://localhost/ || exit 1",
        );
        assert_eq!(
            got,
            Ok(Healthcheck::Check {
                test: ShellOrExec::Shell("curl -f http://localhost/ || exit 1".into()),
                interval: Some(Duration::from_secs(30)),
                timeout: Some(Duration::from_secs(5)),
                start_period: Some(Duration::from_secs(60)),
                start_interval: None,
                retries: Some(3),
            })
        );
        assert!(matches!(
            hc(&[], "cmd [\"/bin/check\", \"-q\"]"),
            Ok(Healthcheck::Check {
                test: ShellOrExec::Exec(_),
                retries: None,
                ..
            })
        ));
        assert_eq!(hc(&[], "NONE"), Ok(Healthcheck::None));
    }

    #[test]
    fn errors_in_docker_words() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&[], "", "HEALTHCHECK requires at least one argument"),
            (&[], "NONE x", "HEALTHCHECK NONE takes no arguments"),
            (&[], "CMD", "Missing command after HEALTHCHECK CMD"),
            (&[], "CMD []", "Missing command after HEALTHCHECK CMD"),
            (
                &[],
                "RUN x",
                "Unknown type \"RUN\" in HEALTHCHECK (try CMD)",
            ),
            (
                &["--retries=-1"],
                "CMD x",
                "--retries cannot be negative (-1)",
            ),
            (
                &["--interval=10us"],
                "CMD x",
                "Interval \"interval\" cannot be less than 1ms",
            ),
            (
                &["--intervl=1s"],
                "CMD x",
                "unknown flag: --intervl (did you mean interval?)",
            ),
        ];
        for (flags, rest, want) in cases {
            assert_eq!(hc(flags, rest).err().as_deref(), Some(*want), "{rest}");
        }
    }
}
