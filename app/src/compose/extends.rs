//! `extends`: a service starts from another one, of the same file or of another file
//! (read through the same steps as a project file, its relative paths taken from its own
//! directory), the extending service's keys merged over it by the merge rules. Chains
//! are followed; a service that extends itself through any chain is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::merge::merge_service;
use super::relocate::relocate_service;
use super::tree::{Node, Origin, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ExtendsError {
    pub at: Origin,
    pub message: String,
}

/// Reads another compose file (parsed, interpolated, canonical); errors as messages.
pub type LoadFile<'a> = dyn FnMut(&Path) -> Result<Node, String> + 'a;

/// Resolve every `extends` of `root` (its own relative paths are left for the caller to
/// resolve against its directory).
pub fn resolve(root: &mut Node, load: &mut LoadFile<'_>) -> Result<(), ExtendsError> {
    let names: Vec<String> = services(root)
        .map(|m| {
            m.iter()
                .filter(|(_, s)| s.get("extends").is_some())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut files = BTreeMap::new();
    for name in names {
        let this = root.at.file.to_string();
        let done = resolved(root, &this, &name, load, &mut files, &mut Vec::new())?;
        if let Some(m) = root
            .as_map_mut()
            .and_then(|r| r.get_mut("services"))
            .and_then(Node::as_map_mut)
        {
            m.insert(name, done);
        }
    }
    Ok(())
}

fn services(root: &Node) -> Option<&BTreeMap<String, Node>> {
    root.get("services").and_then(Node::as_map)
}

/// `name` of `tree` (the file `file`) with its `extends` chain applied.
fn resolved(
    tree: &Node,
    file: &str,
    name: &str,
    load: &mut LoadFile<'_>,
    files: &mut BTreeMap<PathBuf, Node>,
    stack: &mut Vec<(String, String)>,
) -> Result<Node, ExtendsError> {
    let Some(s) = services(tree).and_then(|m| m.get(name)) else {
        return Err(ExtendsError {
            at: tree.at.clone(),
            message: format!("cannot extend service {name:?} in {file}: service not found"),
        });
    };
    let mut s = s.clone();
    let Some(ext) = s.as_map_mut().and_then(|m| m.remove("extends")) else {
        return Ok(s);
    };
    let base_name = ext
        .get("service")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let other = ext.get("file").and_then(Node::as_str).map(PathBuf::from);
    let key = (
        other
            .as_ref()
            .map_or_else(|| file.to_string(), |p| p.display().to_string()),
        base_name.clone(),
    );
    if stack.contains(&key) || (key.0 == file && key.1 == name) {
        return Err(ExtendsError {
            at: ext.at.clone(),
            message: format!(
                "circular reference with extends: service {name:?} extends {base_name:?}"
            ),
        });
    }
    stack.push((file.to_string(), name.to_string()));
    let mut base = match &other {
        None => resolved(tree, file, &base_name, load, files, stack)?,
        Some(path) => {
            if !files.contains_key(path) {
                let loaded = load(path).map_err(|message| ExtendsError {
                    at: ext.at.clone(),
                    message,
                })?;
                files.insert(path.clone(), loaded);
            }
            let other_tree = files
                .get(path)
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Null, ext.at.clone()));
            let other_dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let mut b = resolved(&other_tree, &key.0, &base_name, load, files, stack)?;
            relocate_service(&mut b, &other_dir);
            b
        }
    };
    stack.pop();
    // What a service inherits never includes its base's own `extends`.
    if let Some(m) = base.as_map_mut() {
        m.remove("extends");
    }
    Ok(merge_service(base, s))
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn no_files(_: &Path) -> Result<Node, String> {
        Err("no other file in this test".into())
    }

    #[test]
    fn chains_in_one_file_merge_by_the_rules() {
        let mut root = parse(
            "c.yml",
            "services:\n  base:\n    image: busybox\n    environment: {A: '1', B: '1'}\n    command: [a]\n  mid:\n    extends: {service: base}\n    environment: {B: '2'}\n  web:\n    extends: {service: mid}\n    command: [b]\n",
        )
        .unwrap();
        resolve(&mut root, &mut no_files).unwrap();
        let j = root.to_json("", &mut BTreeMap::new());
        let web = &j["services"]["web"];
        assert_eq!(web["image"], "busybox");
        assert_eq!(web["environment"], serde_json::json!({"A": "1", "B": "2"}));
        assert_eq!(web["command"], serde_json::json!(["b"]));
        assert!(web.get("extends").is_none());
    }

    #[test]
    fn another_file_with_its_own_paths() {
        let mut root = parse(
            "/p/compose.yaml",
            "services:\n  web:\n    extends: {service: app, file: /p/common/base.yml}\n    ports: [{target: 80}]\n",
        )
        .unwrap();
        let mut load = |p: &Path| {
            assert_eq!(p, Path::new("/p/common/base.yml"));
            parse(
                "/p/common/base.yml",
                "services:\n  app:\n    build: {context: ./app}\n",
            )
            .map_err(|e| e.to_string())
        };
        resolve(&mut root, &mut load).unwrap();
        let j = root.to_json("", &mut BTreeMap::new());
        assert_eq!(j["services"]["web"]["build"]["context"], "/p/common/app");
    }

    #[test]
    fn missing_bases_and_cycles_are_errors() {
        let mut root = parse("c.yml", "services:\n  a:\n    extends: {service: nope}\n").unwrap();
        let e = resolve(&mut root, &mut no_files).unwrap_err();
        assert!(e.message.contains("cannot extend service \"nope\""), "{e}");
        let mut root = parse(
            "c.yml",
            "services:\n  a:\n    extends: {service: b}\n  b:\n    extends: {service: a}\n",
        )
        .unwrap();
        let e = resolve(&mut root, &mut no_files).unwrap_err();
        assert!(e.message.contains("circular reference"), "{e}");
    }
}
