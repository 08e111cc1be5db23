//! Changes gathered into batches, as Compose gathers them: every changed path is held
//! until nothing has changed for a quiet period (half a second), then the paths go out
//! together, each once. An editor saving many files, or a `git checkout`, becomes one
//! sync or one rebuild instead of dozens.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Compose's quiet period (`watch.QuietPeriod`).
pub const QUIET: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct Debounce {
    quiet: Duration,
    /// In the order first seen.
    pending: Vec<PathBuf>,
    seen: HashSet<PathBuf>,
    last: Option<Instant>,
}

impl Debounce {
    pub fn new(quiet: Duration) -> Debounce {
        Debounce {
            quiet,
            pending: Vec::new(),
            seen: HashSet::new(),
            last: None,
        }
    }

    /// A change to `path` at `now`; it pushes the batch's end back.
    pub fn push(&mut self, path: PathBuf, now: Instant) {
        if self.seen.insert(path.clone()) {
            self.pending.push(path);
        }
        self.last = Some(now);
    }

    /// When the pending batch is due, if there is one.
    pub fn deadline(&self) -> Option<Instant> {
        self.last
            .filter(|_| !self.pending.is_empty())
            .map(|t| t + self.quiet)
    }

    /// The batch, once `now` is past its deadline.
    pub fn take(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        if self.deadline().is_none_or(|d| now < d) {
            return None;
        }
        self.seen.clear();
        self.last = None;
        Some(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_batch_waits_for_quiet_and_holds_each_path_once() {
        let t0 = Instant::now();
        let mut d = Debounce::new(QUIET);
        assert_eq!(d.deadline(), None);
        assert_eq!(d.take(t0 + ms(10_000)), None);
        d.push("/p/a".into(), t0);
        d.push("/p/b".into(), t0 + ms(300));
        d.push("/p/a".into(), t0 + ms(600));
        // Each change pushed the end back: 600 ms + 500 ms.
        assert_eq!(d.deadline(), Some(t0 + ms(1100)));
        assert_eq!(d.take(t0 + ms(1099)), None);
        assert_eq!(
            d.take(t0 + ms(1100)),
            Some(vec![PathBuf::from("/p/a"), PathBuf::from("/p/b")])
        );
        // Empty again: nothing is due.
        assert_eq!(d.deadline(), None);
        assert_eq!(d.take(t0 + ms(5000)), None);
    }

    #[test]
    fn a_path_seen_in_an_earlier_batch_comes_again() {
        let t0 = Instant::now();
        let mut d = Debounce::new(ms(100));
        d.push("/p/a".into(), t0);
        assert_eq!(d.take(t0 + ms(100)).map(|b| b.len()), Some(1));
        d.push("/p/a".into(), t0 + ms(200));
        assert_eq!(d.take(t0 + ms(300)), Some(vec![PathBuf::from("/p/a")]));
    }
}
