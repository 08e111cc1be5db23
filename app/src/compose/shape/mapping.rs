//! Attributes written either as a mapping or as a list of `KEY=VALUE` strings
//! (`environment`, `labels`, `sysctls`, `build.args`, ...), and `extra_hosts` and
//! `build.ssh`, which have list forms of their own. All become mappings.

use std::collections::BTreeMap;

use super::{error, go_text, index, is_reset, str_at, wrong_type, Result};
use crate::compose::tree::{join, Node, Value};

/// How one kind of mapping reads its list form and its null values.
struct Form {
    /// The value of `KEY` written alone in the list form and of `KEY:` in the mapping:
    /// null (`environment`: the value comes from the shell) or "" (`labels`).
    bare_is_null: bool,
    /// What the attribute holds, for the error about a key written with a trailing
    /// space, which compose-go refuses where a bare key means "from the shell"
    /// (`A =1` would otherwise silently name the variable `A `).
    noun: &'static str,
}

const ENVIRONMENT: Form = Form {
    bare_is_null: true,
    noun: "environment variable",
};
const BUILD_ARGS: Form = Form {
    bare_is_null: true,
    noun: "build argument",
};
const LABELS: Form = Form {
    bare_is_null: false,
    noun: "label",
};

/// `environment` (services, hooks): `KEY` alone and `KEY:` are null, to be taken from
/// the shell environment later.
pub(super) fn environment(node: &mut Node, path: &str) -> Result<()> {
    list_or_dict(node, path, &ENVIRONMENT)
}

/// `build.args`, read as `environment` is.
pub(super) fn build_args(node: &mut Node, path: &str) -> Result<()> {
    list_or_dict(node, path, &BUILD_ARGS)
}

/// `labels`, `annotations`, `sysctls` and the like: every value is a string, `KEY`
/// alone and `KEY:` being "".
pub(super) fn labels(node: &mut Node, path: &str) -> Result<()> {
    list_or_dict(node, path, &LABELS)
}

/// `build.additional_contexts`: as `labels`, but a list item must have its `=`.
pub(super) fn key_values(node: &mut Node, path: &str) -> Result<()> {
    if let Value::Seq(list) = &node.value {
        for (i, item) in list.iter().enumerate() {
            if let Some(text) = go_text(item) {
                if !text.contains('=') {
                    return Err(error(
                        item,
                        &index(path, i),
                        format!("invalid value {text:?}, expected key=value"),
                    ));
                }
            }
        }
    }
    labels(node, path)
}

fn list_or_dict(node: &mut Node, path: &str, form: &Form) -> Result<()> {
    match &mut node.value {
        Value::Map(m) => {
            for (key, value) in m.iter_mut() {
                if !is_reset(value) {
                    map_value(value, &join(path, key), form)?;
                }
            }
            Ok(())
        }
        Value::Seq(list) => {
            let mut map = BTreeMap::new();
            for (i, item) in list.iter().enumerate() {
                let item_path = index(path, i);
                let text = go_text(item).ok_or_else(|| wrong_type(item, &item_path, "a string"))?;
                let (key, value) = match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (text, None),
                };
                if form.bare_is_null && key.ends_with(char::is_whitespace) {
                    return Err(error(
                        item,
                        &item_path,
                        format!("{} {key:?} is declared with a trailing space", form.noun),
                    ));
                }
                let value = match value {
                    // `!reset` on an item removes that key from what earlier files set.
                    _ if is_reset(item) => Value::Null,
                    Some(v) => Value::Str(v),
                    None if form.bare_is_null => Value::Null,
                    None => Value::Str(String::new()),
                };
                let mut value = Node::new(value, item.at.clone());
                value.tag = item.tag;
                map.insert(key, value);
            }
            node.value = Value::Map(map);
            Ok(())
        }
        _ => Err(wrong_type(
            node,
            path,
            "a mapping or a list of KEY=VALUE strings",
        )),
    }
}

fn map_value(value: &mut Node, path: &str, form: &Form) -> Result<()> {
    match &value.value {
        Value::Null if form.bare_is_null => {}
        Value::Null => value.value = Value::Str(String::new()),
        Value::Str(_) => {}
        Value::Seq(_) | Value::Map(_) => {
            return Err(wrong_type(value, path, "a string, a number or a boolean"));
        }
        _ => value.value = Value::Str(go_text(value).unwrap_or_default()),
    }
    Ok(())
}

