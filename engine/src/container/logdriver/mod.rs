//! Log drivers that send a container's lines somewhere else (today `awslogs`), beside
//! the local file that `logs` reads (Docker's "dual logging").
//!
//! The monitor never waits on a remote service: it writes each line to a pipe
//! ([`forward`]) read by a shipper process of the container's own ([`ship`]), which
//! batches, sends, retries, and reports what fails ([`status`]) in `inspect` and the
//! events. A pipe that is full drops the line and counts it; the container goes on.

pub mod awslogs;
pub mod forward;
pub mod queue;
pub mod ship;
pub mod status;

/// The keys every driver takes: Docker's delivery mode and its buffer.
pub const MODE_KEYS: &[&str] = &["mode", "max-buffer-size"];

/// The local copy's keys, for drivers that cannot be read back (Docker's names).
pub const CACHE_KEYS: &[&str] = &[
    "cache-disabled",
    "cache-max-size",
    "cache-max-file",
    "cache-compress",
];

/// The drivers whose lines leave this machine.
pub fn is_remote(kind: &str) -> bool {
    kind == "awslogs"
}

/// What `mode=non-blocking` holds before it drops, without `max-buffer-size` (Docker's
/// default).
pub const DEFAULT_MAX_BUFFER: u64 = 1 << 20;

/// What the default (blocking) mode holds in the shipper. Docker's driver would make the
/// container wait instead; here it keeps this much while the service is away, then drops.
pub const BLOCKING_BUFFER: u64 = 64 << 20;

/// How many bytes of lines may wait for the service, by the `mode` options.
pub fn buffer_limit(config: &std::collections::BTreeMap<String, String>) -> u64 {
    if config.get("mode").map(String::as_str) == Some("non-blocking") {
        config
            .get("max-buffer-size")
            .and_then(|s| crate::util::ram_in_bytes(s).ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_MAX_BUFFER)
    } else {
        BLOCKING_BUFFER
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_buffer_follows_the_mode() {
        let cfg = |v: &[(&str, &str)]| -> BTreeMap<String, String> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(buffer_limit(&cfg(&[])), BLOCKING_BUFFER);
        assert_eq!(buffer_limit(&cfg(&[("mode", "non-blocking")])), 1 << 20);
        assert_eq!(
            buffer_limit(&cfg(&[("mode", "non-blocking"), ("max-buffer-size", "4m")])),
            4 << 20
        );
    }
}
