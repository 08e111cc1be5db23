//! Compose's `.env` / `env_file` format, read as compose-go's `dotenv` parser reads it.
//!
//! - Blank lines and lines starting with `#` (after any indentation) are skipped; a UTF-8
//!   byte-order mark at the very start is ignored.
//! - A statement is `[export ]NAME=value` or `NAME: value`, spaces allowed around the
//!   separator. Names hold letters, digits (any script) and `_ . - [ ]`; a name may start
//!   with a digit.
//! - A bare `NAME` takes its value from the lookup, and is left out when the lookup has
//!   none (an earlier value of NAME in the file stays).
//! - Unquoted values run to the end of the line, lose a ` #` comment (space then hash:
//!   `a#b` and `a\t#b` are values) and trailing whitespace; backslashes are literal.
//! - `'...'` is literal: no escapes but `\'`, no interpolation. `"..."` decodes `\a \b
//!   \f \n \r \t \v \" \\ \$` and `\0` + three octal digits, keeps other backslashes,
//!   and is then interpolated. Both quotes may span lines. Text after the closing quote
//!   is read as the start of the next statement (so a trailing `# comment` is skipped).
//! - Interpolation (see [`super::interpolate`]) asks the caller's lookup first and then
//!   the values set earlier in the file, as compose-go does, so the environment beats
//!   the file even when the file sets a name before using it.
//! - A name set twice keeps its last value, in the place of its first appearance.
//!
//! Where compose-go accepts input that yields nonsense, this parser refuses or fixes it:
//! a statement with no name (`=value`, which compose-go stores under the empty name) is
//! an error; a name containing any whitespace, not just a space, is an error; a bare name
//! on a last line without a newline is read as a bare name (compose-go stores it as the
//! value of the empty name); a lone `export` names nothing, even on a last line without a
//! newline (where compose-go fails with "zero length string"); and an unterminated quote
//! is reported at the line where the value starts, not at the end of the file.

use std::collections::HashMap;

use super::interpolate::{interpolate_noting_missing, InterpolateError};

/// A `.env` statement that could not be read, and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct DotenvError {
    pub line: usize,
    pub kind: DotenvErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DotenvErrorKind {
    /// A character that cannot be part of a name; `line_text` is the statement's line.
    #[error("unexpected character {:?} in variable name {line_text:?}", .character.to_string())]
    UnexpectedCharacter { character: char, line_text: String },
    #[error("key cannot contain a space")]
    KeyContainsSpace,
    /// `=value` or `: value` with nothing before the separator.
    #[error("missing variable name in {line_text:?}")]
    MissingKey { line_text: String },
    /// `value_text` is the value's first line, opening quote included.
    #[error("unterminated quoted value {value_text}")]
    UnterminatedQuote { value_text: String },
    #[error("{0}")]
    Interpolate(InterpolateError),
}

/// Parses `.env` text into `(name, value)` pairs in order of first appearance.
/// `lookup` answers bare names and interpolation (`None` means unset).
pub fn parse(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, DotenvError> {
    parse_noting_missing(text, lookup, &mut Vec::new())
}

/// [`parse`], also pushing onto `missing` every unset variable that interpolation turned
/// into "" (see [`super::interpolate::interpolate_noting_missing`]).
pub fn parse_noting_missing(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
) -> Result<Vec<(String, String)>, DotenvError> {
    // Some editors, mostly on Windows, start files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser {
        rest: text,
        line: 1,
    };
    let mut vars = Vars::default();
    while parser.skip_to_statement() {
        let line = parser.line;
        let at_line = |kind| DotenvError { line, kind };
        match parser.key().map_err(at_line)? {
            Key::Bare(name) if name.is_empty() => {}
            Key::Bare(name) => {
                if let Some(value) = lookup(&name) {
                    vars.set(name, value);
                }
            }
            Key::Assigned(name) => {
                let raw = parser.value().map_err(at_line)?;
                let known = |k: &str| lookup(k).or_else(|| vars.get(k));
                let value = raw
                    .finish(&known, missing)
                    .map_err(|e| at_line(DotenvErrorKind::Interpolate(e)))?;
                vars.set(name, value);
            }
        }
    }
    Ok(vars.entries)
}

