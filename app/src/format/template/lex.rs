//! Splits template source into text and action tokens.
//!
//! Whitespace trimming (`{{- ` and ` -}}`) and comments are resolved here, so
//! the parser only sees text that will really be printed.

use serde_json::{Number, Value};

/// One lexical item, with the byte offset where it starts in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Text(String),
    /// `{{`, the start of an action.
    Open,
    /// `}}`, the end of an action.
    Close,
    /// `.` on its own.
    Dot,
    /// `.A.B` as one chain.
    Field(Vec<String>),
    /// `$name.A.B` (`$` alone has an empty name).
    Var(String, Vec<String>),
    Ident(String),
    Literal(Value),
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

/// A lexing failure: the byte offset and what was wrong there.
pub type LexError = (usize, String);

pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut toks = Vec::new();
    let mut pos = 0;
    // Set by ` -}}`: the next text loses its leading whitespace.
    let mut trim_next = false;
    while pos < src.len() {
        let open = src[pos..].find("{{").map(|i| pos + i);
        let text_end = open.unwrap_or(src.len());
        let mut text = &src[pos..text_end];
        if trim_next {
            text = text.trim_start_matches(is_space);
        }
        let Some(open) = open else {
            push_text(&mut toks, text, pos, text_end);
            break;
        };
        let after = &src[open + 2..];
        let trim_left = after.starts_with('-') && after[1..].starts_with(is_space);
        if trim_left {
            text = text.trim_end_matches(is_space);
        }
        push_text(&mut toks, text, pos, text_end);
        let mut p = open + 2 + if trim_left { 2 } else { 0 };
        // Comments are whole actions: `{{/* ... */}}`, trim markers allowed.
        let rest = src[p..].trim_start_matches(is_space);
        if rest.starts_with("/*") {
            let body = p + (src[p..].len() - rest.len());
            let close = src[body..]
                .find("*/")
                .ok_or((open, "unclosed comment: expected \"*/\"".to_string()))?;
            p = body + close + 2;
            let tail = &src[p..];
            let after = tail.trim_start_matches(is_space);
            if tail.starts_with("}}") {
                p += 2;
                trim_next = false;
            } else if after.len() < tail.len() && after.starts_with("-}}") {
                p = src.len() - after.len() + 3;
                trim_next = true;
            } else {
                return Err((
                    p,
                    "comment ends before closing delimiter: expected \"}}\"".into(),
                ));
            }
            pos = p;
            continue;
        }
        toks.push(Token {
            kind: Tok::Open,
            start: open,
            end: p,
        });
        let (next, trim) = lex_action(src, p, &mut toks)?;
        pos = next;
        trim_next = trim;
    }
    Ok(toks)
}

fn push_text(toks: &mut Vec<Token>, text: &str, start: usize, end: usize) {
    if !text.is_empty() {
        toks.push(Token {
            kind: Tok::Text(text.to_string()),
            start,
            end,
        });
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Lexes the inside of one action starting at `p`; returns the offset after
/// `}}` and whether it was a trimming ` -}}`.
fn lex_action(src: &str, mut p: usize, toks: &mut Vec<Token>) -> Result<(usize, bool), LexError> {
    let bytes = src.as_bytes();
    loop {
        let rest = &src[p..];
        let Some(c) = rest.chars().next() else {
            return Err((p, "unclosed action: expected \"}}\"".into()));
        };
        if is_space(c) {
            let after = rest.trim_start_matches(is_space);
            if let Some(t) = after.strip_prefix("-}}") {
                let end = src.len() - t.len();
                toks.push(Token {
                    kind: Tok::Close,
                    start: p,
                    end,
                });
                return Ok((end, true));
            }
            p += rest.len() - after.len();
            continue;
        }
        if rest.starts_with("}}") {
            toks.push(Token {
                kind: Tok::Close,
                start: p,
                end: p + 2,
            });
            return Ok((p + 2, false));
        }
        let start = p;
        let kind = match c {
            '(' => {
                p += 1;
                Tok::LParen
            }
            ')' => {
                p += 1;
                Tok::RParen
            }
            '|' => {
                p += 1;
                Tok::Pipe
            }
            ',' => {
                p += 1;
                Tok::Comma
            }
            '=' => {
                p += 1;
                Tok::Assign
            }
            ':' if rest.starts_with(":=") => {
                p += 2;
                Tok::Declare
            }
            '"' => {
                let (s, len) = lex_quoted(rest).map_err(|m| (start, m))?;
                p += len;
                Tok::Literal(Value::String(s))
            }
            '`' => {
                let close = rest[1..].find('`').ok_or((
                    start,
                    "unterminated raw string: expected closing '`'".to_string(),
                ))?;
                p += close + 2;
                Tok::Literal(Value::String(rest[1..close + 1].to_string()))
            }
            '\'' => {
                let (ch, len) = lex_char(rest).map_err(|m| (start, m))?;
                p += len;
                Tok::Literal(Value::Number(Number::from(ch as u32)))
            }
            '.' => {
                let (fields, len) = lex_fields(rest);
                p += len.max(1);
                if fields.is_empty() {
                    if rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
                        return Err((start, "number must start with a digit, as in 0.5".into()));
                    }
                    Tok::Dot
                } else {
                    Tok::Field(fields)
                }
            }
            '$' => {
                let name_len = rest[1..]
                    .find(|c: char| !is_ident_char(c))
                    .unwrap_or(rest.len() - 1);
                let name = rest[1..1 + name_len].to_string();
                p += 1 + name_len;
                let (fields, len) = lex_fields(&src[p..]);
                p += len;
                Tok::Var(name, fields)
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+')
                    && rest[1..].starts_with(|d: char| d.is_ascii_digit())) =>
            {
                let len = rest
                    .char_indices()
                    .skip(1)
                    .find(|&(i, ch)| {
                        !(ch.is_ascii_alphanumeric()
                            || ch == '.'
                            || ch == '_'
                            || ((ch == '+' || ch == '-')
                                && matches!(bytes[p + i - 1], b'e' | b'E')))
                    })
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                p += len;
                Tok::Literal(
                    parse_number(&rest[..len])
                        .ok_or((start, format!("bad number syntax: {:?}", &rest[..len])))?,
                )
            }
            c if is_ident_char(c) => {
                let len = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
                p += len;
                match &rest[..len] {
                    "true" => Tok::Literal(Value::Bool(true)),
                    "false" => Tok::Literal(Value::Bool(false)),
                    word => Tok::Ident(word.to_string()),
                }
            }
            other => return Err((start, format!("unexpected {other:?} in action"))),
        };
        toks.push(Token {
            kind,
            start,
            end: p,
        });
    }
}

/// Reads `.A.B.C` from the start of `s`; returns the names and bytes used.
fn lex_fields(s: &str) -> (Vec<String>, usize) {
    let mut fields = Vec::new();
    let mut used = 0;
    while s[used..].starts_with('.') {
        let name = &s[used + 1..];
        let len = name.find(|c: char| !is_ident_char(c)).unwrap_or(name.len());
        if len == 0 || name.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        fields.push(name[..len].to_string());
        used += 1 + len;
    }
    (fields, used)
}

/// A Go interpreted string literal at the start of `s`; returns the value
/// and the bytes used including both quotes.
fn lex_quoted(s: &str) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\n' => break,
            '\\' => {
                let (_, e) = chars.next().ok_or("unterminated quoted string")?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' | '"' | '\'' => out.push(e),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        let ch = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == n)
                            .and_then(char::from_u32)
                            .ok_or(format!("invalid escape \\{e}{hex} in quoted string"))?;
                        out.push(ch);
                    }
                    other => return Err(format!("unknown escape \\{other} in quoted string")),
                }
            }
            c => out.push(c),
        }
    }
    Err("unterminated quoted string: expected closing '\"'".into())
}

