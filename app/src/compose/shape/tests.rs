//! The whole step: top-level resources, `include`, what is left alone, origins and
//! errors; the attribute rules are tested beside their code.

use super::testing::{json, shape, yaml};
use super::*;
use crate::compose::tree::parse;

#[track_caller]
fn check_file(text: &str, expected: &str) {
    let root = shape(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json(&root), yaml(expected), "shaping:\n{text}");
}

#[test]
fn null_resources_are_empty_definitions() {
    check_file(
        "volumes:\n  data:\n  logs: {driver: local}\nnetworks:\n  front:\nsecrets:\n  token: {file: ./token}\nconfigs:\n  app:",
        "volumes:\n  data: {}\n  logs: {driver: local}\nnetworks:\n  front: {}\nsecrets:\n  token: {file: ./token}\nconfigs:\n  app: {}",
    );
}

#[test]
fn legacy_external_names_move_to_name() {
    check_file(
        r#"volumes:
  old: {external: {name: real}}
  same: {external: {name: x}, name: x}
  bare: {external: {}}
  plain: {external: true}
  named: {external: true, name: other}
networks:
  outside: {external: {name: host-net}}"#,
        r#"volumes:
  old: {external: true, name: real}
  same: {external: true, name: x}
  bare: {external: true}
  plain: {external: true}
  named: {external: true, name: other}
networks:
  outside: {external: true, name: host-net}"#,
    );
    assert_eq!(
        shape("secrets:\n  s:\n    name: a\n    external:\n      name: b\n")
            .unwrap_err()
            .to_string(),
        "compose.yaml:3: secrets.s: name and external.name conflict; only use name"
    );
}

#[test]
fn resource_labels_become_mappings() {
    check_file(
        "networks:\n  n: {labels: [a=1, b]}\nvolumes:\n  v: {labels: {c: 2}}",
        "networks:\n  n: {labels: {a: \"1\", b: \"\"}}\nvolumes:\n  v: {labels: {c: \"2\"}}",
    );
}

#[test]
fn include_entries_are_mappings_with_lists() {
    check_file(
        "include:\n  - ./common.yaml\n  - path: ./b.yaml\n    env_file: ./b.env\n  - path: [./c.yaml, ./c.override.yaml]\n    project_directory: ./c",
        "include:\n  - {path: [./common.yaml]}\n  - {path: [./b.yaml], env_file: [./b.env]}\n  - {path: [./c.yaml, ./c.override.yaml], project_directory: ./c}",
    );
}

#[test]
fn extensions_and_unknown_keys_are_left_alone() {
    let text = "name: demo\nversion: \"3.8\"\nx-common:\n  ports: [\"80\"]\n  environment: [A=1]\nx-volumes:\n  data:\nservices:\n  web:\n    image: nginx\n    x-ports: [\"80\"]\nvolumes:\n  v:\n    x-labels: [a]\n";
    let before = parse("compose.yaml", text).unwrap();
    let after = canonical(before.clone()).unwrap();
    assert_eq!(after, before, "origins and tags included");
}

#[test]
fn entries_named_x_are_still_entries() {
    // compose-go reads `x-` under `services`, `volumes`, ... as a name, not an extension.
    check_file(
        "services:\n  x-foo:\n    ports: [80]\nvolumes:\n  x-data:",
        "services:\n  x-foo:\n    ports: [{target: 80, protocol: tcp, mode: ingress}]\nvolumes:\n  x-data: {}",
    );
}

#[test]
fn untouched_values_keep_their_nodes_and_new_ones_their_source_origin() {
    let text = "services:\n  web:\n    image: nginx\n    environment:\n      - A=1\n    command: [a, b]\nvolumes:\n  data:\n";
    let before = parse("compose.yaml", text).unwrap();
    let after = canonical(before.clone()).unwrap();
    let web = |root: &Node, key: &str| {
        root.get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get(key)
            .cloned()
    };
    assert_eq!(web(&after, "image"), web(&before, "image"));
    assert_eq!(web(&after, "command"), web(&before, "command"));
    let env = web(&after, "environment").unwrap();
    assert_eq!(env.at.line, 5, "the list's origin");
    assert_eq!(env.get("A").unwrap().at.line, 5);
    let data = after.get("volumes").unwrap().get("data").unwrap();
    assert_eq!((data.at.line, &*data.at.file), (8, "compose.yaml"));
}

