//! The `filters` query of the list and prune endpoints as Docker's daemon reads it (its
//! `filters.Args`): values of one key are alternatives, different keys
//! must all hold, and a key the endpoint does not know is refused before anything is
//! listed or removed. Pure, so tested without an engine.

use std::collections::{BTreeMap, HashMap};

use crate::backend::{BackendError, Result};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FilterArgs {
    map: BTreeMap<String, Vec<String>>,
}

impl FilterArgs {
    /// The filters given, accepting only the `known` keys.
    pub fn parse(given: Option<&HashMap<String, Vec<String>>>, known: &[&str]) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (k, vs) in given.into_iter().flatten() {
            if !known.contains(&k.as_str()) {
                return Err(BackendError::invalid(format!("invalid filter '{k}'")));
            }
            if !vs.is_empty() {
                map.insert(k.clone(), vs.clone());
            }
        }
        Ok(FilterArgs { map })
    }

    /// The keys given, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn values(&self, key: &str) -> &[String] {
        self.map.get(key).map_or(&[], Vec::as_slice)
    }

    /// True when `key` was not given, or when any of its values passes `test`.
    pub fn any(&self, key: &str, test: impl Fn(&str) -> bool) -> bool {
        self.map
            .get(key)
            .is_none_or(|vs| vs.iter().any(|v| test(v)))
    }

    /// A boolean filter (`dangling=true`): `None` when not given. Docker takes `true`,
    /// `1`, `false` and `0`, one value (or agreeing ones).
    pub fn boolean(&self, key: &str) -> Result<Option<bool>> {
        let vs = self.values(key);
        if vs.is_empty() {
            return Ok(None);
        }
        let is_true = vs.iter().any(|v| v == "true" || v == "1");
        let is_false = vs.iter().any(|v| v == "false" || v == "0");
        let unknown = vs
            .iter()
            .any(|v| !matches!(v.as_str(), "true" | "1" | "false" | "0"));
        if is_true == is_false || unknown {
            return Err(BackendError::invalid(format!(
                "invalid filter '{key}={}'",
                vs.join(",")
            )));
        }
        Ok(Some(is_true))
    }

    /// `label=` (every one holds) and `label!=` (not all of them hold), as Docker's
    /// list and prune endpoints test an object's labels.
    pub fn labels<'a>(&self, labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> bool {
        let labels: BTreeMap<&str, &str> = labels
            .into_iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let all_hold = |key: &str| self.values(key).iter().all(|f| label_matches(&labels, f));
        all_hold("label") && !(self.has("label!") && all_hold("label!"))
    }

    /// `until=`: the limit in nanoseconds since the epoch, if given (one value only).
    pub fn until(&self, now_nanos: i64) -> Result<Option<i64>> {
        match self.values("until") {
            [] => Ok(None),
            [v] => berth_engine::events::filter::parse_time(v, now_nanos)
                .map(Some)
                .map_err(|e| {
                    BackendError::invalid(format!("failed to parse value as time or duration: {e}"))
                }),
            _ => Err(BackendError::invalid(
                "more than one until filter specified",
            )),
        }
    }
}

/// `KEY` or `KEY=VALUE` against a set of labels.
fn label_matches(labels: &BTreeMap<&str, &str>, filter: &str) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| *x == v),
        None => labels.contains_key(filter),
    }
}

/// Nanoseconds since the epoch of an RFC 3339 time (None when absent or unreadable).
pub fn rfc3339_nanos(t: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t?)
        .ok()?
        .timestamp_nanos_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            m.entry(k.to_string()).or_default().push(v.to_string());
        }
        m
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_keys_are_refused_in_dockers_words() {
        let e = FilterArgs::parse(Some(&args(&[("colour", "red")])), &["name"]).unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::InvalidArgument);
        assert_eq!(e.message, "invalid filter 'colour'");
        assert!(FilterArgs::parse(None, &[]).unwrap().values("x").is_empty());
    }

    #[test]
    fn booleans_take_dockers_spellings_only() {
        let f = |v: &[&str]| {
            let pairs: Vec<(&str, &str)> = v.iter().map(|v| ("dangling", *v)).collect();
            FilterArgs::parse(Some(&args(&pairs)), &["dangling"])
                .unwrap()
                .boolean("dangling")
        };
        assert_eq!(f(&["true"]).unwrap(), Some(true));
        assert_eq!(f(&["0"]).unwrap(), Some(false));
        assert_eq!(f(&["1", "true"]).unwrap(), Some(true));
        assert_eq!(f(&[]).unwrap(), None);
        assert_eq!(
            f(&["yes"]).unwrap_err().message,
            "invalid filter 'dangling=yes'"
        );
        assert!(f(&["true", "false"]).is_err());
        assert!(f(&["TRUE"]).is_err());
    }

    #[test]
    fn label_filters_all_hold_and_negated_ones_exclude_only_when_all_hold() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        let f = |pairs: &[(&str, &str)]| {
            FilterArgs::parse(Some(&args(pairs)), &["label", "label!"])
                .unwrap()
                .labels(&l)
        };
        assert!(f(&[]));
        assert!(f(&[("label", "app")]));
        assert!(f(&[("label", "app=web"), ("label", "tier")]));
        assert!(!f(&[("label", "app=db")]));
        assert!(!f(&[("label", "app"), ("label", "missing")]));
        assert!(!f(&[("label!", "app=web")]));
        assert!(f(&[("label!", "app=db")]));
        assert!(f(&[("label!", "app"), ("label!", "missing")]));
    }

    #[test]
    fn any_passes_when_the_key_is_absent() {
        let f = FilterArgs::parse(Some(&args(&[("name", "we")])), &["name", "id"]).unwrap();
        assert!(f.any("name", |v| "web".contains(v)));
        assert!(!f.any("name", |v| "db".contains(v)));
        assert!(f.any("id", |_| false));
    }

    #[test]
    fn until_takes_one_time_or_duration() {
        let now = 1_000_000_000_000;
        let f = |pairs: &[(&str, &str)]| {
            FilterArgs::parse(Some(&args(pairs)), &["until"])
                .unwrap()
                .until(now)
        };
        assert_eq!(f(&[]).unwrap(), None);
        assert_eq!(f(&[("until", "10s")]).unwrap(), Some(now - 10_000_000_000));
        assert_eq!(f(&[("until", "100")]).unwrap(), Some(100_000_000_000));
        assert!(f(&[("until", "soon")]).is_err());
        assert_eq!(
            f(&[("until", "1s"), ("until", "2s")]).unwrap_err().message,
            "more than one until filter specified"
        );
    }

    #[test]
    fn rfc3339_times_read_as_nanoseconds() {
        assert_eq!(
            rfc3339_nanos(Some("1970-01-01T00:00:01Z")),
            Some(1_000_000_000)
        );
        assert_eq!(rfc3339_nanos(Some("")), None);
        assert_eq!(rfc3339_nanos(None), None);
    }
}
