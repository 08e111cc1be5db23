//! From text to logical lines: BOM and CRLF, parser directives, comments, blank lines,
//! continuation lines joined, and heredoc bodies collected after the line that
//! announces them. Each logical line keeps the physical lines it spans.

use super::directives::Directives;
use super::heredoc::{chomp, heredocs_in_line};
use super::types::Heredoc;
use super::words::{parse_json, split_command};

/// One instruction's text before it is given a meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogicalLine {
    /// 1-based first physical line.
    pub start: usize,
    /// 1-based last physical line (heredoc terminators included).
    pub end: usize,
    /// Continuation lines joined, escape characters at line ends removed, trimmed.
    pub text: String,
    /// Heredocs with their bodies, in the order the line names them.
    pub heredocs: Vec<Heredoc>,
}

/// An error at a 1-based line.
pub(crate) type LineError = (usize, String);

/// Physical lines without their line ending; `first` is the number of the first one.
struct Physical<'a> {
    lines: Vec<&'a str>,
    next: usize,
    first: usize,
}

impl<'a> Physical<'a> {
    fn new(text: &'a str, first: usize) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines: Vec<&str> = text.split('\n').collect();
        // A final newline does not start another line.
        if lines.last() == Some(&"") {
            lines.pop();
        }
        let lines = lines
            .into_iter()
            .map(|l| l.trim_end_matches(['\r', '\n']))
            .collect();
        Physical {
            lines,
            next: 0,
            first,
        }
    }