/// `extra_hosts`: a mapping of host name to its list of IP addresses. List items are
/// `host=ip` (or the older `host:ip`, `=` being tried first so `host=::1` works); an
/// item's IP part may list several addresses split by commas; brackets around an IPv6
/// address are dropped; the same host named twice gathers its addresses.
pub(super) fn extra_hosts(node: &mut Node, path: &str) -> Result<()> {
    match &mut node.value {
        Value::Map(m) => {
            for (host, ips) in m.iter_mut() {
                let ips_path = join(path, host);
                check_host(host, ips, &ips_path)?;
                if is_reset(ips) {
                    continue;
                }
                match &mut ips.value {
                    Value::Str(ip) => {
                        let ip = str_at(unbracket(ip), &ips.at);
                        ips.value = Value::Seq(vec![ip]);
                    }
                    Value::Null => ips.value = Value::Seq(vec![str_at("", &ips.at)]),
                    Value::Seq(list) => {
                        for (i, ip) in list.iter_mut().enumerate() {
                            let text = go_text(ip)
                                .ok_or_else(|| wrong_type(ip, &index(&ips_path, i), "a string"))?;
                            ip.value = Value::Str(unbracket(&text).to_string());
                        }
                    }
                    _ => return Err(wrong_type(ips, &ips_path, "a string or a list of strings")),
                }
            }
            Ok(())
        }
        Value::Seq(list) => {
            let mut map: BTreeMap<String, Node> = BTreeMap::new();
            for (i, item) in list.iter().enumerate() {
                let item_path = index(path, i);
                let text = go_text(item).ok_or_else(|| wrong_type(item, &item_path, "a string"))?;
                let Some((host, ips)) = text.split_once('=').or_else(|| text.split_once(':'))
                else {
                    return Err(error(
                        item,
                        &item_path,
                        format!("invalid additional host, missing IP: {text}"),
                    ));
                };
                check_host(host, item, &item_path)?;
                let entry = map
                    .entry(host.to_string())
                    .or_insert_with(|| Node::new(Value::Seq(Vec::new()), item.at.clone()));
                if let Value::Seq(addresses) = &mut entry.value {
                    addresses.extend(ips.split(',').map(|ip| str_at(unbracket(ip), &item.at)));
                }
            }
            node.value = Value::Map(map);
            Ok(())
        }
        _ => Err(wrong_type(
            node,
            path,
            "a mapping or a list of host=ip strings",
        )),
    }
}

fn check_host(host: &str, at: &Node, path: &str) -> Result<()> {
    if host.is_empty() || host.contains([':', '=']) {
        return Err(error(at, path, format!("bad host name {host:?}")));
    }
    Ok(())
}

/// `[::1]` -> `::1`.
fn unbracket(ip: &str) -> &str {
    match ip.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Some(inner) if !inner.is_empty() => inner,
        _ => ip,
    }
}

/// `build.ssh`: a mapping of key id to socket or key path. In the list form `id=path`,
/// or `default` alone (the agent's socket, null).
pub(super) fn ssh(node: &mut Node, path: &str) -> Result<()> {
    match &mut node.value {
        Value::Map(m) => {
            for (id, value) in m.iter_mut() {
                if !is_reset(value) {
                    map_value(value, &join(path, id), &ENVIRONMENT)?;
                }
            }
            Ok(())
        }
        Value::Seq(list) => {
            let mut map = BTreeMap::new();
            for (i, item) in list.iter().enumerate() {
                let item_path = index(path, i);
                let Value::Str(text) = &item.value else {
                    return Err(wrong_type(item, &item_path, "a string"));
                };
                let value = match text.split_once('=') {
                    Some((id, key)) => (id, Value::Str(key.to_string())),
                    None if text == "default" => (text.as_str(), Value::Null),
                    None => {
                        return Err(error(
                            item,
                            &item_path,
                            format!("invalid ssh key {text:?}: expected default or ID=PATH"),
                        ))
                    }
                };
                map.insert(value.0.to_string(), Node::new(value.1, item.at.clone()));
            }
            node.value = Value::Map(map);
            Ok(())
        }
        _ => Err(wrong_type(node, path, "a mapping or a list of strings")),
    }
}

