//! Drawing a build's progress: BuildKit's plain lines (`#3 [2/4] RUN make`, output with
//! the seconds since the step began, `#3 CACHED`, `#3 DONE 0.4s`), its live view on a
//! terminal (one line per step with its time, the running step's last output lines under
//! it, redrawn in place), or nothing but the image ID (`-q`). A backend that sends only
//! Docker's classic text (a real Docker engine) gets that text printed as it comes.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::time::{Duration, Instant};

use berth_engine::build::BuildEvent;
use bollard::models as m;
use futures_util::StreamExt;

use crate::backend::{Stream, BUILD_EVENT_ID};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Tty,
    Quiet,
}

/// Output lines a failed step shows, and the live view keeps under a running step.
const TAIL: usize = 6;

struct StepView {
    /// BuildKit's `#N`: shown steps numbered in the order they start.
    num: usize,
    label: String,
    text: String,
    shown: bool,
    started: Instant,
    ended: Option<Duration>,
    cached: bool,
    tail: VecDeque<String>,
    partial: String,
}

pub struct Progress {
    mode: Mode,
    began: Instant,
    steps: BTreeMap<usize, StepView>,
    image: Option<String>,
    tags: Vec<String>,
    warnings: Vec<String>,
    /// Lines the live view drew last time (to redraw over them).
    drawn: usize,
    structured: bool,
    shown: usize,
}

impl Progress {
    pub fn new(mode: Mode) -> Self {
        Progress {
            mode,
            began: Instant::now(),
            steps: BTreeMap::new(),
            image: None,
            tags: Vec::new(),
            warnings: Vec::new(),
            drawn: 0,
            structured: false,
            shown: 0,
        }
    }

    /// Read the backend's messages to the end; the build's error message if it failed.
    pub async fn pump(&mut self, mut stream: Stream<m::BuildInfo>) -> Result<(), String> {
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        loop {
            tokio::select! {
                msg = stream.next() => {
                    let Some(msg) = msg else { break };
                    let msg = msg.map_err(|e| e.message)?;
                    if let Some(err) = msg.error_detail.as_ref().and_then(|d| d.message.clone()) {
                        self.redraw(true);
                        return Err(err);
                    }
                    self.message(msg);
                }
                _ = tick.tick(), if self.mode == Mode::Tty => self.redraw(false),
            }
        }
        self.redraw(true);
        self.finish();
        Ok(())
    }

    fn message(&mut self, msg: m::BuildInfo) {
        if msg.id.as_deref() == Some(BUILD_EVENT_ID) {
            if let Some(ev) = msg
                .status
                .as_deref()
                .and_then(|s| serde_json::from_str::<BuildEvent>(s).ok())
            {
                self.structured = true;
                self.event(ev);
            }
            return;
        }
        if let Some(id) = msg.aux.and_then(|a| a.id) {
            self.image = Some(id);
        }
        // A backend without structured events: its classic text as it comes.
        if !self.structured && self.mode != Mode::Quiet {
            if let Some(s) = msg.stream {
                print!("{s}");
                let _ = std::io::stdout().flush();
            }
        }
    }

    fn event(&mut self, ev: BuildEvent) {
        let plain = self.mode == Mode::Plain;
        let mut err = std::io::stderr().lock();
        match ev {
            BuildEvent::Plan { .. } => {}
            BuildEvent::Step {
                n, label, fs, text, ..
            } => {
                if fs {
                    self.shown += 1;
                }
                let num = self.shown;
                if plain && fs {
                    let _ = writeln!(err, "#{num} {label} {text}");
                }
                self.steps.insert(
                    n,
                    StepView {
                        num,
                        label,
                        text,
                        shown: fs,
                        started: Instant::now(),
                        ended: None,
                        cached: false,
                        tail: VecDeque::new(),
                        partial: String::new(),
                    },
                );
            }
            BuildEvent::Cached { n } => {
                if let Some(s) = self.steps.get_mut(&n) {
                    s.cached = true;
                    if plain && s.shown {
                        let _ = writeln!(err, "#{} CACHED\n", s.num);
                    }
                }
            }
            BuildEvent::Container { .. } => {}
            BuildEvent::Output { n, data, .. } => {
                if let Some(s) = self.steps.get_mut(&n) {
                    s.partial.push_str(&String::from_utf8_lossy(&data));
                    while let Some(i) = s.partial.find('\n') {
                        let line: String = s.partial.drain(..=i).collect();
                        let line = line.trim_end_matches(['\n', '\r']).to_string();
                        if plain {
                            let t = s.started.elapsed().as_secs_f64();
                            let _ = writeln!(err, "#{} {t:.3} {line}", s.num);
                        }
                        s.tail.push_back(line);
                        if s.tail.len() > TAIL {
                            s.tail.pop_front();
                        }
                    }
                }
            }
            BuildEvent::Warning { message } => self.warnings.push(message),
            BuildEvent::Done { n, .. } => {
                if let Some(s) = self.steps.get_mut(&n) {
                    let took = s.started.elapsed();
                    s.ended = Some(took);
                    if plain && s.shown && !s.cached {
                        let _ = writeln!(err, "#{} DONE {:.1}s\n", s.num, took.as_secs_f64());
                    }
                }
            }
            BuildEvent::Built { id, tags } => {
                self.image = Some(id);
                self.tags = tags;
            }
        }
    }

