//! Compose's progress on stderr, as `docker compose` prints it without a terminal
//! (` Container cct-db-1  Started`), and warnings as `WARN[0000] ...`.

use std::io::Write;

use crate::compose::run::progress::Progress;

/// A sink for compose operations that prints each step on stderr.
pub fn print(p: Progress) {
    let mut err = std::io::stderr().lock();
    let _ = match p {
        Progress::Status { kind, name, status } => writeln!(err, " {kind} {name}  {status}"),
        Progress::Output(line) => writeln!(err, "{line}"),
        Progress::Warning(w) => writeln!(err, "WARN[0000] {w}"),
    };
}