enum Key {
    /// `NAME=...` or `NAME: ...`: a value follows.
    Assigned(String),
    /// `NAME` alone: the value comes from the lookup.
    Bare(String),
}

/// A value as written, before escapes and interpolation.
enum RawValue {
    Unquoted(String),
    SingleQuoted(String),
    DoubleQuoted(String),
}

impl RawValue {
    fn finish(
        self,
        lookup: &dyn Fn(&str) -> Option<String>,
        missing: &mut Vec<String>,
    ) -> Result<String, InterpolateError> {
        match self {
            RawValue::Unquoted(text) => interpolate_noting_missing(&text, lookup, missing),
            RawValue::SingleQuoted(text) => Ok(text),
            // Escapes first, so that `\$` (decoded to `$$`) escapes interpolation.
            RawValue::DoubleQuoted(text) => {
                interpolate_noting_missing(&decode_escapes(&text), lookup, missing)
            }
        }
    }
}

/// The names set so far, in order of first appearance.
#[derive(Default)]
struct Vars {
    entries: Vec<(String, String)>,
    index: HashMap<String, usize>,
}

impl Vars {
    fn set(&mut self, name: String, value: String) {
        match self.index.get(&name).and_then(|&i| self.entries.get_mut(i)) {
            Some(entry) => entry.1 = value,
            None => {
                self.index.insert(name.clone(), self.entries.len());
                self.entries.push((name, value));
            }
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        let &i = self.index.get(name)?;
        self.entries.get(i).map(|(_, value)| value.clone())
    }
}

/// A cursor over the text; `line` is the 1-based line `rest` starts on.
struct Parser<'t> {
    rest: &'t str,
    line: usize,
}

impl Parser<'_> {
    /// Moves past whitespace and comment lines; false at the end of the text.
    fn skip_to_statement(&mut self) -> bool {
        loop {
            let Some((at, first)) = self.rest.char_indices().find(|(_, c)| !c.is_whitespace())
            else {
                self.advance(self.rest.len());
                return false;
            };
            self.advance(at);
            if first != '#' {
                return true;
            }
            // Stop at the newline, so the next round counts it.
            self.advance(self.rest.find('\n').unwrap_or(self.rest.len()));
        }
    }

    /// Moves `len` bytes on, counting the lines passed.
    fn advance(&mut self, len: usize) {
        self.line += self.rest[..len].matches('\n').count();
        self.rest = &self.rest[len..];
    }

    /// Reads the name and what follows it, leaving `rest` at the value (if any).
    fn key(&mut self) -> Result<Key, DotenvErrorKind> {
        self.skip_export();
        let src = self.rest;
        for (at, c) in src.char_indices() {
            match c {
                // Spaces may sit anywhere here; one inside the name is refused below.
                c if is_inline_space(c) => {}
                '=' | ':' => {
                    self.rest = src[at + 1..].trim_start_matches(is_inline_space);
                    return assigned(&src[..at], first_line(src));
                }
                '\n' => {
                    self.advance(at + 1);
                    return bare(&src[..at]);
                }
                '_' | '.' | '-' | '[' | ']' => {}
                c if c.is_alphabetic() || c.is_numeric() => {}
                c => {
                    return Err(DotenvErrorKind::UnexpectedCharacter {
                        character: c,
                        line_text: first_line(src).to_string(),
                    })
                }
            }
        }
        // A bare name on a last line that has no newline.
        self.rest = "";
        bare(src)
    }

    /// Drops an `export` keyword (followed by whitespace) from the statement.
    fn skip_export(&mut self) {
        if let Some(after) = self.rest.strip_prefix("export") {
            if after.starts_with([' ', '\t', '\n', '\r', '\x0c']) {
                self.rest = after.trim_start_matches(is_inline_space);
            }
        }
    }

    fn value(&mut self) -> Result<RawValue, DotenvErrorKind> {
        match self.rest.chars().next() {
            Some(quote @ ('"' | '\'')) => self.quoted(quote),
            _ => Ok(RawValue::Unquoted(self.unquoted())),
        }
    }

    fn unquoted(&mut self) -> String {
        let line = first_line(self.rest);
        self.advance((line.len() + 1).min(self.rest.len()));
        // Only ` #` starts a comment, so `a#b` and `a\t#b` are whole values.
        let value = line.split_once(" #").map_or(line, |(value, _)| value);
        value.trim_end().to_string()
    }

    /// Reads a quoted value up to its closing quote. A backslash is kept in front of
    /// everything but the quote: only double quotes decode escapes, and only later.
    fn quoted(&mut self, quote: char) -> Result<RawValue, DotenvErrorKind> {
        let rest = self.rest;
        let body = &rest[1..];
        let mut raw = String::new();
        let mut escaped = false;
        for (at, c) in body.char_indices() {
            if c == quote && !escaped {
                self.advance(1 + at + 1);
                return Ok(match quote {
                    '"' => RawValue::DoubleQuoted(raw),
                    _ => RawValue::SingleQuoted(raw),
                });
            }
            if c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if escaped && c != quote {
                raw.push('\\');
            }
            escaped = false;
            raw.push(c);
        }
        Err(DotenvErrorKind::UnterminatedQuote {
            value_text: first_line(rest).to_string(),
        })
    }
}

