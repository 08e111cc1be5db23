//! `--filter` and `--since`/`--until` for events, as Docker reads them.

use super::Event;

/// Filters by key; values of one key are alternatives (OR), keys combine with AND.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub items: Vec<(String, String)>,
}

const KEYS: &[&str] = &[
    "type",
    "container",
    "image",
    "event",
    "label",
    "network",
    "volume",
];

impl Filters {
    pub fn parse(specs: &[String]) -> Result<Filters, String> {
        let mut items = Vec::new();
        for s in specs {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| format!("bad format of filter (expected name=value): {s}"))?;
            if !KEYS.contains(&k) {
                return Err(format!(
                    "invalid filter '{k}': events filter on {}",
                    KEYS.join(", ")
                ));
            }
            items.push((k.to_string(), v.to_string()));
        }
        Ok(Filters { items })
    }

    pub fn matches(&self, e: &Event) -> bool {
        let mut keys: Vec<&str> = self.items.iter().map(|(k, _)| k.as_str()).collect();
        keys.dedup();
        keys.iter().all(|key| {
            self.items
                .iter()
                .filter(|(k, _)| k == key)
                .any(|(_, v)| one(key, v, e))
        })
    }
}

fn one(key: &str, v: &str, e: &Event) -> bool {
    let attr = |name: &str| e.actor.attributes.get(name).map(String::as_str);
    let is_actor = |kind: &str| {
        e.kind == kind && (e.actor.id == v || e.actor.id.starts_with(v) || attr("name") == Some(v))
    };
    match key {
        "type" => e.kind == v,
        "event" => e.action == v || e.action.split(':').next() == Some(v),
        "container" => is_actor("container"),
        "network" => is_actor("network"),
        "volume" => is_actor("volume"),
        "image" => {
            (e.kind == "image" && (e.actor.id == v || attr("name") == Some(v)))
                || attr("image") == Some(v)
        }
        "label" => match v.split_once('=') {
            Some((k, val)) => attr(k) == Some(val),
            None => attr(v).is_some(),
        },
        _ => false,
    }
}

/// A `--since`/`--until` value as nanoseconds since the epoch: Unix seconds (with an
/// optional fraction), an RFC 3339 date, or a duration back from `now` (`10m`, `1h30m`).
pub fn parse_time(s: &str, now_nanos: i64) -> Result<i64, String> {
    let bad = || {
        format!("invalid time {s:?}: use Unix seconds, an RFC 3339 date or a duration such as 10m")
    };
    if let Some(n) = unix_nanos(s) {
        return Ok(n);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return t.timestamp_nanos_opt().ok_or_else(bad);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_utc().timestamp_nanos_opt())
            .ok_or_else(bad);
    }
    let d = crate::util::parse_go_duration(s).ok_or_else(bad)?;
    Ok(now_nanos - d)
}

/// `1700000000` or `1700000000.123456789` as nanoseconds, exactly (a float would round
/// the nanoseconds Docker's clients send).
fn unix_nanos(s: &str) -> Option<i64> {
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_keep_every_nanosecond() {
        assert_eq!(
            parse_time("1700000000.123456789", 0),
            Ok(1_700_000_000_123_456_789)
        );
        assert_eq!(parse_time("1700000000.5", 0), Ok(1_700_000_000_500_000_000));
        assert_eq!(parse_time("1700000000", 0), Ok(1_700_000_000_000_000_000));
        assert!(parse_time("1700000000.x", 0).is_err());
    }

    fn ev(kind: &str, action: &str, id: &str, attrs: &[(&str, &str)]) -> Event {
        Event::new(
            kind,
            action,
            id,
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn filters_combine_like_dockers() {
        let e = ev(
            "container",
            "health_status: unhealthy",
            "abc123",
            &[("name", "web"), ("image", "bb"), ("autoheal", "true")],
        );
        let f = |s: &[&str]| {
            Filters::parse(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>()).unwrap()
        };
        assert!(f(&["type=container", "container=web"]).matches(&e));
        assert!(f(&["container=abc"]).matches(&e));
        assert!(f(&["event=health_status"]).matches(&e));
        assert!(f(&["event=start", "event=health_status: unhealthy"]).matches(&e));
        assert!(!f(&["event=start"]).matches(&e));
        assert!(f(&["label=autoheal=true", "image=bb"]).matches(&e));
        assert!(!f(&["label=autoheal=false"]).matches(&e));
        assert!(!f(&["type=image"]).matches(&e));
        assert!(Filters::parse(&["color=red".into()]).is_err());
        assert!(Filters::parse(&["type".into()]).is_err());
    }

    #[test]
    fn times_in_every_form() {
        let now = 1_700_000_000_000_000_000;
        assert_eq!(parse_time("1700000000", now).unwrap(), now);
        assert_eq!(parse_time("1700000000.5", now).unwrap(), now + 500_000_000);
        assert_eq!(parse_time("10m", now).unwrap(), now - 600_000_000_000);
        assert_eq!(parse_time("1h30m", now).unwrap(), now - 5_400_000_000_000);
        assert_eq!(
            parse_time("2023-11-14T22:13:20Z", now).unwrap(),
            1_700_000_000_000_000_000
        );
        assert!(parse_time("yesterday", now).is_err());
        assert_eq!(crate::util::parse_go_duration("500ms"), Some(500_000_000));
        assert_eq!(crate::util::parse_go_duration("1x"), None);
    }
}
