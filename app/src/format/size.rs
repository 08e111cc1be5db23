//! Reading sizes the user types (`--memory 512m`, `--shm-size 1g`), with
//! go-units' `RAMInBytes` (1024-based) and `FromHumanSize` (1000-based)
//! rules and error wording.

use super::error::ParseError;

/// go-units `RAMInBytes`: `"512m"`, `"1g"`, `"1.5GiB"`, `"100k"`, `"1024"`.
/// Suffixes b, k, m, g, t, p in any case, optionally followed by `b` or `ib`.
pub fn parse_size(text: &str) -> Result<i64, ParseError> {
    parse_with(text, 1024)
}

/// go-units `FromHumanSize`: the same syntax, 1000-based (`"1kB"` is 1000).
pub fn from_human_size(text: &str) -> Result<i64, ParseError> {
    parse_with(text, 1000)
}

fn parse_with(text: &str, base: i64) -> Result<i64, ParseError> {
    let invalid = || ParseError(format!("invalid size: '{text}'"));
    // The number ends at the last digit, dot or space; a space separates it
    // from the suffix and belongs to neither.
    let sep = text
        .rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
        .ok_or_else(invalid)?;
    let (num, suffix) = if text.as_bytes()[sep] == b' ' {
        (&text[..sep], &text[sep + 1..])
    } else {
        (&text[..sep + 1], &text[sep + 1..])
    };
    let size: f64 = num.parse().map_err(|_| invalid())?;
    if !size.is_finite() || size < 0.0 {
        return Err(invalid());
    }
    // Docker 20.10's go-units names the whole text, whatever is wrong in it.
    let bad_suffix = || {
        let _ = suffix;
        invalid()
    };
    let multiplier = if suffix.is_empty() {
        1
    } else {
        let lower = suffix.to_ascii_lowercase();
        let power = match lower.as_bytes()[0] {
            b'b' if lower.len() == 1 => 0,
            b'k' => 1,
            b'm' => 2,
            b'g' => 3,
            b't' => 4,
            b'p' => 5,
            _ => return Err(bad_suffix()),
        };
        if power > 0 && !matches!(&lower[1..], "" | "b" | "ib") {
            return Err(bad_suffix());
        }
        base.pow(power)
    };
    let bytes = size * multiplier as f64;
    if bytes >= i64::MAX as f64 {
        return Err(ParseError(format!("invalid size: '{text}' is too large")));
    }
    // Truncates like Go's int64(float64) conversion.
    Ok(bytes as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("32"), Ok(32));
        assert_eq!(parse_size("32b"), Ok(32));
        assert_eq!(parse_size("32B"), Ok(32));
        assert_eq!(parse_size("100k"), Ok(102_400));
        assert_eq!(parse_size("512m"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_size("512M"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("1.5g"), Ok(1_610_612_736));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("2t"), Ok(2 << 40));
        assert_eq!(parse_size("1p"), Ok(1 << 50));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("0.5k"), Ok(512));
        assert_eq!(parse_size("1.3"), Ok(1));
    }

    #[test]
    fn decimal_sizes() {
        assert_eq!(from_human_size("1kB"), Ok(1000));
        assert_eq!(from_human_size("1.5MB"), Ok(1_500_000));
        assert_eq!(from_human_size("32"), Ok(32));
    }

    #[test]
    fn errors_quote_the_input() {
        assert_eq!(
            parse_size("abc"),
            Err(ParseError("invalid size: 'abc'".into()))
        );
        assert_eq!(parse_size(""), Err(ParseError("invalid size: ''".into())));
        assert_eq!(
            parse_size("-1m"),
            Err(ParseError("invalid size: '-1m'".into()))
        );
        assert_eq!(
            parse_size("1.2.3k"),
            Err(ParseError("invalid size: '1.2.3k'".into()))
        );
        for bad in ["1x", "1kk", "1bb", "1kib2", "1mx"] {
            let err = parse_size(bad).expect_err(bad).to_string();
            assert!(err.starts_with("invalid"), "{bad}: {err}");
        }
        assert_eq!(
            parse_size("1x").expect_err("x").to_string(),
            "invalid size: '1x'"
        );
        assert!(parse_size("99999999p")
            .expect_err("huge")
            .to_string()
            .contains("too large"));
    }
}