    /// The live view: every shown step with its time, the running one's last lines.
    fn redraw(&mut self, last: bool) {
        if self.mode != Mode::Tty || !self.structured {
            return;
        }
        let width = crossterm::terminal::size()
            .map(|(w, _)| w as usize)
            .unwrap_or(80);
        let mut lines = Vec::new();
        let done = self
            .steps
            .values()
            .filter(|s| s.shown && s.ended.is_some())
            .count();
        let total = self.steps.values().filter(|s| s.shown).count();
        let state = if last { " FINISHED" } else { "" };
        lines.push(format!(
            "[+] Building {:.1}s ({done}/{total}){state}",
            self.began.elapsed().as_secs_f64()
        ));
        for s in self.steps.values().filter(|s| s.shown) {
            let took = s.ended.unwrap_or_else(|| s.started.elapsed());
            let cached = if s.cached { "CACHED " } else { "" };
            let head = format!(" => {cached}{} {}", s.label, s.text);
            let time = format!("{:.1}s", took.as_secs_f64());
            lines.push(fit(&head, &time, width));
            if s.ended.is_none() {
                for l in &s.tail {
                    lines.push(fit(&format!(" => => # {l}"), "", width));
                }
            }
        }
        let mut err = std::io::stderr().lock();
        if self.drawn > 0 {
            let _ = write!(err, "\x1b[{}A", self.drawn);
        }
        for l in &lines {
            let _ = writeln!(err, "\r\x1b[2K{l}");
        }
        // Lines of a longer earlier drawing (a step's tail that folded) are cleared.
        for _ in lines.len()..self.drawn {
            let _ = writeln!(err, "\r\x1b[2K");
        }
        let extra = self.drawn.saturating_sub(lines.len());
        if extra > 0 {
            let _ = write!(err, "\x1b[{extra}A");
        }
        self.drawn = lines.len();
        let _ = err.flush();
    }

    fn finish(&mut self) {
        let Some(id) = self.image.clone() else { return };
        match self.mode {
            Mode::Quiet => println!("{id}"),
            Mode::Plain if self.structured => {
                let n = self.shown + 1;
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "#{n} exporting to image");
                let _ = writeln!(err, "#{n} writing image {id} done");
                for t in &self.tags {
                    let _ = writeln!(err, "#{n} naming to {} done", long_name(t));
                }
                let _ = writeln!(err, "#{n} DONE 0.0s");
            }
            _ => {}
        }
        for w in &self.warnings {
            eprintln!("WARNING: {w}");
        }
    }

    /// A failed build: the failing step's last output, then the error, as BuildKit
    /// shows them.
    pub fn failed(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        if let Some(s) = self
            .steps
            .values()
            .rev()
            .find(|s| s.ended.is_none() && s.shown)
        {
            let _ = writeln!(err, "------\n > {} {}:", s.label, s.text);
            for l in &s.tail {
                let _ = writeln!(err, "{l}");
            }
            if !s.partial.is_empty() {
                let _ = writeln!(err, "{}", s.partial);
            }
            let _ = writeln!(err, "------");
        }
        let _ = writeln!(err, "ERROR: failed to solve: {message}");
    }
}

/// `head` and `time` on one line of `width`, the head cut to fit.
fn fit(head: &str, time: &str, width: usize) -> String {
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

/// `docker.io/library/name:tag`, as BuildKit names what it tags.
fn long_name(t: &str) -> String {
    berth_engine::image::reference::docker_long_form(
        &berth_engine::image::Reference::parse(t)
            .map(|r| r.key())
            .unwrap_or_else(|_| t.to_string()),
    )
}
