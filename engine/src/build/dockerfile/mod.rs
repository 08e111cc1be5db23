//! The Dockerfile parser: directives, logical lines, heredocs, words and typed instructions.
//!
//! Syntax is kept apart from meaning, as in BuildKit: `directives` and `lines` turn text
//! into logical lines (continuations joined, comments dropped, heredoc bodies attached),
//! `words` splits a line into keyword, flags and arguments, and `instruction` with
//! `commands`, `healthcheck` and `mount` gives each keyword its typed [`Command`].
//! Arguments stay raw; [`expand_word`] and [`expand_words`] expand them when the builder
//! knows the variables of a step.

mod commands;
mod directives;
mod error;
mod expand;
mod flags;
mod glob;
mod healthcheck;
mod heredoc;
mod instruction;
mod lines;
mod mount;
mod parse;
mod suggest;
mod types;
mod words;

#[cfg(test)]
mod tests;

pub use error::{ExpandError, ParseError};
pub use expand::{expand_word, expand_words};
pub use parse::{parse, parse_instruction};
pub use types::{
    ArgDecl, Command, CopySpec, Dockerfile, Healthcheck, Heredoc, Instruction, Run, RunMount,
    Sharing, ShellOrExec,
};