fn assigned(name: &str, line_text: &str) -> Result<Key, DotenvErrorKind> {
    let name = checked_name(name)?;
    if name.is_empty() {
        return Err(DotenvErrorKind::MissingKey {
            line_text: line_text.to_string(),
        });
    }
    Ok(Key::Assigned(name))
}

fn bare(name: &str) -> Result<Key, DotenvErrorKind> {
    checked_name(name).map(Key::Bare)
}

/// The name without trailing whitespace, refused if whitespace remains inside it.
fn checked_name(name: &str) -> Result<String, DotenvErrorKind> {
    let name = name.trim_end();
    if name.contains(char::is_whitespace) {
        return Err(DotenvErrorKind::KeyContainsSpace);
    }
    Ok(name.to_string())
}

fn first_line(s: &str) -> &str {
    s.find('\n').map_or(s, |n| &s[..n])
}

/// Whitespace that does not end a line, as compose-go counts it.
fn is_inline_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r' | '\u{85}' | '\u{a0}')
}

/// Decodes a double-quoted value's escapes; unknown ones (`\x41`, `\u00e9`, `\q`) stay.
fn decode_escapes(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parsed_with(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
        match parse(text, lookup) {
            Ok(vars) => vars,
            Err(e) => panic!("{text:?} failed: {e}"),
        }
    }

    fn parsed(text: &str) -> Vec<(String, String)> {
        parsed_with(text, &no_env)
    }

    fn failed(text: &str) -> DotenvError {
        match parse(text, &no_env) {
            Ok(vars) => panic!("{text:?} gave {vars:?}, expected an error"),
            Err(e) => e,
        }
    }

    /// Each input must parse to exactly one variable with this name and value.
    fn check_single(cases: &[(&str, &str, &str)]) {
        for (text, name, value) in cases {
            assert_eq!(parsed(text), owned(&[(name, value)]), "input {text:?}");
        }
    }

    #[test]
    fn assignments_in_file_order() {
        assert_eq!(
            parsed("ONE=1\nTWO='2'\nTHREE = \"3\""),
            owned(&[("ONE", "1"), ("TWO", "2"), ("THREE", "3")])
        );
    }

    #[test]
    fn blank_lines_and_comments_are_skipped() {
        for text in ["", "\n", "\r\n", "\t\t ", "# Comment", "\t # comment\n\n"] {
            assert!(parsed(text).is_empty(), "input {text:?}");
        }
        assert_eq!(
            parsed("# head\n\n  # indented\nA=1\n\n# tail"),
            owned(&[("A", "1")])
        );
    }

    #[test]
    fn spaces_around_the_separator() {
        let text = "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n\
                    456 = ABC\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n";
        assert_eq!(
            parsed(text),
            owned(&[
                ("OPTION_A", "1"),
                ("OPTION_B", "2"),
                ("OPTION_C", "3"),
                ("OPTION_D", "4"),
                ("OPTION_E", "5"),
                ("456", "ABC"),
                ("OPTION_F", ""),
                ("OPTION_G", ""),
                ("OPTION_H", "my string"),
            ])
        );
        check_single(&[
            (" KEY =value", "KEY", "value"),
            ("\tKEY=value", "KEY", "value"),
        ]);
    }

    #[test]
    fn empty_value_before_the_next_line() {
        assert_eq!(parsed("A=\nB=1"), owned(&[("A", ""), ("B", "1")]));
    }

    #[test]
    fn yaml_style_colon_separator() {
        check_single(&[
            ("OPTION_A: 1", "OPTION_A", "1"),
            ("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar"),
            ("OPTION_A=1:B", "OPTION_A", "1:B"),
            ("A:b=c", "A", "b=c"),
        ]);
    }

    #[test]
    fn export_prefix() {
        check_single(&[
            ("export OPTION_A=2", "OPTION_A", "2"),
            ("export OPTION_B='\\n'", "OPTION_B", "\\n"),
            ("export exportFoo=2", "exportFoo", "2"),
            ("exportFOO=2", "exportFOO", "2"),
            ("export_FOO =2", "export_FOO", "2"),
            ("export.FOO= 2", "export.FOO", "2"),
            ("export\tOPTION_A=2", "OPTION_A", "2"),
            ("  export OPTION_A=2", "OPTION_A", "2"),
            ("\texport OPTION_A=2", "OPTION_A", "2"),
            ("export OPTION_A=\"export A\"", "OPTION_A", "export A"),
            ("export=1", "export", "1"),
        ]);
    }

    #[test]
    fn name_characters() {
        assert_eq!(
            parsed(
                "a=b\na[1]=c\na.propertyKey=d\nVAR-WITH-DASHES=dashes\n\
                 árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n"
            ),
            owned(&[
                ("a", "b"),
                ("a[1]", "c"),
                ("a.propertyKey", "d"),
                ("VAR-WITH-DASHES", "dashes"),
                ("árvíztűrő-TÜKÖRFÚRÓGÉP", "ÁRVÍZTŰRŐ-tükörfúrógép"),
            ])
        );
    }

    #[test]
    fn unquoted_values() {
        check_single(&[
            ("FOO=bar", "FOO", "bar"),
            ("FOO=bar ", "FOO", "bar"),
            ("FOO=foobar=", "FOO", "foobar="),
            ("FOO=first one with spaces", "FOO", "first one with spaces"),
            ("FOO=bar # this is foo", "FOO", "bar"),
            ("FOO=bar #this is foo", "FOO", "bar"),
            ("FOO=bar #", "FOO", "bar"),
            (
                "FOO=123#not-an-inline-comment",
                "FOO",
                "123#not-an-inline-comment",
            ),
            // The leading space goes with the separator, so no ` #` is left.
            ("FOO= #hash", "FOO", "#hash"),
            ("FOO=a\t# b", "FOO", "a\t# b"),
            ("FOO=a\\tb", "FOO", "a\\tb"),
            ("FOO=it's \"x\"", "FOO", "it's \"x\""),
            ("FOO=é ü", "FOO", "é ü"),
        ]);
    }

    #[test]
    fn quoted_values_followed_by_comments() {
        check_single(&[
            ("FOO=\"bar#baz\"", "FOO", "bar#baz"),
            ("FOO=\"bar#baz\"#", "FOO", "bar#baz"),
            ("FOO=\"bar#baz\" # comment", "FOO", "bar#baz"),
            ("FOO='bar#baz' # comment", "FOO", "bar#baz"),
            ("FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang"),
            (
                "OPTION_I = \"echo 'asd'\" # Inline comment",
                "OPTION_I",
                "echo 'asd'",
            ),
            ("FOO=\"\"", "FOO", ""),
            ("FOO=''", "FOO", ""),
        ]);
    }

    #[test]
    fn text_after_a_closing_quote_starts_the_next_statement() {
        assert_eq!(parsed("A=\"1\"B=2"), owned(&[("A", "1"), ("B", "2")]));
        assert_eq!(
            parsed("A='1' B=2\nC=3"),
            owned(&[("A", "1"), ("B", "2"), ("C", "3")])
        );
    }

    #[test]
    fn single_quotes_are_literal() {
        let env = env_of(&[("FOO", "test")]);
        let cases = [
            ("A='quote $FOO ${FOO}'", "quote $FOO ${FOO}"),
            ("A='\\n'", "\\n"),
            ("A='a\\\\b'", "a\\\\b"),
            ("A='Let\\'s go!'", "Let's go!"),
            ("A='say \"hi\"'", "say \"hi\""),
            ("A='${'", "${"),
        ];
        for (text, value) in cases {
            assert_eq!(
                parsed_with(text, &env),
                owned(&[("A", value)]),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn double_quote_escapes() {
        check_single(&[
            (
                r#"KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z""#,
                "KEY",
                "Z\x07Z\x08Z\x0cZ\nZ\rZ\tZ\x0bZ\\ZSZ",
            ),
            (r#"FOO="bar\nbaz""#, "FOO", "bar\nbaz"),
            (r#"FOO="a\tb""#, "FOO", "a\tb"),
            (r#"FOO="escaped\"bar""#, "FOO", "escaped\"bar"),
            (r#"FOO="\"quoted\"""#, "FOO", "\"quoted\""),
            (r#"FOO="'d'""#, "FOO", "'d'"),
            (r#"FOO="bar\n\ b\az""#, "FOO", "bar\n\\ b\x07z"),
            (r#"FOO="bar\\\n\ b\az""#, "FOO", "bar\\\n\\ b\x07z"),
            (r#"FOO="bar\\r\ b\az""#, "FOO", "bar\\r\\ b\x07z"),
            (r#"FOO="bar\nbaz\\""#, "FOO", "bar\nbaz\\"),
            (r#"FOO="it\'s""#, "FOO", "it\\'s"),
        ]);
    }

    #[test]
    fn unknown_escapes_stay() {
        check_single(&[
            (r#"KEY="\x07""#, "KEY", r"\x07"),
            (r#"KEY="\u12e4""#, "KEY", r"\u12e4"),
            (r#"KEY="\U00101234""#, "KEY", r"\U00101234"),
            (r#"KEY="\c\q\e""#, "KEY", r"\c\q\e"),
        ]);
    }

    #[test]
    fn octal_escapes() {
        check_single(&[
            (r#"KEY="\0123""#, "KEY", "S"),
            (r#"KEY="\01234""#, "KEY", "S4"),
            (r#"KEY="\0101\0102""#, "KEY", "AB"),
            (r#"KEY="\0377""#, "KEY", "\u{ff}"),
            (r#"KEY="\0000x""#, "KEY", "\0x"),
            // Fewer than three digits, a digit that is not octal, or more than 0o377:
            // the text stays, less the `0`.
            (r#"KEY="\0""#, "KEY", r"\"),
            (r#"KEY="\0x""#, "KEY", r"\x"),
            (r#"KEY="\012""#, "KEY", r"\12"),
            (r#"KEY="\0128""#, "KEY", r"\128"),
            (r#"KEY="\0400""#, "KEY", r"\400"),
            (r#"KEY="\\0123""#, "KEY", r"\0123"),
        ]);
    }

    #[test]
    fn escaped_dollar_in_double_quotes_is_literal() {
        let env = env_of(&[("BAR", "x")]);
        assert_eq!(
            parsed_with(r#"FOO="foo\$BAR""#, &env),
            owned(&[("FOO", "foo$BAR")])
        );
        assert_eq!(
            parsed_with(r#"FOO="foo\${BAR}""#, &env),
            owned(&[("FOO", "foo${BAR}")])
        );
        assert_eq!(
            parsed("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\""),
            owned(&[("FOO", "test"), ("BAR", "foo${FOO} test")])
        );
        // Unquoted values have no escapes: the backslash stays and $BAR is expanded.
        assert_eq!(parsed_with(r"FOO=\$BAR", &env), owned(&[("FOO", r"\x")]));
        assert_eq!(parsed_with("FOO=$$BAR", &env), owned(&[("FOO", "$BAR")]));
    }

    #[test]
    fn multi_line_double_quoted_values() {
        let text = "TEST_URLS=\"stratum+tcp://a:3333\nstratum+tcp://b:443\"\nNEXT=1";
        assert_eq!(
            parsed(text),
            owned(&[
                ("TEST_URLS", "stratum+tcp://a:3333\nstratum+tcp://b:443"),
                ("NEXT", "1"),
            ])
        );
        let env = env_of(&[("USER", "me")]);
        assert_eq!(
            parsed_with("MOTD=\"hello\n  ${USER}\\tthere\n\"", &env),
            owned(&[("MOTD", "hello\n  me\tthere\n")])
        );
    }

    #[test]
    fn multi_line_single_quoted_values() {
        let text = "OPTION_J = 'first line\nsecond line\nthird line\nand so on'\nOPTION_Z = \"last value\"\n";
        assert_eq!(
            parsed(text),
            owned(&[
                ("OPTION_J", "first line\nsecond line\nthird line\nand so on"),
                ("OPTION_Z", "last value"),
            ])
        );
    }

    const SUBSTITUTIONS: &str = "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n\
                                 OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";

    #[test]
    fn values_interpolate_earlier_names() {
        assert_eq!(
            parsed(SUBSTITUTIONS),
            owned(&[
                ("OPTION_A", "1"),
                ("OPTION_B", "1"),
                ("OPTION_C", "1"),
                ("OPTION_D", "1_1"),
                ("OPTION_E", ""),
            ])
        );
        assert_eq!(
            parsed("FOO=test\nBAR=\"quote $FOO\"\nBAZ=${FOO}bar"),
            owned(&[("FOO", "test"), ("BAR", "quote test"), ("BAZ", "testbar")])
        );
    }

    #[test]
    fn the_lookup_wins_over_earlier_names() {
        let env = env_of(&[("OPTION_A", "5")]);
        assert_eq!(
            parsed_with(SUBSTITUTIONS, &env),
            owned(&[
                ("OPTION_A", "1"),
                ("OPTION_B", "5"),
                ("OPTION_C", "5"),
                ("OPTION_D", "5_5"),
                ("OPTION_E", ""),
            ])
        );
        let defaults = "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\n";
        assert_eq!(
            parsed_with(defaults, &env),
            owned(&[("OPTION_A", "5"), ("OPTION_B", "5")])
        );
        assert_eq!(
            parsed(defaults),
            owned(&[("OPTION_A", "1"), ("OPTION_B", "1")])
        );
    }

    #[test]
    fn interpolation_operators_in_values() {
        let env = env_of(&[("EMPTY_VAR", ""), ("TEST_VAR", "Test Value")]);
        let cases = [
            ("R=${UNSET_VAR:-Default Value}", "Default Value"),
            ("R=${EMPTY_VAR:-Default Value}", "Default Value"),
            ("R=${TEST_VAR:-Default Value}", "Test Value"),
            ("R=${UNSET_VAR-Default Value}", "Default Value"),
            ("R=${EMPTY_VAR-Default Value}", ""),
            ("R=${EMPTY_VAR?Test error}", ""),
            (
                "R=\"${TEST_VAR:+set} ${UNSET_VAR:-${TEST_VAR}}\"",
                "set Test Value",
            ),
        ];
        for (text, value) in cases {
            assert_eq!(
                parsed_with(text, &env),
                owned(&[("R", value)]),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn unset_references_are_noted() {
        let mut missing = Vec::new();
        let vars = parse_noting_missing(
            "A=$NOPE\nB='$QUIET'\nC=\"${ALSO}\"\nD=${WITH:-default}\nE=$A",
            &no_env,
            &mut missing,
        );
        assert!(vars.is_ok(), "{vars:?}");
        assert_eq!(missing, ["NOPE", "ALSO"]);
    }

    #[test]
    fn bare_names_take_their_value_from_the_lookup() {
        let env = env_of(&[("FROM_ENV", "value"), ("EMPTY", "")]);
        let text = "foo=bar\nFROM_ENV\nNOT_FOUND\nEMPTY\nexport FROM_ENV\nbar=baz\n";
        assert_eq!(
            parsed_with(text, &env),
            owned(&[
                ("foo", "bar"),
                ("FROM_ENV", "value"),
                ("EMPTY", ""),
                ("bar", "baz")
            ])
        );
        assert_eq!(
            parsed_with("FROM_ENV\r\n", &env),
            owned(&[("FROM_ENV", "value")])
        );
        // compose-go would store "FROM_ENV" under the empty name here.
        assert_eq!(
            parsed_with("FROM_ENV", &env),
            owned(&[("FROM_ENV", "value")])
        );
        assert_eq!(
            parsed_with("FROM_ENV  \t", &env),
            owned(&[("FROM_ENV", "value")])
        );
        // `export` alone names nothing.
        assert_eq!(parsed_with("export\nA=1", &env), owned(&[("A", "1")]));
        assert_eq!(parsed_with("A=1\nexport ", &env), owned(&[("A", "1")]));
    }

    #[test]
    fn an_unset_bare_name_keeps_its_earlier_value() {
        assert_eq!(parsed("A=1\nA\n"), owned(&[("A", "1")]));
    }

    #[test]
    fn a_later_duplicate_overrides_in_place() {
        assert_eq!(
            parsed("A=1\nB=2\nA=3\nC=$A"),
            owned(&[("A", "3"), ("B", "2"), ("C", "3")])
        );
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        assert_eq!(
            parsed("\u{feff}OPTION_A=1\r\nOPTION_B='2'\r\n# c\r\nOPTION_C=\"3\" \r\n"),
            owned(&[("OPTION_A", "1"), ("OPTION_B", "2"), ("OPTION_C", "3")])
        );
    }

    #[test]
    fn unexpected_characters_in_names() {
        assert_eq!(
            failed("lol$wut").to_string(),
            r#"line 1: unexpected character "$" in variable name "lol$wut""#
        );
        assert_eq!(
            failed("%!(EXTRA string)=foo").to_string(),
            r#"line 1: unexpected character "%" in variable name "%!(EXTRA string)=foo""#
        );
        let e = failed("A=1\n\"QUOTED\"=x\nB=2");
        assert_eq!(e.line, 2);
        assert_eq!(
            e.kind,
            DotenvErrorKind::UnexpectedCharacter {
                character: '"',
                line_text: "\"QUOTED\"=x".to_string()
            }
        );
        assert_eq!(failed("export  x/y=1").line, 1);
    }

    #[test]
    fn names_with_spaces() {
        for text in ["A B=1", "A B", "A B\n", "export A B=1", "A\tB=1"] {
            let e = failed(text);
            assert_eq!(
                (e.line, e.kind),
                (1, DotenvErrorKind::KeyContainsSpace),
                "{text:?}"
            );
        }
        let fixture = "# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix";
        assert_eq!(
            failed(fixture).to_string(),
            "line 7: key cannot contain a space"
        );
    }

    #[test]
    fn statements_without_a_name() {
        for text in ["=value", "  = value", ":value", "=\"value\"", "export =x"] {
            let e = failed(text);
            assert_eq!(e.line, 1, "{text:?}");
            assert!(
                matches!(e.kind, DotenvErrorKind::MissingKey { .. }),
                "{text:?}: {e}"
            );
        }
        assert_eq!(
            failed("A=1\n=value").to_string(),
            r#"line 2: missing variable name in "=value""#
        );
    }

    #[test]
    fn unterminated_quotes() {
        for text in [
            "KEY=\"",
            "KEY=\"value",
            "KEY=\"value\\\"",
            "KEY=\"value'",
            "KEY='",
            "KEY='value",
            "KEY='value\\'",
            "KEY='value\"",
        ] {
            let e = failed(text);
            assert!(
                matches!(e.kind, DotenvErrorKind::UnterminatedQuote { .. }),
                "{text:?}: {e}"
            );
            assert!(e.to_string().contains("unterminated quoted value"));
        }
        assert_eq!(
            failed("A=1\nB=\"abc\nmore\nlines").to_string(),
            "line 2: unterminated quoted value \"abc"
        );
    }

    #[test]
    fn interpolation_errors_name_the_line() {
        assert_eq!(
            failed("A=1\n\nB=${C:?need C}\nD=2").to_string(),
            "line 3: required variable C is missing a value: need C"
        );
        let e = failed("A=\"${\"");
        assert_eq!(
            e.kind,
            DotenvErrorKind::Interpolate(InterpolateError::InvalidFormat {
                template: "${".to_string()
            })
        );
        // The escape is decoded before interpolation, so `\n` cuts the `${...}`.
        assert_eq!(failed(r#"A="${B:-x\ny}""#).line, 1);
    }

    #[test]
    fn error_lines_count_comments_and_multi_line_values() {
        let text = "# c\nA=\"x\ny\"\n\n  # more\nB='p\nq' # tail\nC D=1";
        assert_eq!(failed(text).line, 8);
        assert_eq!(failed("\r\n\r\nA=1\r\nB C\r\n").line, 4);
        // A bare name with a trailing space still ends its line (compose-go loses count).
        assert_eq!(failed("B \n\nC D=1").line, 3);
    }
}
