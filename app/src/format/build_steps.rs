//! A build's steps as the user follows them, built from the engine's build events: which
//! steps BuildKit would show (FROM, RUN, COPY, ADD, WORKDIR) numbered as they start,
//! their times, `CACHED`, and the last lines of each step's output. The CLI prints from
//! it (plain lines, or the live view on a terminal) and the TUI draws it in a pane.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use berth_engine::build::BuildEvent;

/// Output lines a step keeps (what the live view shows under a running step, and what a
/// failed step shows).
pub const TAIL: usize = 6;

#[derive(Debug, Clone)]
pub struct Step {
    /// BuildKit's `#N`: shown steps numbered in the order they start.
    pub num: usize,
    pub label: String,
    pub text: String,
    /// A step BuildKit shows (config-only steps are not).
    pub shown: bool,
    pub started: Instant,
    pub ended: Option<Duration>,
    pub cached: bool,
    pub tail: VecDeque<String>,
    /// Output after the last newline.
    pub partial: String,
}

/// What one event changed, for a printer of plain lines.
#[derive(Debug, PartialEq)]
pub enum Change {
    Started {
        num: usize,
        label: String,
        text: String,
    },
    Cached {
        num: usize,
    },
    /// Whole lines of output, each with the seconds since its step began.
    Lines {
        num: usize,
        lines: Vec<(f64, String)>,
    },
    Done {
        num: usize,
        secs: f64,
    },
    Nothing,
}

#[derive(Debug, Clone)]
pub struct BuildSteps {
    pub steps: BTreeMap<usize, Step>,
    pub began: Instant,
    pub image: Option<String>,
    pub tags: Vec<String>,
    pub warnings: Vec<String>,
    shown: usize,
}

impl Default for BuildSteps {
    fn default() -> Self {
        BuildSteps {
            steps: BTreeMap::new(),
            began: Instant::now(),
            image: None,
            tags: Vec::new(),
            warnings: Vec::new(),
            shown: 0,
        }
    }
}

impl BuildSteps {
    /// How many shown steps have started.
    pub fn shown(&self) -> usize {
        self.shown
    }

    pub fn apply(&mut self, ev: BuildEvent) -> Change {
        match ev {
            BuildEvent::Step {
                n, label, fs, text, ..
            } => {
                if fs {
                    self.shown += 1;
                }
                let num = self.shown;
                self.steps.insert(
                    n,
                    Step {
                        num,
                        label: label.clone(),
                        text: text.clone(),
                        shown: fs,
                        started: Instant::now(),
                        ended: None,
                        cached: false,
                        tail: VecDeque::new(),
                        partial: String::new(),
                    },
                );
                if fs {
                    Change::Started { num, label, text }
                } else {
                    Change::Nothing
                }
            }
            BuildEvent::Cached { n } => match self.steps.get_mut(&n) {
                Some(s) => {
                    s.cached = true;
                    if s.shown {
                        Change::Cached { num: s.num }
                    } else {
                        Change::Nothing
                    }
                }
                None => Change::Nothing,
            },
            BuildEvent::Output { n, data, .. } => {
                let Some(s) = self.steps.get_mut(&n) else {
                    return Change::Nothing;
                };
                s.partial.push_str(&String::from_utf8_lossy(&data));
                let mut lines = Vec::new();
                while let Some(i) = s.partial.find('\n') {
                    let line: String = s.partial.drain(..=i).collect();
                    let line = line.trim_end_matches(['\n', '\r']).to_string();
                    lines.push((s.started.elapsed().as_secs_f64(), line.clone()));
                    s.tail.push_back(line);
                    if s.tail.len() > TAIL {
                        s.tail.pop_front();
                    }
                }
                Change::Lines { num: s.num, lines }
            }
            BuildEvent::Done { n, .. } => match self.steps.get_mut(&n) {
                Some(s) => {
                    let took = s.started.elapsed();
                    s.ended = Some(took);
                    if s.shown && !s.cached {
                        Change::Done {
                            num: s.num,
                            secs: took.as_secs_f64(),
                        }
                    } else {
                        Change::Nothing
                    }
                }
                None => Change::Nothing,
            },
            BuildEvent::Warning { message } => {
                self.warnings.push(message);
                Change::Nothing
            }
            BuildEvent::Built { id, tags } => {
                self.image = Some(id);
                self.tags = tags;
                Change::Nothing
            }
            BuildEvent::Plan { .. } | BuildEvent::Container { .. } => Change::Nothing,
        }
    }

