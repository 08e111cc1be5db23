//! One service: which attribute has which short forms, and the small rewrites that need
//! no parser of their own (`build`, `extends`, `depends_on`, `env_file`, `ulimits`,
//! `healthcheck.test`, `devices`, `gpus`, secrets and configs).

use std::collections::BTreeMap;

use super::{
    default, error, field, go_text, index, items, map_of, mapping, ports, string_or_list, volumes,
    wrong_type, Result,
};
use crate::compose::tree::{join, Node, Value};

type Rule = fn(&mut Node, &str) -> Result<()>;

/// The attributes of a service that have more than one form; the others (`command`
/// and `entrypoint` among them: the typed model reads a string as a shell command and a
/// list as exec form) are kept as written.
const SERVICE: &[(&str, Rule)] = &[
    ("annotations", mapping::labels),
    ("build", build),
    ("configs", file_mounts),
    ("depends_on", depends_on),
    ("deploy", deploy),
    ("develop", develop),
    ("devices", devices),
    ("dns", string_or_list),
    ("dns_search", string_or_list),
    ("env_file", env_file),
    ("environment", mapping::environment),
    ("expose", ports::strings),
    ("extends", extends),
    ("extra_hosts", mapping::extra_hosts),
    ("gpus", gpus),
    ("group_add", ports::strings),
    ("healthcheck", healthcheck),
    ("label_file", string_or_list),
    ("labels", mapping::labels),
    ("models", mapping::names_to_map),
    ("networks", mapping::names_to_map),
    ("ports", ports::ports),
    ("post_start", hooks),
    ("pre_start", hooks),
    ("pre_stop", hooks),
    ("secrets", file_mounts),
    ("sysctls", mapping::labels),
    ("tmpfs", string_or_list),
    ("ulimits", ulimits),
    ("volumes", volumes::volumes),
];

const BUILD: &[(&str, Rule)] = &[
    ("additional_contexts", mapping::key_values),
    ("args", mapping::build_args),
    ("cache_from", string_or_list),
    ("cache_to", string_or_list),
    ("extra_hosts", mapping::extra_hosts),
    ("labels", mapping::labels),
    ("no_cache_filter", string_or_list),
    ("platforms", string_or_list),
    ("provenance", string_or_flag),
    ("sbom", string_or_flag),
    ("secrets", file_mounts),
    ("ssh", mapping::ssh),
    ("tags", string_or_list),
    ("ulimits", ulimits),
];

fn apply(node: &mut Node, path: &str, rules: &[(&str, Rule)]) -> Result<()> {
    let Value::Map(m) = &mut node.value else {
        return Err(wrong_type(node, path, "a mapping"));
    };
    for (key, rule) in rules {
        field(m, path, key, *rule)?;
    }
    Ok(())
}

pub(super) fn service(node: &mut Node, path: &str) -> Result<()> {
    apply(node, path, SERVICE)
}

/// Moves a string value into a one-key mapping: `build: .` is `build: {context: .}`.
fn string_to_map(node: &mut Node, path: &str, key: &str, rules: &[(&str, Rule)]) -> Result<()> {
    match &node.value {
        Value::Str(_) => {
            let value = std::mem::replace(&mut node.value, Value::Null);
            node.value = map_of([(key, value)], &node.at);
            Ok(())
        }
        Value::Map(_) => apply(node, path, rules),
        _ => Err(wrong_type(node, path, "a string or a mapping")),
    }
}

/// `build: DIR` is `build: {context: DIR}`. The default context is left to the step
/// after the merge: filled here, it would override an earlier file's context.
fn build(node: &mut Node, path: &str) -> Result<()> {
    string_to_map(node, path, "context", BUILD)
}

/// `extends: NAME` is `extends: {service: NAME}`.
fn extends(node: &mut Node, path: &str) -> Result<()> {
    string_to_map(node, path, "service", &[])
}

/// A service's (or a build's) `secrets` and `configs`: `NAME` is `{source: NAME}`. The
/// default target (`/run/secrets/NAME`) is filled after the merge.
fn file_mounts(node: &mut Node, path: &str) -> Result<()> {
    items(node, path, |item, path| {
        string_to_map(item, path, "source", &[])
    })
}

