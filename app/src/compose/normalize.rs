//! The merged, canonical tree made whole as Docker Compose makes it before it runs or
//! prints anything: extension keys dropped, services of inactive profiles left out, the
//! default network added where a service names none, resource names prefixed with the
//! project, relative paths made absolute against the project directory, `env_file`s read
//! into `environment`, default mount targets of secrets and configs, and the implicit
//! dependencies of `links`, `network_mode: service:X` and `volumes_from`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::environment::read_env_file;
use super::relocate::{relocate_resources, relocate_service};
use super::tree::{Node, Origin, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct NormalizeError {
    pub at: Origin,
    pub message: String,
}

/// What normalizing needs to know about the project.
pub struct Context<'a> {
    pub name: &'a str,
    pub dir: &'a Path,
    pub profiles: &'a BTreeSet<String>,
    /// Services named on the command line: active whatever their profiles.
    pub named: &'a BTreeSet<String>,
    /// Variables for `environment` entries without a value and for env files.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
}

/// Keys whose mappings hold free-form names, where `x-` is not an extension.
const FREE_FORM: [&str; 10] = [
    "environment",
    "labels",
    "annotations",
    "args",
    "driver_opts",
    "options",
    "sysctls",
    "extra_hosts",
    "aux_addresses",
    "additional_contexts",
];

pub fn normalize(mut root: Node, cx: &Context<'_>) -> Result<Node, NormalizeError> {
    strip_extensions(&mut root);
    check_shapes(&root)?;
    relocate_resources(&mut root, cx.dir);
    let at = root.at.clone();
    let top = map_mut(&mut root);
    top.insert("name".into(), str_node(cx.name, &at));
    top.remove("version");
    let services = top
        .entry("services".to_string())
        .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), at.clone()));
    let services = map_mut(services);
    services.retain(|name, s| cx.named.contains(name) || active(s, cx.profiles));
    let mut uses_default = false;
    for (name, s) in services.iter_mut() {
        uses_default |= service(name, s, cx)?;
    }
    for kind in ["networks", "volumes", "secrets", "configs"] {
        let entry = top
            .entry(kind.to_string())
            .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), at.clone()));
        if kind == "networks" && uses_default {
            map_mut(entry)
                .entry("default".into())
                .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), at.clone()));
        }
        resources(entry, cx);
    }
    // Empty top-level sections are not printed by `config`.
    top.retain(|k, v| k == "services" || v.as_map().is_none_or(|m| !m.is_empty()));
    Ok(root)
}

/// One service; true when it is on the default network.
fn service(name: &str, s: &mut Node, cx: &Context<'_>) -> Result<bool, NormalizeError> {
    let at = s.at.clone();
    if matches!(s.value, Value::Null) {
        s.value = Value::Map(BTreeMap::new());
    }
    relocate_service(s, cx.dir);
    let m = map_mut(s);
    if let Some(build) = m.get_mut("build").and_then(Node::as_map_mut) {
        build
            .entry("dockerfile".into())
            .or_insert_with(|| str_node("Dockerfile", &at));
    }
    env_files(name, m, cx)?;
    for (kind, base) in [("secrets", "/run/secrets/"), ("configs", "/")] {
        if let Some(list) = m.get_mut(kind).and_then(seq_mut) {
            for item in list.iter_mut() {
                default_target(item, base);
            }
        }
    }
    implicit_dependencies(m, &at);
    let on_default = !m.contains_key("network_mode") && !m.contains_key("networks");
    if on_default {
        let nets = BTreeMap::from([("default".to_string(), Node::new(Value::Null, at.clone()))]);
        m.insert("networks".into(), Node::new(Value::Map(nets), at));
    }
    let names_default = m
        .get("networks")
        .and_then(Node::as_map)
        .is_some_and(|n| n.contains_key("default"));
    Ok(names_default)
}

/// A service is active when it has no profiles or one of them is enabled.
fn active(s: &Node, enabled: &BTreeSet<String>) -> bool {
    match s.get("profiles").and_then(Node::as_seq) {
        Some(p) if !p.is_empty() => p
            .iter()
            .filter_map(Node::scalar_text)
            .any(|p| enabled.contains(&p) || enabled.contains("*")),
        _ => true,
    }
}

/// `env_file` entries read in order into `environment` (which wins), then entries without
/// a value taken from the environment.
fn env_files(
    name: &str,
    m: &mut BTreeMap<String, Node>,
    cx: &Context<'_>,
) -> Result<(), NormalizeError> {
    let mut from_files: BTreeMap<String, Node> = BTreeMap::new();
    if let Some(list) = m.get_mut("env_file").and_then(seq_mut) {
        for item in list.iter_mut() {
            let Some(path) = item.get("path").and_then(Node::as_str) else {
                continue;
            };
            let p = Path::new(path).to_path_buf();
            let required = !matches!(
                item.get("required").map(|r| &r.value),
                Some(Value::Bool(false))
            );
            if !p.exists() {
                if required {
                    return Err(NormalizeError {
                        at: item.at.clone(),
                        message: format!("env file {} not found", p.display()),
                    });
                }
                continue;
            }
            let vars = read_env_file(&p, cx.lookup).map_err(|e| NormalizeError {
                at: item.at.clone(),
                message: format!("service {name:?}: {e}"),
            })?;
            for (k, v) in vars {
                from_files.insert(k, str_node(&v, &item.at));
            }
        }
    }
    let env = m
        .entry("environment".to_string())
        .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), cx_at(&from_files)));
    if let Some(e) = env.as_map_mut() {
        for (k, v) in from_files {
            e.entry(k).or_insert(v);
        }
        for (k, v) in e.iter_mut() {
            if matches!(v.value, Value::Null) {
                if let Some(found) = (cx.lookup)(k) {
                    v.value = Value::Str(found);
                }
            }
        }
    }
    if env.as_map().is_some_and(BTreeMap::is_empty) {
        m.remove("environment");
    }
    Ok(())
}

