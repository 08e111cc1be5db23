//! v2 io controller: bytes read and written, from `io.stat`, for stats only.

use std::path::Path;

use super::super::files::read_opt;
use super::super::Stats;
use crate::error::Result;

pub const STAT: &str = "io.stat";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    let Some(text) = read_opt(&dir.join(STAT))? else {
        return Ok(());
    };
    let (mut r, mut w) = (0u64, 0u64);
    // "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device.
    for field in text.lines().flat_map(|l| l.split_whitespace().skip(1)) {
        match field.split_once('=') {
            Some(("rbytes", n)) => r += n.parse::<u64>().unwrap_or(0),
            Some(("wbytes", n)) => w += n.parse::<u64>().unwrap_or(0),
            _ => {}
        }
    }
    st.io_read_bytes = r;
    st.io_write_bytes = w;
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
    }

    #[test]
    fn absent_is_zero() {
        let tmp = tempfile::tempdir().unwrap();
        let mut st = Stats::default();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!((st.io_read_bytes, st.io_write_bytes), (0, 0));
    }
}
