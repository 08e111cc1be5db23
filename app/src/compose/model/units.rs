//! Durations and byte sizes as compose-go reads and prints them.
//!
//! A duration is Go syntax plus days and weeks (`1m30s`, `500ms`, `1.5h`, `2d`), parsed
//! as `str2duration` does, and printed back as Go's `time.Duration` prints (`1m30s`,
//! `1h0m0s`, `500ms`). A bare `0` is zero; any other bare number is an error (compose-go
//! formats the number and parses the text, which then lacks a unit).
//!
//! A byte size is an integer, a decimal string, or a string with a binary unit as
//! `units.RAMInBytes` reads it (`512m`, `1g`, `1.5GiB`, `100 kb`); compose prints it as
//! a string of digits (`mem_limit: "536870912"`). It is signed: `memswap_limit: -1`
//! means unlimited swap.

use std::fmt;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::scalars::go_float_text;

/// A duration in nanoseconds (Go's `time.Duration`, which may be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

const NANOS_PER_SECOND: u64 = 1_000_000_000;

impl Duration {
    pub fn from_secs(secs: i64) -> Duration {
        Duration(secs.saturating_mul(NANOS_PER_SECOND as i64))
    }

    pub fn nanos(self) -> i64 {
        self.0
    }

    /// The duration as a std one; None when negative.
    pub fn to_std(self) -> Option<std::time::Duration> {
        u64::try_from(self.0)
            .ok()
            .map(std::time::Duration::from_nanos)
    }

    /// Parse `1m30s`, `-1.5h`, `2d`, `0` as compose-go's `str2duration` does.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let invalid = || format!("invalid duration {text:?}");
        let (neg, mut s) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        if s == "0" {
            return Ok(Duration(0));
        }
        if s.is_empty() {
            return Err(invalid());
        }
        let mut total: i64 = 0;
        while !s.is_empty() {
            let b = s.as_bytes();
            if !(b[0] == b'.' || b[0].is_ascii_digit()) {
                return Err(invalid());
            }
            let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let whole: i64 = if int_len == 0 {
                0
            } else {
                s[..int_len].parse().map_err(|_| invalid())?
            };
            s = &s[int_len..];
            let (mut frac, mut scale, mut frac_len) = (0i64, 1f64, 0usize);
            if s.starts_with('.') {
                s = &s[1..];
                // Digits past what fits in an i64 are read but add no precision.
                for c in s.bytes().take_while(|c| c.is_ascii_digit()) {
                    frac_len += 1;
                    if let Some(next) = frac
                        .checked_mul(10)
                        .and_then(|f| f.checked_add(i64::from(c - b'0')))
                    {
                        frac = next;
                        scale *= 10.0;
                    }
                }
                s = &s[frac_len..];
            }
            if int_len == 0 && frac_len == 0 {
                return Err(invalid());
            }
            let unit_len = s
                .bytes()
                .take_while(|c| !(*c == b'.' || c.is_ascii_digit()))
                .count();
            if unit_len == 0 {
                return Err(format!("missing unit in duration {text:?}"));
            }
            let unit_name = &s[..unit_len];
            s = &s[unit_len..];
            let unit = unit_nanos(unit_name)
                .ok_or_else(|| format!("unknown unit {unit_name:?} in duration {text:?}"))?;
            let mut v = whole.checked_mul(unit).ok_or_else(invalid)?;
            if frac > 0 {
                // As Go does it: through a float, exact to the nanosecond for an hour.
                v = v
                    .checked_add((frac as f64 * (unit as f64 / scale)) as i64)
                    .ok_or_else(invalid)?;
            }
            total = total.checked_add(v).ok_or_else(invalid)?;
        }
        Ok(Duration(if neg { -total } else { total }))
    }
}

fn unit_nanos(unit: &str) -> Option<i64> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 24 * 3_600_000_000_000,
        "w" => 168 * 3_600_000_000_000,
        _ => return None,
    })
}

