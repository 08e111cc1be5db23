//! The keys on a compose project's header: the whole project comes up, starts, stops,
//! restarts or goes down through compose's own functions (the worker runs them), and
//! folding a project to its header and back.

use super::*;

impl App {
    /// A key on a selected project header; None when the key is not the project's (it
    /// then means what it means anywhere).
    pub(super) fn project_key(&mut self, c: char) -> Option<Vec<Request>> {
        let project = self.selected_project()?.name;
        let verb = match c {
            'u' => ComposeVerb::Up,
            's' => ComposeVerb::Start,
            'x' => ComposeVerb::Stop,
            'r' => ComposeVerb::Restart,
            'd' => {
                // Down removes what up made: ask first, as for a container's removal.
                self.message =
                    format!("down {project}: stop and remove its containers and networks? y/n");
                self.confirm = Some(vec![Request::Do(Op::Compose {
                    project,
                    verb: ComposeVerb::Down,
                })]);
                return Some(Vec::new());
            }
            // Kill and pause go to each of its containers, as to marked ones.
            'K' => return Some(self.ask(Action::Kill)),
            'p' => return Some(self.ask(Action::Pause)),
            'c' | 'R' | 'n' | 'N' | 'i' | 'S' => {
                self.message = format!(
                    "{project} is a project: u up, s start, x stop, r restart, d down; \
                     select one of its containers for {c}"
                );
                return Some(Vec::new());
            }
            _ => return None,
        };
        // The countdowns to SIGKILL start as compose reaches each container
        // (Msg::Stopping): a stop goes a level of the dependency graph at a time.
        Some(self.start_op(Op::Compose { project, verb }))
    }

    /// Enter or space on a header, `z` anywhere: fold the selected project (or the
    /// selected container's) to its header, or unfold it.
    pub(super) fn fold_selected(&mut self) {
        let project = match self.selected_project() {
            Some(g) => g.name,
            None => match self.selected_container().map(|c| c.project.clone()) {
                Some(p) if !p.is_empty() => p,
                _ => {
                    self.message = "not in a compose project".into();
                    return;
                }
            },
        };
        self.toggle_project(&project);
    }
}