    /// BuildKit's live view in `width` columns: a header, a line per shown step with
    /// its time, and the running steps' last output lines under them.
    pub fn live_lines(&self, width: usize, finished: bool) -> Vec<String> {
        let done = self
            .steps
            .values()
            .filter(|s| s.shown && s.ended.is_some())
            .count();
        let total = self.steps.values().filter(|s| s.shown).count();
        let state = if finished { " FINISHED" } else { "" };
        let mut lines = vec![format!(
            "[+] Building {:.1}s ({done}/{total}){state}",
            self.began.elapsed().as_secs_f64()
        )];
        for s in self.steps.values().filter(|s| s.shown) {
            let took = s.ended.unwrap_or_else(|| s.started.elapsed());
            let cached = if s.cached { "CACHED " } else { "" };
            let head = format!(" => {cached}{} {}", s.label, s.text);
            lines.push(fit(&head, &format!("{:.1}s", took.as_secs_f64()), width));
            if s.ended.is_none() {
                for l in &s.tail {
                    lines.push(fit(&format!(" => => # {l}"), "", width));
                }
            }
        }
        lines
    }

    /// The step that was running when the build failed.
    pub fn failing(&self) -> Option<&Step> {
        self.steps
            .values()
            .rev()
            .find(|s| s.ended.is_none() && s.shown)
    }
}

/// `head` and `time` on one line of `width`, the head cut to fit.
pub fn fit(head: &str, time: &str, width: usize) -> String {
    let room = width.saturating_sub(time.len() + 1).max(10);
    let mut h: String = head.chars().take(room).collect();
    let pad = room.saturating_sub(h.chars().count());
    h.push_str(&" ".repeat(pad));
    if !time.is_empty() {
        h.push(' ');
        h.push_str(time);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(n: usize, fs: bool, text: &str) -> BuildEvent {
        BuildEvent::Step {
            n,
            label: if fs {
                format!("[{n}/3]")
            } else {
                String::new()
            },
            index: n,
            total: 3,
            fs,
            text: text.into(),
        }
    }

    #[test]
    fn shown_steps_are_numbered_in_order_and_keep_their_last_lines() {
        let mut b = BuildSteps::default();
        assert!(matches!(
            b.apply(step(1, true, "FROM x")),
            Change::Started { num: 1, .. }
        ));
        assert_eq!(b.apply(step(2, false, "ENV A=1")), Change::Nothing);
        assert!(matches!(
            b.apply(step(3, true, "RUN make")),
            Change::Started { num: 2, .. }
        ));
        let out = b.apply(BuildEvent::Output {
            n: 3,
            stderr: false,
            data: b"one\ntwo\npart".to_vec(),
        });
        let Change::Lines { num, lines } = out else {
            panic!("no lines")
        };
        assert_eq!(num, 2);
        assert_eq!(
            lines.iter().map(|l| l.1.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert_eq!(b.failing().map(|s| s.num), Some(2));
        assert_eq!(b.steps[&3].partial, "part");
        let live = b.live_lines(40, false);
        assert_eq!(live.len(), 1 + 2 + 2);
        assert!(live[2].starts_with(" => [3/3] RUN make"), "{live:?}");
        assert_eq!(live[3].trim_end(), " => => # one");
    }

    #[test]
    fn a_cached_step_is_marked_and_not_timed() {
        let mut b = BuildSteps::default();
        b.apply(step(1, true, "COPY . ."));
        assert_eq!(
            b.apply(BuildEvent::Cached { n: 1 }),
            Change::Cached { num: 1 }
        );
        let done = b.apply(BuildEvent::Done {
            n: 1,
            image: "sha256:x".into(),
            millis: 1,
        });
        assert_eq!(done, Change::Nothing);
        assert!(b.live_lines(60, true)[1].contains("CACHED [1/3] COPY . ."));
    }
}
