//! `--since` / `--until` values for `logs` and `events`, read as Docker's
//! `timetypes.GetTimestamp` reads them: a Go duration relative to now, an
//! RFC 3339-like timestamp (zone optional: without one it is local time),
//! or a Unix timestamp with optional fraction.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::duration::parse_duration;
use super::error::ParseError;

/// Resolves `value` against `now`, whose time zone is the "local" zone for
/// timestamps written without one (callers pass `chrono::Local::now()`).
pub fn parse_since<Tz: TimeZone>(
    value: &str,
    now: &DateTime<Tz>,
) -> Result<DateTime<Utc>, ParseError> {
    // "0" is the Unix epoch, not a zero duration, as in Docker.
    if value != "0" {
        if let Ok(d) = parse_duration(value) {
            // Docker sends whole seconds for relative values.
            let at = now.with_timezone(&Utc) - d;
            return from_unix(at.timestamp(), 0, value);
        }
    }
    match parse_timestamp(value) {
        Ok((naive, Some(offset))) => offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| ParseError(format!("invalid timestamp {value:?}: out of range"))),
        Ok((naive, None)) => now
            .timezone()
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| ParseError(format!("invalid timestamp {value:?}: that local time does not exist"))),
        // With a dash it was meant as a date, so say what is wrong with it.
        Err(why) if value.contains('-') => Err(ParseError(format!(
            "invalid timestamp {value:?}: {why} (expected a duration like 10m or a time like 2006-01-02T15:04:05Z07:00)"
        ))),
        Err(_) => parse_unix(value)
            .ok_or_else(|| ParseError(format!("failed to parse value as time or duration: {value:?}"))),
    }
}

fn from_unix(secs: i64, nanos: u32, value: &str) -> Result<DateTime<Utc>, ParseError> {
    DateTime::from_timestamp(secs, nanos)
        .ok_or_else(|| ParseError(format!("timestamp {value:?} is out of range")))
}

/// `1700000000` or `1700000000.123` (the fraction scaled to nanoseconds).
fn parse_unix(value: &str) -> Option<DateTime<Utc>> {
    let (secs, frac) = match value.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (value, None),
    };
    let secs: i64 = secs.parse().ok()?;
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    DateTime::from_timestamp(secs, nanos)
}

/// `YYYY-MM-DD[THH[:MM[:SS[.fraction]]]][Z|±HH:MM]`: every layout Docker
/// tries. Returns the wall time and the zone, if one was written.
fn parse_timestamp(value: &str) -> Result<(NaiveDateTime, Option<FixedOffset>), String> {
    let date_str = value.get(..10).ok_or("too short for a date")?;
    let date = NaiveDate::parse_from_str(date_str, "%Y-%m-%d")
        .map_err(|_| format!("bad date {date_str:?}"))?;
    let mut rest = &value[10..];
    let mut time = NaiveTime::MIN;
    if let Some(t) = rest.strip_prefix('T') {
        let end = t.find(['Z', 'z', '+', '-']).unwrap_or(t.len());
        time = parse_clock(&t[..end])?;
        rest = &t[end..];
    }
    let zone = match rest {
        "" => None,
        "Z" | "z" => Some(FixedOffset::east_opt(0).ok_or("bad zone")?),
        z => Some(parse_offset(z).ok_or_else(|| format!("bad zone {z:?}"))?),
    };
    Ok((date.and_time(time), zone))
}

