//! Swarm mode's commands, as the docker CLI has them: `swarm` (init, leave, join-token,
//! join), `node` (ls, inspect, ps, update, rm), `service` (create, ls, ps, inspect,
//! logs, update, scale, rollback, rm), `secret` and `config` (create, ls, inspect, rm). They reach the engine through the engine
//! interface's swarm operations only, so the same commands drive a real Docker Swarm
//! through another backend. What Docker's client works out for itself (the spec a
//! `service create` sends, the converge progress, the task table) is worked out here.

mod node;
mod pretty;
pub(crate) mod progress;
mod secret;
mod service;
mod service_create;
mod service_flags;
mod service_logs;
pub(crate) mod service_ls;
mod service_opts;
mod service_pretty;
mod service_update;
#[allow(clippy::module_inception)]
mod swarm;
mod tasks;

#[cfg(test)]
mod create_tests;
#[cfg(test)]
mod pretty_tests;

pub use node::{run as run_node, NodeCmd};
pub use secret::{run as run_object, Kind as ObjectKind, ObjectCmd};
pub use service::{run as run_service, ServiceCmd};
pub use swarm::{run as run_swarm, SwarmCmd};
pub use tasks::TaskListArgs;

use std::cmp::Ordering;

use bollard::models as m;

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

/// The note every hint at joining other hosts comes with: Berth's swarm is this host.
pub const ONE_HOST_NOTE: &str = "Note: this swarm is Berth's own and spans this host only; \
joining other hosts needs a real Swarm (a Docker engine, driven through the Docker backend).";

#[cfg(test)]
mod tests {
    use super::*;

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
