//! Swarm objects in Docker's words, shared by `service ls`/`service ps` and the TUI's
//! services pane: names in natural order, images as the lists show them, a service's
//! mode, `running/desired` replicas and `*:4000->80/tcp` ports, a task's name
//! (`web.2`), its current state with its age, its error. Pure: models in, text out.

use std::cmp::Ordering;
use std::collections::HashMap;

use bollard::models as m;
use chrono::{DateTime, Utc};

use crate::format::human::human_duration;
use crate::format::truncate::ellipsis;

/// Docker keeps this much of a task's error in the table.
const MAX_ERR: usize = 30;

/// Docker's `formatter.PrettyPrint` for a string: the first letter upper-case, the rest
/// lower-case (`running` is `Running`, `Leader` stays `Leader`).
pub fn pretty(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), s.chars().count()) {
        (None, _) => String::new(),
        (Some(c), 1) => c.to_lowercase().collect(),
        (Some(c), _) => c
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
    }
}

/// Go's `sortorder.NaturalLess`: runs of digits compare as numbers (`web.9` before
/// `web.10`), the rest byte by byte.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ca, cb) = (a[i], b[j]);
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i] == b'0' {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j] == b'0' {
                j += 1;
            }
            let (ni, nj) = (i, j);
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (da, db) = (&a[ni..i], &b[nj..j]);
            let ord = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if ord != Ordering::Equal {
                return ord;
            }
            // Equal numbers: fewer leading zeros first.
            let zeros = (ni - si).cmp(&(nj - sj));
            if zeros != Ordering::Equal {
                return zeros;
            }
            continue;
        }
        if ca != cb {
            return ca.cmp(&cb);
        }
        i += 1;
        j += 1;
    }
    (a.len() - i).cmp(&(b.len() - j))
}

/// An image reference as Docker's list commands show it: a tagged reference loses its
/// digest (`busybox:1.36@sha256:…` is `busybox:1.36`) and Docker Hub's prefix
/// (`docker.io/library/busybox` is `busybox`).
pub fn display_image(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let tagged = name
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains(':'));
    let name = familiar(name);
    match digest {
        Some(d) if !tagged => format!("{name}@{d}"),
        _ => name,
    }
}

/// Docker Hub's long spellings made short, as `reference.FamiliarString` does.
fn familiar(name: &str) -> String {
    for prefix in ["docker.io/library/", "index.docker.io/library/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if !rest.contains('/') {
                return rest.to_string();
            }
        }
    }
    for prefix in ["docker.io/", "index.docker.io/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name.to_string()
}

/// The image as Docker's client sends it in a service spec: familiar, with `:latest`
/// when it names neither a tag nor a digest (`busybox` is `busybox:latest`).
pub fn tagged_image(image: &str) -> String {
    if image.contains('@') {
        return familiar(image);
    }
    let tagged = image
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains(':'));
    let name = familiar(image);
    if tagged {
        name
    } else {
        format!("{name}:latest")
    }
}

/// A service's name.
pub fn service_name(s: &m::Service) -> String {
    s.spec
        .as_ref()
        .and_then(|sp| sp.name.clone())
        .unwrap_or_default()
}

/// The replicas a replicated service asks for (the daemon's default, 1, when the spec
/// leaves it out); `None` for other modes.
pub fn replicas(spec: &m::ServiceSpec) -> Option<u64> {
    let mode = spec.mode.as_ref();
    match mode {
        Some(m::ServiceSpecMode {
            replicated: Some(r),
            ..
        }) => Some(r.replicas.unwrap_or(1).max(0) as u64),
        Some(m::ServiceSpecMode {
            global: Some(_), ..
        }) => None,
        _ => Some(1),
    }
}

/// Whether a spec is a global service's.
pub fn is_global(spec: &m::ServiceSpec) -> bool {
    spec.mode.as_ref().is_some_and(|m| m.global.is_some())
}

/// `replicated` or `global`, as `service ls` words the mode.
pub fn mode_name(spec: &m::ServiceSpec) -> &'static str {
    if is_global(spec) {
        "global"
    } else {
        "replicated"
    }
}

