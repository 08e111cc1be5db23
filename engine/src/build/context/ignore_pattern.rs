//! One `.dockerignore` pattern, matched as Docker's `patternmatcher` does: the pattern is
//! turned into a matcher chosen the way Docker chooses it (an exact name, a prefix for
//! `dir/**`, a suffix for `**/name`, else a general glob), because those shortcuts are
//! not quite the glob they stand for (`**foo` matches `barfoo`), and the user's
//! `.dockerignore` was written against Docker's behaviour.
//!
//! In the general case `*` is any run of characters but `/`, `?` one character but `/`,
//! `**` any number of whole directories (`**/` and `**` alike), a trailing `**` anything,
//! `\x` the character `x`, and `[...]` a class with Go's syntax (`^` negates, ranges,
//! escapes). Docker hands classes to a regular expression, so a class may match `/`; it
//! does here too.

/// A pattern's text is invalid in Go's `filepath.Match` (Docker checks it with that).
#[derive(Debug, PartialEq, Eq)]
pub struct BadPattern;

#[derive(Debug, Clone)]
enum Token {
    Lit(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**` or `**/` before more pattern: zero or more whole directories.
    AnyDirs,
    /// `**` at the end: anything at all.
    Rest,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

#[derive(Debug, Clone)]
enum How {
    Exact,
    /// The pattern ends in `**` after literal text: a plain prefix test.
    Prefix,
    /// The pattern starts with `**` followed by literal text: a plain suffix test.
    Suffix,
    Glob(Vec<Token>),
}

#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    how: How,
}

impl Pattern {
    /// Compile an already cleaned pattern (without its `!`).
    pub fn new(text: &str) -> Result<Pattern, BadPattern> {
        let chars: Vec<char> = text.chars().collect();
        if !go_valid(&chars) {
            return Err(BadPattern);
        }
        let mut tokens = Vec::new();
        let mut how = How::Exact;
        let mut glob = false;
        let mut i = 0;
        let mut first = true;
        while i < chars.len() {
            let at_start = first;
            first = false;
            let c = chars[i];
            i += 1;
            match c {
                '*' if chars.get(i) == Some(&'*') => {
                    i += 1;
                    if chars.get(i) == Some(&'/') {
                        i += 1;
                    }
                    if i == chars.len() {
                        // Docker keeps a plain prefix test for literal text then `**`.
                        if matches!(how, How::Exact) && !glob {
                            how = How::Prefix;
                        } else {
                            glob = true;
                        }
                        tokens.push(Token::Rest);
                    } else {
                        tokens.push(Token::AnyDirs);
                        glob = true;
                    }
                    if at_start {
                        how = How::Suffix;
                        glob = false;
                    }
                }
                '*' => {
                    tokens.push(Token::Star);
                    glob = true;
                }
                '?' => {
                    tokens.push(Token::One);
                    glob = true;
                }
                '\\' => {
                    // Validation refused a trailing `\`.
                    if let Some(&next) = chars.get(i) {
                        i += 1;
                        tokens.push(Token::Lit(next));
                        glob = true;
                    }
                }
                '[' => {
                    let (tok, used) = parse_class(&chars[i..]).ok_or(BadPattern)?;
                    i += used;
                    tokens.push(tok);
                    glob = true;
                }
                ']' => {
                    tokens.push(Token::Lit(']'));
                    glob = true;
                }
                c => tokens.push(Token::Lit(c)),
            }
        }
        if glob {
            how = How::Glob(tokens);
        }
        Ok(Pattern {
            text: text.to_string(),
            how,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, path: &str) -> bool {
        match &self.how {
            How::Exact => path == self.text,
            How::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            How::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/') == Some(path)
            }
            How::Glob(tokens) => {
                let name: Vec<char> = path.chars().collect();
                glob(tokens, &name)
            }
        }
    }
}

/// Backtracking match of the whole of `s`. Like Docker's regular expression, `.` parts
/// (`**`) do not cross a newline.
fn glob(tokens: &[Token], s: &[char]) -> bool {
    let Some((tok, rest)) = tokens.split_first() else {
        return s.is_empty();
    };
    match tok {
        Token::Lit(c) => s.first() == Some(c) && glob(rest, &s[1..]),
        Token::One => s.first().is_some_and(|&c| c != '/') && glob(rest, &s[1..]),
        Token::Class { negated, ranges } => {
            s.first()
                .is_some_and(|&c| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated)
                && glob(rest, &s[1..])
        }
        Token::Star => {
            let run = s.iter().take_while(|&&c| c != '/').count();
            (0..=run).any(|k| glob(rest, &s[k..]))
        }
        Token::Rest => !s.contains(&'\n') && glob(rest, &[]),
        Token::AnyDirs => {
            glob(rest, s)
                || s.iter()
                    .enumerate()
                    .take_while(|&(_, &c)| c != '\n')
                    .any(|(k, &c)| c == '/' && glob(rest, &s[k + 1..]))
        }
    }
}

/// The class after its `[`: the token and how many characters it used (with the `]`).
fn parse_class(p: &[char]) -> Option<(Token, usize)> {
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    loop {
        if p.get(i) == Some(&']') && !ranges.is_empty() {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        let lo = class_char(p, &mut i)?;
        let hi = if p.get(i) == Some(&'-') {
            i += 1;
            class_char(p, &mut i)?
        } else {
            lo
        };
        ranges.push((lo, hi));
    }
}

/// One character of a class, as Go's `getEsc`: not `-` or `]`, `\` quotes, and the class
/// must go on after it.
fn class_char(p: &[char], i: &mut usize) -> Option<char> {
    let mut c = *p.get(*i)?;
    if c == '-' || c == ']' {
        return None;
    }
    if c == '\\' {
        *i += 1;
        c = *p.get(*i)?;
    }
    *i += 1;
    p.get(*i)?;
    Some(c)
}

/// Whether Go's `filepath.Match` accepts the pattern: escapes complete, classes closed
/// and well formed.
fn go_valid(p: &[char]) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 == p.len() => return false,
            '\\' => i += 2,
            '[' => match parse_class(&p[i + 1..]) {
                Some((_, used)) => i += 1 + used,
                None => return false,
            },
            _ => i += 1,
        }
    }
    true
}

/// The pattern without a trailing `/**` and then a trailing `/*`, as BuildKit's walker
/// looks at exceptions.
pub fn without_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, path: &str) -> bool {
        Pattern::new(p).unwrap().matches(path)
    }

    #[test]
    fn globs_as_docker() {
        let table = [
            ("foo", "foo", true),
            ("foo", "foo/bar", false),
            ("*.go", "a.go", true),
            ("*.go", "dir/a.go", false),
            ("*/*.go", "dir/a.go", true),
            ("a?c", "abc", true),
            ("a?c", "a/c", false),
            ("**", "anything/at/all", true),
            ("**/foo", "foo", true),
            ("**/foo", "a/b/foo", true),
            ("**/foo", "a/bfoo", false),
            // Docker's suffix shortcut: not what a glob would say, but what Docker does.
            ("**foo", "barfoo", true),
            ("foo/**", "foo/x/y", true),
            ("foo/**", "foo", false),
            ("foo/**/bar", "foo/bar", true),
            ("foo/**/bar", "foo/a/b/bar", true),
            ("foo/**/bar", "foo/a/b/baz", false),
            ("a/**/*.md", "a/x/y/z.md", true),
            ("**/*.md", "z.md", true),
            ("*/**", "a/b", true),
            ("[a-c]x", "bx", true),
            ("[^a-c]x", "dx", true),
            ("[^a-c]x", "ax", false),
            ("a[\\]]", "a]", true),
            ("a\\*", "a*", true),
            ("a\\*", "ab", false),
            ("a.b", "a.b", true),
            ("a.b", "axb", false),
            ("*.(x)", "q.(x)", true),
        ];
        for (p, path, want) in table {
            assert_eq!(m(p, path), want, "{p:?} on {path:?}");
        }
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for p in ["[", "a[", "[]", "[a-]", "x\\", "[\\"] {
            assert_eq!(Pattern::new(p).err(), Some(BadPattern), "{p:?}");
        }
        for p in ["[z-a]", "]", "a]b"] {
            assert!(Pattern::new(p).is_ok(), "{p:?}");
        }
    }

    #[test]
    fn trailing_globs_stripped() {
        assert_eq!(without_trailing_glob("a/b/**"), "a/b");
        assert_eq!(without_trailing_glob("a/b/*"), "a/b");
        assert_eq!(without_trailing_glob("a/*.go"), "a/*.go");
    }
}
