//! Swarm models for the services pane's tests: a replicated `web` of 3 with an
//! update under way and a slot whose first task failed, a stack `shop` of two services,
//! a global `agent`. Rows and details come from the real builders.

use bollard::models as m;

use super::*;

pub fn at(s: &str) -> DateTime<Utc> {
    parse_time(Some(s)).unwrap_or_default()
}

pub fn template(image: &str) -> m::TaskSpec {
    m::TaskSpec {
        container_spec: Some(m::TaskSpecContainerSpec {
            image: Some(image.into()),
            env: Some(vec!["MODE=blue".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `web`: 3 replicas wanted, 2 running, `*:4000->80/tcp`, an update under way.
pub fn web() -> m::Service {
    m::Service {
        id: Some("svcweb0123456789".into()),
        spec: Some(m::ServiceSpec {
            name: Some("web".into()),
            task_template: Some(template("busybox:latest@sha256:1111")),
            mode: Some(m::ServiceSpecMode {
                replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(3) }),
                ..Default::default()
            }),
            endpoint_spec: Some(m::EndpointSpec {
                ports: Some(vec![m::EndpointPortConfig {
                    protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
                    published_port: Some(4000),
                    target_port: Some(80),
                    publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        service_status: Some(m::ServiceServiceStatus {
            running_tasks: Some(2),
            desired_tasks: Some(3),
            completed_tasks: Some(0),
        }),
        update_status: Some(m::ServiceUpdateStatus {
            state: Some(m::ServiceUpdateStatusStateEnum::UPDATING),
            started_at: Some("2026-01-01T12:00:00Z".into()),
            message: Some("update in progress".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn task(id: &str, slot: i64, created: &str, state: m::TaskState, err: Option<&str>) -> m::Task {
    let desired = if state == m::TaskState::FAILED {
        m::TaskState::SHUTDOWN
    } else {
        m::TaskState::RUNNING
    };
    m::Task {
        id: Some(id.into()),
        created_at: Some(created.into()),
        service_id: Some("svcweb0123456789".into()),
        slot: Some(slot),
        node_id: Some("node1".into()),
        desired_state: Some(desired),
        spec: Some(template("busybox:latest@sha256:1111")),
        status: Some(m::TaskStatus {
            timestamp: Some(created.into()),
            state: Some(state),
            err: err.map(String::from),
            container_status: Some(m::ContainerStatus {
                container_id: Some(format!("ctr-{id}")),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Slot 2's first task failed and was replaced; slot 3's is still preparing.
pub fn web_tasks() -> Vec<m::Task> {
    use m::TaskState::*;
    vec![
        task(
            "t3aaaaaaaaaaaaaa",
            3,
            "2026-01-01T12:00:08Z",
            PREPARING,
            None,
        ),
        task(
            "t2oldaaaaaaaaaaa",
            2,
            "2026-01-01T11:00:00Z",
            FAILED,
            Some("task: non-zero exit (137)"),
        ),
        task("t1aaaaaaaaaaaaaa", 1, "2026-01-01T11:00:00Z", RUNNING, None),
        task("t2newaaaaaaaaaaa", 2, "2026-01-01T12:00:02Z", RUNNING, None),
    ]
}

/// A service of stack `shop` (or of none), running all it wants.
pub fn other(id: &str, name: &str, stack: &str, global: bool) -> m::Service {
    let mode = if global {
        m::ServiceSpecMode {
            global: Some(Default::default()),
            ..Default::default()
        }
    } else {
        m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(1) }),
            ..Default::default()
        }
    };
    m::Service {
        id: Some(id.into()),
        spec: Some(m::ServiceSpec {
            name: Some(name.into()),
            labels: (!stack.is_empty())
                .then(|| [(STACK_LABEL.to_string(), stack.to_string())].into()),
            task_template: Some(template("busybox:latest")),
            mode: Some(mode),
            ..Default::default()
        }),
        service_status: Some(m::ServiceServiceStatus {
            running_tasks: Some(1),
            desired_tasks: Some(1),
            completed_tasks: Some(0),
        }),
        ..Default::default()
    }
}

/// A node: `node1` is the leader, `node2` a worker being drained.
pub fn node(id: &str, hostname: &str, leader: bool) -> m::Node {
    m::Node {
        id: Some(id.into()),
        description: Some(m::NodeDescription {
            hostname: Some(hostname.into()),
            engine: Some(m::EngineDescription {
                engine_version: Some("20.10.24".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        spec: Some(m::NodeSpec {
            availability: Some(if leader {
                m::NodeSpecAvailabilityEnum::ACTIVE
            } else {
                m::NodeSpecAvailabilityEnum::DRAIN
            }),
            ..Default::default()
        }),
        status: Some(m::NodeStatus {
            state: Some(m::NodeState::READY),
            ..Default::default()
        }),
        manager_status: leader.then(|| m::ManagerStatus {
            leader: Some(true),
            reachability: Some(m::Reachability::REACHABLE),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The swarm as the worker would send it, with `web` selected: its services, its two
/// nodes (web's running tasks on node1), and web's details.
pub fn swarm() -> (SwarmView, Vec<NodeRow>, ServiceDetails) {
    let list = vec![
        web(),
        other("svcapi", "api", "shop", false),
        other("svcagent", "agent", "", true),
        other("svcdb", "db", "shop", false),
    ];
    let nodes = node_rows(
        &[
            node("node2", "edge-2", false),
            node("node1", "core-1", true),
        ],
        &web_tasks(),
    );
    let d = details(
        &web(),
        web_tasks(),
        &web_tasks(),
        &hostnames(&nodes),
        at("2026-01-01T12:00:10Z"),
    );
    (SwarmView::Active(service_rows(&list)), nodes, d)
}
