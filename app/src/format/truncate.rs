//! Docker's shortening of long values in default (`--no-trunc`-less)
//! output: 12-character IDs and the quoted, ellipsised COMMAND column.

use super::gofmt::go_quote;

/// Docker's `stringid.TruncateID`: drops an algorithm prefix such as
/// `sha256:` and keeps the first 12 characters.
pub fn short_id(id: &str) -> &str {
    let id = id.split_once(':').map_or(id, |(_, rest)| rest);
    match id.char_indices().nth(12) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

/// The `docker ps` COMMAND column: the command line cut to 20 display
/// columns with `…` (unless `no_trunc`), then Go-quoted: `"sleep 1000"`.
pub fn command_column(command: &str, no_trunc: bool) -> String {
    if no_trunc {
        go_quote(command)
    } else {
        go_quote(&ellipsis(command, 20))
    }
}

/// Docker's `formatter.Ellipsis`: fits `s` into `max_width` terminal
/// columns, ending with `…` when something was cut.
pub fn ellipsis(s: &str, max_width: usize) -> String {
    match max_width {
        0 => return String::new(),
        1 => return s.chars().next().map(String::from).unwrap_or_default(),
        _ => {}
    }
    if display_width(s) <= max_width {
        return s.to_string();
    }
    // Keep the longest prefix that leaves one column for the ellipsis.
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max_width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Terminal columns `s` occupies.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Columns one character occupies: 0 for combining marks and zero-width
/// characters, 2 for East Asian wide/fullwidth and emoji, else 1. A compact
/// table of the common ranges, standing in for Go's `go-runewidth`.
fn char_width(c: char) -> usize {
    let u = c as u32;
    let zero = matches!(u, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F);
    if zero || c.is_control() {
        return 0;
    }
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids() {
        let full = "sha256:4f66ad9a0b2e5f0a1c0de1b2b5c7a7f1d1e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3";
        assert_eq!(short_id(full), "4f66ad9a0b2e");
        assert_eq!(short_id(&full[7..]), "4f66ad9a0b2e");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(short_id("sha256:"), "");
        assert_eq!(short_id("0123456789ab"), "0123456789ab");
    }

    #[test]
    fn command_column_quotes_and_cuts_at_twenty() {
        assert_eq!(command_column("sleep 1000", false), "\"sleep 1000\"");
        assert_eq!(
            command_column("12345678901234567890", false),
            "\"12345678901234567890\""
        );
        assert_eq!(
            command_column("/docker-entrypoint.sh nginx -g 'daemon off;'", false),
            "\"/docker-entrypoint.…\""
        );
        assert_eq!(
            command_column("/docker-entrypoint.sh nginx -g 'daemon off;'", true),
            "\"/docker-entrypoint.sh nginx -g 'daemon off;'\""
        );
        assert_eq!(
            command_column("sh -c \"echo hi\"", false),
            r#""sh -c \"echo hi\"""#
        );
        assert_eq!(command_column("", false), "\"\"");
    }

    #[test]
    fn ellipsis_counts_display_columns() {
        assert_eq!(ellipsis("abcdef", 4), "abc…");
        assert_eq!(ellipsis("abcd", 4), "abcd");
        assert_eq!(ellipsis("abc", 1), "a");
        assert_eq!(ellipsis("abc", 0), "");
        // Each CJK character takes two columns.
        assert_eq!(ellipsis("日本語のテキスト", 7), "日本語…");
        assert_eq!(ellipsis("日本", 4), "日本");
        assert_eq!(display_width("e\u{301}"), 1);
    }
}
