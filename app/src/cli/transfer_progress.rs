//! Pull and push progress as the docker CLI shows the daemon's messages: on a terminal
//! one line per layer (`a1b2c3d4e5f6: Downloading [====>     ]  1.2MB/3.4MB`) redrawn in
//! place; otherwise each status once, progress lines left out.

use std::io::{IsTerminal, Write};

use bollard::models as m;
use futures_util::StreamExt;

use crate::backend::Stream;
use crate::format::human::human_size;

/// Docker's progress bar (`[=====>      ]  1.2MB/3.4MB`), 50 columns wide.
pub fn bar(current: i64, total: i64) -> String {
    let (current, total) = (current.max(0) as u64, total.max(0) as u64);
    if total == 0 {
        return human_size(current);
    }
    let done = ((current.min(total) as f64 / total as f64) * 50.0) as usize;
    let arrow = if done < 50 { ">" } else { "" };
    let rest = 50usize.saturating_sub(done + arrow.len());
    format!(
        "[{}{arrow}{}] {:>8}/{}",
        "=".repeat(done),
        " ".repeat(rest),
        human_size(current),
        human_size(total)
    )
}

/// Show the stream on `out` until it ends; the error that ended it, if one did.
pub async fn show(
    mut stream: Stream<m::CreateImageInfo>,
    out: &mut dyn Write,
    quiet: bool,
) -> Result<(), String> {
    let tty = !quiet && std::io::stdout().is_terminal();
    // Layer lines in the order they appeared (the live view's rows).
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut drawn = 0usize;
    while let Some(msg) = stream.next().await {
        let msg = msg.map_err(|e| e.message)?;
        if let Some(e) = msg.error_detail.and_then(|d| d.message) {
            return Err(e);
        }
        if quiet {
            continue;
        }
        let status = msg.status.unwrap_or_default();
        let progress = msg
            .progress_detail
            .and_then(|p| Some(bar(p.current?, p.total.unwrap_or(0))));
        match (msg.id, tty) {
            (Some(id), true) => {
                let line = match &progress {
                    Some(b) => format!("{id}: {status} {b}"),
                    None => format!("{id}: {status}"),
                };
                match rows.iter_mut().find(|(i, _)| *i == id) {
                    Some(row) => row.1 = line,
                    None => rows.push((id, line)),
                }
                // Redraw the layer rows in place.
                if drawn > 0 {
                    let _ = write!(out, "\x1b[{drawn}A");
                }
                for (_, l) in &rows {
                    let _ = writeln!(out, "\r\x1b[2K{l}");
                }
                drawn = rows.len();
            }
            (Some(id), false) => {
                if progress.is_none() {
                    let _ = writeln!(out, "{id}: {status}");
                }
            }
            (None, _) => {
                // A line of its own ends the layer view (Digest:, Status:, the tag's
                // digest after a push).
                rows.clear();
                drawn = 0;
                let _ = writeln!(out, "{status}");
            }
        }
        let _ = out.flush();
    }
    Ok(())
}
