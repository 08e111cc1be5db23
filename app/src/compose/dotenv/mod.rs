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
use escapes::decode_escapes;

mod escapes;

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

#[cfg(test)]
mod tests;
