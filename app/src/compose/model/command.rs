//! `command`, `entrypoint` and hook commands: a list of words, or one string that
//! compose-go splits into words with `go-shellwords` (v1.0.12, no variable or backtick
//! expansion). The split here follows that parser rather than POSIX where they differ:
//! - a backslash escapes the next character outside single quotes, inside double
//!   quotes too (`"a\b"` is `ab`);
//! - an unquoted `;`, `&`, `|`, `<` or `>` ends the command: what follows is dropped
//!   (`echo a; rm b` is `echo a`), and a word of digits before `>` goes with it (`2>`);
//! - `$(...)` and backticks are kept as text in their word; a stray `(` or `)` is an
//!   error, as is an unclosed quote, `$(` or trailing backslash.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Error as _;
use serde::{Deserialize, Serialize, Serializer};

/// A command as written: one string for a shell-words split, or the words themselves.
/// Two commands are equal when they run the same words (`echo hi` equals
/// `[echo, hi]`), as compose-go, which keeps only the words, sees them.
#[derive(Debug, Clone, Eq)]
pub enum ShellCommand {
    Shell(String),
    Exec(Vec<String>),
}

impl PartialEq for ShellCommand {
    fn eq(&self, other: &ShellCommand) -> bool {
        match (self, other) {
            (ShellCommand::Shell(a), ShellCommand::Shell(b)) => a == b,
            (ShellCommand::Exec(a), ShellCommand::Exec(b)) => a == b,
            _ => matches!((self.to_vec(), other.to_vec()), (Ok(a), Ok(b)) if a == b),
        }
    }
}

impl ShellCommand {
    /// The words to run. A string is split as compose-go splits it, not run by a shell.
    pub fn to_vec(&self) -> Result<Vec<String>, SplitError> {
        match self {
            ShellCommand::Shell(s) => split(s),
            ShellCommand::Exec(words) => Ok(words.clone()),
        }
    }
}

/// A command string shell-words could not split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid command line string")]
pub struct SplitError;

/// Split a command line into words as compose-go's `shellwords.Parse` does.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut buf = String::new();
    // Whether `buf` holds a word: text was read, or a pair of quotes closed.
    let mut got = false;
    let (mut escaped, mut single, mut double) = (false, false, false);
    let (mut backquote, mut dollar) = (false, false);
    for c in line.chars() {
        if escaped {
            buf.push(c);
            escaped = false;
            got = true;
            continue;
        }
        if c == '\\' {
            if single {
                buf.push(c);
            } else {
                escaped = true;
            }
            continue;
        }
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            if single || double || backquote || dollar {
                buf.push(c);
            } else if got {
                words.push(std::mem::take(&mut buf));
                got = false;
            }
            continue;
        }
        match c {
            '`' if !single && !double && !dollar => backquote = !backquote,
            // shellwords toggles on any `)` outside quotes: a stray one opens a `$(`
            // that never closes, and so fails at the end.
            ')' if !single && !double && !backquote => dollar = !dollar,
            '(' if !single && !double && !backquote => {
                if !dollar && buf.ends_with('$') {
                    dollar = true;
                    buf.push(c);
                    continue;
                }
                return Err(SplitError);
            }
            '"' if !single && !dollar => {
                if double {
                    got = true;
                }
                double = !double;
                continue;
            }
            '\'' if !double && !dollar => {
                if single {
                    got = true;
                }
                single = !single;
                continue;
            }
            ';' | '&' | '|' | '<' | '>' if !(single || double || backquote || dollar) => {
                if c == '>' && buf.starts_with(|d: char| d.is_ascii_digit()) {
                    got = false;
                }
                break;
            }
            _ => {}
        }
        got = true;
        buf.push(c);
    }
    if got {
        words.push(buf);
    }
    if escaped || single || double || backquote || dollar {
        return Err(SplitError);
    }
    Ok(words)
}