/// `depends_on`: a list of names is a mapping of each to `{condition: service_started,
/// required: true}`; in the mapping form those two are filled where missing (an
/// override file's list then resets an earlier condition, as compose-go merges it).
fn depends_on(node: &mut Node, path: &str) -> Result<()> {
    match &mut node.value {
        Value::Seq(list) => {
            let mut map = BTreeMap::new();
            for (i, item) in list.iter().enumerate() {
                let Value::Str(name) = &item.value else {
                    return Err(wrong_type(item, &index(path, i), "a service name"));
                };
                let mut dependency = Node::new(Value::Map(BTreeMap::new()), item.at.clone());
                dependency.tag = item.tag;
                dependency_defaults(&mut dependency);
                map.insert(name.clone(), dependency);
            }
            node.value = Value::Map(map);
            Ok(())
        }
        Value::Map(m) => {
            for (name, dependency) in m.iter_mut() {
                if super::is_reset(dependency) {
                    continue;
                }
                if !matches!(dependency.value, Value::Map(_)) {
                    return Err(wrong_type(dependency, &join(path, name), "a mapping"));
                }
                dependency_defaults(dependency);
            }
            Ok(())
        }
        _ => Err(wrong_type(
            node,
            path,
            "a list of service names or a mapping",
        )),
    }
}

fn dependency_defaults(dependency: &mut Node) {
    default(
        dependency,
        "condition",
        Value::Str("service_started".into()),
    );
    default(dependency, "required", Value::Bool(true));
}

/// `env_file`: one path or a list; each item is `{path, required: true}` (a mapping item
/// gets `required: true` where it has none, and keeps its `format`).
fn env_file(node: &mut Node, path: &str) -> Result<()> {
    string_or_list(node, path)?;
    items(node, path, |item, path| {
        string_to_map(item, path, "path", &[])?;
        default(item, "required", Value::Bool(true));
        Ok(())
    })
}

/// `ulimits` (of a service or a build): `nofile: N` is `nofile: {soft: N, hard: N}`.
/// Numbers written as strings (left so by interpolation) become integers.
fn ulimits(node: &mut Node, path: &str) -> Result<()> {
    let Value::Map(m) = &mut node.value else {
        return Err(wrong_type(node, path, "a mapping"));
    };
    for (name, limit) in m.iter_mut() {
        if super::is_reset(limit) {
            continue;
        }
        let limit_path = join(path, name);
        if let Value::Map(bounds) = &mut limit.value {
            for key in ["soft", "hard"] {
                if let Some(bound) = bounds.get_mut(key) {
                    let n = ulimit_value(bound, &join(&limit_path, key))?;
                    bound.value = Value::Int(n);
                }
            }
        } else {
            let n = ulimit_value(limit, &limit_path)?;
            limit.value = map_of(
                [("soft", Value::Int(n)), ("hard", Value::Int(n))],
                &limit.at,
            );
        }
    }
    Ok(())
}

fn ulimit_value(node: &Node, path: &str) -> Result<i64> {
    match &node.value {
        Value::Int(n) => Ok(*n),
        Value::Str(s) => s
            .parse()
            .map_err(|_| error(node, path, format!("invalid ulimit {s:?}: not an integer"))),
        _ => Err(wrong_type(
            node,
            path,
            "an integer or a mapping of soft and hard",
        )),
    }
}

/// `healthcheck.test: CMD` is `["CMD-SHELL", CMD]`; the list form is kept.
fn healthcheck(node: &mut Node, path: &str) -> Result<()> {
    apply(node, path, &[("test", health_test)])
}

fn health_test(node: &mut Node, path: &str) -> Result<()> {
    match &node.value {
        Value::Str(_) => {
            let command = std::mem::replace(&mut node.value, Value::Null);
            node.value = Value::Seq(vec![
                Node::new(Value::Str("CMD-SHELL".into()), node.at.clone()),
                Node::new(command, node.at.clone()),
            ]);
            Ok(())
        }
        Value::Seq(_) => Ok(()),
        _ => Err(wrong_type(node, path, "a string or a list")),
    }
}

