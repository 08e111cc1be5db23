//! Interpolation of a whole file tree: every string value (not the keys) goes through
//! `interpolate`, with the error naming the file, the line and the key path, and the
//! variables that were not set collected for Compose's warning.

use std::collections::BTreeSet;

use super::interpolate::{interpolate_noting_missing, InterpolateError};
use super::tree::{join, Node, Origin, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct SubstituteError {
    pub at: Origin,
    pub message: String,
}

/// Interpolate `root` in place with `lookup`; unset plain variables go to `missing`.
pub fn substitute(
    root: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut BTreeSet<String>,
) -> Result<(), SubstituteError> {
    walk(root, "", lookup, missing)
}

fn walk(
    n: &mut Node,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut BTreeSet<String>,
) -> Result<(), SubstituteError> {
    match &mut n.value {
        Value::Str(s) => {
            if !s.contains('$') {
                return Ok(());
            }
            let mut unset = Vec::new();
            let done = interpolate_noting_missing(s, lookup, &mut unset).map_err(
                |e: InterpolateError| SubstituteError {
                    at: n.at.clone(),
                    message: e.at_path(path),
                },
            )?;
            missing.extend(unset);
            *s = done;
        }
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{path}[{i}]"), lookup, missing)?;
            }
        }
        Value::Map(m) => {
            for (k, v) in m.iter_mut() {
                walk(v, &join(path, k), lookup, missing)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Compose's warning for a variable that was not set.
pub fn missing_warning(name: &str) -> String {
    format!("The \"{name}\" variable is not set. Defaulting to a blank string.")
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn strings_are_interpolated_and_errors_say_where() {
        let mut root = parse(
            "compose.yaml",
            "services:\n  web:\n    image: \"app:${TAG:-latest}\"\n    environment:\n      - X=$UNSET\n    ports:\n      - \"${PORT}:80\"\n",
        )
        .unwrap();
        let lookup = |n: &str| (n == "PORT").then(|| "5000".to_string());
        let mut missing = BTreeSet::new();
        substitute(&mut root, &lookup, &mut missing).unwrap();
        let web = root.get("services").and_then(|s| s.get("web")).unwrap();
        assert_eq!(web.get("image").and_then(Node::as_str), Some("app:latest"));
        assert_eq!(
            web.get("ports").unwrap().as_seq().unwrap()[0].as_str(),
            Some("5000:80")
        );
        assert_eq!(missing, BTreeSet::from(["UNSET".to_string()]));

        let mut bad = parse("c.yml", "services:\n  web:\n    image: ${TAG:?set TAG}\n").unwrap();
        let e = substitute(&mut bad, &|_| None, &mut BTreeSet::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yml:3: error while interpolating services.web.image: required variable TAG is missing a value: set TAG"
        );
    }
}
