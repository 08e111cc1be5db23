//! Splitting one logical line the way BuildKit's parser does before any meaning is
//! given to it: the keyword, the `--flags`, and the rest as JSON, raw words or text.

/// The blanks BuildKit splits arguments on (`[\t\v\f\r ]+`).
fn is_blank(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// A line split into its keyword (as written), its flags (quotes removed, `--x=v`)
/// and the rest of the line (trimmed).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SplitLine {
    pub keyword: String,
    pub flags: Vec<String>,
    pub rest: String,
}

pub(crate) fn split_command(line: &str, escape: char) -> SplitLine {
    let line = line.trim();
    let (keyword, args) = match line.find(is_blank) {
        Some(i) => (&line[..i], line[i..].trim_start_matches(is_blank)),
        None => (line, ""),
    };
    let (flags, rest) = extract_flags(args, escape);
    SplitLine {
        keyword: keyword.to_string(),
        flags,
        rest: rest.trim().to_string(),
    }
}

/// Takes the leading words that start with `--`, unquoting them; a lone `--` ends the
/// flags (POSIX), as does the first word that is not a flag.
fn extract_flags(line: &str, escape: char) -> (Vec<String>, &str) {
    let mut flags = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return (flags, "");
        };
        if !line[start..].starts_with("--") {
            return (flags, &line[start..]);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if c.is_whitespace() => {
                    end = i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if c == escape => {
                    // An escape at the end of the line is dropped.
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (flags, &line[end..]);
        }
        flags.push(word);
    }
}

/// Words separated by whitespace with quotes and escapes kept as written (for ENV,
/// LABEL and ARG, whose words are expanded later). A quoted empty word counts.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            // The escape escapes inside double quotes, never inside single quotes.
            if c == escape && q != '\'' {
                if let Some(n) = chars.next() {
                    word.push(c);
                    word.push(n);
                }
                continue;
            }
            word.push(c);
            continue;
        }
        if c.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
        }
        if c == escape {
            // An escape at the end of the line is dropped.
            if let Some(n) = chars.next() {
                word.push(c);
                word.push(n);
            }
            continue;
        }
        word.push(c);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// The JSON (exec) form: `Ok(Some)` for an array of strings, `Ok(None)` when the text
/// is not a JSON array at all (then it is shell form), an error for an array holding
/// something other than strings.
pub(crate) fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(rest) else {
        return Ok(None);
    };
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => {
                Err("when using JSON array syntax, arrays must be comprised of strings only".into())
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

/// Whitespace-separated words, nothing unquoted (FROM, EXPOSE, COPY's shell form).
pub(crate) fn split_blanks(rest: &str) -> Vec<String> {
    rest.split(is_blank)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keyword_flags_and_rest() {
        let s = split_command("  copy --from=build  --chown=\"a b\" src dst ", '\\');
        assert_eq!(s.keyword, "copy");
        assert_eq!(s.flags, ["--from=build", "--chown=a b"]);
        assert_eq!(s.rest, "src dst");
        let s = split_command("RUN -- --not-a-flag", '\\');
        assert!(s.flags.is_empty());
        assert_eq!(s.rest, "--not-a-flag");
        let s = split_command("RUN --network=none", '\\');
        assert_eq!(s.flags, ["--network=none"]);
        assert_eq!(s.rest, "");
        let s = split_command("EXPOSE", '\\');
        assert_eq!((s.keyword.as_str(), s.rest.as_str()), ("EXPOSE", ""));
        let s = split_command("RUN echo --x", '\\');
        assert!(s.flags.is_empty());
        assert_eq!(s.rest, "echo --x");
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"a="x y" b='p q' c=d\ e "" f"#, '\\'),
            [r#"a="x y""#, "b='p q'", r"c=d\ e", r#""""#, "f"]
        );
        assert_eq!(parse_words(r#"k="a\"b" z"#, '\\'), [r#"k="a\"b""#, "z"]);
        assert_eq!(parse_words("k='a\\' z", '\\'), ["k='a\\'", "z"]);
        assert!(parse_words("   ", '\\').is_empty());
    }

    #[test]
    fn json_detection() {
        assert_eq!(
            parse_json(r#"["a", "b c"]"#),
            Ok(Some(vec!["a".into(), "b c".into()]))
        );
        assert_eq!(parse_json("[]"), Ok(Some(vec![])));
        assert_eq!(parse_json(r#"[ "a" "#), Ok(None));
        assert_eq!(parse_json(r#"["a"] x"#), Ok(None));
        assert_eq!(parse_json("echo [x]"), Ok(None));
        assert!(parse_json(r#"["a", 1]"#).is_err());
    }
}
