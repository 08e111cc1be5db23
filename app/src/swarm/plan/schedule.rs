//! Whether a task may go on this host: its placement constraints against the node, and
//! its reservations against what the node has left, with Docker's `no suitable node`
//! words when not.

use bollard::models as m;

/// Why a task cannot be placed, as `service ps` shows it.
pub fn refusal(spec: &m::TaskSpec, node: &m::Node, reserved: (i64, i64)) -> Option<String> {
    if let Some(cs) = spec.placement.as_ref().and_then(|p| p.constraints.as_ref()) {
        for c in cs {
            if !satisfied(c, node) {
                return Some(
                    "no suitable node (scheduling constraints not satisfied on 1 node)".into(),
                );
            }
        }
    }
    let want = spec
        .resources
        .as_ref()
        .and_then(|r| r.reservations.as_ref());
    let have = node.description.as_ref().and_then(|d| d.resources.as_ref());
    if let (Some(want), Some(have)) = (want, have) {
        let cpu = want.nano_cpus.unwrap_or(0);
        let mem = want.memory_bytes.unwrap_or(0);
        let cpu_left = have.nano_cpus.unwrap_or(0) - reserved.0;
        let mem_left = have.memory_bytes.unwrap_or(0) - reserved.1;
        if (cpu > 0 && cpu > cpu_left) || (mem > 0 && mem > mem_left) {
            return Some("no suitable node (insufficient resources on 1 node)".into());
        }
    }
    None
}

/// What a running task holds of the node.
pub fn reservation(spec: Option<&m::TaskSpec>) -> (i64, i64) {
    let r = spec
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.reservations.as_ref());
    (
        r.and_then(|r| r.nano_cpus).unwrap_or(0),
        r.and_then(|r| r.memory_bytes).unwrap_or(0),
    )
}

/// One constraint (`node.role==manager`, `node.hostname!=x`, `node.labels.k==v`).
fn satisfied(constraint: &str, node: &m::Node) -> bool {
    let (key, want, equal) = match constraint.split_once("==") {
        Some((k, v)) => (k.trim(), v.trim(), true),
        None => match constraint.split_once("!=") {
            Some((k, v)) => (k.trim(), v.trim(), false),
            None => return false,
        },
    };
    let spec = node.spec.as_ref();
    let desc = node.description.as_ref();
    let have: Option<String> = match key {
        "node.id" => node.id.clone(),
        "node.hostname" => desc.and_then(|d| d.hostname.clone()),
        "node.role" => Some(
            match spec.and_then(|s| s.role) {
                Some(m::NodeSpecRoleEnum::WORKER) => "worker",
                _ => "manager",
            }
            .into(),
        ),
        "node.platform.os" => desc.and_then(|d| d.platform.as_ref()?.os.clone()),
        "node.platform.arch" => desc.and_then(|d| d.platform.as_ref()?.architecture.clone()),
        k => k
            .strip_prefix("node.labels.")
            .and_then(|l| spec?.labels.as_ref()?.get(l).cloned())
            .or_else(|| {
                k.strip_prefix("engine.labels.")
                    .and_then(|l| desc?.engine.as_ref()?.labels.as_ref()?.get(l).cloned())
            }),
    };
    // Docker compares case-insensitively.
    let same = have.is_some_and(|h| h.eq_ignore_ascii_case(want));
    same == equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> m::Node {
        m::Node {
            id: Some("n1".into()),
            spec: Some(m::NodeSpec {
                role: Some(m::NodeSpecRoleEnum::MANAGER),
                labels: Some([("zone".to_string(), "a".to_string())].into()),
                ..Default::default()
            }),
            description: Some(m::NodeDescription {
                hostname: Some("box".into()),
                resources: Some(m::ResourceObject {
                    nano_cpus: Some(2_000_000_000),
                    memory_bytes: Some(1 << 30),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn spec(constraints: &[&str], cpus: i64, mem: i64) -> m::TaskSpec {
        m::TaskSpec {
            placement: Some(m::TaskSpecPlacement {
                constraints: Some(constraints.iter().map(|c| c.to_string()).collect()),
                ..Default::default()
            }),
            resources: Some(m::TaskSpecResources {
                reservations: Some(m::ResourceObject {
                    nano_cpus: Some(cpus),
                    memory_bytes: Some(mem),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn constraints_and_reservations() {
        let n = node();
        assert_eq!(
            refusal(
                &spec(&["node.role==manager", "node.labels.zone==a"], 0, 0),
                &n,
                (0, 0)
            ),
            None
        );
        assert!(refusal(&spec(&["node.hostname!=box"], 0, 0), &n, (0, 0))
            .unwrap()
            .contains("constraints not satisfied"));
        assert!(refusal(&spec(&[], 3_000_000_000, 0), &n, (0, 0))
            .unwrap()
            .contains("insufficient resources"));
        // What running tasks hold counts.
        assert!(refusal(&spec(&[], 0, 600 << 20), &n, (0, 600 << 20)).is_some());
        assert!(refusal(&spec(&[], 0, 600 << 20), &n, (0, 0)).is_none());
    }
}
