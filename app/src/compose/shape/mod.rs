//! The canonical shape of one compose file: every short or alternative syntax rewritten
//! into the compose spec's long form, so that merging and the typed model only ever meet
//! one shape (compose-go's `transform` package, plus the list/string forms its typed
//! model decodes later, done here instead).
//!
//! The step runs on one file's interpolated tree, before files are merged. That order
//! is why only defaults that survive a merge unchanged are filled in here (port protocol
//! and mode, `depends_on` condition and `required`, `env_file` `required`, a bind's
//! `create_host_path`, a GPU request's `count: all`): a default such as `build.context: .` or a secret's target would
//! override what an earlier file said, so it belongs after the merge.
//!
//! Rules that hold everywhere:
//! - a node tagged `!reset` is left exactly as written: the merge drops it, whatever it
//!   holds, and it may hold anything (`build: !reset` is null);
//! - a node that is rewritten keeps its origin and its `!override` tag; nodes created
//!   from it take its origin; values that need no change keep their node;
//! - a null attribute stays null, for the typed model to read as unset;
//! - `x-*` keys inside a service or a resource are extensions and are not looked at.
//!   Entry names under `services`, `networks`, ... are names, `x-` or not, as compose-go
//!   reads them.

mod mapping;
mod ports;
mod service;
mod volumes;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::tree::{join, Node, Origin, Tag, Value};

/// A value that has no canonical form: a wrong type or a malformed short syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {path}: {message}")]
pub struct ShapeError {
    pub at: Origin,
    /// The key path of the value, as `services.web.ports[0]`.
    pub path: String,
    pub message: String,
}

type Result<T> = std::result::Result<T, ShapeError>;

/// Rewrites one compose file's tree into the canonical long form.
pub fn canonical(mut root: Node) -> Result<Node> {
    if is_reset(&root) {
        return Ok(root);
    }
    let Value::Map(top) = &mut root.value else {
        return Err(wrong_type(&root, "", "a mapping"));
    };
    for (key, node) in top.iter_mut() {
        if is_reset(node) {
            continue;
        }
        match key.as_str() {
            "services" => entries(node, key, service::service)?,
            "networks" | "volumes" | "secrets" | "configs" => entries(node, key, resource)?,
            "include" => items(node, key, include)?,
            _ => {}
        }
    }
    Ok(root)
}

/// Shapes each value of a mapping of named entries (`services`, `volumes`, ...); null
/// stands for no entries.
fn entries(node: &mut Node, path: &str, f: fn(&mut Node, &str) -> Result<()>) -> Result<()> {
    match &mut node.value {
        Value::Null => Ok(()),
        Value::Map(m) => {
            for (name, entry) in m.iter_mut() {
                if !is_reset(entry) {
                    f(entry, &join(path, name))?;
                }
            }
            Ok(())
        }
        _ => Err(wrong_type(node, path, "a mapping")),
    }
}

/// Shapes each item of a list (null being no items).
fn items(node: &mut Node, path: &str, f: fn(&mut Node, &str) -> Result<()>) -> Result<()> {
    match &mut node.value {
        Value::Null => Ok(()),
        Value::Seq(list) => {
            for (i, item) in list.iter_mut().enumerate() {
                if !is_reset(item) {
                    f(item, &index(path, i))?;
                }
            }
            Ok(())
        }
        _ => Err(wrong_type(node, path, "a list")),
    }
}

/// Applies `f` to the value of `key` in a mapping, if it is there, not `!reset` and not
/// null. A null attribute is left for the typed model to read as unset, whatever its
/// canonical form would be.
fn field(
    map: &mut BTreeMap<String, Node>,
    path: &str,
    key: &str,
    f: fn(&mut Node, &str) -> Result<()>,
) -> Result<()> {
    match map.get_mut(key) {
        Some(node) if !is_reset(node) && !matches!(node.value, Value::Null) => {
            f(node, &join(path, key))
        }
        _ => Ok(()),
    }
}