/// The image a service's tasks run, as its spec names it.
pub fn service_image(spec: &m::ServiceSpec) -> String {
    spec.task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

/// `service ls`'s REPLICAS: `running/desired` from the service's status, with
/// `(max N per node)` when its placement caps it.
pub fn replicas_column(s: &m::Service) -> String {
    let spec = s.spec.clone().unwrap_or_default();
    let status = s.service_status.clone().unwrap_or_default();
    let (running, desired) = (
        status.running_tasks.unwrap_or(0),
        status.desired_tasks.unwrap_or(0),
    );
    let max = spec
        .task_template
        .as_ref()
        .and_then(|t| t.placement.as_ref())
        .and_then(|p| p.max_replicas)
        .filter(|n| *n > 0 && !is_global(&spec));
    match max {
        Some(n) => format!("{running}/{desired} (max {n} per node)"),
        None => format!("{running}/{desired}"),
    }
}

/// A service's published ports: its endpoint's, or its spec's while the backend has
/// given it no endpoint.
pub fn published_ports(s: &m::Service) -> Vec<m::EndpointPortConfig> {
    s.endpoint
        .as_ref()
        .and_then(|e| e.ports.clone())
        .or_else(|| {
            s.spec
                .as_ref()
                .and_then(|sp| sp.endpoint_spec.as_ref())
                .and_then(|e| e.ports.clone())
        })
        .unwrap_or_default()
}

/// Docker's PORTS column: ingress ports as `*:4000->80/tcp`, consecutive ones as
/// ranges (`*:80-81->80-81/tcp`).
pub fn ports_column(ports: &[m::EndpointPortConfig]) -> String {
    let mut ports: Vec<(String, i64, i64)> = ports
        .iter()
        .filter(|p| {
            p.publish_mode
                .is_none_or(|m| m == m::EndpointPortConfigPublishModeEnum::INGRESS)
        })
        .map(|p| {
            (
                p.protocol
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "tcp".into()),
                p.published_port.unwrap_or(0),
                p.target_port.unwrap_or(0),
            )
        })
        .collect();
    ports.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    struct Range {
        proto: String,
        p: (i64, i64),
        t: (i64, i64),
    }
    let show = |r: &Range| {
        let side = |(a, b): (i64, i64)| {
            if b > a {
                format!("{a}-{b}")
            } else {
                a.to_string()
            }
        };
        format!("*:{}->{}/{}", side(r.p), side(r.t), r.proto)
    };
    let mut out = Vec::new();
    let mut cur: Option<Range> = None;
    for (proto, published, target) in ports {
        let extend = cur.as_ref().is_some_and(|r| {
            let is_range = r.t.1 != r.t.0;
            r.proto == proto
                && published - r.p.1 <= 1
                && target - r.t.1 <= 1
                && !(is_range && target <= r.t.1)
        });
        match cur.as_mut() {
            Some(r) if extend => {
                r.p.1 = published;
                r.t.1 = target;
            }
            _ => {
                if let Some(r) = cur.take().filter(|r| r.p.0 > 0) {
                    out.push(show(&r));
                }
                cur = Some(Range {
                    proto,
                    p: (published, published),
                    t: (target, target),
                });
            }
        }
    }
    if let Some(r) = cur.filter(|r| r.p.0 > 0) {
        out.push(show(&r));
    }
    out.join(", ")
}

/// An RFC 3339 time, as the engine writes task and service times.
pub fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A node's columns as `node ls` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeColumns {
    pub hostname: String,
    /// `Ready`, `Down`.
    pub status: String,
    /// `Active`, `Pause`, `Drain`.
    pub availability: String,
    /// `Leader`, `Reachable`, `Unreachable`; empty for a worker.
    pub manager: String,
    pub engine: String,
}

pub fn node_columns(n: &m::Node) -> NodeColumns {
    let state = n
        .status
        .as_ref()
        .and_then(|s| s.state)
        .map(|s| s.to_string());
    let availability = n
        .spec
        .as_ref()
        .and_then(|s| s.availability)
        .map(|a| a.to_string());
    let manager = match &n.manager_status {
        Some(ms) if ms.leader == Some(true) => "Leader".to_string(),
        Some(ms) => ms.reachability.map(|r| r.to_string()).unwrap_or_default(),
        None => String::new(),
    };
    let description = n.description.as_ref();
    NodeColumns {
        hostname: description
            .and_then(|d| d.hostname.clone())
            .unwrap_or_default(),
        status: pretty(&state.unwrap_or_default()),
        availability: pretty(&availability.unwrap_or_default()),
        manager: pretty(&manager),
        engine: description
            .and_then(|d| d.engine.as_ref())
            .and_then(|e| e.engine_version.clone())
            .unwrap_or_default(),
    }
}

