//! `berth __logship ID`: a container's shipper. It reads the monitor's log lines from
//! its stdin, holds them in a [`Queue`], and sends them to the driver's service every
//! flush interval (sooner when many wait), retrying what fails. It outlives the
//! container's runs (one shipper per monitor, so one stream across restarts) and
//! exits once the pipe closes and what it holds is sent, or after a last grace period.

use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::awslogs::{batch::Grouper, AwsOptions, Driver};
use super::queue::Queue;
use super::status::Reporter;
use crate::config::Config;
use crate::container::store::ContainerStore;

/// How long a shipper goes on trying after the container's log ended.
const LAST_TRIES: Duration = Duration::from_secs(10);

/// One line from the monitor: a json-file log line, or a count of lines it dropped.
#[derive(Deserialize)]
struct Frame {
    log: Option<String>,
    time: Option<String>,
    dropped: Option<u64>,
}

/// Milliseconds since the epoch of a log line's RFC 3339 time (now, if it has none).
fn millis(time: Option<&str>) -> i64 {
    time.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
}

pub fn main(config: &Config, id: &str) -> i32 {
    // The monitor waits for this process: fork and let it go.
    // SAFETY: single-threaded at this point.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => return 0,
        Ok(nix::unistd::ForkResult::Child) => {}
        Err(_) => return 1,
    }
    let paths = config.paths();
    let Ok(c) = ContainerStore::new(&paths).load(id) else {
        return 1;
    };
    let record = c.record;
    let log_config = record.host_config.log_config.clone();
    let mut reporter = Reporter::new(paths, record.clone(), &log_config.kind);
    let opts = match AwsOptions::parse(&log_config.config) {
        Ok(o) => o,
        Err(e) => {
            // Checked at create; an old record may still disagree. Read the pipe to its
            // end anyway, so the monitor never finds it full.
            reporter.failed(&format!("{}: {}", e.opt, e.why));
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            return 1;
        }
    };
    let queue = Arc::new(Mutex::new(Queue::new(
        super::buffer_limit(&log_config.config),
        Grouper::new(opts.multiline.clone()),
    )));
    let wake = Arc::new(tokio::sync::Notify::new());
    let early = opts.max_buffered_events;
    {
        let queue = queue.clone();
        let wake = wake.clone();
        std::thread::spawn(move || read_frames(&queue, &wake, early));
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return 1;
    };
    rt.block_on(send_loop(
        Driver::new(opts, &record.id),
        &queue,
        &wake,
        &mut reporter,
    ));
    0
}

/// The reading thread: frames into the queue until the pipe closes.
fn read_frames(queue: &Mutex<Queue>, wake: &tokio::sync::Notify, early: usize) {
    let stdin = std::io::stdin();
    for line in stdin.lock().split(b'\n') {
        let Ok(line) = line else { break };
        // A line cut short when the monitor died is not JSON: skip it.
        let Ok(frame) = serde_json::from_slice::<Frame>(&line) else {
            continue;
        };
        let Ok(mut q) = queue.lock() else { return };
        if let Some(n) = frame.dropped {
            q.dropped += n;
        }
        if let Some(text) = frame.log {
            let text = text.strip_suffix('\n').unwrap_or(&text);
            q.push_line(millis(frame.time.as_deref()), text, Instant::now());
        }
        if q.len() >= early {
            wake.notify_one();
        }
    }
    if let Ok(mut q) = queue.lock() {
        q.finish();
    }
    wake.notify_one();
}

async fn send_loop(
    mut driver: Driver,
    queue: &Mutex<Queue>,
    wake: &tokio::sync::Notify,
    reporter: &mut Reporter,
) {
    let interval = driver.options().flush_interval;
    let mut give_up_at: Option<Instant> = None;
    loop {
        let _ = tokio::time::timeout(interval, wake.notified()).await;
        let eof = {
            let Ok(mut q) = queue.lock() else { return };
            q.flush_stale(Instant::now(), interval);
            q.eof
        };
        let failed = send_all(&mut driver, queue, reporter).await;
        let done = {
            let Ok(mut q) = queue.lock() else { return };
            // The grace period starts when the log ends.
            let done = eof && {
                let until = *give_up_at.get_or_insert_with(|| Instant::now() + LAST_TRIES);
                q.is_empty() || Instant::now() >= until
            };
            if done {
                q.drop_all();
            }
            reporter.set_dropped(q.dropped);
            done
        };
        if done {
            return;
        }
        if failed && eof {
            // Retry soon while the end's grace period runs, not at the next interval.
            tokio::time::sleep(Duration::from_millis(500)).await;
            wake.notify_one();
        }
    }
}

/// Send batches until the queue is empty or a send fails. True when one failed.
async fn send_all(driver: &mut Driver, queue: &Mutex<Queue>, reporter: &mut Reporter) -> bool {
    loop {
        let batch = match queue.lock() {
            Ok(q) => q.next_batch(),
            Err(_) => return true,
        };
        if batch.is_empty() {
            return false;
        }
        match driver.deliver(&batch).await {
            Ok(()) => {
                if let Ok(mut q) = queue.lock() {
                    q.consume(batch.len());
                }
                reporter.delivered(batch.len() as u64);
            }
            Err(e) => {
                reporter.failed(&e);
                return true;
            }
        }
    }
}
