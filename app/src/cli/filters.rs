//! `--filter KEY=VALUE` as Docker's list commands read it: values of one key are
//! alternatives (any may match), different keys must all match, and a key the command
//! does not know is refused before anything is listed.

use std::collections::BTreeMap;

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

    pub fn values(&self, key: &str) -> &[String] {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }

    /// True when `key` was not given, or when any of its values passes `test`.
    pub fn any(&self, key: &str, test: impl Fn(&str) -> bool) -> bool {
        match self.0.get(key) {
            None => true,
            Some(vs) => vs.iter().any(|v| test(v)),
        }
    }

    /// Every `label=` filter holds for `labels` (Docker requires all label filters).
    pub fn all_labels(&self, labels: &BTreeMap<String, String>) -> bool {
        self.values("label")
            .iter()
            .all(|f| label_matches(labels, f))
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

/// Docker's `label=KEY` / `label=KEY=VALUE` test against an object's labels.
pub fn label_matches(labels: &BTreeMap<String, String>, filter: &str) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(filter),
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
    fn values_of_one_key_are_alternatives() {
        let fs = f(&["name=web", "name=db"]).expect("parses");
        assert!(fs.any("name", |v| v == "db"));
        assert!(!fs.any("name", |v| v == "cache"));
        assert!(
            fs.any("label", |_| false),
            "an absent key passes everything"
        );
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
    fn labels_match_by_key_or_pair() {
        let labels: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
        assert!(label_matches(&labels, "a"));
        assert!(label_matches(&labels, "a=1"));
        assert!(!label_matches(&labels, "a=2"));
        assert!(!label_matches(&labels, "b"));
    }
}
