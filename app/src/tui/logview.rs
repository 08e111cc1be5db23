//! The logs pane's state: a bounded buffer of the selected container's log lines fed by
//! the worker, and how the user looks at it (follow or paused at a line, timestamps,
//! wrap, a search with its matches). Lines are numbered as they arrive, so a paused view
//! stays on the same lines while new ones keep coming and old ones fall out.

use std::collections::VecDeque;

/// Lines kept in memory; older ones are dropped (the file keeps them all, `S` saves it).
pub const KEPT: usize = 20_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogEntry {
    pub stderr: bool,
    /// RFC 3339, as the json-file log has it.
    pub time: String,
    pub text: String,
    /// In a compose project's merged log: `web-1  | `, and its service's colour (an
    /// index into the theme's palette). Empty in one container's log.
    pub prefix: String,
    pub colour: usize,
}

#[derive(Debug, Default)]
pub struct LogView {
    /// The container the lines belong to.
    pub id: String,
    lines: VecDeque<LogEntry>,
    /// The number of `lines[0]` since the view was reset.
    first: u64,
    /// None: follow the end. Some(n): paused with line n at the bottom.
    anchor: Option<u64>,
    pub timestamps: bool,
    pub wrap: bool,
    pub search: String,
    /// The search text is being typed.
    pub searching: bool,
}

impl LogView {
    pub fn new() -> LogView {
        LogView {
            wrap: true,
            ..Default::default()
        }
    }

