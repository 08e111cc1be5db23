//! The two entry points: a whole Dockerfile, or one instruction on its own (an ONBUILD
//! trigger read back from an image). Both locate errors by file and line.

use super::directives::Directives;
use super::error::ParseError;
use super::instruction::parse_line;
use super::lines::logical_lines;
use super::types::{Dockerfile, Instruction};

/// Parses a Dockerfile. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Dockerfile, ParseError> {
    let mut dirs = Directives::new();
    let lines = logical_lines(text, 1, &mut dirs).map_err(|(l, m)| ParseError::new(file, l, m))?;
    if lines.is_empty() {
        let last = text.lines().count().max(1);
        return Err(ParseError::new(file, last, "file with no instructions"));
    }
    let instructions = lines
        .into_iter()
        .map(|l| {
            let start = l.start;
            parse_line(l, dirs.escape).map_err(|m| ParseError::new(file, start, m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Dockerfile {
        escape: dirs.escape,
        syntax: dirs.syntax,
        instructions,
    })
}

/// Parses one instruction on its own, such as an ONBUILD trigger stored in an image's
/// config (`RUN echo hi`, or `RUN <<EOF` followed by its body lines). `line` is the
/// line number errors and the instruction carry; `escape` the escape character of the
/// Dockerfile it came from. Text holding no instruction, or more than one, is an error.
pub fn parse_instruction(
    text: &str,
    file: &str,
    line: usize,
    escape: char,
) -> Result<Instruction, ParseError> {
    let mut dirs = Directives::none(escape);
    let mut lines =
        logical_lines(text, line, &mut dirs).map_err(|(l, m)| ParseError::new(file, l, m))?;
    if lines.len() != 1 {
        let what = if lines.is_empty() {
            "no"
        } else {
            "more than one"
        };
        return Err(ParseError::new(
            file,
            line,
            format!("expected one instruction, found {what}"),
        ));
    }
    let l = lines.remove(0);
    let start = l.start;
    parse_line(l, escape).map_err(|m| ParseError::new(file, start, m))
}