/// `HH`, `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction`.
fn parse_clock(text: &str) -> Result<NaiveTime, String> {
    let (hms, frac) = match text.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (text, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let num = |s: &str| {
        if s.len() == 2 {
            s.parse::<u32>().ok()
        } else {
            None
        }
    };
    let bad = || format!("bad time {text:?}");
    let (h, m, s) = match parts.as_slice() {
        [h] => (num(h), Some(0), Some(0)),
        [h, m] => (num(h), num(m), Some(0)),
        [h, m, s] => (num(h), num(m), num(s)),
        _ => return Err(bad()),
    };
    let nanos = match frac {
        None => 0,
        Some(f)
            if parts.len() == 3
                && !f.is_empty()
                && f.len() <= 9
                && f.bytes().all(|b| b.is_ascii_digit()) =>
        {
            f.parse::<u32>().map_err(|_| bad())? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return Err(bad()),
    };
    NaiveTime::from_hms_nano_opt(
        h.ok_or_else(bad)?,
        m.ok_or_else(bad)?,
        s.ok_or_else(bad)?,
        nanos,
    )
    .ok_or_else(bad)
}

/// `+HH:MM` or `-HH:MM`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, hm) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = hm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2023-11-14T22:13:20.750Z")
            .expect("valid")
            .with_timezone(&Utc)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid")
            .with_timezone(&Utc)
    }

    fn since(s: &str) -> DateTime<Utc> {
        parse_since(s, &now()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn relative_durations_count_back_from_now_in_whole_seconds() {
        assert_eq!(since("10m"), at("2023-11-14T22:03:20Z"));
        assert_eq!(since("1h30m"), at("2023-11-14T20:43:20Z"));
        assert_eq!(since("1.5s"), at("2023-11-14T22:13:19Z"));
        assert_eq!(since("-1m"), at("2023-11-14T22:14:20Z"));
    }

    #[test]
    fn unix_timestamps() {
        assert_eq!(since("1700000000"), at("2023-11-14T22:13:20Z"));
        assert_eq!(since("1700000000.123"), at("2023-11-14T22:13:20.123Z"));
        assert_eq!(since("0"), at("1970-01-01T00:00:00Z"));
        assert_eq!(since("10"), at("1970-01-01T00:00:10Z"));
    }

    #[test]
    fn rfc3339_with_zones() {
        assert_eq!(since("2023-11-14T22:13:20Z"), at("2023-11-14T22:13:20Z"));
        assert_eq!(
            since("2023-11-14T22:13:20.5z"),
            at("2023-11-14T22:13:20.5Z")
        );
        assert_eq!(
            since("2023-11-14T23:13:20+01:00"),
            at("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            since("2023-11-14T20:13:20.000000001-02:00"),
            at("2023-11-14T22:13:20.000000001Z")
        );
        assert_eq!(since("2023-11-14T22Z"), at("2023-11-14T22:00:00Z"));
        assert_eq!(since("2023-11-14T22:13+00:00"), at("2023-11-14T22:13:00Z"));
        assert_eq!(since("2023-11-14Z"), at("2023-11-14T00:00:00Z"));
    }

    #[test]
    fn zoneless_times_are_in_the_callers_zone() {
        let plus2 = FixedOffset::east_opt(2 * 3600).expect("valid");
        let local_now = now().with_timezone(&plus2);
        let got = |s: &str| parse_since(s, &local_now).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(got("2023-11-14T22:13:20"), at("2023-11-14T20:13:20Z"));
        assert_eq!(got("2023-11-14T22:13:20.25"), at("2023-11-14T20:13:20.25Z"));
        assert_eq!(got("2023-11-14T22"), at("2023-11-14T20:00:00Z"));
        assert_eq!(got("2023-11-14"), at("2023-11-13T22:00:00Z"));
        assert_eq!(since("2023-11-14T22:13:20"), at("2023-11-14T22:13:20Z"));
    }

    #[test]
    fn errors_say_what_was_wrong() {
        let e = |s: &str| parse_since(s, &now()).expect_err(s).to_string();
        assert_eq!(
            e("yesterday"),
            "failed to parse value as time or duration: \"yesterday\""
        );
        assert_eq!(
            e("1700000000."),
            "failed to parse value as time or duration: \"1700000000.\""
        );
        assert!(
            e("2023-13-01").starts_with("invalid timestamp \"2023-13-01\": bad date"),
            "{}",
            e("2023-13-01")
        );
        assert!(
            e("2023-11-14T25:00:00Z").contains("bad time \"25:00:00\""),
            "{}",
            e("2023-11-14T25:00:00Z")
        );
        assert!(
            e("2023-11-14T22:00:00+1").contains("bad zone \"+1\""),
            "{}",
            e("2023-11-14T22:00:00+1")
        );
        assert!(
            e("2023-11-14T22.5").contains("bad time"),
            "fraction needs seconds"
        );
    }
}
