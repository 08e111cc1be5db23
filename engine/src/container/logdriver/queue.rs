//! The lines waiting in the shipper for the service: grouped into events, cut to the
//! service's sizes, and held up to the mode's byte limit, past which new lines are
//! dropped and counted (Docker's non-blocking ring buffer does the same).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::awslogs::batch::{self, Event, Grouper};

pub struct Queue {
    events: VecDeque<Event>,
    bytes: u64,
    limit: u64,
    grouper: Grouper,
    /// Lines lost, here or in the monitor's pipe.
    pub dropped: u64,
    /// The monitor closed the pipe: no more lines will come.
    pub eof: bool,
}

impl Queue {
    pub fn new(limit: u64, grouper: Grouper) -> Queue {
        Queue {
            events: VecDeque::new(),
            bytes: 0,
            limit,
            grouper,
            dropped: 0,
            eof: false,
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn hold(&mut self, e: Event) {
        for piece in batch::split(e) {
            let size = piece.message.len() as u64;
            if self.bytes + size > self.limit {
                self.dropped += 1;
                continue;
            }
            self.bytes += size;
            self.events.push_back(piece);
        }
    }

    /// One line from the log (its newline taken off).
    pub fn push_line(&mut self, timestamp: i64, line: &str, now: Instant) {
        if let Some(e) = self.grouper.push(timestamp, line, now) {
            self.hold(e);
        }
    }

    /// A multi-line event nothing joined for a while goes out.
    pub fn flush_stale(&mut self, now: Instant, max_age: Duration) {
        if let Some(e) = self.grouper.stale(now, max_age) {
            self.hold(e);
        }
    }

    /// The log ended: what the grouper holds goes out too.
    pub fn finish(&mut self) {
        if let Some(e) = self.grouper.finish() {
            self.hold(e);
        }
        self.eof = true;
    }

    /// A copy of the next batch (taken off only once delivered).
    pub fn next_batch(&self) -> Vec<Event> {
        let n = batch::next_batch_len(&self.events);
        self.events.iter().take(n).cloned().collect()
    }

    /// The first `n` events were delivered.
    pub fn consume(&mut self, n: usize) {
        for e in self.events.drain(..n.min(self.events.len())) {
            self.bytes -= e.message.len() as u64;
        }
    }

    /// Give up on what is left (the service stayed away past the end).
    pub fn drop_all(&mut self) {
        self.dropped += self.events.len() as u64;
        self.events.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_limit_are_dropped_and_counted() {
        let now = Instant::now();
        let mut q = Queue::new(10, Grouper::new(None));
        q.push_line(1, "12345", now);
        q.push_line(2, "67890", now);
        q.push_line(3, "x", now);
        assert_eq!((q.len(), q.dropped), (2, 1));
        let b = q.next_batch();
        assert_eq!(b.len(), 2);
        q.consume(1);
        q.push_line(4, "abcde", now);
        assert_eq!((q.len(), q.dropped), (2, 1));
        q.finish();
        assert!(q.eof);
        q.drop_all();
        assert_eq!((q.len(), q.dropped), (0, 3));
    }
}
