//! The shell patterns of `${V#pat}`, `${V%pat}` and `${V/pat/repl}`: `*`, `?` and
//! `\` escaping them, matched against variable values.

enum Tok {
    Star,
    Any,
    Lit(char),
}

fn compile(pattern: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => toks.push(Tok::Star),
            '?' => toks.push(Tok::Any),
            '\\' => match chars.next() {
                // `\}` and `\/` reach here from inside `${...}`: the brace or slash is literal.
                Some(n @ ('*' | '?' | '\\' | '}' | '/')) => toks.push(Tok::Lit(n)),
                Some(n) => {
                    return Err(format!(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\{n}'"
                    ))
                }
                None => toks.push(Tok::Lit('\\')),
            },
            c => toks.push(Tok::Lit(c)),
        }
    }
    Ok(toks)
}

/// Whether the whole of `text` matches `toks`.
fn matches(toks: &[Tok], text: &[char]) -> bool {
    match toks.split_first() {
        None => text.is_empty(),
        Some((Tok::Star, rest)) => (0..=text.len()).any(|i| matches(rest, &text[i..])),
        Some((Tok::Any, rest)) => !text.is_empty() && matches(rest, &text[1..]),
        Some((Tok::Lit(c), rest)) => text.first() == Some(c) && matches(rest, &text[1..]),
    }
}

/// `${V#pat}` (shortest) and `${V##pat}` (longest): remove a matching prefix.
pub(crate) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let toks = compile(pattern)?;
    let chars: Vec<char> = value.chars().collect();
    let mut lens: Vec<usize> = (0..=chars.len()).collect();
    if greedy {
        lens.reverse();
    }
    Ok(
        match lens.into_iter().find(|&n| matches(&toks, &chars[..n])) {
            Some(n) => chars[n..].iter().collect(),
            None => value.to_string(),
        },
    )
}

/// `${V%pat}` (shortest) and `${V%%pat}` (longest): remove a matching suffix.
pub(crate) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let toks = compile(pattern)?;
    let chars: Vec<char> = value.chars().collect();
    let mut starts: Vec<usize> = (0..=chars.len()).collect();
    if !greedy {
        starts.reverse();
    }
    Ok(
        match starts.into_iter().find(|&s| matches(&toks, &chars[s..])) {
            Some(s) => chars[..s].iter().collect(),
            None => value.to_string(),
        },
    )
}

/// `${V/pat/repl}` (first match) and `${V//pat/repl}` (every match): leftmost,
/// longest matches are replaced. An empty pattern changes nothing.
pub(crate) fn replace(
    pattern: &str,
    value: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let toks = compile(pattern)?;
    if toks.is_empty() {
        return Ok(value.to_string());
    }
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < chars.len() {
        let found = if replaced && !all {
            None
        } else {
            (i + 1..=chars.len())
                .rev()
                .find(|&end| matches(&toks, &chars[i..end]))
        };
        match found {
            Some(end) => {
                out.push_str(replacement);
                i = end;
                replaced = true;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix() {
        assert_eq!(
            trim_prefix("a*", "abcabc", false).ok().as_deref(),
            Some("bcabc")
        );
        assert_eq!(trim_prefix("a*", "abcabc", true).ok().as_deref(), Some(""));
        assert_eq!(trim_prefix("x", "abc", true).ok().as_deref(), Some("abc"));
        assert_eq!(
            trim_suffix("b*", "abcabc", false).ok().as_deref(),
            Some("abca")
        );
        assert_eq!(trim_suffix("b*", "abcabc", true).ok().as_deref(), Some("a"));
        assert_eq!(trim_suffix("\\*", "a*", false).ok().as_deref(), Some("a"));
    }

    #[test]
    fn replacement() {
        assert_eq!(
            replace("b", "abab", "X", false).ok().as_deref(),
            Some("aXab")
        );
        assert_eq!(
            replace("b", "abab", "X", true).ok().as_deref(),
            Some("aXaX")
        );
        assert_eq!(replace("a*", "xab", "Y", false).ok().as_deref(), Some("xY"));
        assert!(replace("\\q", "x", "", false).is_err());
    }
}