fn default_target(item: &mut Node, base: &str) {
    let at = item.at.clone();
    let Some(m) = item.as_map_mut() else { return };
    if m.contains_key("target") {
        return;
    }
    if let Some(src) = m.get("source").and_then(Node::scalar_text) {
        m.insert("target".into(), str_node(&format!("{base}{src}"), &at));
    }
}

/// `links`, `network_mode: service:X` and `volumes_from: [X]` start after X, as a
/// `depends_on` with `service_started` says.
fn implicit_dependencies(m: &mut BTreeMap<String, Node>, at: &Origin) {
    let mut needs: Vec<String> = Vec::new();
    if let Some(links) = m.get("links").and_then(Node::as_seq) {
        needs.extend(
            links
                .iter()
                .filter_map(Node::scalar_text)
                .map(|l| l.split(':').next().unwrap_or_default().to_string()),
        );
    }
    if let Some(mode) = m.get("network_mode").and_then(Node::as_str) {
        if let Some(svc) = mode.strip_prefix("service:") {
            needs.push(svc.to_string());
        }
    }
    if let Some(from) = m.get("volumes_from").and_then(Node::as_seq) {
        needs.extend(
            from.iter()
                .filter_map(Node::scalar_text)
                .filter(|v| !v.starts_with("container:"))
                .map(|v| v.split(':').next().unwrap_or_default().to_string()),
        );
    }
    if needs.is_empty() {
        return;
    }
    let deps = m
        .entry("depends_on".to_string())
        .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), at.clone()));
    let Some(deps) = deps.as_map_mut() else {
        return;
    };
    for n in needs {
        deps.entry(n).or_insert_with(|| {
            let entry = BTreeMap::from([
                ("condition".to_string(), str_node("service_started", at)),
                (
                    "required".to_string(),
                    Node::new(Value::Bool(true), at.clone()),
                ),
            ]);
            Node::new(Value::Map(entry), at.clone())
        });
    }
}

/// Top-level networks, volumes, secrets and configs: their names.
fn resources(section: &mut Node, cx: &Context<'_>) {
    let Some(entries) = section.as_map_mut() else {
        return;
    };
    for (key, e) in entries.iter_mut() {
        let at = e.at.clone();
        if matches!(e.value, Value::Null) {
            e.value = Value::Map(BTreeMap::new());
        }
        let Some(m) = e.as_map_mut() else { continue };
        let external = matches!(m.get("external").map(|x| &x.value), Some(Value::Bool(true)));
        if !m.contains_key("name") {
            let name = if external {
                key.clone()
            } else {
                format!("{}_{key}", cx.name)
            };
            m.insert("name".into(), str_node(&name, &at));
        }
    }
}

/// Drop `x-` keys, except inside free-form mappings.
fn strip_extensions(n: &mut Node) {
    strip_at(n, "");
}

fn strip_at(n: &mut Node, key: &str) {
    match &mut n.value {
        Value::Map(m) => {
            let free = FREE_FORM.contains(&key);
            if !free {
                m.retain(|k, _| !k.starts_with("x-"));
            }
            for (k, v) in m.iter_mut() {
                strip_at(v, if free { "" } else { k.as_str() });
            }
        }
        Value::Seq(items) => {
            for i in items {
                strip_at(i, "");
            }
        }
        _ => {}
    }
}

/// Where an environment made only of env files' variables comes from.
fn cx_at(from_files: &BTreeMap<String, Node>) -> Origin {
    from_files.values().next().map_or_else(
        || Origin {
            file: "".into(),
            line: 0,
        },
        |n| n.at.clone(),
    )
}

/// The sections and services normalizing walks into must be mappings (or empty).
fn check_shapes(root: &Node) -> Result<(), NormalizeError> {
    let wrong = |n: &Node, path: &str| NormalizeError {
        at: n.at.clone(),
        message: format!("{path} must be a mapping, not {}", n.kind()),
    };
    let is_map = |n: &Node| matches!(n.value, Value::Map(_) | Value::Null);
    for kind in ["services", "networks", "volumes", "secrets", "configs"] {
        let Some(section) = root.get(kind) else {
            continue;
        };
        if !is_map(section) {
            return Err(wrong(section, kind));
        }
        for (name, entry) in section.as_map().into_iter().flatten() {
            if !is_map(entry) {
                return Err(wrong(entry, &format!("{kind}.{name}")));
            }
        }
    }
    Ok(())
}

