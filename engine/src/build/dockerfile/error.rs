//! The parser's two error types: [`ParseError`] (a file and line the user can go to) and
//! [`ExpandError`] (a word that could not be expanded; the builder knows the line).

/// An error in a Dockerfile, located at the line where the offending instruction starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ParseError {
    /// The file name given to [`parse`](super::parse), as the user knows it.
    pub file: String,
    /// 1-based line of the start of the instruction (or of the directive) at fault.
    pub line: usize,
    /// What is wrong, in Docker's words where Docker has words for it.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        ParseError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// A word that could not be expanded: an unterminated quote, a bad `${...}`, or a
/// `${V:?message}` whose variable is unset. The message is BuildKit's
/// (`failed to process "${V:?}": V: is not allowed to be unset`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExpandError {
    /// The full message, naming the word that failed.
    pub message: String,
}

impl ExpandError {
    /// Places this error at an instruction, for the builder that expands words later.
    pub fn at(self, file: &str, line: usize) -> ParseError {
        ParseError::new(file, line, self.message)
    }
}
