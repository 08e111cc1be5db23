//! `berth`: a terminal container workstation. With a subcommand it answers docker-style
//! commands; the TUI arrives with issue 4.

mod cli;
// Some helpers (binary sizes, time_ago) wait for `stats` and the TUI.
#[allow(dead_code)]
mod format;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
