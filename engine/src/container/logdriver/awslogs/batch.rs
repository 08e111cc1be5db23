//! CloudWatch Logs' limits on what one `PutLogEvents` call carries, and the grouping of
//! lines into multi-line events: the shapes of the data, no I/O.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use regex::Regex;

/// One log event as CloudWatch takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub message: String,
}

/// The service counts this many bytes per event on top of its message.
pub const PER_EVENT_OVERHEAD: usize = 26;
/// The largest message of one event.
pub const MAX_EVENT_BYTES: usize = 262_144 - PER_EVENT_OVERHEAD;
/// The largest batch, overheads included.
pub const MAX_BATCH_BYTES: usize = 1_048_576;
pub const MAX_BATCH_EVENTS: usize = 10_000;

/// A message cut into pieces the service takes, at character boundaries.
pub fn split(event: Event) -> Vec<Event> {
    if event.message.len() <= MAX_EVENT_BYTES {
        return vec![event];
    }
    let mut out = Vec::new();
    let mut rest = event.message.as_str();
    while !rest.is_empty() {
        let mut cut = MAX_EVENT_BYTES.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(Event {
            timestamp: event.timestamp,
            message: rest[..cut].to_string(),
        });
        rest = &rest[cut..];
    }
    out
}

/// How many events from the front of `queue` make the next batch (all events are
/// already split to size, and in time order as the log wrote them).
pub fn next_batch_len(queue: &VecDeque<Event>) -> usize {
    let mut bytes = 0;
    let mut n = 0;
    for e in queue {
        let size = e.message.len() + PER_EVENT_OVERHEAD;
        if n == MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES {
            break;
        }
        bytes += size;
        n += 1;
    }
    n
}

/// Lines into events: each line its own event, or, with a start pattern, the lines
/// from one match up to the next as one event (a stack trace stays whole).
pub struct Grouper {
    start: Option<Regex>,
    pending: Option<(Event, Instant)>,
}

impl Grouper {
    pub fn new(start: Option<Regex>) -> Grouper {
        Grouper {
            start,
            pending: None,
        }
    }

    /// Add one line (its newline already taken off); returns the events it completes.
    pub fn push(&mut self, timestamp: i64, line: &str, now: Instant) -> Option<Event> {
        let Some(start) = &self.start else {
            // The service refuses empty messages, and an empty line says nothing.
            return (!line.is_empty()).then(|| Event {
                timestamp,
                message: line.to_string(),
            });
        };
        if start.is_match(line) {
            let done = self.pending.take().map(|(e, _)| e);
            self.pending = Some((
                Event {
                    timestamp,
                    message: line.to_string(),
                },
                now,
            ));
            return done;
        }
        match &mut self.pending {
            Some((e, _)) => {
                e.message.push('\n');
                e.message.push_str(line);
                None
            }
            // Lines before the first start are events of their own.
            None => (!line.is_empty()).then(|| Event {
                timestamp,
                message: line.to_string(),
            }),
        }
    }

    /// The event being grouped, once nothing has joined it for `max_age` (the flush
    /// interval: a last event is not held back for ever).
    pub fn stale(&mut self, now: Instant, max_age: Duration) -> Option<Event> {
        match &self.pending {
            Some((_, since)) if now.duration_since(*since) >= max_age => {
                self.pending.take().map(|(e, _)| e)
            }
            _ => None,
        }
    }

    /// Whatever is held, at the end of the log.
    pub fn finish(&mut self) -> Option<Event> {
        self.pending.take().map(|(e, _)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: i64, m: &str) -> Event {
        Event {
            timestamp: t,
            message: m.into(),
        }
    }

    #[test]
    fn long_messages_are_cut_at_character_boundaries() {
        let long = "é".repeat(MAX_EVENT_BYTES); // two bytes each
        let parts = split(ev(1, &long));
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.message.len() <= MAX_EVENT_BYTES));
        assert_eq!(parts.concat_messages(), long);
        assert_eq!(split(ev(1, "short")), vec![ev(1, "short")]);
    }

    trait Concat {
        fn concat_messages(&self) -> String;
    }
    impl Concat for Vec<Event> {
        fn concat_messages(&self) -> String {
            self.iter().map(|e| e.message.as_str()).collect()
        }
    }

    #[test]
    fn batches_stop_at_the_services_limits() {
        let q: VecDeque<Event> = (0..10_005).map(|i| ev(i, "x")).collect();
        assert_eq!(next_batch_len(&q), MAX_BATCH_EVENTS);
        let big = "y".repeat(MAX_EVENT_BYTES);
        let q: VecDeque<Event> = (0..10).map(|i| ev(i, &big)).collect();
        // 4 x 262,144 = 1,048,576: exactly four fit.
        assert_eq!(next_batch_len(&q), 4);
        assert_eq!(next_batch_len(&VecDeque::new()), 0);
    }

    #[test]
    fn lines_group_from_one_start_to_the_next() {
        let now = Instant::now();
        let mut g = Grouper::new(Some(Regex::new(r"^\d{4}-").unwrap()));
        assert_eq!(g.push(1, "preamble", now), Some(ev(1, "preamble")));
        assert_eq!(g.push(2, "2026-12-07 boom", now), None);
        assert_eq!(g.push(3, "  at a()", now), None);
        assert_eq!(g.push(4, "  at b()", now), None);
        assert_eq!(
            g.push(5, "2026-12-07 next", now),
            Some(ev(2, "2026-12-07 boom\n  at a()\n  at b()"))
        );
        assert_eq!(g.stale(now, Duration::from_secs(5)), None);
        assert_eq!(
            g.stale(now + Duration::from_secs(5), Duration::from_secs(5)),
            Some(ev(5, "2026-12-07 next"))
        );
        assert_eq!(g.finish(), None);
    }

    #[test]
    fn without_a_pattern_each_line_is_an_event_and_empty_ones_are_skipped() {
        let now = Instant::now();
        let mut g = Grouper::new(None);
        assert_eq!(g.push(1, "a", now), Some(ev(1, "a")));
        assert_eq!(g.push(2, "", now), None);
        assert_eq!(g.finish(), None);
    }
}