/// A Go character constant such as `'a'` or `'\n'`.
fn lex_char(s: &str) -> Result<(char, usize), String> {
    let mut it = s.char_indices().skip(1);
    let (_, c) = it.next().ok_or("unterminated character constant")?;
    let c = if c == '\\' {
        match it.next().map(|(_, e)| e) {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('\\') => '\\',
            Some('\'') => '\'',
            _ => return Err("unsupported escape in character constant".into()),
        }
    } else {
        c
    };
    match it.next() {
        Some((i, '\'')) => Ok((c, i + 1)),
        _ => Err("unterminated character constant: expected closing \"'\"".into()),
    }
}

/// Go number literals: decimal, 0x hex, floats with exponents, `_` separators.
fn parse_number(text: &str) -> Option<Value> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, digits) = match clean.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let int = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()
    } else if digits.contains(['.', 'e', 'E']) {
        None
    } else {
        digits.parse::<i64>().ok()
    };
    if let Some(i) = int {
        return Some(Value::Number(Number::from(if neg { -i } else { i })));
    }
    let f: f64 = digits.parse().ok()?;
    Number::from_f64(if neg { -f } else { f }).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src)
            .expect("lexes")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn text_and_fields() {
        assert_eq!(
            kinds("a {{.State.Status}} b"),
            vec![
                Tok::Text("a ".into()),
                Tok::Open,
                Tok::Field(vec!["State".into(), "Status".into()]),
                Tok::Close,
                Tok::Text(" b".into()),
            ]
        );
    }

    #[test]
    fn literals_and_punctuation() {
        assert_eq!(
            kinds(r#"{{$k, $v := index . "a\tb" `raw` 12 -1.5 'x' true | f (.)}}"#),
            vec![
                Tok::Open,
                Tok::Var("k".into(), vec![]),
                Tok::Comma,
                Tok::Var("v".into(), vec![]),
                Tok::Declare,
                Tok::Ident("index".into()),
                Tok::Dot,
                Tok::Literal(json!("a\tb")),
                Tok::Literal(json!("raw")),
                Tok::Literal(json!(12)),
                Tok::Literal(json!(-1.5)),
                Tok::Literal(json!(120)),
                Tok::Literal(json!(true)),
                Tok::Pipe,
                Tok::Ident("f".into()),
                Tok::LParen,
                Tok::Dot,
                Tok::RParen,
                Tok::Close,
            ]
        );
    }

    #[test]
    fn trim_markers_eat_whitespace() {
        assert_eq!(
            kinds("a  \n{{- .X -}}\n\t b"),
            vec![
                Tok::Text("a".into()),
                Tok::Open,
                Tok::Field(vec!["X".into()]),
                Tok::Close,
                Tok::Text("b".into()),
            ]
        );
        // A dash without a space is a number, not a trim marker.
        assert_eq!(
            kinds("{{-3}}"),
            vec![Tok::Open, Tok::Literal(json!(-3)), Tok::Close]
        );
    }

    #[test]
    fn comments_vanish() {
        assert_eq!(
            kinds("a{{/* hi */}}b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into())]
        );
        assert_eq!(
            kinds("a {{- /* hi */ -}} b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into())]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(lex("ab{{.X").unwrap_err().0, 6);
        let (at, msg) = lex(r#"{{ "abc }}"#).unwrap_err();
        assert_eq!(at, 3);
        assert!(msg.contains("unterminated"), "{msg}");
        let (at, msg) = lex("{{ .X # }}").unwrap_err();
        assert_eq!(at, 6);
        assert!(msg.contains("'#'"), "{msg}");
    }
}