/// A top-level network, volume, secret or config: null is an empty definition, labels
/// become a mapping, and the legacy `external: {name: x}` becomes `external: true` with
/// `name: x`.
fn resource(node: &mut Node, path: &str) -> Result<()> {
    if matches!(node.value, Value::Null) {
        node.value = Value::Map(BTreeMap::new());
        return Ok(());
    }
    let Value::Map(m) = &mut node.value else {
        return Err(wrong_type(node, path, "a mapping"));
    };
    field(m, path, "labels", mapping::labels)?;
    let Some(external) = m.get_mut("external") else {
        return Ok(());
    };
    let Value::Map(legacy) = &mut external.value else {
        return Ok(());
    };
    let legacy_name = legacy.remove("name");
    external.value = Value::Bool(true);
    if let Some(legacy_name) = legacy_name {
        match m.get("name") {
            Some(name) if name.value != legacy_name.value => {
                return Err(ShapeError {
                    at: name.at.clone(),
                    path: path.to_string(),
                    message: "name and external.name conflict; only use name".into(),
                });
            }
            Some(_) => {}
            None => {
                m.insert("name".into(), legacy_name);
            }
        }
    }
    Ok(())
}

/// `include` items: a path alone is `{path: ...}`; `path` and `env_file` become lists.
fn include(node: &mut Node, path: &str) -> Result<()> {
    match &mut node.value {
        Value::Str(_) => {
            let file = plain(node);
            node.value = map_of([("path", Value::Seq(vec![file]))], &node.at);
            Ok(())
        }
        Value::Map(m) => {
            field(m, path, "path", string_or_list)?;
            field(m, path, "env_file", string_or_list)
        }
        _ => Err(wrong_type(node, path, "a string or a mapping")),
    }
}

/// A string is a one-item list; a list stays as it is, null too.
fn string_or_list(node: &mut Node, path: &str) -> Result<()> {
    match &node.value {
        Value::Str(_) => {
            node.value = Value::Seq(vec![plain(node)]);
            Ok(())
        }
        Value::Seq(_) | Value::Null => Ok(()),
        _ => Err(wrong_type(node, path, "a string or a list of strings")),
    }
}

fn is_reset(node: &Node) -> bool {
    node.tag == Some(Tag::Reset)
}

/// `a.b` + 2 -> `a.b[2]`.
fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// The node's value in a new untagged node at the same place (the tag stays with the
/// node that is being rewritten).
fn plain(node: &Node) -> Node {
    Node::new(node.value.clone(), node.at.clone())
}

fn str_at(s: impl Into<String>, at: &Origin) -> Node {
    Node::new(Value::Str(s.into()), at.clone())
}

/// A mapping of new nodes, all at `at`.
fn map_of<const N: usize>(fields: [(&str, Value); N], at: &Origin) -> Value {
    Value::Map(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), Node::new(v, at.clone())))
            .collect(),
    )
}

/// Sets `key` to `value` (a new node at the mapping's origin) unless it is set.
fn default(node: &mut Node, key: &str, value: Value) {
    let at = node.at.clone();
    if let Value::Map(m) = &mut node.value {
        m.entry(key.to_string())
            .or_insert_with(|| Node::new(value, at));
    }
}

fn error(node: &Node, path: &str, message: impl Into<String>) -> ShapeError {
    ShapeError {
        at: node.at.clone(),
        path: path.to_string(),
        message: message.into(),
    }
}

fn wrong_type(node: &Node, path: &str, expected: &str) -> ShapeError {
    error(
        node,
        path,
        format!("must be {expected}, not {}", node.kind()),
    )
}

/// A scalar as Go's `fmt.Sprint` writes it, which is how compose-go turns the values of
/// `environment`, `labels` and the like into strings (`1` -> "1", `true` -> "true",
/// `2.0` -> "2", `1e6` -> "1e+06"). None for null and collections.
fn go_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Float(f) => Some(go_float(*f)),
        Value::Null | Value::Seq(_) | Value::Map(_) => None,
        _ => node.scalar_text(),
    }
}

/// `%v` of a float64: the shortest digits that read back the same, in exponent form when
/// the decimal exponent is below -4 or at least 6, as Go's shortest `%g` decides
/// (`123456` stays, `1234567` is `1.234567e+06`).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-1.2345e6`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    // Plain notation: Rust's Display is already shortest and never uses an exponent.
    f.to_string()
}
