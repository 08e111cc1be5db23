//! The error for user-supplied sizes, durations and timestamps.

use std::fmt;

/// A value the user typed that could not be read. The message quotes the
/// value and, where Docker has one, uses Docker's wording for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}