/// `networks` and `models` of a service: a list of names is a mapping of each name to
/// null (attached with no options).
pub(super) fn names_to_map(node: &mut Node, path: &str) -> Result<()> {
    match &node.value {
        Value::Map(_) | Value::Null => Ok(()),
        Value::Seq(list) => {
            let mut map = BTreeMap::new();
            for (i, item) in list.iter().enumerate() {
                let Value::Str(name) = &item.value else {
                    return Err(wrong_type(item, &index(path, i), "a string"));
                };
                let mut value = Node::new(Value::Null, item.at.clone());
                value.tag = item.tag;
                map.insert(name.clone(), value);
            }
            node.value = Value::Map(map);
            Ok(())
        }
        _ => Err(wrong_type(node, path, "a mapping or a list of names")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, shape, web_err};
    use super::super::{go_float, go_text};
    use crate::compose::tree::{Node, Tag, Value};

    #[test]
    fn environment_list_becomes_a_mapping() {
        check(
            "environment:\n  - A=1\n  - B\n  - C=\n  - D=x=y\n  - A=2\n  - \" E=e\"",
            "environment: {A: \"2\", B: null, C: \"\", D: x=y, \" E\": e}",
        );
    }

    #[test]
    fn environment_mapping_values_become_strings_and_null_stays() {
        check(
            "environment:\n  A: 1\n  B: true\n  C:\n  D: 1.5\n  E: 2.0\n  F: x\n  G: \"\"\n  H: 1e6",
            "environment: {A: \"1\", B: \"true\", C: null, D: \"1.5\", E: \"2\", F: x, G: \"\", H: \"1e+06\"}",
        );
    }

    #[test]
    fn labels_annotations_and_sysctls_have_no_null_values() {
        check(
            "labels:\n  - a=1\n  - b\nannotations:\n  x: 1\n  y:\nsysctls:\n  - net.core.somaxconn=1024\n  - net.ipv4.tcp_syncookies=0\nx-labels: [a]",
            "labels: {a: \"1\", b: \"\"}\nannotations: {x: \"1\", y: \"\"}\nsysctls: {net.core.somaxconn: \"1024\", net.ipv4.tcp_syncookies: \"0\"}\nx-labels: [a]",
        );
        check(
            "sysctls:\n  net.core.somaxconn: 1024\ndeploy:\n  labels: [a=b]\n  resources: {limits: {cpus: \"0.5\"}}",
            "sysctls: {net.core.somaxconn: \"1024\"}\ndeploy:\n  labels: {a: b}\n  resources: {limits: {cpus: \"0.5\"}}",
        );
    }

    #[test]
    fn mapping_errors() {
        let cases = [
            (
                "environment:\n  - A=1\n  - \"B =2\"",
                "compose.yaml:5: services.web.environment[1]: environment variable \"B \" is declared with a trailing space",
            ),
            (
                "build:\n  context: .\n  args: [\"V =1\"]",
                "compose.yaml:5: services.web.build.args[0]: build argument \"V \" is declared with a trailing space",
            ),
            (
                "environment:\n  - {A: 1}",
                "compose.yaml:4: services.web.environment[0]: must be a string, not a mapping",
            ),
            (
                "environment: A=1",
                "compose.yaml:3: services.web.environment: must be a mapping or a list of KEY=VALUE strings, not a string",
            ),
            (
                "labels:\n  a: [1]",
                "compose.yaml:4: services.web.labels.a: must be a string, a number or a boolean, not a list",
            ),
            (
                "build:\n  context: .\n  additional_contexts: [\"base\"]",
                "compose.yaml:5: services.web.build.additional_contexts[0]: invalid value \"base\", expected key=value",
            ),
        ];
        for (body, message) in cases {
            assert_eq!(web_err(body), message, "{body}");
        }
        // Labels take `KEY ` as written: only a bare key means "from the shell".
        check("labels: [\"a =1\"]", "labels: {\"a \": \"1\"}");
    }

    #[test]
    fn a_reset_item_removes_its_key() {
        let root =
            shape("services:\n  web:\n    environment:\n      - A=1\n      - !reset B\n").unwrap();
        let env = root
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("environment")
            .unwrap();
        let b = env.get("B").unwrap();
        assert_eq!(
            (b.tag, &b.value, b.at.line),
            (Some(Tag::Reset), &Value::Null, 5)
        );
        let a = env.get("A").unwrap();
        assert_eq!((a.tag, a.as_str(), a.at.line), (None, Some("1"), 4));
        // In the mapping form the reset value is kept as written.
        let root = shape("services:\n  web:\n    labels:\n      a: !reset\n").unwrap();
        let a = root
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("labels")
            .unwrap();
        assert_eq!(a.get("a").unwrap().tag, Some(Tag::Reset));
        assert_eq!(a.get("a").unwrap().value, Value::Null);
    }

    #[test]
    fn extra_hosts_map_each_host_to_its_addresses() {
        check(
            r#"extra_hosts:
  - "somehost=162.242.195.82"
  - "otherhost:50.31.209.229"
  - "myhostv6=::1"
  - "oldv6:::2"
  - "bracketed=[::3]"
  - "multi=1.1.1.1,2.2.2.2"
  - "somehost=10.0.0.1""#,
            r#"extra_hosts:
  somehost: [162.242.195.82, 10.0.0.1]
  otherhost: [50.31.209.229]
  myhostv6: ["::1"]
  oldv6: ["::2"]
  bracketed: ["::3"]
  multi: [1.1.1.1, 2.2.2.2]"#,
        );
        check(
            "extra_hosts:\n  a: 1.2.3.4\n  b: [1.1.1.1, \"[::1]\"]\n  c:",
            "extra_hosts: {a: [1.2.3.4], b: [1.1.1.1, \"::1\"], c: [\"\"]}",
        );
        check(
            "build:\n  extra_hosts: [\"h=1.2.3.4\"]",
            "build:\n  extra_hosts: {h: [1.2.3.4]}",
        );
        let cases = [
            (
                "extra_hosts:\n  - nohost",
                "compose.yaml:4: services.web.extra_hosts[0]: invalid additional host, missing IP: nohost",
            ),
            (
                "extra_hosts:\n  - \"=1.2.3.4\"",
                "compose.yaml:4: services.web.extra_hosts[0]: bad host name \"\"",
            ),
            (
                "extra_hosts:\n  \"a:b\": 1.2.3.4",
                "compose.yaml:4: services.web.extra_hosts.a:b: bad host name \"a:b\"",
            ),
            (
                "extra_hosts:\n  a: {ip: 1.2.3.4}",
                "compose.yaml:4: services.web.extra_hosts.a: must be a string or a list of strings, not a mapping",
            ),
        ];
        for (body, message) in cases {
            assert_eq!(web_err(body), message, "{body}");
        }
    }

    #[test]
    fn build_ssh_becomes_a_mapping() {
        check(
            "build:\n  ssh: [default, \"key=/home/me/.ssh/id\"]",
            "build:\n  ssh: {default: null, key: /home/me/.ssh/id}",
        );
        check(
            "build:\n  ssh: {default: , key: ./id}",
            "build:\n  ssh: {default: null, key: ./id}",
        );
        assert_eq!(
            web_err("build:\n  ssh:\n    - mykey"),
            "compose.yaml:5: services.web.build.ssh[0]: invalid ssh key \"mykey\": expected default or ID=PATH"
        );
    }

    #[test]
    fn networks_and_models_lists_map_names_to_null() {
        check(
            "networks: [front, back]\nmodels: [llm]",
            "networks: {front: null, back: null}\nmodels: {llm: null}",
        );
        check(
            "networks:\n  front:\n    aliases: [a]\n  back:",
            "networks:\n  front:\n    aliases: [a]\n  back:",
        );
        assert_eq!(
            web_err("networks: [{front: {}}]"),
            "compose.yaml:3: services.web.networks[0]: must be a string, not a mapping"
        );
    }

    #[test]
    fn floats_print_as_go_prints_them() {
        let cases = [
            (2.0, "2"),
            (1.5, "1.5"),
            (-2.5, "-2.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.0, "0"),
        ];
        for (f, text) in cases {
            assert_eq!(go_float(f), text, "{f}");
        }
        let at = crate::compose::tree::Origin {
            file: "f".into(),
            line: 1,
        };
        assert_eq!(
            go_text(&Node::new(Value::Int(-3), at.clone())).as_deref(),
            Some("-3")
        );
        assert_eq!(go_text(&Node::new(Value::Null, at)), None);
    }
}
