//! The Dockerfile parser: directives, logical lines, heredocs, words and typed instructions.
