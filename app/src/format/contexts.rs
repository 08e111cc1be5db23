//! The methods with parameters that Docker's formatter contexts offer besides their
//! fields: `ContainerContext`, `NetworkContext` and `VolumeContext` have `Label NAME`
//! (the label's value, "" when unset); `ImageContext` has none. Fields without
//! parameters are plain keys of each row.

use std::collections::BTreeMap;

use serde_json::Value;

use super::gofmt::go_type_name;
use super::template::Methods;

/// A row whose object has labels: `{{.Label "com.example.x"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labelled(pub BTreeMap<String, String>);

impl Methods for Labelled {
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Label" {
            return None;
        }
        Some(match args {
            [Value::String(key)] => Ok(Value::String(self.0.get(key).cloned().unwrap_or_default())),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                go_type_name(other)
            )),
            _ => Err(format!(
                "wrong number of args for Label: want 1 got {}",
                args.len()
            )),
        })
    }
}

/// Docker's `Labels` column: `k=v` pairs joined by commas, sorted (as its container
/// context sorts them; a map's order is the sorted one here anyway).
pub fn labels_column(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::format::template::Template;

    fn row() -> (Value, Labelled) {
        let labels: BTreeMap<String, String> =
            [("com.example.team".to_string(), "web".to_string())].into();
        (
            json!({"Names": "web", "Labels": labels_column(&labels)}),
            Labelled(labels),
        )
    }

    fn render(src: &str) -> Result<String, String> {
        let (v, m) = row();
        let t = Template::parse(src).map_err(|e| e.to_string())?;
        t.render_with(&v, &m).map_err(|e| e.to_string())
    }

    #[test]
    fn label_gives_the_value_or_nothing() {
        assert_eq!(
            render(r#"{{.Label "com.example.team"}}"#).as_deref(),
            Ok("web")
        );
        assert_eq!(render(r#"{{.Label "nope"}}"#).as_deref(), Ok(""));
        assert_eq!(
            render(r#"{{.Names}}={{.Label "com.example.team" | upper}}"#).as_deref(),
            Ok("web=WEB")
        );
        assert_eq!(
            render(r#"{{$.Label "com.example.team"}}"#).as_deref(),
            Ok("web")
        );
        assert_eq!(
            render(r#"{{with .Label "com.example.team"}}[{{.}}]{{end}}"#).as_deref(),
            Ok("[web]")
        );
        assert_eq!(render("{{.Labels}}").as_deref(), Ok("com.example.team=web"));
    }

    #[test]
    fn label_misused_fails_as_in_go() {
        assert_eq!(
            render("{{.Label}}").unwrap_err(),
            "template error at column 3: wrong number of args for Label: want 1 got 0"
        );
        assert!(render("{{.Label 1}}")
            .unwrap_err()
            .ends_with("wrong type for value; expected string; got float64"),);
        // Fields are methods without parameters on Docker's context.
        assert_eq!(
            render(r#"{{.Names "x"}}"#).unwrap_err(),
            "template error at column 3: wrong number of args for Names: want 0 got 1"
        );
        // Inside a range dot is not the row, and has no methods.
        let (v, m) = row();
        let t = Template::parse(r#"{{range $k, $v := .}}{{$v.Label "x"}}{{end}}"#).expect("parses");
        assert!(t.render_with(&v, &m).is_err());
    }

    #[test]
    fn rows_without_the_method_say_so() {
        let t = Template::parse(r#"{{.Label "x"}}"#).expect("parses");
        assert_eq!(
            t.render(&json!({"ID": "1"})).unwrap_err().to_string(),
            "template error at column 3: map has no entry for key \"Label\""
        );
    }
}
