//! The progress of a build and of a pull or push started from the images pane, as the
//! worker reports it, kept for the view that follows it.

use super::*;

impl App {
    pub(super) fn build_progress(&mut self, m: crate::tui::worker::BuildMsg) {
        use crate::tui::worker::BuildMsg;
        let Some(view) = self.build.as_mut() else {
            return;
        };
        match m {
            BuildMsg::Event(ev) => {
                view.steps.apply(ev);
            }
            BuildMsg::Text(t) => view.classic.extend(t.lines().map(str::to_string)),
            BuildMsg::End(outcome) => {
                let what = view.title.clone();
                self.done(match &outcome {
                    Ok(id) => format!("{what}: built {} (Esc closes)", short_id(id)),
                    Err(e) => format!("{what} failed: {e}"),
                });
                if let Some(v) = self.build.as_mut() {
                    v.outcome = Some(outcome);
                }
            }
        }
    }
}

impl App {
    pub(super) fn transfer_progress(&mut self, m: crate::tui::worker::TransferMsg) {
        use crate::tui::worker::TransferMsg;
        let Some(view) = self.transfer.as_mut() else {
            return;
        };
        match m {
            TransferMsg::Progress(msg) => view.view.apply(&msg),
            TransferMsg::End(outcome) => {
                let what = view.title.clone();
                view.outcome = Some(outcome.clone());
                self.done(match outcome {
                    Ok(()) => format!("{what}: done (Esc closes)"),
                    Err(e) => format!("{what} failed: {e}"),
                });
            }
        }
    }
}

fn short_id(id: &str) -> String {
    id.strip_prefix("sha256:")
        .unwrap_or(id)
        .chars()
        .take(12)
        .collect()
}
