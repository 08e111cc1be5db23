//! Relative paths of a compose tree made absolute against the directory they are relative
//! to: a project's own directory, or that of a file a service `extends` from or a project
//! `include`s, so that moving a service into another file keeps what it points at.

use std::path::Path;

use super::project_files::absolute;
use super::tree::{Node, Value};

/// A service's build context, env files, bind mount sources, `develop.watch` paths and
/// `extends.file`.
pub fn relocate_service(s: &mut Node, dir: &Path) {
    if let Some(build) = s.as_map_mut().and_then(|m| m.get_mut("build")) {
        let context = build.get("context").and_then(Node::as_str).unwrap_or(".");
        if !is_remote(context) {
            let p = absolute(dir, Path::new(context)).display().to_string();
            set(build, "context", p);
        }
    }
    for item in seq(s, "env_file") {
        absolutize(item, "path", dir);
    }
    for v in seq(s, "volumes") {
        if v.get("type").and_then(Node::as_str) == Some("bind") {
            absolutize(v, "source", dir);
        }
    }
    if let Some(develop) = s.as_map_mut().and_then(|m| m.get_mut("develop")) {
        for rule in seq(develop, "watch") {
            absolutize(rule, "path", dir);
        }
    }
    if let Some(ext) = s.as_map_mut().and_then(|m| m.get_mut("extends")) {
        absolutize(ext, "file", dir);
    }
}

/// Only `extends.file` of every service: it is relative to the file that says it, while
/// the file's other paths are relative to the project directory.
pub fn relocate_extends_files(root: &mut Node, file_dir: &Path) {
    if let Some(services) = root.as_map_mut().and_then(|m| m.get_mut("services")) {
        for (_, s) in services.as_map_mut().into_iter().flatten() {
            if let Some(ext) = s.as_map_mut().and_then(|m| m.get_mut("extends")) {
                absolutize(ext, "file", file_dir);
            }
        }
    }
}

/// The `file` of top-level secrets and configs.
pub fn relocate_resources(root: &mut Node, dir: &Path) {
    for kind in ["secrets", "configs"] {
        let Some(section) = root.as_map_mut().and_then(|m| m.get_mut(kind)) else {
            continue;
        };
        for (_, entry) in section.as_map_mut().into_iter().flatten() {
            absolutize(entry, "file", dir);
        }
    }
}

/// Every service's paths and the resources' files.
pub fn relocate_all(root: &mut Node, dir: &Path) {
    if let Some(services) = root.as_map_mut().and_then(|m| m.get_mut("services")) {
        for (_, s) in services.as_map_mut().into_iter().flatten() {
            relocate_service(s, dir);
        }
    }
    relocate_resources(root, dir);
}

/// A build context that is a URL stays as it is.
pub fn is_remote(context: &str) -> bool {
    ["http://", "https://", "git://", "git@", "github.com/"]
        .iter()
        .any(|p| context.starts_with(p))
}

fn seq<'a>(n: &'a mut Node, key: &str) -> impl Iterator<Item = &'a mut Node> {
    let items = match n
        .as_map_mut()
        .and_then(|m| m.get_mut(key))
        .map(|v| &mut v.value)
    {
        Some(Value::Seq(items)) => Some(items),
        _ => None,
    };
    items.into_iter().flatten()
}

fn absolutize(n: &mut Node, key: &str, dir: &Path) {
    if let Some(p) = n.get(key).and_then(Node::as_str) {
        let abs = absolute(dir, Path::new(p)).display().to_string();
        set(n, key, abs);
    }
}

fn set(n: &mut Node, key: &str, text: String) {
    let at = n.at.clone();
    if let Some(m) = n.as_map_mut() {
        let node = m
            .entry(key.to_string())
            .or_insert_with(|| Node::new(Value::Null, at));
        node.value = Value::Str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn paths_move_with_their_file() {
        let mut root = parse(
            "c.yml",
            "services:\n  s:\n    build: {context: ../app}\n    env_file: [{path: ./a.env}]\n    volumes:\n      - {type: bind, source: ./src, target: /src}\n      - {type: volume, source: data, target: /d}\n    extends: {service: base, file: base.yml}\n    develop: {watch: [{path: ./src, action: sync, target: /src}, {path: /abs, action: rebuild}]}\n  r:\n    build: {context: 'https://example.com/r.git'}\nsecrets:\n  t: {file: ./t.txt}\n",
        )
        .unwrap();
        relocate_all(&mut root, Path::new("/proj/sub"));
        let j = root.to_json("", &mut Default::default());
        let s = &j["services"]["s"];
        assert_eq!(s["build"]["context"], "/proj/app");
        assert_eq!(s["env_file"][0]["path"], "/proj/sub/a.env");
        assert_eq!(s["volumes"][0]["source"], "/proj/sub/src");
        assert_eq!(s["volumes"][1]["source"], "data");
        assert_eq!(s["extends"]["file"], "/proj/sub/base.yml");
        assert_eq!(s["develop"]["watch"][0]["path"], "/proj/sub/src");
        assert_eq!(s["develop"]["watch"][1]["path"], "/abs");
        assert_eq!(
            j["services"]["r"]["build"]["context"],
            "https://example.com/r.git"
        );
        assert_eq!(j["secrets"]["t"]["file"], "/proj/sub/t.txt");
    }
}
