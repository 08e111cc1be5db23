//! `berth`: with no arguments it opens the TUI; with a subcommand it answers
//! docker-style commands. Everything lives in the library (lib.rs).

use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    berth::cli::main()
}

/// `berth ps | head -1`: once the reader has gone, the next line printed fails with
/// EPIPE, and Rust's `println!` panics on it. Docker's CLI (Go) dies of SIGPIPE there,
/// silently; so does berth. SIGPIPE itself stays ignored, so that a closed socket (an
/// attach, the API) is an error to handle rather than death.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let closed = text.contains("Broken pipe")
            && (text.contains("failed printing to stdout")
                || text.contains("failed printing to stderr"));
        if closed {
            // 128 + SIGPIPE, as a shell reports a process killed by it.
            std::process::exit(141);
        }
        default(info);
    }));
}