/// `n / 10^prec` as Go prints it: the integer part, then `.` and the fraction without
/// trailing zeros, nothing when the fraction is zero.
fn with_fraction(u: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (int, frac) = (u / p, u % p);
    if frac == 0 {
        return int.to_string();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

impl fmt::Display for Duration {
    /// As Go's `time.Duration.String`: `0s`, `1.5µs`, `500ms`, `1m30s`, `1h0m0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let u = self.0.unsigned_abs();
        if u == 0 {
            return f.write_str("0s");
        }
        if u < NANOS_PER_SECOND {
            let (prec, unit) = match u {
                0..1_000 => (0, "ns"),
                1_000..1_000_000 => (3, "\u{b5}s"),
                _ => (6, "ms"),
            };
            return write!(f, "{sign}{}{unit}", with_fraction(u, prec));
        }
        let whole_secs = u / NANOS_PER_SECOND;
        let secs = with_fraction(u % (60 * NANOS_PER_SECOND), 9);
        let (mins, hours) = ((whole_secs / 60) % 60, whole_secs / 3600);
        match (hours, mins) {
            (0, 0) => write!(f, "{sign}{secs}s"),
            (0, m) => write!(f, "{sign}{m}m{secs}s"),
            (h, m) => write!(f, "{sign}{h}h{m}m{secs}s"),
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"1m30s\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Duration, E> {
                Duration::parse(s).map_err(E::custom)
            }
            // compose-go prints a number and parses the text: `0` is zero, `10` lacks a unit.
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Duration, E> {
                self.visit_str(&n.to_string())
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Duration, E> {
                self.visit_str(&n.to_string())
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Duration, E> {
                self.visit_str(&go_float_text(n))
            }
        }
        d.deserialize_any(V)
    }
}

/// A size in bytes (Go's `UnitBytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes(pub i64);

impl Bytes {
    /// A decimal integer, or a size with a binary unit (`k`, `m`, `g`, `t`, `p`, each
    /// optionally followed by `i` and `b`, case-insensitive), as compose-go reads it.
    pub fn parse(text: &str) -> Result<Bytes, String> {
        if let Some(n) = parse_go_int(text) {
            return Ok(Bytes(n));
        }
        let invalid = || format!("invalid size: '{text}'");
        let number_len = text
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        let (number, rest) = text.split_at(number_len);
        // `\d+(\.\d+)*`: digits first, no empty group, no trailing dot.
        if number.split('.').any(str::is_empty) {
            return Err(invalid());
        }
        let mut suffix = rest.strip_prefix(' ').unwrap_or(rest).to_ascii_lowercase();
        let mut multiplier: i64 = 1;
        if let Some(c) = suffix.chars().next() {
            let shift = match c {
                'k' => 10,
                'm' => 20,
                'g' => 30,
                't' => 40,
                'p' => 50,
                _ => 0,
            };
            if shift > 0 {
                multiplier = 1 << shift;
                suffix.remove(0);
            }
        }
        let suffix = suffix.strip_prefix('i').unwrap_or(&suffix);
        if !(suffix.is_empty() || suffix == "b") {
            return Err(invalid());
        }
        // `1.2.3` matches the pattern but is no float: Go fails there too.
        let value: f64 = number.parse().map_err(|_| invalid())?;
        Ok(Bytes((value * multiplier as f64) as i64))
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then decimal digits only.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Serialize for Bytes {
    /// As compose prints `UnitBytes`: the digits as a string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte size such as 512m or an integer")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Bytes, E> {
                Bytes::parse(s).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Bytes, E> {
                Ok(Bytes(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Bytes, E> {
                i64::try_from(n)
                    .map(Bytes)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }
            // compose-go silently reads a float as zero; refusing it is kinder.
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Bytes, E> {
                Err(E::invalid_type(Unexpected::Float(n), &self))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(s: &str) -> Result<Duration, String> {
        Duration::parse(s)
    }

    #[test]
    fn durations_parse_as_str2duration() {
        assert_eq!(dur("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(dur("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(dur("500ms"), Ok(Duration(500_000_000)));
        assert_eq!(dur("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(dur("2d"), Ok(Duration::from_secs(2 * 86400)));
        assert_eq!(dur("1w"), Ok(Duration::from_secs(7 * 86400)));
        assert_eq!(dur("-1.5s"), Ok(Duration(-1_500_000_000)));
        assert_eq!(dur(".5s"), Ok(Duration(500_000_000)));
        assert_eq!(dur("1\u{b5}s"), Ok(Duration(1_000)));
        assert_eq!(dur("3us"), Ok(Duration(3_000)));
        assert_eq!(dur("0"), Ok(Duration(0)));
        assert_eq!(dur("+0"), Ok(Duration(0)));
        assert_eq!(dur("10").unwrap_err(), "missing unit in duration \"10\"");
        assert_eq!(
            dur("1x").unwrap_err(),
            "unknown unit \"x\" in duration \"1x\""
        );
        assert_eq!(dur("").unwrap_err(), "invalid duration \"\"");
        assert_eq!(dur(".s").unwrap_err(), "invalid duration \".s\"");
        assert_eq!(dur("s").unwrap_err(), "invalid duration \"s\"");
        assert!(dur("9999999999999999999h").is_err());
    }

    #[test]
    fn durations_print_as_go() {
        let show = |n: i64| Duration(n).to_string();
        assert_eq!(show(0), "0s");
        assert_eq!(show(90_000_000_000), "1m30s");
        assert_eq!(show(3_600_000_000_000), "1h0m0s");
        assert_eq!(show(1_500_000_000), "1.5s");
        assert_eq!(show(500_000_000), "500ms");
        assert_eq!(show(1_500), "1.5\u{b5}s");
        assert_eq!(show(100), "100ns");
        assert_eq!(show(-90_000_000_000), "-1m30s");
        assert_eq!(show(2 * 86_400_000_000_000 + 500_000_000), "48h0m0.5s");
        assert_eq!(dur("1m90s").map(|d| d.to_string()), Ok("2m30s".into()));
    }

    #[test]
    fn durations_from_json_numbers() {
        let d: Duration = serde_json::from_value(serde_json::json!(0)).unwrap();
        assert_eq!(d, Duration(0));
        let e = serde_json::from_value::<Duration>(serde_json::json!(10)).unwrap_err();
        assert_eq!(e.to_string(), "missing unit in duration \"10\"");
        let d: Duration = serde_json::from_value(serde_json::json!("1m")).unwrap();
        assert_eq!(serde_json::to_value(d).unwrap(), "1m0s");
    }

    #[test]
    fn byte_sizes_as_ram_in_bytes() {
        let b = |s: &str| Bytes::parse(s).map(|b| b.0);
        assert_eq!(b("512m"), Ok(512 << 20));
        assert_eq!(b("1g"), Ok(1 << 30));
        assert_eq!(b("1G"), Ok(1 << 30));
        assert_eq!(b("1gb"), Ok(1 << 30));
        assert_eq!(b("1GiB"), Ok(1 << 30));
        assert_eq!(b("100 kb"), Ok(100 << 10));
        assert_eq!(b("1.5g"), Ok(1_610_612_736));
        assert_eq!(b("2048"), Ok(2048));
        assert_eq!(b("2048b"), Ok(2048));
        assert_eq!(b("-1"), Ok(-1));
        assert_eq!(b("1t"), Ok(1 << 40));
        assert_eq!(b("1x").unwrap_err(), "invalid size: '1x'");
        assert!(b("").is_err());
        assert!(b("1.2.3m").is_err());
        assert!(b("m").is_err());
        assert!(b("1.m").is_err());
        assert!(b("1  m").is_err());
    }

    #[test]
    fn byte_sizes_from_json_and_back() {
        let b: Bytes = serde_json::from_value(serde_json::json!("512m")).unwrap();
        assert_eq!(serde_json::to_value(b).unwrap(), "536870912");
        let b: Bytes = serde_json::from_value(serde_json::json!(1024)).unwrap();
        assert_eq!(b, Bytes(1024));
        let e = serde_json::from_value::<Bytes>(serde_json::json!(1.5)).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid type: floating point"),
            "{e}"
        );
    }
}
