//! Pull and push progress as the docker CLI shows the daemon's messages: on a terminal
//! one line per layer (`a1b2c3d4e5f6: Downloading [====>     ]  1.2MB/3.4MB`) redrawn in
//! place; otherwise each status once, progress lines left out.

use std::io::{IsTerminal, Write};

use bollard::models as m;
use futures_util::StreamExt;

use crate::backend::Stream;
use crate::format::transfer::{is_progress, line, Transfer};

/// Show the stream on `out` until it ends; the error that ended it, if one did.
pub async fn show(
    mut stream: Stream<m::CreateImageInfo>,
    out: &mut dyn Write,
    quiet: bool,
) -> Result<(), String> {
    let tty = !quiet && std::io::stdout().is_terminal();
    let mut view = Transfer::default();
    // Lines of the live view drawn so far (a line without an id starts a new block).
    let mut drawn = 0usize;
    while let Some(msg) = stream.next().await {
        let msg = msg.map_err(|e| e.message)?;
        if let Some(e) = msg.error_detail.as_ref().and_then(|d| d.message.clone()) {
            return Err(e);
        }
        if quiet {
            continue;
        }
        if !tty {
            if !is_progress(&msg) {
                let _ = writeln!(out, "{}", line(&msg));
            }
            continue;
        }
        if msg.id.is_none() {
            // A line of its own ends the layer rows above it.
            view = Transfer::default();
            drawn = 0;
            let _ = writeln!(out, "{}", line(&msg));
            continue;
        }
        view.apply(&msg);
        if drawn > 0 {
            let _ = write!(out, "\x1b[{drawn}A");
        }
        for l in view.text() {
            let _ = writeln!(out, "\r\x1b[2K{l}");
        }
        drawn = view.lines.len();
        let _ = out.flush();
    }
    Ok(())
}
