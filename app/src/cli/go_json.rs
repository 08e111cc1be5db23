//! An interface model printed as Docker's daemon prints it. bollard's models leave out
//! what is unset and keep maps in hash order; Go's `encoding/json` prints every field
//! of a struct in the struct's order (`null` when unset, unless the field is
//! `omitempty`) and the keys of a map sorted. A [`Field`] list says which is which for
//! one struct, so `network inspect` reads the same from the model as from the engine.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// One field of a Go struct as the daemon prints it.
pub struct Field {
    pub name: &'static str,
    /// Left out when unset (`omitempty`), rather than printed as `null`.
    pub omit_empty: bool,
    pub inner: Inner,
}

/// What a field holds.
pub enum Inner {
    /// A string, number, bool or list of them: printed as it is.
    Plain,
    /// A map of plain values: keys sorted.
    Map,
    /// Another struct.
    Struct(&'static [Field]),
    /// A map of structs: keys sorted, each value shaped.
    MapOf(&'static [Field]),
    /// A list of structs, each shaped.
    ListOf(&'static [Field]),
}

pub const fn always(name: &'static str, inner: Inner) -> Field {
    Field {
        name,
        omit_empty: false,
        inner,
    }
}

pub const fn omit_empty(name: &'static str, inner: Inner) -> Field {
    Field {
        name,
        omit_empty: true,
        inner,
    }
}

/// `v` (a model serialized) with its fields in `fields`' order, the unset ones that
/// Go prints as `null`, and any field the list does not know after them, sorted.
pub fn shape(v: &Value, fields: &[Field]) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for f in fields {
        match obj.get(f.name) {
            Some(x) => {
                out.insert(f.name.to_string(), f.inner.apply(x));
            }
            None if !f.omit_empty => {
                out.insert(f.name.to_string(), Value::Null);
            }
            None => {}
        }
    }
    let unknown: BTreeMap<&String, &Value> = obj
        .iter()
        .filter(|(k, _)| !fields.iter().any(|f| f.name == k.as_str()))
        .collect();
    for (k, x) in unknown {
        out.insert(k.clone(), x.clone());
    }
    Value::Object(out)
}

impl Inner {
    fn apply(&self, v: &Value) -> Value {
        match (self, v) {
            (Inner::Plain, _) | (_, Value::Null) => v.clone(),
            (Inner::Map, Value::Object(m)) => sorted(m, |x| x.clone()),
            (Inner::Struct(fields), _) => shape(v, fields),
            (Inner::MapOf(fields), Value::Object(m)) => sorted(m, |x| shape(x, fields)),
            (Inner::ListOf(fields), Value::Array(items)) => {
                Value::Array(items.iter().map(|x| shape(x, fields)).collect())
            }
            _ => v.clone(),
        }
    }
}

fn sorted(m: &Map<String, Value>, each: impl Fn(&Value) -> Value) -> Value {
    let by_key: BTreeMap<&String, &Value> = m.iter().collect();
    Value::Object(
        by_key
            .into_iter()
            .map(|(k, x)| (k.clone(), each(x)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Inner::*;
    use super::*;

    const INNER: &[Field] = &[always("B", Plain), always("A", Plain)];
    const OUTER: &[Field] = &[
        always("Name", Plain),
        omit_empty("Maybe", Plain),
        always("Unset", Plain),
        always("Tags", Map),
        always("Each", MapOf(INNER)),
        always("List", ListOf(INNER)),
    ];

    #[test]
    fn fields_come_in_struct_order_with_go_nulls_and_sorted_maps() {
        let v = json!({
            "List": [{"A": 1}],
            "Each": {"y": {"A": 1, "B": 2}, "x": {"B": 3}},
            "Tags": {"z": "1", "a": "2"},
            "Extra": true,
            "Name": "n",
        });
        let out = shape(&v, OUTER);
        assert_eq!(
            serde_json::to_string(&out).expect("json"),
            r#"{"Name":"n","Unset":null,"Tags":{"a":"2","z":"1"},"Each":{"x":{"B":3,"A":null},"y":{"B":2,"A":1}},"List":[{"B":null,"A":1}],"Extra":true}"#
        );
    }

    #[test]
    fn null_stays_null_and_non_objects_pass_through() {
        assert_eq!(shape(&json!(null), OUTER), json!(null));
        let out = shape(&json!({"Each": null, "Name": "n"}), OUTER);
        assert_eq!(out["Each"], Value::Null);
    }
}
