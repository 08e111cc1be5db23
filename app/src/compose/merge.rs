//! Several compose files into one tree, by the compose spec's merge rules: mappings merge
//! key by key, sequences append, with the exceptions the spec lists (`command`,
//! `entrypoint` and `healthcheck.test` are replaced; `ports`, `volumes`, `secrets` and
//! `configs` are sets keyed by what makes an entry unique; DNS-like lists drop repeats;
//! a `logging` with another driver replaces the options). `!reset` removes what the files
//! before said, `!override` replaces it whole. Works on canonical trees (see `shape`), so
//! `environment: [A=1]` and `environment: {A: "1"}` already look alike.

use std::collections::BTreeMap;

use super::tree::{Node, Tag, Value};

/// Merge `over` (a later file) onto `base`. Both are whole-file trees.
pub fn merge(base: Node, over: Node) -> Node {
    merge_at(&[], base, over)
}

/// Merge one service definition onto another (`extends`), by the same rules.
pub fn merge_service(base: Node, over: Node) -> Node {
    merge_at(&["services", "_"], base, over)
}

/// The tags' meaning once no file is left to merge: `!reset` entries go, other tags are
/// dropped (a single file's `!reset` resets nothing but itself).
pub fn settle(mut n: Node) -> Node {
    n.tag = None;
    n.value = match n.value {
        Value::Map(m) => Value::Map(
            m.into_iter()
                .filter(|(_, v)| v.tag != Some(Tag::Reset))
                .map(|(k, v)| (k, settle(v)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(
            items
                .into_iter()
                .filter(|v| v.tag != Some(Tag::Reset))
                .map(settle)
                .collect(),
        ),
        other => other,
    };
    n
}

/// How the value at a path merges, by the spec's rules.
enum Rule {
    /// The later value replaces the earlier.
    Replace,
    /// A sequence of entries keyed by `key`: entries with a key already present merge into
    /// it, others are appended.
    Keyed(fn(&Node) -> Option<String>),
    /// A sequence of scalars: append what is not there yet.
    Unique,
    /// `logging`: another driver replaces the whole value.
    Logging,
    /// The general rule: mappings by key, sequences appended, scalars replaced.
    Default,
}

fn rule(path: &[&str]) -> Rule {
    match path {
        ["services", _, "command" | "entrypoint"] => Rule::Replace,
        ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "ports"] => Rule::Keyed(port_key),
        ["services", _, "volumes"] => Rule::Keyed(target_key),
        ["services", _, "secrets" | "configs"] => Rule::Keyed(secret_key),
        ["services", _, "env_file"] => Rule::Keyed(path_key),
        ["services", _, "dns" | "dns_opt" | "dns_search" | "tmpfs" | "profiles" | "cap_add" | "cap_drop"
        | "expose" | "external_links" | "links" | "security_opt" | "group_add"] => Rule::Unique,
        ["services", _, "build", "cache_from" | "cache_to" | "tags" | "platforms"] => Rule::Unique,
        // A host's addresses from every file, each once.
        ["services", _, "extra_hosts", _] | ["services", _, "build", "extra_hosts", _] => {
            Rule::Unique
        }
        ["services", _, "logging"] => Rule::Logging,
        _ => Rule::Default,
    }
}

fn merge_at(path: &[&str], base: Node, over: Node) -> Node {
    match over.tag {
        Some(Tag::Override) => return untagged(over),
        // Removed by the caller; a `!reset` at the root leaves an empty file.
        Some(Tag::Reset) => return reset_value(over),
        None => {}
    }
    match rule(path) {
        Rule::Replace => over,
        Rule::Keyed(key) => keyed(path, base, over, key),
        Rule::Unique => unique(base, over),
        Rule::Logging => {
            let driver = |n: &Node| n.get("driver").and_then(Node::scalar_text);
            match (driver(&base), driver(&over)) {
                (Some(a), Some(b)) if a != b => over,
                _ => default(path, base, over),
            }
        }
        Rule::Default => default(path, base, over),
    }
}

/// Mappings key by key, sequences appended, anything else replaced.
fn default(path: &[&str], base: Node, over: Node) -> Node {
    match (base.value, over.value) {
        (Value::Map(mut b), Value::Map(o)) => {
            for (k, v) in o {
                merge_entry(path, &mut b, k, v);
            }
            Node {
                value: Value::Map(b),
                at: over.at,
                tag: None,
            }
        }
        (Value::Seq(mut b), Value::Seq(o)) => {
            b.extend(o.into_iter().filter(|n| n.tag != Some(Tag::Reset)));
            Node {
                value: Value::Seq(b),
                at: over.at,
                tag: None,
            }
        }
        // A bare key (`networks: {front:}`) over a mapping says nothing new.
        (b @ Value::Map(_), Value::Null) => Node {
            value: b,
            at: base.at,
            tag: None,
        },
        (_, o) => Node {
            value: o,
            at: over.at,
            tag: over.tag,
        },
    }
}

/// Put `v` under `k` in `into`, merging with what is there; `!reset` removes the key.
fn merge_entry(path: &[&str], into: &mut BTreeMap<String, Node>, k: String, v: Node) {
    if v.tag == Some(Tag::Reset) {
        into.remove(&k);
        return;
    }
    let merged = match into.remove(&k) {
        Some(old) => {
            let mut p = path.to_vec();
            p.push(&k);
            merge_at(&p, old, v)
        }
        None => untagged(v),
    };
    into.insert(k, merged);
}

fn keyed(path: &[&str], base: Node, over: Node, key: fn(&Node) -> Option<String>) -> Node {
    let (Value::Seq(mut items), Value::Seq(more)) = (base.value.clone(), over.value.clone()) else {
        return default(path, base, over);
    };
    for n in more {
        if n.tag == Some(Tag::Reset) {
            continue;
        }
        let found = key(&n).and_then(|k| items.iter().position(|i| key(i).as_ref() == Some(&k)));
        match found {
            Some(i) => {
                let old = items.remove(i);
                let mut p = path.to_vec();
                p.push("[]");
                items.insert(i, merge_at(&p, old, n));
            }
            None => items.push(untagged(n)),
        }
    }
    Node {
        value: Value::Seq(items),
        at: over.at,
        tag: None,
    }
}

fn unique(base: Node, over: Node) -> Node {
    let (Value::Seq(mut items), Value::Seq(more)) = (base.value.clone(), over.value.clone()) else {
        return default(&[], base, over);
    };
    for n in more {
        let text = n.scalar_text();
        if n.tag == Some(Tag::Reset) || items.iter().any(|i| i.scalar_text() == text) {
            continue;
        }
        items.push(n);
    }
    Node {
        value: Value::Seq(items),
        at: over.at,
        tag: None,
    }
}

/// A `!reset` value: the type's empty value (`!reset []` is an empty list, anything else
/// null), so that whatever the files before said is gone.
fn reset_value(n: Node) -> Node {
    let value = match n.value {
        Value::Seq(_) => Value::Seq(Vec::new()),
        Value::Map(_) => Value::Map(BTreeMap::new()),
        _ => Value::Null,
    };
    Node {
        value,
        at: n.at,
        tag: None,
    }
}

fn untagged(mut n: Node) -> Node {
    n.tag = None;
    n
}

fn text(n: &Node, key: &str) -> String {
    n.get(key).and_then(Node::scalar_text).unwrap_or_default()
}

/// A port is unique by its host IP, container port, host port and protocol.
fn port_key(n: &Node) -> Option<String> {
    n.as_map()?;
    let protocol = match text(n, "protocol") {
        p if p.is_empty() => "tcp".to_string(),
        p => p,
    };
    Some(format!(
        "{}|{}|{}|{}",
        text(n, "host_ip"),
        text(n, "target"),
        text(n, "published"),
        protocol
    ))
}

/// Mounts are unique by where they appear in the container.
fn target_key(n: &Node) -> Option<String> {
    n.get("target").and_then(Node::scalar_text)
}

/// Secrets and configs by target, or by source when the target is the default.
fn secret_key(n: &Node) -> Option<String> {
    target_key(n).or_else(|| n.get("source").and_then(Node::scalar_text))
}

fn path_key(n: &Node) -> Option<String> {
    n.get("path").and_then(Node::scalar_text)
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    /// The merged tree as JSON (origins and tags dropped), to compare with YAML text.
    fn json(n: &Node) -> serde_json::Value {
        n.to_json("", &mut BTreeMap::new())
    }

    fn merged(files: &[&str]) -> serde_json::Value {
        let mut trees = files
            .iter()
            .enumerate()
            .map(|(i, t)| parse(&format!("f{i}.yml"), t).expect("parse"));
        let first = trees.next().expect("one file");
        json(&trees.fold(first, merge))
    }

    fn yaml(t: &str) -> serde_json::Value {
        json(&parse("want.yml", t).expect("parse"))
    }

    #[test]
    fn mappings_merge_and_sequences_append() {
        let got = merged(&[
            "services:\n  foo:\n    image: a\n    environment: {A: '1', B: '2'}\n    extra: [x]\n",
            "services:\n  foo:\n    image: b\n    environment: {B: '3'}\n    extra: [y]\n  bar:\n    image: c\n",
        ]);
        assert_eq!(
            got,
            yaml("services:\n  foo:\n    image: b\n    environment: {A: '1', B: '3'}\n    extra: [x, y]\n  bar:\n    image: c\n")
        );
    }

    #[test]
    fn commands_are_replaced_and_dns_lists_drop_repeats() {
        let got = merged(&[
            "services:\n  s:\n    command: [echo, foo]\n    healthcheck: {test: [CMD, a], retries: 3}\n    dns: [1.1.1.1, 8.8.8.8]\n    extra_hosts: {db: [10.0.0.1]}\n",
            "services:\n  s:\n    command: [echo, bar]\n    healthcheck: {test: [CMD, b]}\n    dns: [8.8.8.8, 9.9.9.9]\n    extra_hosts: {db: [10.0.0.1, 10.0.0.2]}\n",
        ]);
        assert_eq!(
            got,
            yaml("services:\n  s:\n    command: [echo, bar]\n    healthcheck: {test: [CMD, b], retries: 3}\n    dns: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n    extra_hosts: {db: [10.0.0.1, 10.0.0.2]}\n")
        );
    }

    #[test]
    fn unique_resources_merge_by_their_key() {
        let got = merged(&[
            "services:\n  s:\n    volumes:\n      - {type: volume, source: foo, target: /work}\n      - {type: bind, source: ./a, target: /a}\n    ports:\n      - {target: 80, published: '8080', protocol: tcp}\n    secrets:\n      - {source: one}\n",
            "services:\n  s:\n    volumes:\n      - {type: volume, source: bar, target: /work}\n    ports:\n      - {target: 80, published: '8080', host_ip: 127.0.0.1}\n      - {target: 80, published: '8080', protocol: tcp, mode: host}\n    secrets:\n      - {source: one, mode: 0400}\n      - {source: two}\n",
        ]);
        assert_eq!(
            got,
            yaml("services:\n  s:\n    volumes:\n      - {type: volume, source: bar, target: /work}\n      - {type: bind, source: ./a, target: /a}\n    ports:\n      - {target: 80, published: '8080', protocol: tcp, mode: host}\n      - {target: 80, published: '8080', host_ip: 127.0.0.1}\n    secrets:\n      - {source: one, mode: 0400}\n      - {source: two}\n")
        );
    }

    #[test]
    fn reset_and_override_tags() {
        let got = merged(&[
            "services:\n  app:\n    image: myapp\n    ports:\n      - {target: 80, published: '8080'}\n    environment: {FOO: BAR, KEEP: x}\n    labels: {a: b}\n",
            "services:\n  app:\n    ports: !reset []\n    environment:\n      FOO: !reset null\n    labels: !override {c: d}\n",
        ]);
        assert_eq!(
            got,
            yaml("services:\n  app:\n    image: myapp\n    environment: {KEEP: x}\n    labels: {c: d}\n")
        );
    }

    #[test]
    fn logging_with_another_driver_replaces_the_options() {
        let got = merged(&[
            "services:\n  a:\n    logging: {driver: json-file, options: {max-size: 1m}}\n  b:\n    logging: {driver: json-file, options: {max-size: 1m}}\n",
            "services:\n  a:\n    logging: {driver: awslogs, options: {awslogs-group: g}}\n  b:\n    logging: {options: {max-file: '3'}}\n",
        ]);
        assert_eq!(
            got,
            yaml("services:\n  a:\n    logging: {driver: awslogs, options: {awslogs-group: g}}\n  b:\n    logging: {driver: json-file, options: {max-size: 1m, max-file: '3'}}\n")
        );
    }

    #[test]
    fn origins_follow_the_file_that_said_it_last() {
        let a = parse("a.yml", "services:\n  s:\n    image: x\n    user: root\n").unwrap();
        let b = parse("b.yml", "services:\n  s:\n\n    image: y\n").unwrap();
        let m = merge(a, b);
        let s = m.get("services").and_then(|s| s.get("s")).unwrap();
        assert_eq!(s.get("image").unwrap().at.to_string(), "b.yml:4");
        assert_eq!(s.get("user").unwrap().at.to_string(), "a.yml:4");
    }
}
