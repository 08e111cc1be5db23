//! Output shapes: what is left of a command's output once the parts that differ between
//! any two runs (IDs, times, durations, sizes, addresses, the program's own name) are
//! replaced by placeholders, so that Berth's and Docker's outputs can be compared line
//! by line. Each rule is small and explicit, and applies only at a word boundary:
//!
//! | Matches | Becomes |
//! |---|---|
//! | `2024-01-02T15:04:05.123Z`, `...+02:00`, `2024-01-02 15:04:05 +0000 UTC` | `<TIME>` |
//! | `02:42:ac:11:00:02` | `<MAC>` |
//! | `172.17.0.2`, and with `/16` | `<IP>`, `<NET>` |
//! | 64 or 12 lowercase hex digits | `<ID>` |
//! | `0xc000414840` (a Go pointer) | `<PTR>` |
//! | `1.98MB`, `0B`, `4.1kB` | `<SIZE>` |
//! | `Less than a second`, `About a minute`, `About an hour`, `3 seconds`, `1 day` | `<DUR>` |
//! | `docker`, `berth` | `CLI` |
//! | a generated container name, `merry_shannon`, `quirky_antonelli4` | `<NAME>` |
//!
//! Runs of two or more blanks (tabwriter padding) become two spaces; line ends are trimmed.

