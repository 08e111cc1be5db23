//! `awslogs-datetime-format`: a strftime format turned into the regular expression that
//! finds where a multi-line event begins, with Docker's table of directives (so a
//! format that works with Docker's driver splits the same lines here).

/// The expression each directive stands for; anything else is matched literally.
fn directive(c: char) -> Option<&'static str> {
    Some(match c {
        'a' => "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)",
        'A' => "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)",
        'b' => "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
        'B' => "(?:January|February|March|April|May|June|July|August|September|October|November|December)",
        'd' => "(?:0[1-9]|[1,2][0-9]|3[0,1])",
        'H' => "(?:[0,1][0-9]|2[0-3])",
        'I' => "(?:0[0-9]|1[0-2])",
        'j' => "(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])",
        'L' => r"\.\d{3}",
        'f' => r"\d{6}",
        'm' => "(?:0[1-9]|1[0-2])",
        'M' => "[0-5][0-9]",
        'p' => "[A,P]M",
        'S' => "[0-5][0-9]",
        'U' => "(?:[0-4][0-9]|5[0-3])",
        'w' => "[0-6]",
        'W' => "(?:[0-4][0-9]|5[0-3])",
        'y' => r"\d{2}",
        'Y' => r"\d{4}",
        'z' => r"[+-]\d{4}",
        'Z' => "[A-Z]{1,4}T",
        '%' => "%",
        _ => return None,
    })
}

/// The format as a regular expression (unanchored; the caller anchors it at the start).
pub fn to_regex(format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push_str(&regex::escape(&c.to_string()));
            continue;
        }
        match chars.next() {
            Some(d) => match directive(d) {
                Some(re) => out.push_str(re),
                None => out.push_str(&regex::escape(&format!("%{d}"))),
            },
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(format: &str, line: &str) -> bool {
        regex::Regex::new(&format!("^{}", to_regex(format)))
            .unwrap()
            .is_match(line)
    }

    #[test]
    fn directives_and_literals() {
        assert!(matches(
            "[%b %d, %Y %H:%M:%S]",
            "[May 01, 2017 19:00:01] A message"
        ));
        assert!(!matches("[%b %d, %Y %H:%M:%S]", "  continued"));
        assert!(matches(
            "%Y-%m-%dT%H:%M:%S%L%z",
            "2026-12-07T17:36:46.123+0000 x"
        ));
        assert!(matches("%a %p 100%%", "Mon PM 100% done"));
        // A literal dot is a dot, not any character.
        assert!(!matches("%H.%M", "17:36"));
        // An unknown directive is literal.
        assert!(matches("%Q", "%Q rest"));
    }
}