    fn next_line(&mut self) -> Option<&'a str> {
        let l = self.lines.get(self.next).copied();
        if l.is_some() {
            self.next += 1;
        }
        l
    }

    /// Number of the line last returned.
    fn number(&self) -> usize {
        self.first + self.next.saturating_sub(1)
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Strips a line-continuation escape (the last non-blank character, not itself
/// escaped) and the blanks after it; true when the line continues.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let body = line.trim_end_matches([' ', '\t']);
    let Some(before) = body.strip_suffix(escape) else {
        return (line, false);
    };
    if before.ends_with(escape) {
        // `\\` at the end is an escaped escape, not a continuation.
        return (line, false);
    }
    (before, true)
}

/// Splits `text` into logical lines. `dirs` reads the parser directives (and holds the
/// escape character they set); give [`Directives::none`] for text that has none.
pub(crate) fn logical_lines(
    text: &str,
    first_line: usize,
    dirs: &mut Directives,
) -> Result<Vec<LogicalLine>, LineError> {
    let mut src = Physical::new(text, first_line);
    let mut out = Vec::new();
    while let Some(raw) = src.next_line() {
        let line = raw.trim_start();
        let is_directive = dirs.line(line).map_err(|m| (src.number(), m))?;
        if is_directive || is_comment(line) {
            continue;
        }
        let escape = dirs.escape;
        let start = src.number();
        let (first, mut continues) = trim_continuation(line, escape);
        if !continues && first.is_empty() {
            continue;
        }
        let mut text = first.to_string();
        while continues {
            let Some(next) = src.next_line() else { break };
            // Comments and blank lines inside a continuation are skipped (Docker warns
            // about the blank ones); leading blanks of a continuation line are kept.
            if is_comment(next) || next.trim().is_empty() {
                continue;
            }
            let (part, more) = trim_continuation(next, escape);
            text.push_str(part);
            continues = more;
        }
        let text = text.trim().to_string();
        let mut heredocs = Vec::new();
        if may_have_heredocs(&text, escape) {
            let announced = heredocs_in_line(&text).map_err(|m| (start, m))?;
            for mut doc in announced {
                doc.content = heredoc_body(&mut src, &doc)
                    .ok_or_else(|| (start, "unterminated heredoc".to_string()))?;
                if doc.chomp {
                    doc.content = chomp(&doc.content);
                }
                heredocs.push(doc);
            }
        }
        out.push(LogicalLine {
            start,
            end: src.number(),
            text,
            heredocs,
        });
    }
    Ok(out)
}

/// RUN, COPY and ADD in shell form (also as an ONBUILD trigger) can carry heredocs.
fn may_have_heredocs(text: &str, escape: char) -> bool {
    if !text.contains("<<") {
        return false;
    }
    let mut split = split_command(text, escape);
    if split.keyword.eq_ignore_ascii_case("onbuild") {
        split = split_command(&split.rest, escape);
    }
    let keyword = split.keyword.to_ascii_lowercase();
    matches!(keyword.as_str(), "run" | "copy" | "add")
        && !matches!(parse_json(&split.rest), Ok(Some(_)))
}

/// The lines up to the delimiter line, each ending in `\n`; `None` when the text ends
/// first.
fn heredoc_body(src: &mut Physical, doc: &Heredoc) -> Option<String> {
    let mut body = String::new();
    loop {
        let line = src.next_line()?;
        let candidate = if doc.chomp {
            line.trim_start_matches('\t')
        } else {
            line
        };
        if candidate == doc.name {
            return Some(body);
        }
        body.push_str(line);
        body.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, usize, String)> {
        logical_lines(text, 1, &mut Directives::new())
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.start, l.end, l.text))
            .collect()
    }

    fn l(s: usize, e: usize, t: &str) -> (usize, usize, String) {
        (s, e, t.to_string())
    }

    #[test]
    fn joins_continuations_and_skips_comments() {
        let text = "FROM a\n\n# c\nRUN apt-get update && \\\n  # inner comment\n\n    apt-get install -y \\\n  git\nCMD x\n";
        assert_eq!(
            lines(text),
            [
                l(1, 1, "FROM a"),
                l(4, 8, "RUN apt-get update &&     apt-get install -y   git"),
                l(9, 9, "CMD x"),
            ]
        );
    }

    #[test]
    fn crlf_bom_and_trailing_blanks() {
        let text = "\u{feff}FROM a\r\nRUN a \\  \r\n b\r\n";
        assert_eq!(lines(text), [l(1, 1, "FROM a"), l(2, 3, "RUN a  b")]);
    }

    #[test]
    fn escaped_escape_does_not_continue() {
        assert_eq!(
            lines("RUN echo \\\\\nCMD x"),
            [l(1, 1, "RUN echo \\\\"), l(2, 2, "CMD x")]
        );
        assert_eq!(lines("RUN a\\\n"), [l(1, 1, "RUN a")]);
    }

    #[test]
    fn backtick_escape_from_directive() {
        let text = "# escape=`\nFROM a\nRUN dir c:\\ `\n  /w\n";
        let mut d = Directives::new();
        let got = logical_lines(text, 1, &mut d).unwrap_or_default();
        assert_eq!(d.escape, '`');
        assert_eq!(got[1].text, "RUN dir c:\\   /w");
        assert_eq!((got[1].start, got[1].end), (3, 4));
    }

    #[test]
    fn directive_errors_name_their_line() {
        let err = logical_lines("# syntax=a\n# syntax=b\nFROM x", 1, &mut Directives::new());
        assert_eq!(
            err,
            Err((2, "only one syntax parser directive can be used".into()))
        );
    }

    #[test]
    fn collects_heredoc_bodies() {
        let text = "RUN <<EOF\n  echo a\n# not a comment\nEOF\nCOPY <<-A <<'B' /d/\n\t\tx $y\n\tA\ny\nB\nCMD z\n";
        let got = logical_lines(text, 1, &mut Directives::new()).unwrap_or_default();
        assert_eq!(got.len(), 3);
        assert_eq!((got[0].start, got[0].end), (1, 4));
        assert_eq!(got[0].text, "RUN <<EOF");
        assert_eq!(got[0].heredocs[0].content, "  echo a\n# not a comment\n");
        assert_eq!((got[1].start, got[1].end), (5, 9));
        let docs = &got[1].heredocs;
        assert_eq!(
            (docs[0].name.as_str(), docs[0].content.as_str()),
            ("A", "x $y\n")
        );
        assert!(docs[0].chomp && docs[0].expand);
        assert_eq!(
            (docs[1].name.as_str(), docs[1].content.as_str()),
            ("B", "y\n")
        );
        assert!(!docs[1].expand);
        assert_eq!(got[2].start, 10);
    }

    #[test]
    fn no_heredoc_in_json_or_other_instructions() {
        let got = lines("RUN [\"sh\", \"-c\", \"cat <<EOF\"]\nENV A=<<EOF\n");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn unterminated_heredoc() {
        let err = logical_lines("FROM a\nRUN <<EOF\necho\n", 1, &mut Directives::new());
        assert_eq!(err, Err((2, "unterminated heredoc".into())));
    }
}
