//! Go's `time.ParseDuration`, for flags such as `--time`, `--since 10m` and
//! health-check intervals that Docker reads with it.

use chrono::TimeDelta;

use super::error::ParseError;

const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),  // µ (micro sign)
    ("\u{3bc}s", 1_000), // μ (Greek mu)
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses `"300ms"`, `"-1.5h"`, `"1h30m"`, `"0"` exactly as Go does,
/// including Go's error wording (`time: missing unit in duration "10"`).
pub fn parse_duration(text: &str) -> Result<TimeDelta, ParseError> {
    let invalid = || ParseError(format!("time: invalid duration \"{text}\""));
    let mut s = text;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(TimeDelta::zero());
    }
    if s.is_empty() {
        return Err(invalid());
    }
    // Go accumulates in unsigned nanoseconds and allows exactly 1<<63 only
    // for a negative result.
    let limit: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let whole: u64 = if int_len == 0 {
            0
        } else {
            s[..int_len].parse().map_err(|_| invalid())?
        };
        s = &s[int_len..];
        let (mut frac, mut scale, mut frac_len) = (0u64, 1f64, 0);
        if let Some(rest) = s.strip_prefix('.') {
            frac_len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            for d in rest[..frac_len].bytes() {
                // Past u64 precision the extra digits cannot matter.
                if let Some(f) = frac
                    .checked_mul(10)
                    .and_then(|f| f.checked_add(u64::from(d - b'0')))
                {
                    frac = f;
                    scale *= 10.0;
                }
            }
            s = &rest[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(ParseError(format!(
                "time: missing unit in duration \"{text}\""
            )));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit = UNITS
            .iter()
            .find(|(name, _)| *name == unit_name)
            .map(|(_, n)| *n)
            .ok_or_else(|| {
                ParseError(format!(
                    "time: unknown unit \"{unit_name}\" in duration \"{text}\""
                ))
            })?;
        let mut v = whole
            .checked_mul(unit)
            .filter(|v| *v <= limit)
            .ok_or_else(invalid)?;
        if frac > 0 {
            v = v
                .checked_add((frac as f64 * (unit as f64 / scale)) as u64)
                .filter(|v| *v <= limit)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(v)
            .filter(|t| *t <= limit)
            .ok_or_else(invalid)?;
    }
    let nanos = if neg {
        (total as i128).wrapping_neg()
    } else if total == limit {
        return Err(invalid());
    } else {
        total as i128
    };
    Ok(TimeDelta::nanoseconds(nanos as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> i64 {
        parse_duration(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .num_nanoseconds()
            .expect("fits")
    }

    #[test]
    fn parses_go_durations() {
        const S: i64 = 1_000_000_000;
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-0"), 0);
        assert_eq!(ok("10s"), 10 * S);
        assert_eq!(ok("1m30s"), 90 * S);
        assert_eq!(ok("500ms"), 500_000_000);
        assert_eq!(ok("1h"), 3600 * S);
        assert_eq!(ok("1.5h"), 5400 * S);
        assert_eq!(ok(".5s"), 500_000_000);
        assert_eq!(ok("1.s"), S);
        assert_eq!(ok("-2m"), -120 * S);
        assert_eq!(ok("+3us"), 3_000);
        assert_eq!(ok("3µs"), 3_000);
        assert_eq!(ok("3μs"), 3_000);
        assert_eq!(ok("7ns"), 7);
        assert_eq!(ok("1h2m3s4ms5us6ns"), 3_723_004_005_006);
        assert_eq!(ok("0.000000001s"), 1);
        assert_eq!(ok("9223372036854775807ns"), i64::MAX);
        assert_eq!(ok("-9223372036854775808ns"), i64::MIN);
    }

    #[test]
    fn errors_use_go_wording() {
        let e = |s: &str| parse_duration(s).expect_err(s).to_string();
        assert_eq!(e(""), "time: invalid duration \"\"");
        assert_eq!(e("abc"), "time: invalid duration \"abc\"");
        assert_eq!(e("10"), "time: missing unit in duration \"10\"");
        assert_eq!(e("1d"), "time: unknown unit \"d\" in duration \"1d\"");
        assert_eq!(e(".s"), "time: invalid duration \".s\"");
        assert_eq!(e("-"), "time: invalid duration \"-\"");
        assert_eq!(
            e("9223372036854775808ns"),
            "time: invalid duration \"9223372036854775808ns\""
        );
        assert_eq!(
            e("100000000000000000000h"),
            "time: invalid duration \"100000000000000000000h\""
        );
    }
}
