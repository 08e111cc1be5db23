//! Drawing a build's progress: BuildKit's plain lines (`#3 [2/4] RUN make`, output with
//! the seconds since the step began, `#3 CACHED`, `#3 DONE 0.4s`), its live view on a
//! terminal (one line per step with its time, the running step's last output lines under
//! it, redrawn in place), or nothing but the image ID (`-q`). A backend that sends only
//! Docker's classic text (a real Docker engine) gets that text printed as it comes. The
//! steps themselves are kept by `format::build_steps`, which the TUI draws too.

use std::io::Write;
use std::time::Duration;

use berth_engine::build::BuildEvent;
use bollard::models as m;
use futures_util::StreamExt;

use crate::backend::{Stream, BUILD_EVENT_ID};
use crate::format::build_steps::{BuildSteps, Change};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Tty,
    Quiet,
}

pub struct Progress {
    mode: Mode,
    steps: BuildSteps,
    /// Lines the live view drew last time (to redraw over them).
    drawn: usize,
    /// The backend sends Berth's structured events (else: classic text only).
    structured: bool,
    /// The failed step's exit code, when the backend said it (Docker's `errorDetail`).
    pub failed_code: Option<i64>,
}

impl Progress {
    pub fn new(mode: Mode) -> Self {
        Progress {
            mode,
            steps: BuildSteps::default(),
            drawn: 0,
            structured: false,
            failed_code: None,
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
                        self.failed_code = msg.error_detail.as_ref().and_then(|d| d.code);
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
                let change = self.steps.apply(ev);
                if self.mode == Mode::Plain {
                    print_plain(change);
                }
            }
            return;
        }
        if let Some(id) = msg.aux.and_then(|a| a.id) {
            self.steps.image = Some(id);
        }
        // A backend without structured events: its classic text as it comes.
        if !self.structured && self.mode != Mode::Quiet {
            if let Some(s) = msg.stream {
                print!("{s}");
                let _ = std::io::stdout().flush();
            }
        }
    }

    /// The live view, redrawn over the last one.
    fn redraw(&mut self, last: bool) {
        if self.mode != Mode::Tty || !self.structured {
            return;
        }
        let width = crossterm::terminal::size()
            .map(|(w, _)| w as usize)
            .unwrap_or(80);
        let lines = self.steps.live_lines(width, last);
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
        let Some(id) = self.steps.image.clone() else {
            return;
        };
        match self.mode {
            Mode::Quiet => println!("{id}"),
            Mode::Plain if self.structured => {
                let n = self.steps.shown() + 1;
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "#{n} exporting to image");
                let _ = writeln!(err, "#{n} writing image {id} done");
                for t in &self.steps.tags {
                    let _ = writeln!(err, "#{n} naming to {} done", long_name(t));
                }
                let _ = writeln!(err, "#{n} DONE 0.0s");
            }
            _ => {}
        }
        for w in &self.steps.warnings {
            eprintln!("WARNING: {w}");
        }
    }

    /// A failed build: the failing step's last output, then the error, as BuildKit
    /// shows them.
    pub fn failed(&self, message: &str) {
        let mut err = std::io::stderr().lock();
        // The classic builder's own words (`The command '/bin/sh -c ...' returned a
        // non-zero code: 3`) are the whole message, as the docker CLI prints them.
        if !self.structured {
            let _ = writeln!(err, "{message}");
            return;
        }
        if let Some(s) = self.steps.failing() {
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

/// BuildKit's plain lines for one change.
fn print_plain(change: Change) {
    let mut err = std::io::stderr().lock();
    match change {
        Change::Started { num, label, text } => {
            let _ = writeln!(err, "#{num} {label} {text}");
        }
        Change::Cached { num } => {
            let _ = writeln!(err, "#{num} CACHED\n");
        }
        Change::Lines { num, lines } => {
            for (t, line) in lines {
                let _ = writeln!(err, "#{num} {t:.3} {line}");
            }
        }
        Change::Done { num, secs } => {
            let _ = writeln!(err, "#{num} DONE {secs:.1}s\n");
        }
        Change::Nothing => {}
    }
}

/// `docker.io/library/name:tag`, as BuildKit names what it tags.
fn long_name(t: &str) -> String {
    berth_engine::image::reference::docker_long_form(
        &berth_engine::image::Reference::parse(t)
            .map(|r| r.key())
            .unwrap_or_else(|_| t.to_string()),
    )
}