fn str_node(s: &str, at: &Origin) -> Node {
    Node::new(Value::Str(s.to_string()), at.clone())
}

/// The mapping inside a node that `check_shapes` found a mapping or null (null becomes
/// an empty mapping).
fn map_mut(n: &mut Node) -> &mut BTreeMap<String, Node> {
    if !matches!(n.value, Value::Map(_)) {
        n.value = Value::Map(BTreeMap::new());
    }
    match &mut n.value {
        Value::Map(m) => m,
        _ => unreachable!("a mapping was put there just above"),
    }
}

fn seq_mut(n: &mut Node) -> Option<&mut Vec<Node>> {
    match &mut n.value {
        Value::Seq(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn run(
        text: &str,
        profiles: &[&str],
        env: &[(&str, &str)],
    ) -> Result<serde_json::Value, NormalizeError> {
        let root = parse("/p/compose.yaml", text).expect("parse");
        let profiles: BTreeSet<String> = profiles.iter().map(|s| s.to_string()).collect();
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |n: &str| env.get(n).cloned();
        let cx = Context {
            name: "demo",
            dir: Path::new("/p"),
            profiles: &profiles,
            named: &BTreeSet::new(),
            lookup: &lookup,
        };
        normalize(root, &cx).map(|n| n.to_json("", &mut BTreeMap::new()))
    }

    #[test]
    fn default_network_names_paths_and_extensions() {
        let j = run(
            "x-top: 1\nversion: '3'\nservices:\n  web:\n    x-mine: 2\n    build: {context: ./web}\n    environment: {x-keep: '1', FROM_SHELL: null, UNSET: null}\n    volumes:\n      - {type: bind, source: ./data, target: /data}\n      - {type: volume, source: db, target: /db}\n    secrets:\n      - {source: token}\n  db:\n    image: busybox\n    networks: {back: null}\n    links: [web]\nvolumes:\n  db: {}\nnetworks:\n  back: {}\n  outside: {external: true}\nsecrets:\n  token: {file: ./token.txt}\n",
            &[],
            &[("FROM_SHELL", "yes")],
        )
        .unwrap();
        assert_eq!(j["name"], "demo");
        assert!(j.get("x-top").is_none() && j.get("version").is_none());
        let web = &j["services"]["web"];
        assert!(web.get("x-mine").is_none());
        assert_eq!(web["build"]["context"], "/p/web");
        assert_eq!(web["build"]["dockerfile"], "Dockerfile");
        assert_eq!(web["environment"]["x-keep"], "1");
        assert_eq!(web["environment"]["FROM_SHELL"], "yes");
        assert!(web["environment"]["UNSET"].is_null());
        assert_eq!(web["volumes"][0]["source"], "/p/data");
        assert_eq!(web["volumes"][1]["source"], "db");
        assert_eq!(web["secrets"][0]["target"], "/run/secrets/token");
        assert!(web["networks"]["default"].is_null());
        assert_eq!(
            j["services"]["db"]["depends_on"]["web"]["condition"],
            "service_started"
        );
        assert!(j["services"]["db"]["networks"].get("default").is_none());
        assert_eq!(j["networks"]["default"]["name"], "demo_default");
        assert_eq!(j["networks"]["back"]["name"], "demo_back");
        assert_eq!(j["networks"]["outside"]["name"], "outside");
        assert_eq!(j["volumes"]["db"]["name"], "demo_db");
        assert_eq!(j["secrets"]["token"]["file"], "/p/token.txt");
    }

    #[test]
    fn profiles_decide_which_services_are_in() {
        let text = "services:\n  app: {image: a}\n  debug: {image: b, profiles: [debug]}\n";
        let j = run(text, &[], &[]).unwrap();
        assert!(j["services"].get("debug").is_none());
        let j = run(text, &["debug"], &[]).unwrap();
        assert!(j["services"].get("debug").is_some());
    }

    #[test]
    fn env_files_fill_the_environment_and_shapes_are_checked() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("app.env"), "A=from-file\nB=from-file\n").unwrap();
        let text = format!(
            "services:\n  s:\n    image: x\n    env_file:\n      - {{path: {}/app.env, required: true}}\n      - {{path: {}/none.env, required: false}}\n    environment: {{B: mine}}\n",
            d.path().display(),
            d.path().display()
        );
        let j = run(&text, &[], &[]).unwrap();
        assert_eq!(j["services"]["s"]["environment"]["A"], "from-file");
        assert_eq!(j["services"]["s"]["environment"]["B"], "mine");
        let text = format!(
            "services:\n  s:\n    image: x\n    env_file:\n      - {{path: {}/none.env, required: true}}\n",
            d.path().display()
        );
        let e = run(&text, &[], &[]).unwrap_err();
        assert!(e.to_string().contains("none.env not found"), "{e}");
        let e = run("services:\n  - web\n", &[], &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/p/compose.yaml:2: services must be a mapping, not a list"
        );
    }
}
