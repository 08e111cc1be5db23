//! A compose file as a generic tree, before it has a type: every node keeps the file and
//! line it came from and its `!reset`/`!override` tag, so that interpolation, merging and
//! the typed model can name where a value was written. Parsed with serde-saphyr: YAML
//! 1.2 booleans (`yes` stays a string, as compose-go reads it), anchors, aliases and merge
//! keys (`<<: *x`) resolved, duplicate keys refused.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Spanned, Tagged};

/// Where a node was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The merge tags of the compose spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `!reset`: the value is dropped, whatever the files before said.
    Reset,
    /// `!override`: the value replaces the earlier one instead of merging with it.
    Override,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(BTreeMap<String, Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub at: Origin,
    pub tag: Option<Tag>,
}

/// A YAML syntax error, or a document that is not a mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ParseError {
    pub file: String,
    pub message: String,
}

/// Parse one compose file's text; `file` names it in origins and errors.
pub fn parse(file: &str, text: &str) -> Result<Node, ParseError> {
    // As compose-go's YAML reader: `yes` is a string, `0440` an octal file mode.
    let options = serde_saphyr::options! {
        strict_booleans: true,
        legacy_octal_numbers: true,
    };
    let raw: Option<Raw> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| ParseError {
            file: file.to_string(),
            message: yaml_message(&e),
        })?;
    let file: Arc<str> = Arc::from(file);
    let node = match raw {
        Some(r) => r.into_node(&file),
        // An empty file is an empty project, as Compose reads it.
        None => Node::new(Value::Map(BTreeMap::new()), Origin { file, line: 1 }),
    };
    match node.value {
        Value::Map(_) => Ok(node),
        _ => Err(ParseError {
            file: node.at.file.to_string(),
            message: "top-level object must be a mapping".into(),
        }),
    }
}

/// serde-saphyr's message with its location as `line N column M: ...`, on one line.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    first.to_string()
}

impl Node {
    pub fn new(value: Value, at: Origin) -> Node {
        Node {
            value,
            at,
            tag: None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Node>> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut BTreeMap<String, Node>> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// A scalar as the text Compose reads it (`80`, `true`, `1.5`); None for collections
    /// and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(float_text(*f)),
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// What kind of value this is, in the words of error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The tree as JSON (tags dropped), with the origin of every path written into
    /// `origins` (paths as serde_path_to_error prints them: `services.web.ports[0]`).
    pub fn to_json(&self, path: &str, origins: &mut BTreeMap<String, Origin>) -> serde_json::Value {
        use serde_json::Value as J;
        origins.insert(path.to_string(), self.at.clone());
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| n.to_json(&format!("{path}[{i}]"), origins))
                    .collect(),
            ),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, n)| (k.clone(), n.to_json(&join(path, k), origins)))
                    .collect(),
            ),
        }
    }
}

/// `a.b` + `c` -> `a.b.c`; the root is the empty path.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A float as YAML and Go print it: `1.5`, `2` for a whole number... but Compose keeps
/// `2.0` written as a float, so whole floats keep one decimal.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// What serde-saphyr hands us: a value with its line and tag, before the file is known.
struct Raw {
    value: RawValue,
    line: usize,
    tag: Option<String>,
}

enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Raw>),
    Map(Vec<(RawKey, Raw)>),
}

/// A mapping key: compose keys are strings, but YAML lets `80:` be an integer.
struct RawKey(String);

