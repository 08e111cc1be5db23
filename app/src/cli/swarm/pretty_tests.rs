//! `inspect --pretty` against docker/cli's own golden files, made from the same objects.

use std::collections::HashMap;

use bollard::models as m;

use super::pretty::{go_duration, node_pretty};
use super::service_pretty::service_pretty;

#[test]
fn durations_print_as_go_prints_them() {
    assert_eq!(go_duration(4), "4ns");
    assert_eq!(go_duration(1_500), "1.5µs");
    assert_eq!(go_duration(500_000_000), "500ms");
    assert_eq!(go_duration(5_000_000_000), "5s");
    assert_eq!(go_duration(1_500_000_000), "1.5s");
    assert_eq!(go_duration(90_000_000_000), "1m30s");
    assert_eq!(go_duration(60_000_000_000), "1m0s");
    assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
    assert_eq!(go_duration(0), "0s");
}

/// docker/cli's `service-inspect-pretty.golden`, made from the same service.
#[test]
fn service_pretty_matches_dockers_golden() {
    let s = m::Service {
        id: Some("de179gar9d0o7ltdybungplod".into()),
        spec: Some(m::ServiceSpec {
            name: Some("my_service".into()),
            labels: Some([("com.label".to_string(), "foo".to_string())].into()),
            task_template: Some(m::TaskSpec {
                log_driver: Some(m::TaskSpecLogDriver {
                    name: Some("driver".into()),
                    options: Some([("max-file".to_string(), "5".to_string())].into()),
                }),
                container_spec: Some(m::TaskSpecContainerSpec {
                    image: Some("foo/bar@sha256:this_is_a_test".into()),
                    configs: Some(vec![m::TaskSpecContainerSpecConfigs {
                        config_id: Some("mtc3i44r1awdoziy2iceg73z8".into()),
                        config_name: Some("configtest.conf".into()),
                        file: Some(m::TaskSpecContainerSpecFile1 {
                            name: Some("/configtest.conf".into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    secrets: Some(vec![m::TaskSpecContainerSpecSecrets {
                        secret_id: Some("3hv39ehbbb4hdozo7spod9ftn".into()),
                        secret_name: Some("secrettest.conf".into()),
                        file: Some(m::TaskSpecContainerSpecFile {
                            name: Some("/secrettest.conf".into()),
                            ..Default::default()
                        }),
                    }]),
                    health_check: Some(m::HealthConfig {
                        test: Some(vec!["CMD-SHELL".into(), "curl".into()]),
                        interval: Some(4),
                        retries: Some(3),
                        start_period: Some(2),
                        timeout: Some(1),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                resources: Some(m::TaskSpecResources {
                    limits: Some(m::Limit {
                        nano_cpus: Some(100_000_000_000),
                        memory_bytes: Some(10_490_000),
                        pids: Some(20),
                    }),
                    ..Default::default()
                }),
                networks: Some(vec![m::NetworkAttachmentConfig {
                    target: Some("5vpyomhb6ievnk0i0o60gcnei".into()),
                    aliases: Some(vec!["web".into()]),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            mode: Some(m::ServiceSpecMode {
                replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(2) }),
                ..Default::default()
            }),
            endpoint_spec: Some(m::EndpointSpec {
                mode: Some(m::EndpointSpecModeEnum::VIP),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let networks = HashMap::from([(
        "5vpyomhb6ievnk0i0o60gcnei".to_string(),
        "mynetwork".to_string(),
    )]);
    let ports = [m::EndpointPortConfig {
        protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
        target_port: Some(5000),
        published_port: Some(30000),
        ..Default::default()
    }];
    let want = "\nID:\t\tde179gar9d0o7ltdybungplod\nName:\t\tmy_service\nLabels:\n com.label=foo\n\
Service Mode:\tReplicated\n Replicas:\t2\nPlacement:\nContainerSpec:\n Image:\t\tfoo/bar@sha256:this_is_a_test\n\
Configs:\n Target:\t/configtest.conf\n  Source:\tconfigtest.conf\nSecrets:\n Target:\t/secrettest.conf\n  Source:\tsecrettest.conf\n\
Log Driver:\n Name:\t\tdriver\n LogOpts:\n  max-file:       5\n\nResources:\n Limits:\n  CPU:\t\t100\n  Memory:\t10MiB\n  PIDs:\t\t20\n\
Networks: mynetwork \nEndpoint Mode:\tvip\nPorts:\n PublishedPort = 30000\n  Protocol = tcp\n  TargetPort = 5000\n  PublishMode =  \n\x20Healthcheck:\n  Interval = 4ns\n  Retries = 3\n  StartPeriod =\t2ns\n  Timeout =\t1ns\n  Tests:\n\t Test = CMD-SHELL\n\t Test = curl \n";
    assert_eq!(service_pretty(&s, &networks, &ports), want);
}

/// docker/cli's `node-inspect-pretty.manager-leader.golden`, from the same node.
#[test]
fn node_pretty_matches_dockers_golden() {
    let n = m::Node {
        id: Some("nodeID".into()),
        created_at: Some("2009-11-10T23:00:00Z".into()),
        spec: Some(m::NodeSpec {
            name: Some("defaultNodeName".into()),
            role: Some(m::NodeSpecRoleEnum::MANAGER),
            availability: Some(m::NodeSpecAvailabilityEnum::ACTIVE),
            ..Default::default()
        }),
        description: Some(m::NodeDescription {
            hostname: Some("defaultNodeHostname".into()),
            platform: Some(m::Platform {
                architecture: Some("x86_64".into()),
                os: Some("linux".into()),
            }),
            resources: Some(m::ResourceObject {
                nano_cpus: Some(4),
                memory_bytes: Some(20 * 1024 * 1024),
                ..Default::default()
            }),
            engine: Some(m::EngineDescription {
                engine_version: Some("1.13.0".into()),
                labels: Some([("engine".to_string(), "label".to_string())].into()),
                plugins: Some(vec![
                    m::EngineDescriptionPlugins {
                        typ: Some("Volume".into()),
                        name: Some("local".into()),
                    },
                    m::EngineDescriptionPlugins {
                        typ: Some("Network".into()),
                        name: Some("bridge".into()),
                    },
                    m::EngineDescriptionPlugins {
                        typ: Some("Network".into()),
                        name: Some("overlay".into()),
                    },
                ]),
            }),
            ..Default::default()
        }),
        status: Some(m::NodeStatus {
            state: Some(m::NodeState::READY),
            addr: Some("127.0.0.1".into()),
            ..Default::default()
        }),
        manager_status: Some(m::ManagerStatus {
            leader: Some(true),
            reachability: Some(m::Reachability::REACHABLE),
            addr: Some("127.0.0.1".into()),
        }),
        ..Default::default()
    };
    let want = "ID:\t\t\tnodeID\nName:\t\t\tdefaultNodeName\nHostname:              \tdefaultNodeHostname\n\
Joined at:             \t2009-11-10 23:00:00 +0000 utc\nStatus:\n State:\t\t\tReady\n Availability:         \tActive\n\x20Address:\t\t127.0.0.1\nManager Status:\n Address:\t\t127.0.0.1\n Raft Status:\t\tReachable\n Leader:\t\tYes\n\
Platform:\n Operating System:\tlinux\n Architecture:\t\tx86_64\nResources:\n CPUs:\t\t\t0\n Memory:\t\t20MiB\n\
Plugins:\n Network:\t\tbridge, overlay\n Volume:\t\tlocal\nEngine Version:\t\t1.13.0\nEngine Labels:\n - engine=label";
    assert_eq!(node_pretty(&n), want);
}
