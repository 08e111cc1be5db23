//! What `docker ps` lists of a container, as Docker's daemon words it: the status line
//! (`Up 3 minutes (healthy)`, `Exited (0) 2 seconds ago`) and the command line. Front
//! ends show these as they are.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Container, Status};
use crate::util::human_duration;

/// Time since an RFC 3339 instant (zero when there is none).
pub fn since(t: Option<&str>) -> TimeDelta {
    t.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| Utc::now() - t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// The daemon's status line.
pub fn status_text(c: &Container) -> String {
    let s = &c.state;
    match s.status {
        Status::Created => "Created".into(),
        Status::Running => format!(
            "Up {}{}",
            human_duration(since(s.started_at.as_deref())),
            health_suffix(c)
        ),
        Status::Paused => format!(
            "Up {} (Paused)",
            human_duration(since(s.started_at.as_deref()))
        ),
        Status::Restarting => format!(
            "Restarting ({}) {} ago",
            s.exit_code,
            human_duration(since(s.finished_at.as_deref()))
        ),
        Status::Removing => "Removal In Progress".into(),
        Status::Exited => format!(
            "Exited ({}) {} ago",
            s.exit_code,
            human_duration(since(s.finished_at.as_deref()))
        ),
        Status::Dead => "Dead".into(),
    }
}

/// Docker's health note after "Up ...".
fn health_suffix(c: &Container) -> &'static str {
    match c.state.health.as_ref().map(|h| h.status.as_str()) {
        Some("starting") => " (health: starting)",
        Some("healthy") => " (healthy)",
        Some("unhealthy") => " (unhealthy)",
        _ => "",
    }
}

/// The command as Docker's daemon lists it: the path, then the arguments, one with a
/// blank in it wrapped in single quotes (`sh -c 'echo one; echo two'`).
pub fn command_line(path: &str, args: &[String]) -> String {
    let mut cmd = path.to_string();
    for a in args {
        cmd.push(' ');
        if a.contains(' ') {
            cmd.push('\'');
            cmd.push_str(a);
            cmd.push('\'');
        } else {
            cmd.push_str(a);
        }
    }
    cmd
}

/// Docker's PORTS column for a container: published ports, then exposed ones, while it
/// runs.
pub fn ports_line(paths: &crate::store::Paths, c: &Container) -> String {
    if !c.state.status.is_live() {
        return String::new();
    }
    let published = crate::network::ports::active::published(paths, c);
    let exposed: Vec<String> = c.record.config.exposed_ports.keys().cloned().collect();
    crate::network::ports::spec::ports_column(&published, &exposed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_with_blanks_are_quoted_as_dockers_daemon_does() {
        let args = ["-c".to_string(), "echo one; echo two".to_string()];
        assert_eq!(command_line("sh", &args), "sh -c 'echo one; echo two'");
        assert_eq!(command_line("sleep", &["10".to_string()]), "sleep 10");
    }
}
