//! Parser directives: `# syntax=`, `# escape=` and `# check=` comments at the very top
//! of a Dockerfile. The first line that is not one (an instruction, a blank line, any
//! other comment) ends them, so a directive further down is an ordinary comment.

/// The directives seen so far and whether more may come.
#[derive(Debug, Clone)]
pub(crate) struct Directives {
    pub escape: char,
    pub syntax: Option<String>,
    seen: Vec<String>,
    done: bool,
}

impl Directives {
    /// Before the first line of a Dockerfile.
    pub fn new() -> Self {
        Directives {
            escape: '\\',
            syntax: None,
            seen: Vec::new(),
            done: false,
        }
    }

    /// For text that may not hold directives (a single ONBUILD trigger).
    pub fn none(escape: char) -> Self {
        Directives {
            escape,
            done: true,
            ..Directives::new()
        }
    }

    /// Looks at one physical line with its leading whitespace removed; true when it
    /// was a directive (and so is consumed).
    pub fn line(&mut self, line: &str) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        let Some((name, value)) = line.strip_prefix('#').and_then(split_directive) else {
            self.done = true;
            return Ok(false);
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            // Looks like a directive but is not one Docker knows: a plain comment,
            // and the end of the directives.
            self.done = true;
            return Ok(false);
        }
        if self.seen.contains(&name) {
            return Err(format!("only one {name} parser directive can be used"));
        }
        self.seen.push(name.clone());
        match name.as_str() {
            "escape" => {
                self.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(format!(
                            "invalid escape token '{value}' does not match ` or \\"
                        ))
                    }
                }
            }
            "syntax" => self.syntax = Some(value.to_string()),
            _ => {} // check=: lint settings, accepted and ignored
        }
        Ok(true)
    }
}

/// `name = value` after the `#`: a name of letters and digits starting with a letter,
/// a non-empty value with surrounding whitespace trimmed.
fn split_directive(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let name_len = text
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    let name = &text[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = text[name_len..].trim_start().strip_prefix('=')?.trim();
    (!value.is_empty()).then_some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_directives_case_insensitively() {
        let mut d = Directives::new();
        assert_eq!(d.line("# syntax = docker/dockerfile:1.7 "), Ok(true));
        assert_eq!(d.line("#ESCAPE=`"), Ok(true));
        assert_eq!(d.line("# check=skip=all"), Ok(true));
        assert_eq!(d.syntax.as_deref(), Some("docker/dockerfile:1.7"));
        assert_eq!(d.escape, '`');
        assert_eq!(
            d.line("# escape=\\"),
            Err("only one escape parser directive can be used".into())
        );
    }

    #[test]
    fn anything_else_ends_the_directives() {
        for first in ["", "# a comment", "# foo=bar", "FROM x", "#=x", "# escape="] {
            let mut d = Directives::new();
            assert_eq!(d.line(first), Ok(false), "{first:?}");
            assert_eq!(d.line("# escape=`"), Ok(false), "after {first:?}");
            assert_eq!(d.escape, '\\');
        }
    }

    #[test]
    fn bad_escape_is_an_error() {
        let mut d = Directives::new();
        assert_eq!(
            d.line("# escape=x"),
            Err("invalid escape token 'x' does not match ` or \\".into())
        );
    }
}