/// `devices`: `HOST[:CONTAINER[:PERMISSIONS]]` is `{source, target, permissions}`, the
/// target being the host path and the permissions `rwm` when left out.
fn devices(node: &mut Node, path: &str) -> Result<()> {
    items(node, path, |item, path| {
        let spec = match &item.value {
            Value::Map(_) => return Ok(()),
            Value::Str(s) => s.clone(),
            _ => return Err(wrong_type(item, path, "a string or a mapping")),
        };
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() > 3 {
            return Err(error(
                item,
                path,
                format!("confusing device mapping {spec:?}, please use long syntax"),
            ));
        }
        let source = parts[0];
        let target = parts
            .get(1)
            .copied()
            .filter(|t| !t.is_empty())
            .unwrap_or(source);
        let permissions = parts.get(2).copied().unwrap_or("rwm");
        item.value = map_of(
            [
                ("source", Value::Str(source.into())),
                ("target", Value::Str(target.into())),
                ("permissions", Value::Str(permissions.into())),
            ],
            &item.at,
        );
        Ok(())
    })
}

/// `gpus: all` is `[{count: all}]`; a listed request with neither `count` nor
/// `device_ids` asks for all devices.
fn gpus(node: &mut Node, path: &str) -> Result<()> {
    match &node.value {
        Value::Str(s) if s == "all" => {
            let request = Node::new(
                map_of([("count", Value::Str("all".into()))], &node.at),
                node.at.clone(),
            );
            node.value = Value::Seq(vec![request]);
            Ok(())
        }
        Value::Seq(_) => items(node, path, |request, path| {
            let Value::Map(m) = &request.value else {
                return Err(wrong_type(request, path, "a mapping"));
            };
            if !m.contains_key("count") && !m.contains_key("device_ids") {
                default(request, "count", Value::Str("all".into()));
            }
            Ok(())
        }),
        _ => Err(wrong_type(
            node,
            path,
            "\"all\" or a list of device requests",
        )),
    }
}

/// `build.provenance` and `build.sbom`: `true` is "true" (the attestation options are
/// strings whose short form is a flag).
fn string_or_flag(node: &mut Node, _path: &str) -> Result<()> {
    if matches!(node.value, Value::Bool(_) | Value::Int(_) | Value::Float(_)) {
        node.value = Value::Str(go_text(node).unwrap_or_default());
    }
    Ok(())
}

/// `deploy.labels`; the rest of `deploy` has one form already.
fn deploy(node: &mut Node, path: &str) -> Result<()> {
    apply(node, path, &[("labels", mapping::labels)])
}

/// `develop.watch[].ignore` and `include`: a pattern alone is a one-item list.
fn develop(node: &mut Node, path: &str) -> Result<()> {
    apply(node, path, &[("watch", watch)])
}

fn watch(node: &mut Node, path: &str) -> Result<()> {
    items(node, path, |rule, path| {
        apply(
            rule,
            path,
            &[("ignore", string_or_list), ("include", string_or_list)],
        )
    })
}

