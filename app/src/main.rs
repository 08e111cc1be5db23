//! `berth`: with no arguments it opens the TUI; with a subcommand it answers
//! docker-style commands. Everything lives in the library (lib.rs).

use std::process::ExitCode;

fn main() -> ExitCode {
    berth::cli::main()
}
