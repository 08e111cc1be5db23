//! Docker's wording for durations and sizes, from `github.com/docker/go-units`:
//! `Up 2 minutes`, `Exited (0) About an hour ago`, `122MB`, `1.5MiB / 7.7GiB`.

use chrono::TimeDelta;

use super::gofmt::format_float_g;

pub use berth_engine::util::human_duration;

/// `docker ps` CREATED column: "2 minutes ago".
pub fn time_ago(d: TimeDelta) -> String {
    format!("{} ago", human_duration(d))
}

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const BINARY_UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/// Scales `size` down by `base` until it is below `base` (or units run out).
fn scaled(mut size: f64, base: f64, units: &[&'static str]) -> (f64, &'static str) {
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    (size, units[i])
}

/// go-units `HumanSize`: 1000-based, 4 significant digits ("1.235MB").
pub fn human_size(bytes: u64) -> String {
    human_size_with_precision(bytes as f64, 4)
}

/// go-units `HumanSizeWithPrecision`. `docker images` and `docker ps -s`
/// use 3 significant digits ("7.38MB").
pub fn human_size_with_precision(bytes: f64, precision: usize) -> String {
    let (size, unit) = scaled(bytes, 1000.0, &DECIMAL_UNITS);
    format!("{}{unit}", format_float_g(size, Some(precision)))
}

/// go-units `BytesSize`: 1024-based, 4 significant digits ("1.5MiB"), as
/// `docker stats` shows memory.
pub fn bytes_size(bytes: u64) -> String {
    let (size, unit) = scaled(bytes as f64, 1024.0, &BINARY_UNITS);
    format!("{}{unit}", format_float_g(size, Some(4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> TimeDelta {
        TimeDelta::seconds(s)
    }

    #[test]
    fn seconds_and_minutes() {
        assert_eq!(human_duration(TimeDelta::zero()), "Less than a second");
        assert_eq!(
            human_duration(TimeDelta::milliseconds(999)),
            "Less than a second"
        );
        assert_eq!(human_duration(secs(-30)), "Less than a second");
        assert_eq!(human_duration(secs(1)), "1 second");
        assert_eq!(human_duration(TimeDelta::milliseconds(1999)), "1 second");
        assert_eq!(human_duration(secs(2)), "2 seconds");
        assert_eq!(human_duration(secs(59)), "59 seconds");
        assert_eq!(human_duration(secs(60)), "About a minute");
        assert_eq!(human_duration(secs(119)), "About a minute");
        assert_eq!(human_duration(secs(120)), "2 minutes");
        assert_eq!(human_duration(secs(59 * 60 + 59)), "59 minutes");
    }

    #[test]
    fn hours_round_to_nearest() {
        assert_eq!(human_duration(secs(3600)), "About an hour");
        assert_eq!(human_duration(secs(89 * 60 + 59)), "About an hour");
        assert_eq!(human_duration(secs(90 * 60)), "2 hours");
        assert_eq!(human_duration(secs(47 * 3600 + 29 * 60)), "47 hours");
        assert_eq!(human_duration(secs(47 * 3600 + 30 * 60)), "2 days");
    }

    #[test]
    fn days_weeks_months_years() {
        let h = |n: i64| secs(n * 3600);
        assert_eq!(human_duration(h(335)), "13 days");
        assert_eq!(human_duration(h(336)), "2 weeks");
        assert_eq!(human_duration(h(1439)), "8 weeks");
        assert_eq!(human_duration(h(1440)), "2 months");
        assert_eq!(human_duration(h(17519)), "24 months");
        assert_eq!(human_duration(h(17520)), "2 years");
        assert_eq!(human_duration(h(24 * 365 * 5 + 100)), "5 years");
    }

    #[test]
    fn ago_suffix() {
        assert_eq!(time_ago(secs(150)), "2 minutes ago");
    }

    #[test]
    fn decimal_sizes() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(1024), "1.024kB");
        assert_eq!(human_size(5600), "5.6kB");
        assert_eq!(human_size(1_234_567), "1.235MB");
        assert_eq!(human_size(122_000_000), "122MB");
        assert_eq!(human_size(999_999), "1000kB");
        assert_eq!(human_size(3_000_000_000_000), "3TB");
        assert_eq!(human_size_with_precision(7_383_124.0, 3), "7.38MB");
        assert_eq!(human_size_with_precision(1_234_567.0, 3), "1.23MB");
    }

    #[test]
    fn binary_sizes() {
        assert_eq!(bytes_size(0), "0B");
        assert_eq!(bytes_size(1023), "1023B");
        assert_eq!(bytes_size(1024), "1KiB");
        assert_eq!(bytes_size(1_572_864), "1.5MiB");
        assert_eq!(
            bytes_size((7.7 * 1024.0 * 1024.0 * 1024.0) as u64),
            "7.7GiB"
        );
        assert_eq!(
            format!("{} / {}", bytes_size(1_572_864), bytes_size(8_219_643_904)),
            "1.5MiB / 7.655GiB"
        );
    }
}
