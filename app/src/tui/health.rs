//! The health pane's history from what any Docker engine gives: the check results of
//! `State.Health.Log` (only the last five, so the worker keeps what it has seen) and
//! the `health_status` and restart events of the event stream.

use bollard::models as m;

use super::data::HealthEntry;

/// Checks kept per container: the pane shows a screenful.
pub const CHECKS_KEPT: usize = 200;

/// A time as the pane's entries hold it, from nanoseconds since the epoch (UTC, fixed
/// width, so entries sort by it).
fn stamp(nanos: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(nanos)
        .format("%Y-%m-%dT%H:%M:%S%.9fZ")
        .to_string()
}

/// The same for an RFC 3339 time from the API (a check's End).
fn restamp(rfc3339: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some(stamp(t.timestamp_nanos_opt()?))
}

/// The check results of an inspect document, oldest first.
pub fn checks_of(doc: &m::ContainerInspectResponse) -> Vec<HealthEntry> {
    let log = doc
        .state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.log.as_ref());
    log.into_iter()
        .flatten()
        .filter_map(|r| {
            Some(HealthEntry {
                time: restamp(r.end.as_deref().or(r.start.as_deref())?)?,
                kind: "check".into(),
                exit_code: r.exit_code.map(|c| c as i32),
                text: r.output.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// Add the checks not kept yet (those after the last one kept), keeping the newest
/// `CHECKS_KEPT`.
pub fn keep_checks(kept: &mut Vec<HealthEntry>, seen: Vec<HealthEntry>) {
    let last = kept.last().map(|e| e.time.clone());
    kept.extend(
        seen.into_iter()
            .filter(|e| last.as_ref().is_none_or(|l| e.time > *l)),
    );
    let cut = kept.len().saturating_sub(CHECKS_KEPT);
    kept.drain(..cut);
}

/// The checks of container `id` with its status changes and what was done about an
/// unhealthy status (a restart, a kill or a stop while unhealthy), oldest first.
pub fn history(id: &str, checks: &[HealthEntry], events: &[m::EventMessage]) -> Vec<HealthEntry> {
    let mut out = checks.to_vec();
    let mut unhealthy = false;
    for e in events {
        let Some(actor) = e.actor.as_ref().filter(|a| a.id.as_deref() == Some(id)) else {
            continue;
        };
        let action = e.action.as_deref().unwrap_or_default();
        let nanos = e
            .time_nano
            .or(e.time.map(|t| t.saturating_mul(1_000_000_000)))
            .unwrap_or(0);
        let entry = |kind: &str, text: String| HealthEntry {
            time: stamp(nanos),
            kind: kind.into(),
            exit_code: None,
            text,
        };
        if let Some(status) = action.strip_prefix("health_status: ") {
            unhealthy = status == "unhealthy";
            out.push(entry("status", status.to_string()));
            continue;
        }
        let attr = |k: &str| {
            actor
                .attributes
                .as_ref()
                .and_then(|a| a.get(k))
                .cloned()
                .unwrap_or_default()
        };
        match action {
            // The engine's health action says what it did and why.
            "kill" if !attr("reason").is_empty() => out.push(entry("action", attr("reason"))),
            "restart" if unhealthy => out.push(entry("action", "restarted while unhealthy".into())),
            "restart" => out.push(entry("action", "restarted".into())),
            "kill" if unhealthy => out.push(entry(
                "action",
                format!("killed while unhealthy (signal {})", attr("signal")),
            )),
            "stop" if unhealthy => out.push(entry("action", "stopped while unhealthy".into())),
            "start" => unhealthy = false,
            _ => {}
        }
    }
    // Stable: a check and an event of the same instant keep their order.
    out.sort_by(|a, b| a.time.cmp(&b.time));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, id: &str, secs: i64) -> m::EventMessage {
        m::EventMessage {
            action: Some(action.into()),
            actor: Some(m::EventActor {
                id: Some(id.into()),
                attributes: Some([("signal".to_string(), "9".to_string())].into()),
            }),
            time: Some(secs),
            time_nano: Some(secs * 1_000_000_000),
            ..Default::default()
        }
    }

    fn check(secs: i64, code: i32) -> HealthEntry {
        HealthEntry {
            time: stamp(secs * 1_000_000_000),
            kind: "check".into(),
            exit_code: Some(code),
            text: String::new(),
        }
    }

    #[test]
    fn checks_and_events_interleave_by_time() {
        let checks = [check(10, 1), check(20, 1)];
        let events = [
            event("health_status: unhealthy", "c1", 21),
            event("health_status: healthy", "other", 22),
            event("restart", "c1", 23),
        ];
        let h = history("c1", &checks, &events);
        let kinds: Vec<(&str, &str)> = h
            .iter()
            .map(|e| (e.kind.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("check", ""),
                ("check", ""),
                ("status", "unhealthy"),
                ("action", "restarted while unhealthy")
            ]
        );
    }

    #[test]
    fn a_health_action_shows_the_reason_the_engine_gave() {
        let mut kill = event("kill", "c1", 30);
        if let Some(a) = kill.actor.as_mut() {
            a.attributes = Some(
                [
                    ("signal".to_string(), "15".to_string()),
                    (
                        "reason".to_string(),
                        "unhealthy after 3 failures, restarted by autoheal".to_string(),
                    ),
                ]
                .into(),
            );
        }
        let h = history(
            "c1",
            &[],
            &[event("health_status: unhealthy", "c1", 29), kill],
        );
        assert_eq!(
            h.last().map(|e| e.text.as_str()),
            Some("unhealthy after 3 failures, restarted by autoheal")
        );
    }

    #[test]
    fn checks_are_kept_beyond_the_five_of_inspect() {
        let mut kept = Vec::new();
        keep_checks(&mut kept, (0..5).map(|i| check(i, 0)).collect());
        keep_checks(&mut kept, (3..8).map(|i| check(i, 0)).collect());
        assert_eq!(kept.len(), 8);
        assert!(kept.windows(2).all(|w| w[0].time < w[1].time));
    }
}
