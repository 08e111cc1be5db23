use std::time::Duration;
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 1 {
        return "Less than a second".into();
    }
    if s == 1 {
        return "1 second".into();
    }
    if s < 60 {
        return format!("{s} seconds");
    }
    let m = s / 60;
    if m == 1 {
        return "About a minute".into();
    }
    if m < 60 {
        return format!("{m} minutes");
    }
    let h = (s as f64 / 3600.0).round() as u64;
    if h == 1 {
        return "About an hour".into();
    }
    if h < 48 {
        return format!("{h} hours");
    }
    format!("{} days", h / 24)
}
pub fn human_size(b: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1000.0 && i < units.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    let s = format!("{:.4}", v);
    let s = format!("{}", s.parse::<f64>().unwrap_or(v));
    let digits: String = {
        let p = format!("{v:.3}");
        let t = p.trim_end_matches('0').trim_end_matches('.').to_string();
        t
    };
    let _ = s;
    format!("{digits}{}", units[i])
}
pub fn parse_size(s: &str) -> Result<i64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t).to_string();
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1i64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        Some('t') => (&t[..t.len() - 1], 1 << 40),
        _ => (&t[..], 1),
    };
    let n: f64 = num.parse().map_err(|_| format!("invalid size: '{s}'"))?;
    if n < 0.0 {
        return Err(format!("invalid size: '{s}'"));
    }
    Ok((n * mult as f64) as i64)
}
pub fn parse_since(
    s: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    if let Ok(n) = s.parse::<f64>() {
        return chrono::DateTime::from_timestamp(n as i64, 0).ok_or(format!("invalid time {s}"));
    }
    let (num, unit) = s.split_at(
        s.find(|c: char| c.is_alphabetic())
            .ok_or(format!("invalid time {s}"))?,
    );
    let n: i64 = num.parse().map_err(|_| format!("invalid time {s}"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("invalid time {s}")),
    };
    Ok(now - chrono::Duration::seconds(secs))
}
