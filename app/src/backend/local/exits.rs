//! Exits this backend has heard of: an attach that reads the monitor's exit frame posts
//! the code here, and a `wait` on the same backend wakes at once instead of at its next
//! poll. `run --rm` needs both: its container is gone by the time the frame arrives, so
//! the code the frame carried is the answer (without reading the event journal).

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Codes kept at most; a long-lived server forgets the oldest (a wait that misses one
/// reads the journal instead).
const KEPT: usize = 256;

#[derive(Clone, Default)]
pub struct Exits(Arc<Inner>);

#[derive(Default)]
struct Inner {
    codes: Mutex<Vec<(String, i64)>>,
    posted: Notify,
}

impl Exits {
    pub fn post(&self, id: &str, code: i64) {
        if let Ok(mut v) = self.0.codes.lock() {
            v.retain(|(i, _)| i != id);
            if v.len() >= KEPT {
                v.remove(0);
            }
            v.push((id.to_string(), code));
        }
        self.0.posted.notify_waiters();
    }

    /// The last exit code heard for this container.
    pub fn code(&self, id: &str) -> Option<i64> {
        let v = self.0.codes.lock().ok()?;
        v.iter().rev().find(|(i, _)| i == id).map(|(_, c)| *c)
    }

    /// Resolves at the next post. Take it before looking at the container, so a post
    /// between the look and the wait is not missed.
    pub fn next_post(&self) -> impl std::future::Future<Output = ()> + Send + '_ {
        let mut n = Box::pin(self.0.posted.notified());
        n.as_mut().enable();
        n
    }
}
