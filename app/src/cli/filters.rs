//! `--filter KEY=VALUE` as Docker's list commands read it, before anything is asked of
//! the engine interface: a key the command does not know, and a boolean filter whose
//! value is no boolean, are refused in the CLI's words; the rest goes to the interface
//! as Docker's `filters` query (values of one key are alternatives, different keys
//! must all match).

use std::collections::{BTreeMap, HashMap};

use super::Failure;

/// The filters given, by key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters(BTreeMap<String, Vec<String>>);

impl Filters {
    /// Read `--filter` values, accepting only the `known` keys.
    pub fn parse(given: &[String], known: &[&str]) -> Result<Filters, Failure> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in given {
            let Some((k, v)) = f.split_once('=') else {
                return Err("Error: bad format of filter (expected name=value)".into());
            };
            let k = k.trim().to_ascii_lowercase();
            if !known.contains(&k.as_str()) {
                return Err(format!("Error response from daemon: Invalid filter '{k}'").into());
            }
            map.entry(k).or_default().push(v.to_string());
        }
        Ok(Filters(map))
    }

    /// The filters as the interface's list and prune options take them (Docker's
    /// `filters` query), with `extra` values added (a boolean made canonical, a
    /// positional argument that is a filter); `None` when there are none.
    pub fn query(&self, extra: &[(&str, String)]) -> Option<HashMap<String, Vec<String>>> {
        let mut q: HashMap<String, Vec<String>> = self
            .0
            .iter()
            .map(|(k, vs)| (k.clone(), vs.clone()))
            .collect();
        for (k, v) in extra {
            q.entry(k.to_string()).or_default().push(v.clone());
        }
        (!q.is_empty()).then_some(q)
    }

    /// The same filters with `key`'s values replaced by the canonical `true`/`false`
    /// that [`Filters::boolean`] read from them (it accepts `TRUE` and `1` too).
    pub fn with_boolean(mut self, key: &str, value: Option<bool>) -> Filters {
        self.0.remove(key);
        if let Some(v) = value {
            self.0.insert(key.to_string(), vec![v.to_string()]);
        }
        self
    }

    pub fn values(&self, key: &str) -> &[String] {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }

    /// A boolean filter (`dangling=true`): `None` when not given; Docker's error when
    /// the value is not a boolean or two values disagree.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, Failure> {
        let mut out = None;
        for v in self.values(key) {
            let b = match v.to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(
                        format!("Error response from daemon: Invalid filter '{key}={v}'").into(),
                    )
                }
            };
            if out.is_some_and(|o| o != b) {
                return Err(format!(
                    "Error response from daemon: Invalid filter '{key}': conflicting values"
                )
                .into());
            }
            out = Some(b);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(given: &[&str]) -> Result<Filters, String> {
        let given: Vec<String> = given.iter().map(|s| s.to_string()).collect();
        Filters::parse(&given, &["name", "dangling", "label"]).map_err(|e| e.message)
    }

    #[test]
    fn values_of_one_key_are_kept_in_order() {
        let fs = f(&["name=web", "name=db"]).expect("parses");
        assert_eq!(fs.values("name"), ["web".to_string(), "db".to_string()]);
        assert!(fs.values("label").is_empty());
    }

    #[test]
    fn unknown_keys_and_bad_booleans_are_refused() {
        assert_eq!(
            f(&["bogus=1"]).unwrap_err(),
            "Error response from daemon: Invalid filter 'bogus'"
        );
        assert_eq!(
            f(&["noequals"]).unwrap_err(),
            "Error: bad format of filter (expected name=value)"
        );
        let fs = f(&["dangling=maybe"]).expect("parses");
        assert!(fs.boolean("dangling").is_err());
        assert_eq!(
            f(&["dangling=true"])
                .expect("parses")
                .boolean("dangling")
                .ok(),
            Some(Some(true))
        );
    }

    #[test]
    fn the_query_carries_every_value_and_canonical_booleans() {
        let fs = f(&["name=web", "name=db", "dangling=TRUE"]).expect("parses");
        let d = fs.boolean("dangling").ok().flatten();
        let q = fs
            .with_boolean("dangling", d)
            .query(&[("label", "a".into())]);
        let q = q.expect("some filters");
        assert_eq!(q["name"], vec!["web".to_string(), "db".to_string()]);
        assert_eq!(q["dangling"], vec!["true".to_string()]);
        assert_eq!(q["label"], vec!["a".to_string()]);
        assert_eq!(f(&[]).expect("parses").query(&[]), None);
    }
}