/// The shape of a whole output: its lines, without trailing empty lines.
pub fn shape(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(shape_line).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// The shape of one line.
pub fn shape_line(line: &str) -> String {
    let c: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if i == 0 || !is_word(c[i - 1]) {
            if let Some((len, placeholder)) = placeholder_at(&c[i..]) {
                out.push_str(placeholder);
                i += len;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    collapse_blanks(&out)
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A rule: how many chars at the start of its input it matches.
type Rule = fn(&[char]) -> Option<usize>;

/// The first rule matching at the start of `s` (which is at a word boundary), with the
/// number of chars it covers; a match must end at a word boundary too.
fn placeholder_at(s: &[char]) -> Option<(usize, &'static str)> {
    let ends_word = |n: usize| n > 0 && s.get(n).is_none_or(|&c| !is_word(c));
    let rules: [(Rule, &'static str); 9] = [
        (time, "<TIME>"),
        (mac, "<MAC>"),
        (cidr, "<NET>"),
        (ipv4, "<IP>"),
        (hex_id, "<ID>"),
        (pointer, "<PTR>"),
        (size, "<SIZE>"),
        (duration, "<DUR>"),
        (random_name, "<NAME>"),
    ];
    for (rule, placeholder) in rules {
        if let Some(n) = rule(s) {
            if ends_word(n) {
                return Some((n, placeholder));
            }
        }
    }
    for name in ["docker", "berth"] {
        if starts_with(s, name) && ends_word(name.len()) {
            return Some((name.len(), "CLI"));
        }
    }
    None
}

fn starts_with(s: &[char], p: &str) -> bool {
    s.len() >= p.len() && s.iter().zip(p.chars()).all(|(a, b)| *a == b)
}

/// `n` chars of `s` from `at` satisfying `f`; exactly `n`.
fn exactly(s: &[char], at: usize, n: usize, f: fn(&char) -> bool) -> bool {
    s.len() >= at + n && s[at..at + n].iter().all(f)
}

/// How many chars from `at` satisfy `f`.
fn run(s: &[char], at: usize, f: fn(&char) -> bool) -> usize {
    s.get(at..)
        .map_or(0, |t| t.iter().take_while(|c| f(c)).count())
}

fn digit(c: &char) -> bool {
    c.is_ascii_digit()
}

fn hex(c: &char) -> bool {
    c.is_ascii_hexdigit()
}

fn lower_hex(c: &char) -> bool {
    c.is_ascii_digit() || ('a'..='f').contains(c)
}

fn upper(c: &char) -> bool {
    c.is_ascii_uppercase()
}

/// RFC 3339 (`2024-01-02T15:04:05.123456789Z`, `+02:00`) or Go's `Time.String()`
/// (`2024-01-02 15:04:05.123 +0000 UTC`).
fn time(s: &[char]) -> Option<usize> {
    let at = |i: usize, ch: char| s.get(i) == Some(&ch);
    let date = exactly(s, 0, 4, digit)
        && at(4, '-')
        && exactly(s, 5, 2, digit)
        && at(7, '-')
        && exactly(s, 8, 2, digit);
    let go_form = at(10, ' ');
    if !date || !(at(10, 'T') || go_form) {
        return None;
    }
    if !(exactly(s, 11, 2, digit)
        && at(13, ':')
        && exactly(s, 14, 2, digit)
        && at(16, ':')
        && exactly(s, 17, 2, digit))
    {
        return None;
    }
    let mut n = 19;
    if at(n, '.') && run(s, n + 1, digit) > 0 {
        n += 1 + run(s, n + 1, digit);
    }
    if go_form {
        // " +0000 UTC"
        if at(n, ' ') && (at(n + 1, '+') || at(n + 1, '-')) && exactly(s, n + 2, 4, digit) {
            n += 6;
            let zone = run(s, n + 1, upper);
            if at(n, ' ') && (3..=5).contains(&zone) {
                n += 1 + zone;
            }
        }
    } else if at(n, 'Z') {
        n += 1;
    } else if (at(n, '+') || at(n, '-'))
        && exactly(s, n + 1, 2, digit)
        && at(n + 3, ':')
        && exactly(s, n + 4, 2, digit)
    {
        n += 6;
    }
    Some(n)
}

fn mac(s: &[char]) -> Option<usize> {
    (0..6)
        .all(|k| exactly(s, 3 * k, 2, hex) && (k == 5 || s.get(3 * k + 2) == Some(&':')))
        .then_some(17)
}

fn ipv4(s: &[char]) -> Option<usize> {
    let mut n = 0;
    for k in 0..4 {
        if k > 0 {
            if s.get(n) != Some(&'.') {
                return None;
            }
            n += 1;
        }
        let d = run(s, n, digit);
        if !(1..=3).contains(&d) {
            return None;
        }
        n += d;
    }
    Some(n)
}

fn cidr(s: &[char]) -> Option<usize> {
    let n = ipv4(s)?;
    let d = run(s, n + 1, digit);
    (s.get(n) == Some(&'/') && (1..=2).contains(&d)).then_some(n + 1 + d)
}

fn hex_id(s: &[char]) -> Option<usize> {
    let n = run(s, 0, lower_hex);
    (n == 64 || n == 12).then_some(n)
}

fn pointer(s: &[char]) -> Option<usize> {
    let n = run(s, 2, hex);
    (starts_with(s, "0x") && n > 0).then_some(2 + n)
}

fn size(s: &[char]) -> Option<usize> {
    let mut n = run(s, 0, digit);
    if n == 0 {
        return None;
    }
    if s.get(n) == Some(&'.') && run(s, n + 1, digit) > 0 {
        n += 1 + run(s, n + 1, digit);
    }
    ["kB", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "B"]
        .iter()
        .find(|u| starts_with(&s[n..], u))
        .map(|u| n + u.len())
}

/// go-units' HumanDuration, as `ps`, `images` and `history` print it.
fn duration(s: &[char]) -> Option<usize> {
    for phrase in ["Less than a second", "About a minute", "About an hour"] {
        if starts_with(s, phrase) {
            return Some(phrase.len());
        }
    }
    let n = run(s, 0, digit);
    if n == 0 || s.get(n) != Some(&' ') {
        return None;
    }
    let rest = &s[n + 1..];
    for unit in ["second", "minute", "hour", "day", "week", "month", "year"] {
        if starts_with(rest, unit) {
            let plural = usize::from(rest.get(unit.len()) == Some(&'s'));
            return Some(n + 1 + unit.len() + plural);
        }
    }
    None
}

/// Docker's generated names, `adjective_surname` with an optional number (Berth makes
/// them the same way).
fn random_name(s: &[char]) -> Option<usize> {
    let lower = |c: &char| c.is_ascii_lowercase();
    let a = run(s, 0, lower);
    let b = run(s, a + 1, lower);
    (a >= 2 && s.get(a) == Some(&'_') && b >= 2).then(|| a + 1 + b + run(s, a + 1 + b, digit))
}

fn collapse_blanks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blanks = String::new();
    for ch in s.chars() {
        if ch == ' ' || ch == '\t' {
            blanks.push(ch);
            continue;
        }
        if !blanks.is_empty() {
            out.push_str(if blanks == " " { " " } else { "  " });
            blanks.clear();
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_rows_lose_ids_durations_and_padding() {
        assert_eq!(
            shape_line(
                "f47f71e4ce09   busybox   \"sleep 1000\"   1 second ago   Up Less than a second             d1"
            ),
            "<ID>  busybox  \"sleep 1000\"  <DUR> ago  Up <DUR>  d1"
        );
        assert_eq!(
            shape_line("7d9cc0d3e746   busybox   Exited (0) 27 seconds ago"),
            "<ID>  busybox  Exited (0) <DUR> ago"
        );
    }

    #[test]
    fn times_addresses_sizes_and_names() {
        assert_eq!(
            shape_line("2024-01-02T15:04:05.123456789Z out"),
            "<TIME> out"
        );
        assert_eq!(
            shape_line("at 2024-01-02 15:04:05.1 +0000 UTC."),
            "at <TIME>."
        );
        assert_eq!(
            shape_line("172.17.0.2 02:42:ac:11:00:02 10.9.0.0/24"),
            "<IP> <MAC> <NET>"
        );
        assert_eq!(
            shape_line(&format!("sha256:{} 1.98MB 0B", "ab12".repeat(16))),
            "sha256:<ID> <SIZE> <SIZE>"
        );
        assert_eq!(shape_line("map[bridge:0xc000414840]"), "map[bridge:<PTR>]");
        assert_eq!(
            shape_line("See 'docker run --help'. berth: dockerd"),
            "See 'CLI run --help'. CLI: dockerd"
        );
        // Not at a word boundary, or not a whole word: left alone.
        assert_eq!(
            shape_line("x172.17.0.2 abc123 1000"),
            "x172.17.0.2 abc123 1000"
        );
        assert_eq!(shape(" a\n\n"), vec![" a".to_string()]);
        assert_eq!(
            shape_line("/merry_shannon/w quirky_antonelli4 Created"),
            "/<NAME>/w <NAME> Created"
        );
    }
}
