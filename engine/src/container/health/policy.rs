//! What happens when a container turns unhealthy: its `--health-on-failure` action (as
//! in Podman), or berth's built-in autoheal (what the third-party autoheal container
//! does for Docker: restart containers labelled `autoheal=true`).

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// SIGKILL; the restart policy decides what follows.
    Kill,
    /// Stop (stop signal, SIGKILL after the stop timeout) and stay stopped.
    Stop,
    /// Stop, then start again (RestartCount grows).
    Restart,
}

/// `--health-on-failure none|kill|restart|stop`.
pub fn parse_on_failure(s: &str) -> Result<Option<Action>, String> {
    match s {
        "" | "none" => Ok(None),
        "kill" => Ok(Some(Action::Kill)),
        "stop" => Ok(Some(Action::Stop)),
        "restart" => Ok(Some(Action::Restart)),
        _ => Err(format!(
            "invalid --health-on-failure {s:?}: use none, kill, restart or stop"
        )),
    }
}

/// Autoheal's settings (`Config::autoheal`, from `BERTH_AUTOHEAL_LABEL` and
/// `BERTH_AUTOHEAL_START_PERIOD` of whoever started the container): the label it
/// watches (`all` watches every container) and how long after a start it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoheal {
    pub label: String,
    pub start_period: Duration,
}

impl Autoheal {
    pub fn watches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.label == "all" || labels.get(&self.label).is_some_and(|v| v == "true")
    }
}

/// What to do now that the container turned unhealthy, `since_start` after it started,
/// and whether autoheal is the one doing it.
pub fn decide(
    on_failure: Option<Action>,
    autoheal: &Autoheal,
    labels: &BTreeMap<String, String>,
    since_start: Duration,
) -> Option<(Action, bool)> {
    if let Some(a) = on_failure {
        return Some((a, false));
    }
    (autoheal.watches(labels) && since_start >= autoheal.start_period)
        .then_some((Action::Restart, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_action_wins_and_autoheal_respects_label_and_start_period() {
        let labels: BTreeMap<String, String> =
            [("autoheal".to_string(), "true".to_string())].into();
        let none = BTreeMap::new();
        let ah = Autoheal {
            label: "autoheal".into(),
            start_period: Duration::from_secs(60),
        };
        let long = Duration::from_secs(61);
        assert_eq!(
            decide(None, &ah, &labels, long),
            Some((Action::Restart, true))
        );
        assert_eq!(decide(None, &ah, &labels, Duration::from_secs(5)), None);
        assert_eq!(decide(None, &ah, &none, long), None);
        assert_eq!(
            decide(Some(Action::Stop), &ah, &labels, long),
            Some((Action::Stop, false))
        );
        let all = Autoheal {
            label: "all".into(),
            start_period: Duration::ZERO,
        };
        assert_eq!(
            decide(None, &all, &none, Duration::ZERO),
            Some((Action::Restart, true))
        );
        assert_eq!(parse_on_failure("kill").unwrap(), Some(Action::Kill));
        assert!(parse_on_failure("explode").is_err());
    }
}
