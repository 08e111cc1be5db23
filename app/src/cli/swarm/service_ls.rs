//! `service ls`: Docker's table (ID, NAME, MODE, REPLICAS `running/desired`, IMAGE,
//! PORTS `*:4000->80/tcp`), services in natural name order.

use bollard::models as m;
use serde_json::{json, Value};

use super::{display_image, natural_cmp, service_name};
use crate::cli::door::Door;
use crate::cli::filters::Filters;
use crate::cli::output::print_rows;
use crate::cli::CliResult;
use crate::format::swarm::{
    mode_name, ports_column, published_ports, replicas_column, service_image,
};
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

/// One row of `service ls`.
fn row(s: &m::Service) -> Value {
    let spec = s.spec.clone().unwrap_or_default();
    let image = service_image(&spec);
    json!({
        "ID": short_id(s.id.as_deref().unwrap_or_default()),
        "Name": spec.name.clone().unwrap_or_default(),
        "Mode": mode_name(&spec),
        "Replicas": replicas_column(s),
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
