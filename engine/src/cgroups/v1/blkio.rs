//! v1 blkio controller: bytes read and written, for stats only.
//!
//! `blkio.io_service_bytes_recursive` is filled by the CFQ/BFQ schedulers; with others
//! (mq-deadline, none: most machines now) only the throttle files count, so Docker reads
//! the throttle file when the first has nothing. We do the same.

use std::path::Path;

use super::super::files::read_opt;
use super::super::Stats;
use crate::error::Result;

pub const SERVICE_BYTES: &str = "blkio.io_service_bytes_recursive";
pub const THROTTLE_SERVICE_BYTES: &str = "blkio.throttle.io_service_bytes_recursive";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    for file in [SERVICE_BYTES, THROTTLE_SERVICE_BYTES] {
        if let Some(text) = read_opt(&dir.join(file))? {
            let (r, w) = parse(&text);
            if r != 0 || w != 0 {
                st.io_read_bytes = r;
                st.io_write_bytes = w;
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Lines "MAJ:MIN Read N" / "MAJ:MIN Write N" per device, summed over devices.
fn parse(text: &str) -> (u64, u64) {
    let (mut r, mut w) = (0, 0);
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [_dev, op, n] = f[..] {
            let n: u64 = n.parse().unwrap_or(0);
            match op {
                "Read" => r += n,
                "Write" => w += n,
                _ => {}
            }
        }
    }
    (r, w)
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
