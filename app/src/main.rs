//! `berth`: a terminal container workstation. With no arguments it opens the TUI; with
//! a subcommand it answers docker-style commands.

mod cli;
mod tui;
// Some helpers (binary sizes, time_ago) wait for `stats` and the TUI.
#[allow(dead_code)]
mod format;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
