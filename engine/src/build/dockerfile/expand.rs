//! Word expansion as BuildKit's shell lexer does it: quotes, the escape character,
//! `$VAR` and `${VAR...}` forms, and splitting into words on unquoted whitespace.
//!
//! The same lexer, with quotes and escapes kept raw and unset variables left as
//! written, finds heredoc words in a RUN/COPY/ADD line (see `heredoc.rs`).

use super::error::ExpandError;
use super::glob;

/// How much of the word the lexer rewrites. Expansion uses the default (everything);
/// heredoc detection keeps the text as written and only splits it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LexOptions {
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Leave `$UNSET` as written instead of expanding it to nothing.
    pub skip_unset: bool,
}

/// Expands one word: quotes removed, escapes applied, variables substituted through
/// `lookup` (`None` = unset). `lookup` sees every name the word reads, which lets the
/// builder record the build args a step depends on.
pub fn expand_word(
    word: &str,
    escape: char,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<String, ExpandError> {
    lex(word, escape, LexOptions::default(), lookup)
        .map(|(s, _)| s)
        .map_err(|m| wrap(word, m))
}

/// Like [`expand_word`], then split into words on whitespace that was not quoted or
/// escaped. Whitespace coming out of an unquoted variable splits too, as in BuildKit
/// (`EXPOSE $PORTS` with `PORTS="80 443"` gives two words).
pub fn expand_words(
    word: &str,
    escape: char,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<Vec<String>, ExpandError> {
    lex(word, escape, LexOptions::default(), lookup)
        .map(|(_, w)| w)
        .map_err(|m| wrap(word, m))
}

fn wrap(word: &str, message: String) -> ExpandError {
    ExpandError {
        message: format!("failed to process {word:?}: {message}"),
    }
}

/// Runs the lexer over `word`, returning the whole result and its words.
pub(crate) fn lex(
    word: &str,
    escape: char,
    opts: LexOptions,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<(String, Vec<String>), String> {
    let mut lexer = Lexer {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        opts,
        raw_escapes: opts.raw_escapes,
        lookup,
    };
    lexer.process_until(None, opts.raw_escapes)
}

/// Collects words: whitespace from plain text or variable values splits, quoted and
/// escaped text never does.
#[derive(Default)]
struct Words {
    words: Vec<String>,
    buf: String,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
            }
        } else {
            self.buf.push(ch);
        }
    }

    fn add_str(&mut self, s: &str) {
        s.chars().for_each(|c| self.add_char(c));
    }

    fn finish(mut self) -> Vec<String> {
        // An empty quoted word ("") makes no word, as in BuildKit.
        if !self.buf.is_empty() {
            self.words.push(self.buf);
        }
        self.words
    }
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    opts: LexOptions,
    /// Current escape mode: `${V#pattern}` keeps escapes for the pattern matcher.
    raw_escapes: bool,
    lookup: &'a mut dyn FnMut(&str) -> Option<String>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let out = self.process_until_inner(stop);
        self.raw_escapes = saved;
        out
    }

    fn process_until_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += 1;
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let v = self.dollar()?;
                    result.push_str(&v);
                    words.add_str(&v);
                }
                '<' => {
                    let v = self.possible_heredoc();
                    result.push_str(&v);
                    words.buf.push_str(&v);
                }
                '\'' => {
                    let v = self.single_quote()?;
                    result.push_str(&v);
                    words.buf.push_str(&v);
                }
                '"' => {
                    let v = self.double_quote()?;
                    result.push_str(&v);
                    words.buf.push_str(&v);
                }
                _ => {
                    self.pos += 1;
                    if ch != self.escape {
                        words.add_char(ch);
                        result.push(ch);
                        continue;
                    }
                    if self.raw_escapes {
                        words.buf.push(ch);
                        result.push(ch);
                    }
                    // An escape at the very end is dropped.
                    let Some(escaped) = self.next() else { break };
                    words.buf.push(escaped);
                    result.push(escaped);
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        self.pos += 1;
        if self.opts.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => {
                    if self.opts.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        self.pos += 1;
        if self.opts.raw_quotes {
            out.push('"');
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.pos += 1;
                    if self.opts.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    out.push_str(&v);
                }
                Some(c) => {
                    self.pos += 1;
                    if c != self.escape {
                        out.push(c);
                        continue;
                    }
                    // Inside double quotes the escape only escapes `"`, `$` and itself;
                    // before anything else it is an ordinary character.
                    match self.peek() {
                        Some(n) if n == '"' || n == '$' || n == self.escape => {
                            if self.raw_escapes {
                                out.push(c);
                            }
                            self.pos += 1;
                            out.push(n);
                        }
                        _ => out.push(c),
                    }
                }
            }
        }
    }

    fn get(&mut self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get(&name) {
                Some(v) => v,
                None if self.opts.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = self.name();
        let Some(ch) = self.next() else {
            return Err("syntax error: missing '}'".into());
        };
        match ch {
            '}' => Ok(match self.get(&name) {
                Some(v) => v,
                None if self.opts.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => self.modifier(name, ch),
            '/' => self.replace(name),
            _ => Err(format!("unsupported modifier ({ch}) in substitution")),
        }
    }

    /// `${NAME<op>word}` for the operators `-`, `+`, `?`, `#`, `%` and their `:` forms.
    fn modifier(&mut self, name: String, first: char) -> Result<String, String> {
        let colon = first == ':';
        let op = if colon {
            self.next().ok_or("syntax error: missing '}'")?
        } else {
            first
        };
        let ops = if colon {
            format!(":{op}")
        } else {
            op.to_string()
        };
        let pattern_op = op == '#' || op == '%';
        if colon && pattern_op {
            return Err(format!("unsupported modifier ({ops}) in substitution"));
        }
        let word = self.word_until('}', pattern_op)?;
        let value = self.get(&name);
        if self.opts.skip_unset && value.is_none() {
            return Ok(format!("${{{name}{ops}{word}}}"));
        }
        let unset_or_null = match &value {
            None => true,
            Some(v) => colon && v.is_empty(),
        };
        match op {
            '-' => Ok(if unset_or_null {
                word
            } else {
                value.unwrap_or_default()
            }),
            '+' => Ok(if unset_or_null { String::new() } else { word }),
            '?' => {
                let Some(v) = value else {
                    let msg = if word.is_empty() {
                        "is not allowed to be unset"
                    } else {
                        &word
                    };
                    return Err(format!("{name}: {msg}"));
                };
                if colon && v.is_empty() {
                    let msg = if word.is_empty() {
                        "is not allowed to be empty"
                    } else {
                        &word
                    };
                    return Err(format!("{name}: {msg}"));
                }
                Ok(v)
            }
            '#' | '%' => {
                let value = value.unwrap_or_default();
                let (greedy, pattern) = match word.strip_prefix(op) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                if op == '#' {
                    glob::trim_prefix(pattern, &value, greedy)
                } else {
                    glob::trim_suffix(pattern, &value, greedy)
                }
            }
            _ => Err(format!("unsupported modifier ({ops}) in substitution")),
        }
    }

    /// `${NAME/pattern/replacement}` and `${NAME//pattern/replacement}`.
    fn replace(&mut self, name: String) -> Result<String, String> {
        let all = self.peek() == Some('/');
        if all {
            self.pos += 1;
        }
        let pattern = self
            .process_until(Some('/'), true)
            .map(|(s, _)| s)
            .map_err(|e| {
                if self.at_end() {
                    "syntax error: missing '/' in ${}".to_string()
                } else {
                    e
                }
            })?;
        let replacement = self.word_until('}', true)?;
        let value = self.get(&name);
        let Some(value) = value else {
            if self.opts.skip_unset {
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            return Ok(String::new());
        };
        glob::replace(&pattern, &value, &replacement, all)
    }

    fn word_until(&mut self, stop: char, raw_escapes: bool) -> Result<String, String> {
        match self.process_until(Some(stop), raw_escapes) {
            Ok((s, _)) => Ok(s),
            Err(_) if self.at_end() => Err(format!("syntax error: missing '{stop}'")),
            Err(e) => Err(e),
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                // Positional parameters: all the digits.
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return ch.to_string();
            }
            if !(ch.is_alphabetic() || ch.is_ascii_digit() || ch == '_') {
                break;
            }
            name.push(ch);
            self.pos += 1;
        }
        name
    }

    /// `<<` and the blanks after it stay one word, so `<< EOF` is seen as a heredoc.
    fn possible_heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.pos += 1;
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, ' ' | '\t' | '\r')) {
            out.push(c);
            self.pos += 1;
        }
        out
    }
}

#[cfg(test)]
#[path = "expand_tests.rs"]
mod tests;
