//! Dockerfile builds: the parser (syntax and typed instructions, `dockerfile/`), the build
//! context (`.dockerignore`, source matching, checksums and the tars COPY and ADD put into a
//! step, `context/`), and the builder that runs each step in a real container of the engine
//! and keeps a layer cache.

pub mod context;
pub mod dockerfile;
