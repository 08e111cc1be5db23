//! v2 io controller: bytes read and written, from `io.stat`, for stats only.

use std::path::Path;

use super::super::files::{device_numbers, read_opt};
use super::super::{IoDevice, Stats};
use crate::error::Result;

pub const STAT: &str = "io.stat";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    let Some(text) = read_opt(&dir.join(STAT))? else {
        return Ok(());
    };
    // "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device.
    st.io_devices = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (major, minor) = device_numbers(fields.next()?)?;
            let mut d = IoDevice {
                major,
                minor,
                ..Default::default()
            };
            for field in fields {
                match field.split_once('=') {
                    Some(("rbytes", n)) => d.read_bytes = n.parse().unwrap_or(0),
                    Some(("wbytes", n)) => d.write_bytes = n.parse().unwrap_or(0),
                    _ => {}
                }
            }
            Some(d)
        })
        .collect();
    st.total_io();
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn sums_devices() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(
            d.join(STAT),
            "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
        )
        .unwrap();
        let mut st = Stats::default();
        stats(d, &mut st).unwrap();
        assert_eq!((st.io_read_bytes, st.io_write_bytes), (4196, 8192));
        assert_eq!(st.io_devices.len(), 2);
        assert_eq!(
            (st.io_devices[1].major, st.io_devices[1].read_bytes),
            (259, 100)
        );
    }

    #[test]
    fn absent_is_zero() {
        let tmp = tempfile::tempdir().unwrap();
        let mut st = Stats::default();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!((st.io_read_bytes, st.io_write_bytes), (0, 0));
    }
}
