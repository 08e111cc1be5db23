//! The project's details from fixture containers and inspect documents.

use std::collections::HashMap;

use bollard::models as m;

use super::*;
use crate::compose::graph::Condition;

fn existing(service: &str, n: u32, state: &str, depends_on: &str) -> Existing {
    Existing {
        id: format!("{service}{n}"),
        name: format!("cct-{service}-{n}"),
        service: service.into(),
        number: n,
        oneoff: false,
        hash: String::new(),
        state: state.into(),
        status: String::new(),
        image: "busybox".into(),
        image_id: String::new(),
        labels: HashMap::from([
            (labels::PROJECT.to_string(), "cct".to_string()),
            (labels::SERVICE.to_string(), service.to_string()),
            (labels::DEPENDS_ON.to_string(), depends_on.to_string()),
            (labels::WORKING_DIR.to_string(), "/srv/cct".to_string()),
            (
                labels::CONFIG_FILES.to_string(),
                "/srv/cct/compose.yaml".to_string(),
            ),
        ]),
    }
}

/// An inspect document with one endpoint on `net` (an address when running).
pub fn doc(
    c: &Existing,
    net: &str,
    ip: &str,
    health: Option<m::HealthStatusEnum>,
) -> m::ContainerInspectResponse {
    let running = !ip.is_empty();
    let short = &c.id;
    m::ContainerInspectResponse {
        id: Some(c.id.clone()),
        config: Some(m::ContainerConfig {
            hostname: Some(short.clone()),
            ..Default::default()
        }),
        state: Some(m::ContainerState {
            health: health.map(|s| m::Health {
                status: Some(s),
                ..Default::default()
            }),
            ..Default::default()
        }),
        network_settings: Some(m::NetworkSettings {
            networks: Some(HashMap::from([(
                net.to_string(),
                m::EndpointSettings {
                    ip_address: Some(ip.to_string()),
                    aliases: Some(vec![c.name.clone(), c.service.clone()]),
                    // As the engine keeps them: compose's aliases, then the name
                    // and short ID it adds itself.
                    dns_names: running.then(|| {
                        vec![
                            c.name.clone(),
                            c.service.clone(),
                            c.name.clone(),
                            short.clone(),
                        ]
                    }),
                    ..Default::default()
                },
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The project of the snapshot tests: db (healthy) and two web replicas that waited
/// for it, one of them stopped.
pub fn fixture() -> ProjectView {
    let cs = vec![
        existing("db", 1, "running", ""),
        existing("web", 1, "running", "db:service_healthy:false"),
        existing("web", 2, "exited", "db:service_healthy:false"),
    ];
    let docs = vec![
        doc(
            &cs[0],
            "cct_default",
            "172.18.0.2",
            Some(m::HealthStatusEnum::HEALTHY),
        ),
        doc(&cs[1], "cct_default", "172.18.0.3", None),
        doc(&cs[2], "cct_default", "", None),
    ];
    let nets = vec![NetworkRow {
        name: "cct_default".into(),
        driver: "bridge".into(),
        subnet: "172.18.0.0/16".into(),
        gateway: "172.18.0.1".into(),
        ..Default::default()
    }];
    project_view(
        "cct",
        &cs,
        &docs,
        &nets,
        Ok("name: cct\nservices:\n  db:\n    image: busybox\n".into()),
    )
}

#[test]
fn services_carry_their_conditions_containers_and_dns_names() {
    let p = fixture();
    assert_eq!(p.working_dir, "/srv/cct");
    assert_eq!(p.config_files, ["/srv/cct/compose.yaml"]);
    assert_eq!(
        p.networks,
        [NetView {
            name: "cct_default".into(),
            driver: "bridge".into(),
            subnet: "172.18.0.0/16".into(),
            gateway: "172.18.0.1".into(),
            dns: true,
        }]
    );
    let names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["db", "web"]);
    assert!(p.services[0].depends_on.is_empty());
    assert_eq!(
        p.services[1].depends_on[0].condition,
        Condition::ServiceHealthy
    );
    let db = &p.services[0].containers[0];
    assert_eq!(
        (db.health.as_str(), db.hostname.as_str()),
        ("healthy", "db1")
    );
    assert_eq!(db.endpoints[0].ip, "172.18.0.2");
    assert_eq!(
        db.endpoints[0].dns_names.as_deref(),
        Some(
            &[
                "cct-db-1".to_string(),
                "db".into(),
                "cct-db-1".into(),
                "db1".into()
            ][..]
        )
    );
    // The stopped replica holds no address and answers to nothing.
    let web2 = &p.services[1].containers[1];
    assert_eq!(web2.endpoints[0].dns_names, None);
    assert_eq!(p.not_inspected, 0);
}

#[test]
fn the_default_bridge_host_and_none_have_no_embedded_dns() {
    assert!(!dns_serves("bridge", "bridge"));
    assert!(!dns_serves("host", "host"));
    assert!(!dns_serves("none", "null"));
    assert!(dns_serves("cct_default", "bridge"));
}

#[test]
fn containers_not_inspected_are_counted() {
    let cs = vec![existing("db", 1, "running", "")];
    let p = project_view("cct", &cs, &[], &[], Err("gone".into()));
    assert_eq!(p.not_inspected, 1);
    assert!(p.networks.is_empty());
    assert_eq!(p.config, Err("gone".into()));
}