/// `pre_start`, `post_start`, `pre_stop`: each hook's `environment`.
fn hooks(node: &mut Node, path: &str) -> Result<()> {
    items(node, path, |hook, path| {
        apply(hook, path, &[("environment", mapping::environment)])
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, shape, web_err};
    use crate::compose::tree::{Tag, Value};

    #[test]
    fn build_and_extends_strings_become_mappings() {
        check(
            "build: ./dir\nextends: base",
            "build: {context: ./dir}\nextends: {service: base}",
        );
        check(
            "extends: {service: base, file: common.yaml}",
            "extends: {service: base, file: common.yaml}",
        );
        check(
            r#"build:
  dockerfile: Dockerfile.dev
  args: [A=1, B]
  labels: [l=1]
  cache_from: type=local,src=/tmp
  cache_to: [type=inline]
  tags: app:dev
  platforms: linux/amd64
  no_cache_filter: deps
  secrets: [token, {source: key, target: /k}]
  ulimits: {nofile: 1024}
  provenance: true
  sbom: mode=max
  x-note: [a]"#,
            r#"build:
  dockerfile: Dockerfile.dev
  args: {A: "1", B: null}
  labels: {l: "1"}
  cache_from: ["type=local,src=/tmp"]
  cache_to: [type=inline]
  tags: [app:dev]
  platforms: [linux/amd64]
  no_cache_filter: [deps]
  secrets: [{source: token}, {source: key, target: /k}]
  ulimits: {nofile: {soft: 1024, hard: 1024}}
  provenance: "true"
  sbom: mode=max
  x-note: [a]"#,
        );
    }

    #[test]
    fn depends_on_gets_condition_and_required() {
        check(
            "depends_on: [db, redis]",
            r#"depends_on:
  db: {condition: service_started, required: true}
  redis: {condition: service_started, required: true}"#,
        );
        check(
            r#"depends_on:
  db: {condition: service_healthy, restart: true}
  cache: {required: false}
  init: {condition: service_completed_successfully, required: false}"#,
            r#"depends_on:
  db: {condition: service_healthy, restart: true, required: true}
  cache: {condition: service_started, required: false}
  init: {condition: service_completed_successfully, required: false}"#,
        );
        assert_eq!(
            web_err("depends_on:\n  db:"),
            "compose.yaml:4: services.web.depends_on.db: must be a mapping, not null"
        );
        assert_eq!(
            web_err("depends_on: db"),
            "compose.yaml:3: services.web.depends_on: must be a list of service names or a mapping, not a string"
        );
    }

    #[test]
    fn env_file_entries_are_path_and_required() {
        check("env_file: .env", "env_file: [{path: .env, required: true}]");
        check(
            r#"env_file:
  - ./a.env
  - path: ./b.env
    required: false
  - path: ./c.env
    format: raw"#,
            r#"env_file:
  - {path: ./a.env, required: true}
  - {path: ./b.env, required: false}
  - {path: ./c.env, format: raw, required: true}"#,
        );
        assert_eq!(
            web_err("env_file:\n  - 1"),
            "compose.yaml:4: services.web.env_file[0]: must be a string or a mapping, not an integer"
        );
    }

    #[test]
    fn single_strings_become_lists() {
        check(
            "dns: 8.8.8.8\ndns_search: example.com\ntmpfs: /run\nlabel_file: ./labels\ncap_add: [NET_ADMIN]",
            "dns: [8.8.8.8]\ndns_search: [example.com]\ntmpfs: [/run]\nlabel_file: [./labels]\ncap_add: [NET_ADMIN]",
        );
        check("group_add: [mail, 1000]", "group_add: [mail, \"1000\"]");
        check(
            "dns: [8.8.8.8, 1.1.1.1]\ntmpfs: [\"/data:mode=755,uid=1009\"]",
            "dns: [8.8.8.8, 1.1.1.1]\ntmpfs: [\"/data:mode=755,uid=1009\"]",
        );
        assert_eq!(
            web_err("dns: 8"),
            "compose.yaml:3: services.web.dns: must be a string or a list of strings, not an integer"
        );
    }

    #[test]
    fn commands_and_other_attributes_are_kept_as_written() {
        let body = "image: nginx\ncommand: echo \"a b\"\nentrypoint: [sh, -c]\ncap_add: NET_ADMIN\nx-ports: \"80\"\nrestart: always\ndeploy:\n  resources: {limits: {memory: 50M}}";
        check(body, body);
    }

    #[test]
    fn ulimits_have_soft_and_hard() {
        check(
            "ulimits:\n  nproc: 65535\n  nofile: {soft: 20000, hard: \"40000\"}\n  core: \"-1\"",
            "ulimits:\n  nproc: {soft: 65535, hard: 65535}\n  nofile: {soft: 20000, hard: 40000}\n  core: {soft: -1, hard: -1}",
        );
        assert_eq!(
            web_err("ulimits:\n  nofile: unlimited"),
            "compose.yaml:4: services.web.ulimits.nofile: invalid ulimit \"unlimited\": not an integer"
        );
        assert_eq!(
            web_err("ulimits:\n  nofile:\n    soft: 1.5\n    hard: 2"),
            "compose.yaml:5: services.web.ulimits.nofile.soft: must be an integer or a mapping of soft and hard, not a number"
        );
    }

    #[test]
    fn healthcheck_test_string_runs_in_a_shell() {
        check(
            "healthcheck:\n  test: curl -f http://localhost\n  interval: 5s",
            "healthcheck:\n  test: [CMD-SHELL, curl -f http://localhost]\n  interval: 5s",
        );
        check(
            "healthcheck:\n  test: [CMD, curl, -f, http://localhost]",
            "healthcheck:\n  test: [CMD, curl, -f, http://localhost]",
        );
        check(
            "healthcheck:\n  disable: true",
            "healthcheck:\n  disable: true",
        );
        assert_eq!(
            web_err("healthcheck: curl"),
            "compose.yaml:3: services.web.healthcheck: must be a mapping, not a string"
        );
    }

    #[test]
    fn secrets_and_configs_name_their_source() {
        check(
            "secrets: [db_password, {source: key, target: /k, mode: 0400}]\nconfigs: [app]",
            "secrets: [{source: db_password}, {source: key, target: /k, mode: 0400}]\nconfigs: [{source: app}]",
        );
        assert_eq!(
            web_err("configs:\n  - 1"),
            "compose.yaml:4: services.web.configs[0]: must be a string or a mapping, not an integer"
        );
    }

    #[test]
    fn devices_have_source_target_and_permissions() {
        check(
            r#"devices:
  - /dev/ttyUSB0
  - "/dev/sda:/dev/xvda"
  - "/dev/sdb:/dev/xvdb:r"
  - "/dev/sdc::rw"
  - {source: /dev/null}"#,
            r#"devices:
  - {source: /dev/ttyUSB0, target: /dev/ttyUSB0, permissions: rwm}
  - {source: /dev/sda, target: /dev/xvda, permissions: rwm}
  - {source: /dev/sdb, target: /dev/xvdb, permissions: r}
  - {source: /dev/sdc, target: /dev/sdc, permissions: rw}
  - {source: /dev/null}"#,
        );
        assert_eq!(
            web_err("devices:\n  - a:b:c:d"),
            "compose.yaml:4: services.web.devices[0]: confusing device mapping \"a:b:c:d\", please use long syntax"
        );
    }

    #[test]
    fn gpus_all_and_device_requests() {
        check("gpus: all", "gpus: [{count: all}]");
        check(
            "gpus:\n  - driver: nvidia\n  - {device_ids: [\"0\"]}\n  - {count: 2}",
            "gpus:\n  - {driver: nvidia, count: all}\n  - {device_ids: [\"0\"]}\n  - {count: 2}",
        );
        assert_eq!(
            web_err("gpus: some"),
            "compose.yaml:3: services.web.gpus: must be \"all\" or a list of device requests, not a string"
        );
    }

    #[test]
    fn develop_watch_and_hooks() {
        check(
            "develop:\n  watch:\n    - {path: ./src, action: sync, target: /app, ignore: node_modules/}\npost_start:\n  - command: [echo]\n    environment: [A=1]\npre_stop:\n  - command: stop",
            "develop:\n  watch:\n    - {path: ./src, action: sync, target: /app, ignore: [node_modules/]}\npost_start:\n  - command: [echo]\n    environment: {A: \"1\"}\npre_stop:\n  - command: stop",
        );
    }

    #[test]
    fn tags_stay_on_the_rewritten_node_and_reset_is_untouched() {
        let root = shape(
            "services:\n  web:\n    build: !override ./dir\n    depends_on: !override [db]\n    extends: !reset\n    environment: !reset [\"not=checked\"]\n",
        )
        .unwrap();
        let web = root.get("services").unwrap().get("web").unwrap();
        let build = web.get("build").unwrap();
        assert_eq!((build.tag, build.at.line), (Some(Tag::Override), 3));
        let context = build.get("context").unwrap();
        assert_eq!(
            (context.tag, context.as_str(), context.at.line),
            (None, Some("./dir"), 3)
        );
        let depends = web.get("depends_on").unwrap();
        assert_eq!(depends.tag, Some(Tag::Override));
        assert_eq!(
            depends.get("db").unwrap().get("required").unwrap().at.line,
            4
        );
        let extends = web.get("extends").unwrap();
        assert_eq!(
            (extends.tag, &extends.value),
            (Some(Tag::Reset), &Value::Null)
        );
        assert!(web.get("environment").unwrap().as_seq().is_some());
    }

    #[test]
    fn null_attributes_are_left_for_the_typed_model() {
        let body = "environment:\nports:\nbuild:\nvolumes:\nhealthcheck:";
        check(body, body);
    }

    #[test]
    fn a_service_must_be_a_mapping() {
        assert_eq!(
            shape("services:\n  web: nginx\n").unwrap_err().to_string(),
            "compose.yaml:2: services.web: must be a mapping, not a string"
        );
        assert_eq!(
            shape("services:\n  web:\n").unwrap_err().to_string(),
            "compose.yaml:2: services.web: must be a mapping, not null"
        );
    }
}
