//! `berth`: a terminal container workstation. With a subcommand it answers docker-style
//! commands; the TUI arrives with issue 4.

mod cli;
mod format;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