/// A task's name: `web.2`, or `web.NODEID` for a global service's task.
pub fn task_name(t: &m::Task, services: &HashMap<String, String>) -> String {
    let sid = t.service_id.clone().unwrap_or_default();
    let service = services.get(&sid).cloned().unwrap_or(sid);
    match t.slot.filter(|s| *s != 0) {
        Some(slot) => format!("{service}.{slot}"),
        None => format!("{service}.{}", t.node_id.clone().unwrap_or_default()),
    }
}

/// Docker's order: by name (naturally), then the newest task of a slot first.
pub fn sort(tasks: &mut [(String, m::Task)]) {
    tasks.sort_by(|(na, a), (nb, b)| {
        natural_cmp(na, nb).then_with(|| {
            let (ca, cb) = (
                parse_time(a.created_at.as_deref()),
                parse_time(b.created_at.as_deref()),
            );
            cb.cmp(&ca)
        })
    });
}

/// `Running 8 seconds ago`.
pub fn current_state(t: &m::Task, now: DateTime<Utc>) -> String {
    let status = t.status.clone().unwrap_or_default();
    let state = status.state.map(|s| s.to_string()).unwrap_or_default();
    let since = parse_time(status.timestamp.as_deref())
        .map(|at| now - at)
        .unwrap_or_default();
    format!(
        "{} {} ago",
        pretty(&state),
        human_duration(since).to_lowercase()
    )
}

/// The task's error, quoted; cut to Docker's 30 columns with `trunc`.
pub fn error_column(t: &m::Task, trunc: bool) -> String {
    let err = t
        .status
        .as_ref()
        .and_then(|s| s.err.clone())
        .unwrap_or_default();
    let err = if trunc { ellipsis(&err, MAX_ERR) } else { err };
    if err.is_empty() {
        err
    } else {
        format!("\"{err}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(
        published: i64,
        target: i64,
        proto: m::EndpointPortConfigProtocolEnum,
    ) -> m::EndpointPortConfig {
        m::EndpointPortConfig {
            protocol: Some(proto),
            published_port: Some(published),
            target_port: Some(target),
            publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
            ..Default::default()
        }
    }

    #[test]
    fn ports_are_grouped_as_docker_groups_them() {
        use m::EndpointPortConfigProtocolEnum::{TCP, UDP};
        assert_eq!(ports_column(&[port(4000, 80, TCP)]), "*:4000->80/tcp");
        assert_eq!(
            ports_column(&[port(81, 81, TCP), port(80, 80, TCP)]),
            "*:80-81->80-81/tcp"
        );
        assert_eq!(
            ports_column(&[port(80, 80, TCP), port(81, 80, TCP)]),
            "*:80-81->80/tcp"
        );
        assert_eq!(
            ports_column(&[port(80, 80, TCP), port(81, 81, TCP), port(82, 80, TCP)]),
            "*:80-81->80-81/tcp, *:82->80/tcp"
        );
        assert_eq!(
            ports_column(&[port(53, 53, UDP), port(80, 80, TCP)]),
            "*:80->80/tcp, *:53->53/udp"
        );
        let mut host = port(8080, 80, TCP);
        host.publish_mode = Some(m::EndpointPortConfigPublishModeEnum::HOST);
        assert_eq!(ports_column(&[host]), "");
    }

    #[test]
    fn pretty_capitalises_as_docker_does() {
        assert_eq!(pretty("running"), "Running");
        assert_eq!(pretty("LEADER"), "Leader");
        assert_eq!(pretty(""), "");
        assert_eq!(pretty("X"), "x");
    }

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut v = vec!["web.10", "web.9", "web.1", "api.2", "web.1a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["api.2", "web.1", "web.1a", "web.9", "web.10"]);
    }

    #[test]
    fn images_as_docker_shows_and_sends_them() {
        assert_eq!(display_image("busybox:1.36@sha256:abc"), "busybox:1.36");
        assert_eq!(display_image("busybox@sha256:abc"), "busybox@sha256:abc");
        assert_eq!(display_image("docker.io/library/redis:7"), "redis:7");
        assert_eq!(tagged_image("busybox"), "busybox:latest");
        assert_eq!(tagged_image("docker.io/library/redis"), "redis:latest");
        assert_eq!(
            tagged_image("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(tagged_image("app:1@sha256:abc"), "app:1@sha256:abc");
        assert_eq!(tagged_image("me/app:2"), "me/app:2");
    }
}