impl Serialize for ShellCommand {
    /// As compose prints it: always the list of words.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_vec().map_err(S::Error::custom)?.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ShellCommand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ShellCommand, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ShellCommand;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ShellCommand, E> {
                // Refused here, as compose-go refuses it while loading.
                split(s).map_err(E::custom)?;
                Ok(ShellCommand::Shell(s.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<ShellCommand, A::Error> {
                let mut words = Vec::new();
                while let Some(w) = a.next_element::<String>()? {
                    words.push(w);
                }
                Ok(ShellCommand::Exec(words))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(s: &str) -> Vec<String> {
        split(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn splits_words_and_quotes() {
        assert_eq!(words("echo hello  world"), ["echo", "hello", "world"]);
        assert_eq!(
            words("  sh -c 'echo $HOME && ls'  "),
            ["sh", "-c", "echo $HOME && ls"]
        );
        assert_eq!(words(r#"echo "a b" c"#), ["echo", "a b", "c"]);
        assert_eq!(words(r#"a"b c"d"#), ["ab cd"]);
        assert_eq!(words(r#"echo "" ''"#), ["echo", "", ""]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("\t\n"), Vec::<String>::new());
        assert_eq!(words("x\ty\nz"), ["x", "y", "z"]);
    }

    #[test]
    fn escapes_as_shellwords() {
        assert_eq!(words(r"a\ b"), ["a b"]);
        assert_eq!(words(r#""a\"b""#), [r#"a"b"#]);
        assert_eq!(words(r#""a\b""#), ["ab"]);
        assert_eq!(words(r"'a\b'"), [r"a\b"]);
        assert_eq!(words(r"\\"), [r"\"]);
        assert_eq!(words(r"\;x"), [";x"]);
    }

    #[test]
    fn operators_end_the_command() {
        assert_eq!(words("echo a; rm -rf b"), ["echo", "a"]);
        assert_eq!(words("echo a|wc"), ["echo", "a"]);
        assert_eq!(words("echo a && b"), ["echo", "a"]);
        assert_eq!(words("cmd 2>/dev/null"), ["cmd"]);
        assert_eq!(words("cmd x>/dev/null"), ["cmd", "x"]);
        assert_eq!(words("echo 'a;b' \"c|d\""), ["echo", "a;b", "c|d"]);
    }

    #[test]
    fn substitutions_stay_text() {
        assert_eq!(words("echo $(date +%s) x"), ["echo", "$(date +%s)", "x"]);
        assert_eq!(words("echo `date +%s`"), ["echo", "`date +%s`"]);
        assert_eq!(words("echo '(' \")\""), ["echo", "(", ")"]);
    }

    #[test]
    fn refuses_what_shellwords_refuses() {
        for bad in [
            "echo 'a", "echo \"a", "echo \\", "echo (a)", "echo )", "echo $(a", "echo `a", "$((1))",
        ] {
            assert_eq!(split(bad), Err(SplitError), "{bad:?}");
        }
    }

    #[test]
    fn reads_strings_and_lists_prints_lists() {
        let c: ShellCommand = serde_json::from_value(json!("echo 'a b'")).unwrap();
        assert_eq!(c, ShellCommand::Shell("echo 'a b'".into()));
        assert_eq!(serde_json::to_value(&c).unwrap(), json!(["echo", "a b"]));
        let c: ShellCommand = serde_json::from_value(json!(["a", "b c"])).unwrap();
        assert_eq!(c.to_vec().unwrap(), ["a", "b c"]);
        assert_eq!(c, ShellCommand::Shell("a 'b c'".into()));
        assert_ne!(c, ShellCommand::Shell("a b c".into()));
        let c: ShellCommand = serde_json::from_value(json!("")).unwrap();
        assert_eq!(serde_json::to_value(&c).unwrap(), json!([]));
        let e = serde_json::from_value::<ShellCommand>(json!("echo 'x")).unwrap_err();
        assert_eq!(e.to_string(), "invalid command line string");
        let e = serde_json::from_value::<ShellCommand>(json!(["a", 1])).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid type: integer `1`"),
            "{e}"
        );
    }
}