impl Raw {
    fn into_node(self, file: &Arc<str>) -> Node {
        let at = Origin {
            file: file.clone(),
            line: self.line,
        };
        let tag = match self.tag.as_deref() {
            Some("!reset") => Some(Tag::Reset),
            Some("!override") => Some(Tag::Override),
            _ => None,
        };
        let value = match self.value {
            RawValue::Null => Value::Null,
            RawValue::Bool(b) => Value::Bool(b),
            RawValue::Int(i) => Value::Int(i),
            RawValue::Float(f) => Value::Float(f),
            RawValue::Str(s) => Value::Str(s),
            RawValue::Seq(items) => {
                Value::Seq(items.into_iter().map(|r| r.into_node(file)).collect())
            }
            RawValue::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, r)| (k.0, r.into_node(file)))
                    .collect(),
            ),
        };
        Node { value, at, tag }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        let s: Spanned<Tagged<RawValue>> = Spanned::deserialize(d)?;
        Ok(Raw {
            line: s.referenced.line() as usize,
            tag: s.value.1,
            value: s.value.0,
        })
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawValue, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_bool<E>(self, b: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(i))
    }
    fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<RawValue, E> {
        i64::try_from(u)
            .map(RawValue::Int)
            .map_err(|_| E::custom(format!("integer {u} is too large")))
    }
    fn visit_f64<E>(self, f: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(r) = a.next_element()? {
            items.push(r);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, r)) = a.next_entry::<RawKey, Raw>()? {
            entries.push((k, r));
        }
        Ok(RawValue::Map(entries))
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawKey, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E>(self, s: &str) -> Result<RawKey, E> {
                Ok(RawKey(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<RawKey, E> {
                Ok(RawKey(s))
            }
            fn visit_i64<E>(self, i: i64) -> Result<RawKey, E> {
                Ok(RawKey(i.to_string()))
            }
            fn visit_u64<E>(self, u: u64) -> Result<RawKey, E> {
                Ok(RawKey(u.to_string()))
            }
            fn visit_f64<E>(self, f: f64) -> Result<RawKey, E> {
                Ok(RawKey(float_text(f)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<RawKey, E> {
                Ok(RawKey(b.to_string()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(n: &Node) -> &BTreeMap<String, Node> {
        n.as_map().expect("a mapping")
    }

    #[test]
    fn lines_tags_anchors_and_merge_keys() {
        let text = "x-base: &base\n  image: busybox\n  environment:\n    A: \"1\"\nservices:\n  web:\n    <<: *base\n    ports: !reset []\n    command: !override [a, b]\n    on: yes\n    mode: 0440\n    n: 80\n    f: 1.5\n    e:\n";
        let root = parse("compose.yaml", text).unwrap();
        let web = &map(&map(&root)["services"])["web"];
        let web = map(web);
        assert_eq!(web["image"].as_str(), Some("busybox"));
        assert_eq!(web["ports"].tag, Some(Tag::Reset));
        assert_eq!(web["command"].tag, Some(Tag::Override));
        assert_eq!(web["command"].at.line, 9);
        assert_eq!(web["n"].at.line, 12);
        // YAML 1.2: `yes` is a string.
        assert_eq!(web["on"].value, Value::Str("yes".into()));
        assert_eq!(web["n"].value, Value::Int(80));
        assert_eq!(web["mode"].value, Value::Int(0o440));
        assert_eq!(web["f"].scalar_text().as_deref(), Some("1.5"));
        assert_eq!(web["e"].value, Value::Null);
        assert_eq!(&*web["n"].at.file, "compose.yaml");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = parse("compose.yaml", "services:\n  web: [a\n  b: c\n").unwrap_err();
        assert_eq!(e.file, "compose.yaml");
        assert!(e.message.contains("line"), "{e}");
        let e = parse("c.yml", "services:\n  a: 1\n  a: 2\n").unwrap_err();
        assert!(e.message.to_lowercase().contains("duplicate"), "{e}");
        let e = parse("c.yml", "- a\n- b\n").unwrap_err();
        assert_eq!(e.message, "top-level object must be a mapping");
        assert!(parse("c.yml", "").unwrap().as_map().unwrap().is_empty());
    }

    #[test]
    fn integer_keys_become_strings_and_json_keeps_paths() {
        let root = parse(
            "c.yml",
            "services:\n  web:\n    ports:\n      - 80\n    sysctls:\n      1: x\n",
        )
        .unwrap();
        let mut origins = BTreeMap::new();
        let j = root.to_json("", &mut origins);
        assert_eq!(j["services"]["web"]["sysctls"]["1"], "x");
        assert_eq!(origins["services.web.ports[0]"].line, 4);
    }
}
