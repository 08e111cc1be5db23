//! What a normalized project must hold before anything runs, in Docker Compose's words:
//! every service has an image or a build, names only services, networks, volumes,
//! secrets and configs that exist, and its dependencies have no cycle.

use std::collections::{BTreeMap, BTreeSet};

use super::tree::{Node, Origin, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ValidateError {
    pub at: Origin,
    pub message: String,
}

pub fn validate(root: &Node) -> Result<(), ValidateError> {
    let empty = BTreeMap::new();
    let section = |k: &str| root.get(k).and_then(Node::as_map).unwrap_or(&empty);
    let services = section("services");
    let (networks, volumes) = (section("networks"), section("volumes"));
    let (secrets, configs) = (section("secrets"), section("configs"));
    for (name, s) in services {
        let invalid = |at: &Origin, what: String| ValidateError {
            at: at.clone(),
            message: format!("service {name:?} {what}: invalid compose project"),
        };
        if s.get("image").is_none() && s.get("build").is_none() {
            return Err(invalid(
                &s.at,
                "has neither an image nor a build context specified".into(),
            ));
        }
        for (dep, n) in keys(s.get("depends_on")) {
            let required = !matches!(
                n.get("required").map(|r| &r.value),
                Some(Value::Bool(false))
            );
            if required && !services.contains_key(dep) {
                return Err(invalid(
                    &n.at,
                    format!("depends on undefined service {dep:?}"),
                ));
            }
        }
        for (net, n) in keys(s.get("networks")) {
            if !networks.contains_key(net) {
                return Err(invalid(&n.at, format!("refers to undefined network {net}")));
            }
        }
        if let Some(mode) = s.get("network_mode").and_then(Node::as_str) {
            if let Some(other) = mode.strip_prefix("service:") {
                if !services.contains_key(other) {
                    return Err(invalid(
                        &s.at,
                        format!("network_mode refers to undefined service {other:?}"),
                    ));
                }
            }
        }
        for v in items(s.get("volumes")) {
            let named = v.get("type").and_then(Node::as_str) == Some("volume");
            if let (true, Some(src)) = (named, v.get("source").and_then(Node::as_str)) {
                if !volumes.contains_key(src) {
                    return Err(invalid(&v.at, format!("refers to undefined volume {src}")));
                }
            }
        }
        for (kind, defined) in [("secret", secrets), ("config", configs)] {
            for item in items(s.get(&format!("{kind}s"))) {
                let src = item
                    .get("source")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default();
                if !defined.contains_key(&src) {
                    return Err(invalid(
                        &item.at,
                        format!("refers to undefined {kind} {src}"),
                    ));
                }
            }
        }
        // compose-go's check: only a rule that rebuilds or restarts needs no target.
        for rule in items(s.get("develop").and_then(|d| d.get("watch"))) {
            let action = rule
                .get("action")
                .and_then(Node::as_str)
                .unwrap_or_default();
            if !matches!(action, "rebuild" | "restart") && rule.get("target").is_none() {
                return Err(ValidateError {
                    at: rule.at.clone(),
                    message: format!("services.{name}.develop.watch: target is required for non-rebuild actions: invalid compose project"),
                });
            }
        }
        if s.get("container_name").is_some() && replicas(s) > 1 {
            return Err(invalid(
                &s.at,
                "is declared as scaled but has a container_name: only one container can have that name".into(),
            ));
        }
    }
    no_cycle(services)
}

fn keys(n: Option<&Node>) -> impl Iterator<Item = (&String, &Node)> {
    n.and_then(Node::as_map).into_iter().flatten()
}

fn items(n: Option<&Node>) -> impl Iterator<Item = &Node> {
    n.and_then(Node::as_seq).into_iter().flatten()
}

fn replicas(s: &Node) -> i64 {
    let scale = s
        .get("scale")
        .or_else(|| s.get("deploy").and_then(|d| d.get("replicas")));
    match scale.map(|n| &n.value) {
        Some(Value::Int(i)) => *i,
        _ => 1,
    }
}

/// Depth-first over `depends_on`; a service met again on the path closes a cycle.
fn no_cycle(services: &BTreeMap<String, Node>) -> Result<(), ValidateError> {
    fn visit<'a>(
        name: &'a str,
        services: &'a BTreeMap<String, Node>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Result<(), ValidateError> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(i) = path.iter().position(|p| *p == name) {
            let mut cycle: Vec<&str> = path[i..].to_vec();
            cycle.push(name);
            let at = services.get(name).map(|s| s.at.clone()).unwrap_or(Origin {
                file: "".into(),
                line: 0,
            });
            return Err(ValidateError {
                at,
                message: format!("dependency cycle detected: {}", cycle.join(" -> ")),
            });
        }
        path.push(name);
        if let Some(s) = services.get(name) {
            for (dep, _) in keys(s.get("depends_on")) {
                if services.contains_key(dep.as_str()) {
                    visit(dep, services, path, done)?;
                }
            }
        }
        path.pop();
        done.insert(name);
        Ok(())
    }
    let mut done = BTreeSet::new();
    for name in services.keys() {
        visit(name, services, &mut Vec::new(), &mut done)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn check(text: &str) -> Result<(), String> {
        validate(&parse("c.yml", text).expect("parse")).map_err(|e| e.to_string())
    }

    #[test]
    fn references_must_exist() {
        assert_eq!(check("services:\n  a: {image: x}\n"), Ok(()));
        assert_eq!(
            check("services:\n  a: {build: {context: .}}\n  b:\n    environment: {}\n"),
            Err("c.yml:4: service \"b\" has neither an image nor a build context specified: invalid compose project".into())
        );
        assert_eq!(
            check("services:\n  a:\n    image: x\n    depends_on:\n      db: {condition: service_started}\n"),
            Err("c.yml:5: service \"a\" depends on undefined service \"db\": invalid compose project".into())
        );
        assert_eq!(
            check("services:\n  a:\n    image: x\n    depends_on:\n      db: {required: false}\n"),
            Ok(())
        );
        assert!(
            check("services:\n  a:\n    image: x\n    networks: {front: null}\n")
                .unwrap_err()
                .contains("refers to undefined network front")
        );
        assert!(check("services:\n  a:\n    image: x\n    volumes:\n      - {type: volume, source: data, target: /d}\n")
            .unwrap_err()
            .contains("refers to undefined volume data"));
        assert!(
            check("services:\n  a:\n    image: x\n    secrets:\n      - {source: s}\n")
                .unwrap_err()
                .contains("refers to undefined secret s")
        );
    }

    #[test]
    fn watch_rules_that_copy_need_a_target() {
        let rules = |r: &str| {
            check(&format!(
                "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - {r}\n"
            ))
        };
        assert_eq!(rules("{path: ., action: rebuild}"), Ok(()));
        assert_eq!(rules("{path: ., action: restart}"), Ok(()));
        assert_eq!(rules("{path: ., action: sync, target: /app}"), Ok(()));
        assert_eq!(
            rules("{path: ., action: sync+restart}"),
            Err("c.yml:6: services.web.develop.watch: target is required for non-rebuild actions: invalid compose project".into())
        );
    }

    #[test]
    fn cycles_are_refused() {
        let e = check("services:\n  a:\n    image: x\n    depends_on: {b: {}}\n  b:\n    image: x\n    depends_on: {a: {}}\n")
            .unwrap_err();
        assert!(e.contains("dependency cycle detected: a -> b -> a"), "{e}");
    }
}
