use std::collections::BTreeMap;

use super::convert::{convert, NAMESPACE};
use crate::compose::load::{load, LoadOptions};
use bollard::models as m;

/// Seed 003's getstartedlab stack, with a secret and a config.
const GETSTARTEDLAB: &str = r#"version: "3"
services:
  web:
    image: username/repo:tag
    build: .
    deploy:
      replicas: 5
      resources:
        limits:
          cpus: "0.1"
          memory: 50M
      restart_policy:
        condition: on-failure
      update_config:
        parallelism: 2
        delay: 10s
        order: start-first
        failure_action: rollback
      placement:
        constraints: [node.role == manager]
    ports:
      - "4000:80"
    networks:
      - webnet
    secrets:
      - db_pass
    configs:
      - source: app_conf
        target: /etc/app.conf
  redis:
    image: redis
    command: redis-server --appendonly yes
    volumes:
      - data:/data
    networks:
      - webnet
  visualizer:
    image: dockersamples/visualizer:stable
    deploy:
      mode: global
networks:
  webnet:
volumes:
  data:
secrets:
  db_pass:
    file: ./pass.txt
configs:
  app_conf:
    content: "debug=1"
"#;

fn plan() -> super::convert::Plan {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), GETSTARTEDLAB).unwrap();
    std::fs::write(dir.path().join("pass.txt"), "hunter2").unwrap();
    let loaded = load(&LoadOptions {
        files: vec!["docker-compose.yml".into()],
        project_name: Some("getstartedlab".into()),
        working_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    convert("getstartedlab", &loaded.project, &BTreeMap::new()).unwrap()
}

fn svc<'a>(p: &'a super::convert::Plan, name: &str) -> &'a m::ServiceSpec {
    p.services
        .iter()
        .find(|s| s.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no service {name}"))
}

#[test]
fn names_are_scoped_and_labelled_with_the_stack() {
    let p = plan();
    let names: Vec<_> = p.services.iter().filter_map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        [
            "getstartedlab_redis",
            "getstartedlab_visualizer",
            "getstartedlab_web"
        ]
    );
    let nets: Vec<_> = p.networks.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(nets, ["getstartedlab_default", "getstartedlab_webnet"]);
    assert_eq!(p.networks[1].1.driver.as_deref(), Some("overlay"));
    assert_eq!(p.secrets[0].name.as_deref(), Some("getstartedlab_db_pass"));
    assert_eq!(p.configs[0].name.as_deref(), Some("getstartedlab_app_conf"));
    let web = svc(&p, "getstartedlab_web");
    assert_eq!(web.labels.as_ref().unwrap()[NAMESPACE], "getstartedlab");
    let c = web
        .task_template
        .as_ref()
        .unwrap()
        .container_spec
        .as_ref()
        .unwrap();
    assert_eq!(c.labels.as_ref().unwrap()[NAMESPACE], "getstartedlab");
    assert_eq!(p.warnings, ["Ignoring unsupported options: build"]);
}

#[test]
fn deploy_becomes_the_services_spec() {
    let p = plan();
    let web = svc(&p, "getstartedlab_web");
    let mode = web.mode.as_ref().unwrap();
    assert_eq!(mode.replicated.as_ref().unwrap().replicas, Some(5));
    let t = web.task_template.as_ref().unwrap();
    let limits = t.resources.as_ref().unwrap().limits.as_ref().unwrap();
    assert_eq!(limits.nano_cpus, Some(100_000_000));
    assert_eq!(limits.memory_bytes, Some(50 << 20));
    assert_eq!(
        t.restart_policy.as_ref().unwrap().condition,
        Some(m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE)
    );
    let u = web.update_config.as_ref().unwrap();
    assert_eq!((u.parallelism, u.delay), (Some(2), Some(10_000_000_000)));
    assert_eq!(
        u.order,
        Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST)
    );
    assert_eq!(
        u.failure_action,
        Some(m::ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
    );
    assert_eq!(
        t.placement.as_ref().unwrap().constraints.as_ref().unwrap(),
        &["node.role == manager"]
    );
    let port = &web.endpoint_spec.as_ref().unwrap().ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.published_port, port.target_port),
        (Some(4000), Some(80))
    );
    let net = &t.networks.as_ref().unwrap()[0];
    assert_eq!(net.target.as_deref(), Some("getstartedlab_webnet"));
    assert_eq!(net.aliases.as_ref().unwrap(), &["web"]);
    let c = t.container_spec.as_ref().unwrap();
    let secret = &c.secrets.as_ref().unwrap()[0];
    assert_eq!(secret.secret_name.as_deref(), Some("getstartedlab_db_pass"));
    assert_eq!(
        secret.file.as_ref().unwrap().name.as_deref(),
        Some("/run/secrets/db_pass")
    );
    let config = &c.configs.as_ref().unwrap()[0];
    assert_eq!(
        config.file.as_ref().unwrap().name.as_deref(),
        Some("/etc/app.conf")
    );
    // The secret's data comes from its file.
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD
        .decode(p.secrets[0].data.as_ref().unwrap())
        .unwrap();
    assert_eq!(data, b"hunter2");
}

#[test]
fn commands_volumes_and_global_mode() {
    let p = plan();
    let redis = svc(&p, "getstartedlab_redis");
    let c = redis
        .task_template
        .as_ref()
        .unwrap()
        .container_spec
        .as_ref()
        .unwrap();
    assert_eq!(
        c.args.as_ref().unwrap(),
        &["redis-server", "--appendonly", "yes"]
    );
    let mount = &c.mounts.as_ref().unwrap()[0];
    assert_eq!(mount.source.as_deref(), Some("getstartedlab_data"));
    assert_eq!(mount.typ, Some(m::MountType::VOLUME));
    let viz = svc(&p, "getstartedlab_visualizer");
    assert!(viz.mode.as_ref().unwrap().global.is_some());
    let net = &viz
        .task_template
        .as_ref()
        .unwrap()
        .networks
        .as_ref()
        .unwrap()[0];
    assert_eq!(net.target.as_deref(), Some("getstartedlab_default"));
}