#[test]
fn reset_entries_and_null_sections_are_left_as_written() {
    let text = "services:\n  web: !reset\n  db:\n    image: postgres\nvolumes:\n  data: !reset\nnetworks:\ninclude:\nconfigs: !reset 1\n";
    let before = parse("compose.yaml", text).unwrap();
    assert_eq!(canonical(before.clone()).unwrap(), before);
}

#[test]
fn sections_of_the_wrong_type_are_refused() {
    let cases = [
        (
            "services: [web]\n",
            "compose.yaml:1: services: must be a mapping, not a list",
        ),
        (
            "volumes:\n  data: local\n",
            "compose.yaml:2: volumes.data: must be a mapping, not a string",
        ),
        (
            "include: ./a.yaml\n",
            "compose.yaml:1: include: must be a list, not a string",
        ),
        (
            "include:\n  - 1\n",
            "compose.yaml:2: include[0]: must be a string or a mapping, not an integer",
        ),
        (
            "include:\n  - path: {a: 1}\n",
            "compose.yaml:2: include[0].path: must be a string or a list of strings, not a mapping",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(shape(text).unwrap_err().to_string(), message, "{text}");
    }
}

#[test]
fn errors_carry_origin_path_and_message() {
    let e = shape("services:\n  web:\n    ports:\n      - \"x:80\"\n").unwrap_err();
    assert_eq!(e.at.line, 4);
    assert_eq!(&*e.at.file, "compose.yaml");
    assert_eq!(e.path, "services.web.ports[0]");
    assert!(
        e.message.starts_with("invalid port \"x:80\""),
        "{}",
        e.message
    );
    let root = Node::new(
        Value::Str("x".into()),
        Origin {
            file: "c.yml".into(),
            line: 1,
        },
    );
    assert_eq!(
        canonical(root).unwrap_err().to_string(),
        "c.yml:1: : must be a mapping, not a string"
    );
}

#[test]
fn a_whole_file() {
    check_file(
        r#"name: shop
services:
  web:
    build: .
    ports: ["8080:80", "443"]
    environment:
      - DEBUG=1
      - SECRET
    env_file: .env
    depends_on: [db]
    volumes:
      - ./static:/srv/static:ro
      - media:/srv/media
    networks: [front, back]
    healthcheck:
      test: curl -f http://localhost/
    secrets: [api_key]
    extra_hosts: ["host.docker.internal=host-gateway"]
  db:
    image: postgres:16
    volumes: [db:/var/lib/postgresql/data]
    ulimits: {nofile: 65536}
    labels: [tier=db]
volumes:
  media:
  db: {external: {name: shop-db}}
networks:
  front:
  back: {internal: true}
secrets:
  api_key: {file: ./api_key}
x-note: untouched
"#,
        r#"name: shop
services:
  web:
    build: {context: .}
    ports:
      - {target: 80, published: "8080", protocol: tcp, mode: ingress}
      - {target: 443, protocol: tcp, mode: ingress}
    environment: {DEBUG: "1", SECRET: null}
    env_file: [{path: .env, required: true}]
    depends_on:
      db: {condition: service_started, required: true}
    volumes:
      - {type: bind, source: ./static, target: /srv/static, read_only: true, bind: {create_host_path: true}}
      - {type: volume, source: media, target: /srv/media, volume: {}}
    networks: {front: null, back: null}
    healthcheck:
      test: [CMD-SHELL, curl -f http://localhost/]
    secrets: [{source: api_key}]
    extra_hosts: {host.docker.internal: [host-gateway]}
  db:
    image: postgres:16
    volumes: [{type: volume, source: db, target: /var/lib/postgresql/data, volume: {}}]
    ulimits: {nofile: {soft: 65536, hard: 65536}}
    labels: {tier: db}
volumes:
  media: {}
  db: {external: true, name: shop-db}
networks:
  front: {}
  back: {internal: true}
secrets:
  api_key: {file: ./api_key}
x-note: untouched
"#,
    );
}
