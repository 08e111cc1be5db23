//! `service ls`: Docker's table (ID, NAME, MODE, REPLICAS `running/desired`, IMAGE,
//! PORTS `*:4000->80/tcp`), services in natural name order.

use bollard::models as m;
use serde_json::{json, Value};

use super::{display_image, natural_cmp, service_name};
use crate::cli::door::Door;
use crate::cli::filters::Filters;
use crate::cli::output::print_rows;
use crate::cli::CliResult;
use crate::format::truncate::short_id;

const SERVICE_TABLE: &str =
    "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}";

const SERVICE_HEADERS: &[(&str, &str)] = &[
    ("ID", "ID"),
    ("Name", "NAME"),
    ("Mode", "MODE"),
    ("Replicas", "REPLICAS"),
    ("Image", "IMAGE"),
    ("Ports", "PORTS"),
];

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

/// One row of `service ls`.
fn row(s: &m::Service) -> Value {
    let spec = s.spec.clone().unwrap_or_default();
    let mode = if super::is_global(&spec) {
        "global"
    } else {
        "replicated"
    };
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
        .filter(|n| *n > 0 && mode == "replicated");
    let replicas = match max {
        Some(n) => format!("{running}/{desired} (max {n} per node)"),
        None => format!("{running}/{desired}"),
    };
    let image = spec
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    json!({
        "ID": short_id(s.id.as_deref().unwrap_or_default()),
        "Name": spec.name.unwrap_or_default(),
        "Mode": mode,
        "Replicas": replicas,
        "Image": display_image(&image),
        "Ports": ports_column(&published_ports(s)),
    })
}

pub fn ls(door: &Door, quiet: bool, filter: &[String], format: Option<String>) -> CliResult {
    let b = door.backend();
    let filters = Filters::parse(filter, &["id", "label", "mode", "name"])?;
    let mut list = door.call(b.service_list(filters.query(&[]).unwrap_or_default(), !quiet))?;
    list.sort_by(|a, b| natural_cmp(&service_name(a), &service_name(b)));
    let rows: Vec<Value> = list.iter().map(row).collect();
    let format = match (quiet, format) {
        (true, None) => Some("{{.ID}}".to_string()),
        (_, f) => f,
    };
    print_rows(&rows, SERVICE_HEADERS, SERVICE_TABLE, format.as_deref())?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::table::Format;

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

    fn service(name: &str, id: &str, image: &str, running: u64, desired: u64) -> m::Service {
        m::Service {
            id: Some(id.into()),
            spec: Some(m::ServiceSpec {
                name: Some(name.into()),
                task_template: Some(m::TaskSpec {
                    container_spec: Some(m::TaskSpecContainerSpec {
                        image: Some(image.into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                mode: Some(m::ServiceSpecMode {
                    replicated: Some(m::ServiceSpecModeReplicated {
                        replicas: Some(desired as i64),
                    }),
                    ..Default::default()
                }),
                endpoint_spec: Some(m::EndpointSpec {
                    mode: Some(m::EndpointSpecModeEnum::VIP),
                    ports: (name == "web")
                        .then(|| vec![port(80, 80, m::EndpointPortConfigProtocolEnum::TCP)]),
                }),
                ..Default::default()
            }),
            service_status: Some(m::ServiceServiceStatus {
                running_tasks: Some(running),
                desired_tasks: Some(desired),
                completed_tasks: Some(0),
            }),
            ..Default::default()
        }
    }

    /// Seed 001's `docker service ls` after the overlay-network exercise.
    #[test]
    fn service_ls_is_dockers_table() {
        let mut list = [
            service("web", "tmiz4ydl3v57ahdjnb2v5t1ka", "nginx:alpine", 1, 1),
            service(
                "psql",
                "nwy7viidnp7nppsl53w3g3wqa",
                "postgres:alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                1,
                1,
            ),
        ];
        list.sort_by(|a, b| natural_cmp(&service_name(a), &service_name(b)));
        let rows: Vec<Value> = list.iter().map(row).collect();
        let f = Format::parse("", SERVICE_TABLE).unwrap();
        insta::assert_snapshot!(f.render(SERVICE_HEADERS, &rows).unwrap());
    }
}
