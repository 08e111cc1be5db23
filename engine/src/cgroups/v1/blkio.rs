//! v1 blkio controller: bytes read and written, for stats only.
//!
//! `blkio.io_service_bytes_recursive` is filled by the CFQ/BFQ schedulers; with others
//! (mq-deadline, none: most machines now) only the throttle files count, so Docker reads
//! the throttle file when the first has nothing. We do the same.

use std::path::Path;

use super::super::files::{device_numbers, read_opt};
use super::super::{IoDevice, Stats};
use crate::error::Result;

pub const SERVICE_BYTES: &str = "blkio.io_service_bytes_recursive";
pub const THROTTLE_SERVICE_BYTES: &str = "blkio.throttle.io_service_bytes_recursive";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    for file in [SERVICE_BYTES, THROTTLE_SERVICE_BYTES] {
        if let Some(text) = read_opt(&dir.join(file))? {
            let devices = parse(&text);
            if devices
                .iter()
                .any(|d| d.read_bytes != 0 || d.write_bytes != 0)
            {
                st.io_devices = devices;
                st.total_io();
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Lines "MAJ:MIN Read N" / "MAJ:MIN Write N", per device in the order first seen.
fn parse(text: &str) -> Vec<IoDevice> {
    let mut out: Vec<IoDevice> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [dev, op, n] = f[..] else { continue };
        let (Some((major, minor)), Ok(n)) = (device_numbers(dev), n.parse::<u64>()) else {
            continue;
        };
        let i = match out
            .iter()
            .position(|d| (d.major, d.minor) == (major, minor))
        {
            Some(i) => i,
            None => {
                out.push(IoDevice {
                    major,
                    minor,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        match op {
            "Read" => out[i].read_bytes += n,
            "Write" => out[i].write_bytes += n,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn falls_back_to_throttle_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(d.join(SERVICE_BYTES), "Total 0\n").unwrap();
        fs::write(
            d.join(THROTTLE_SERVICE_BYTES),
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\n8:16 Read 1000\n8:16 Write 0\nTotal 13288\n",
        )
        .unwrap();
        let mut st = Stats::default();
        stats(d, &mut st).unwrap();
        assert_eq!((st.io_read_bytes, st.io_write_bytes), (5096, 8192));
        assert_eq!(
            st.io_devices,
            vec![
                IoDevice {
                    major: 8,
                    minor: 0,
                    read_bytes: 4096,
                    write_bytes: 8192
                },
                IoDevice {
                    major: 8,
                    minor: 16,
                    read_bytes: 1000,
                    write_bytes: 0
                },
            ]
        );
    }

    #[test]
    fn prefers_scheduler_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(
            d.join(SERVICE_BYTES),
            "8:0 Read 10\n8:0 Write 20\nTotal 30\n",
        )
        .unwrap();
        fs::write(d.join(THROTTLE_SERVICE_BYTES), "8:0 Read 99\n").unwrap();
        let mut st = Stats::default();
        stats(d, &mut st).unwrap();
        assert_eq!((st.io_read_bytes, st.io_write_bytes), (10, 20));
    }
}