    /// New lines from the worker; `reset` replaces what is kept (another container, or
    /// the log file started over).
    pub fn append(&mut self, id: &str, lines: Vec<LogEntry>, reset: bool) {
        if reset || id != self.id {
            self.id = id.to_string();
            self.lines.clear();
            self.first = 0;
            self.anchor = None;
        }
        self.lines.extend(lines);
        let excess = self.lines.len().saturating_sub(KEPT);
        if excess > 0 {
            self.lines.drain(..excess);
            self.first += excess as u64;
        }
    }

    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.lines.len()
    }

    fn end(&self) -> u64 {
        self.first + self.lines.len() as u64
    }

    pub fn following(&self) -> bool {
        self.anchor.is_none()
    }

    /// `f`: pause where the view is, or follow the end again.
    pub fn toggle_follow(&mut self) {
        self.anchor = match self.anchor {
            None => Some(self.end()),
            Some(_) => None,
        };
    }

    /// Scroll up (negative) or down by `n` lines; scrolling pauses.
    pub fn scroll(&mut self, n: i64) {
        let at = self.anchor.unwrap_or(self.end()) as i64 + n;
        let lowest = (self.first + 1).min(self.end()) as i64;
        self.anchor = Some(at.clamp(lowest, self.end() as i64) as u64);
    }

    /// The index (into the kept lines) one past the bottom line shown.
    fn bottom(&self) -> usize {
        match self.anchor {
            None => self.lines.len(),
            Some(a) => (a.max(self.first + 1) - self.first).min(self.lines.len() as u64) as usize,
        }
    }

    /// The lines that fill `height` rows of `width` columns, ending at the bottom line.
    pub fn visible(&self, height: usize, width: usize) -> Vec<&LogEntry> {
        let mut rows = 0;
        let mut out = Vec::new();
        for e in self.lines.range(..self.bottom()).rev() {
            let need = if self.wrap {
                let w = self.shown_width(e);
                w.div_ceil(width.max(1)).max(1)
            } else {
                1
            };
            if rows + need > height && !out.is_empty() {
                break;
            }
            rows += need;
            out.push(e);
            if rows >= height {
                break;
            }
        }
        out.reverse();
        out
    }

    /// Columns a line takes as drawn (with its timestamp when they are on).
    pub fn shown_width(&self, e: &LogEntry) -> usize {
        let ts = if self.timestamps {
            e.time.chars().count() + 1
        } else {
            0
        };
        ts + e.prefix.chars().count() + e.text.chars().count()
    }

    pub fn matches(&self, e: &LogEntry) -> bool {
        !self.search.is_empty() && e.text.to_lowercase().contains(&self.search.to_lowercase())
    }

    /// `n`/`N`: put the next (or previous) matching line at the bottom, paused. False
    /// when there is none.
    pub fn jump(&mut self, forward: bool) -> bool {
        if self.search.is_empty() {
            return false;
        }
        let bottom = self.bottom();
        let hit = if forward {
            (bottom..self.lines.len()).find(|&i| self.matches(&self.lines[i]))
        } else {
            (0..bottom.saturating_sub(1))
                .rev()
                .find(|&i| self.matches(&self.lines[i]))
        };
        match hit {
            Some(i) => {
                self.anchor = Some(self.first + i as u64 + 1);
                true
            }
            None => false,
        }
    }

    /// How many kept lines match the search.
    pub fn match_count(&self) -> usize {
        self.lines.iter().filter(|e| self.matches(e)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(range: std::ops::Range<u32>) -> Vec<LogEntry> {
        range
            .map(|i| LogEntry {
                text: format!("line {i}"),
                time: "2026-11-25T12:00:00.000000000Z".into(),
                stderr: false,
                ..Default::default()
            })
            .collect()
    }

    fn texts(v: &LogView, h: usize) -> Vec<String> {
        v.visible(h, 80).iter().map(|e| e.text.clone()).collect()
    }

    #[test]
    fn follows_the_end_until_paused_then_stays_on_its_lines() {
        let mut v = LogView::new();
        v.append("c1", lines(0..10), false);
        assert_eq!(texts(&v, 2), ["line 8", "line 9"]);
        v.toggle_follow();
        v.append("c1", lines(10..20), false);
        assert_eq!(texts(&v, 2), ["line 8", "line 9"], "paused");
        v.scroll(-3);
        assert_eq!(texts(&v, 2), ["line 5", "line 6"]);
        v.toggle_follow();
        assert_eq!(texts(&v, 2), ["line 18", "line 19"]);
    }

    #[test]
    fn a_bounded_buffer_keeps_a_paused_view_in_range() {
        let mut v = LogView::new();
        v.append("c1", lines(0..100), false);
        v.scroll(-90);
        assert_eq!(texts(&v, 1), ["line 9"]);
        // A flood pushes the paused lines out: the view clamps to the oldest kept.
        v.append("c1", lines(100..(KEPT as u32 + 200)), false);
        assert_eq!(v.kept(), KEPT);
        assert_eq!(texts(&v, 1), ["line 200"]);
        // Another container starts over, following.
        v.append("c2", lines(0..3), false);
        assert!(v.following());
        assert_eq!(texts(&v, 5), ["line 0", "line 1", "line 2"]);
    }

    #[test]
    fn search_jumps_between_matches_and_wrap_counts_rows() {
        let mut v = LogView::new();
        let mut l = lines(0..50);
        l[10].text = "ERROR disk full".into();
        l[30].text = "error again".into();
        v.append("c1", l, false);
        v.search = "error".into();
        assert_eq!(v.match_count(), 2);
        assert!(v.jump(false));
        assert_eq!(texts(&v, 1), ["error again"]);
        assert!(v.jump(false));
        assert_eq!(texts(&v, 1), ["ERROR disk full"]);
        assert!(!v.jump(false));
        assert!(v.jump(true));
        assert_eq!(texts(&v, 1), ["error again"]);
        // Wrapped: a 20-column line takes 2 rows of 10.
        v.toggle_follow();
        v.append(
            "c1",
            vec![LogEntry {
                text: "x".repeat(20),
                ..Default::default()
            }],
            false,
        );
        assert_eq!(v.visible(3, 10).len(), 2);
        v.wrap = false;
        assert_eq!(v.visible(3, 10).len(), 3);
    }
}
