//! `berth`: a terminal container workstation. The binary (main.rs) is a thin shell over
//! this library: the docker-style command line (cli), its output formats (format) and
//! the TUI (tui), so benchmarks and end-to-end tests can drive the TUI's state, worker
//! and drawing directly.

#![recursion_limit = "256"]
pub mod api;
pub mod backend;
pub mod build_context;
pub mod cli;
pub mod client_auth;
pub mod compose;
pub mod context;
pub mod stack;
pub mod swarm;
// Some helpers (binary sizes, time_ago) wait for `stats` and the TUI.
#[allow(dead_code)]
pub mod format;
pub mod tui;
