//! Escapes inside a double-quoted `.env` value, decoded as compose-go's dotenv decodes
//! them (`\n`, `\"`, `\\`, `\$`, octal `\0NNN` and its odd failure).

/// Decodes a double-quoted value's escapes; unknown ones (`\x41`, `\u00e9`, `\q`) stay.
pub(super) fn decode_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        rest = &after[decode_escape(after, &mut out)..];
    }
    out.push_str(rest);
    out
}

/// Decodes the escape whose backslash comes just before `after`; returns how many bytes
/// of `after` it used (0 when the backslash was kept as it is).
fn decode_escape(after: &str, out: &mut String) -> usize {
    let decoded = match after.chars().next() {
        Some('a') => '\x07',
        Some('b') => '\x08',
        Some('f') => '\x0c',
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('v') => '\x0b',
        Some('"') => '"',
        Some('\\') => '\\',
        // Interpolation knows a literal dollar as `$$`.
        Some('$') => {
            out.push_str("$$");
            return 1;
        }
        Some('0') => return decode_octal(after, out),
        _ => {
            out.push('\\');
            return 0;
        }
    };
    out.push(decoded);
    1
}

/// `\0` followed by exactly three octal digits worth at most 0o377 is that code point
/// (XSI echo style, `\0101` is `A`). compose-go drops the `0` before it tries to decode,
/// and keeps the shortened text when that fails: `\012` gives `\12`, `\0` gives `\`.
fn decode_octal(after: &str, out: &mut String) -> usize {
    let digits = after[1..]
        .bytes()
        .take(3)
        .take_while(u8::is_ascii_digit)
        .collect::<Vec<u8>>();
    let value = digits.iter().try_fold(0u32, |acc, d| {
        (*d <= b'7').then(|| acc * 8 + u32::from(d - b'0'))
    });
    match (digits.len(), value.and_then(|v| u8::try_from(v).ok())) {
        (3, Some(byte)) => {
            out.push(char::from(byte));
            4
        }
        _ => {
            out.push('\\');
            out.extend(digits.iter().map(|d| char::from(*d)));
            1 + digits.len()
        }
    }
}
