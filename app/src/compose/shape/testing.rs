//! Test helpers: shape YAML text and compare with the expected long form, also written
//! as YAML, ignoring origins.

use std::collections::BTreeMap;

use super::{canonical, ShapeError};
use crate::compose::tree::{parse, Node};

/// A tree as JSON, which drops origins and tags.
pub(super) fn json(node: &Node) -> serde_json::Value {
    node.to_json("", &mut BTreeMap::new())
}

/// The YAML text parsed, as JSON.
pub(super) fn yaml(text: &str) -> serde_json::Value {
    json(&parse("expected.yaml", text).expect("expected YAML parses"))
}

/// A whole file shaped.
pub(super) fn shape(text: &str) -> Result<Node, ShapeError> {
    canonical(parse("compose.yaml", text).expect("test YAML parses"))
}

/// `body` (attributes of one service, unindented) as the service `web` of a file that
/// starts with `services:` and `web:` on lines 1 and 2, so `body`'s first line is line 3.
pub(super) fn web_file(body: &str) -> String {
    let mut text = String::from("services:\n  web:\n");
    for line in body.lines() {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The service `web` shaped from `body`, as JSON.
pub(super) fn web(body: &str) -> serde_json::Value {
    let root = shape(&web_file(body)).unwrap_or_else(|e| panic!("{e}"));
    json(&root)["services"]["web"].clone()
}

/// The error shaping service `web` from `body`, as it displays.
pub(super) fn web_err(body: &str) -> String {
    match shape(&web_file(body)) {
        Ok(root) => panic!("expected an error, got {}", json(&root)),
        Err(e) => e.to_string(),
    }
}

/// Asserts `body` shapes to `expected` (a service's attributes as YAML).
#[track_caller]
pub(super) fn check(body: &str, expected: &str) {
    assert_eq!(web(body), yaml(expected), "shaping:\n{body}");
}
