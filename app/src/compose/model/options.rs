//! The map and list shapes compose-go's decoder still takes after the canonical step:
//! a `list_or_dict` (`labels`, `environment`, `sysctls`, `annotations`, build `args`)
//! as a mapping or a list of `KEY=VALUE`; a `string_or_list` (`dns`, `tmpfs`, ...) as
//! one string or a list; driver options as a mapping of scalars; `extra_hosts` as a
//! mapping or a list of `host=ip` / `host:ip`. Values that are numbers or booleans
//! become text as Go's `fmt.Sprint` writes them. Each is a `deserialize_with` function
//! filling a plain `BTreeMap` or `Vec`, so the model keeps ordinary Rust types and
//! prints maps sorted, as compose does.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::Deserialize;

use super::scalars::{go_float_text, ScalarText};

/// What a `list_or_dict` value holds: a map's values, or each `KEY[=VALUE]` of a list
/// (and whether it was a list).
struct KeyValues(Vec<(String, Option<String>)>, bool);

impl<'de> Deserialize<'de> for KeyValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyValues, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyValues;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping or a list of KEY=VALUE strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<KeyValues, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, ScalarText>()? {
                    out.push((k, v.0));
                }
                Ok(KeyValues(out, false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<KeyValues, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = a.next_element::<ScalarText>()? {
                    let item = item.0.ok_or_else(|| {
                        de::Error::invalid_type(de::Unexpected::Unit, &"a KEY=VALUE string")
                    })?;
                    match item.split_once('=') {
                        Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
                        None => out.push((item, None)),
                    }
                }
                Ok(KeyValues(out, true))
            }
        }
        d.deserialize_any(V)
    }
}

/// `labels`, `annotations`, `sysctls`, ...: a missing value is the empty string.
pub(crate) fn mapping<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let kv = KeyValues::deserialize(d)?;
    Ok(kv
        .0
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

/// `environment` and build `args`: a name without a value stays unset (None), to be
/// looked up in the environment later; in the list form a name ending in a space
/// (`A =1`) is refused, as compose-go refuses it.
pub(crate) fn mapping_with_equals<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<String>>, D::Error> {
    let kv = KeyValues::deserialize(d)?;
    let from_list = kv.1;
    let mut out = BTreeMap::new();
    for (k, v) in kv.0 {
        if from_list && k.ends_with(char::is_whitespace) {
            return Err(de::Error::custom(format!(
                "environment variable {k} is declared with a trailing space"
            )));
        }
        out.insert(k, v);
    }
    Ok(out)
}

/// Driver options: a mapping of scalars, null as the empty string.
pub(crate) fn options<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let m = BTreeMap::<String, ScalarText>::deserialize(d)?;
    Ok(m.into_iter()
        .map(|(k, v)| (k, v.0.unwrap_or_default()))
        .collect())
}

/// One scalar or a list of them, each as text.
struct ScalarOrList(Vec<Option<String>>);

impl<'de> Deserialize<'de> for ScalarOrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ScalarOrList, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScalarOrList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ScalarOrList, E> {
                Ok(ScalarOrList(vec![Some(s.to_string())]))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<ScalarOrList, E> {
                Ok(ScalarOrList(vec![Some(n.to_string())]))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<ScalarOrList, E> {
                Ok(ScalarOrList(vec![Some(n.to_string())]))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<ScalarOrList, E> {
                Ok(ScalarOrList(vec![Some(go_float_text(n))]))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<ScalarOrList, E> {
                Ok(ScalarOrList(vec![Some(b.to_string())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<ScalarOrList, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = a.next_element::<ScalarText>()? {
                    out.push(item.0);
                }
                Ok(ScalarOrList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Provider options: each a scalar or a list of scalars.
pub(crate) fn multi_options<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let m = BTreeMap::<String, ScalarOrList>::deserialize(d)?;
    Ok(m.into_iter()
        .map(|(k, v)| (k, v.0.into_iter().map(Option::unwrap_or_default).collect()))
        .collect())
}

/// A `string_or_list` (`dns`, `tmpfs`, build `tags`, ...): strings only.
pub(crate) fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<String>, E> {
            Ok(vec![s.to_string()])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = a.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

/// `expose` and `group_add`: a string, or a list of strings and numbers.
pub(crate) fn scalar_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = ScalarOrList::deserialize(d)?;
    items
        .0
        .into_iter()
        .map(|s| {
            s.ok_or_else(|| de::Error::invalid_type(de::Unexpected::Unit, &"a string or a number"))
        })
        .collect()
}

/// `extra_hosts`: host → addresses. Read from a mapping (an address or a list of
/// them) or a list of `host=ip` / `host:ip` (several addresses split by commas);
/// printed as compose prints it, a sorted list of `host=ip`.
pub(crate) mod hosts {
    use super::*;

    /// A mapping value: one address or several.
    struct Addresses(Vec<String>);

    impl<'de> Deserialize<'de> for Addresses {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Addresses, D::Error> {
            let items = ScalarOrList::deserialize(d)?;
            Ok(Addresses(
                items.0.into_iter().map(Option::unwrap_or_default).collect(),
            ))
        }
    }

    struct V;

    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<String, Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping or a list of host=ip strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            // A null value is one empty address, as compose-go reads it.
            while let Some((host, ips)) = a.next_entry::<String, Option<Addresses>>()? {
                let ips = ips.map_or_else(|| vec![String::new()], |a| a.0);
                out.insert(host, ips);
            }
            cleanup(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
            while let Some(entry) = a.next_element::<ScalarText>()? {
                let entry = entry.0.unwrap_or_default();
                let (host, ips) = entry
                    .split_once('=')
                    .or_else(|| entry.split_once(':'))
                    .ok_or_else(|| {
                        de::Error::custom(format!("invalid additional host, missing IP: {entry}"))
                    })?;
                let list = out.entry(host.to_string()).or_default();
                list.extend(ips.split(',').map(str::to_string));
            }
            cleanup(out)
        }
    }

    /// Refuse a host name that could not be told apart from its address; drop the
    /// brackets around an IPv6 address (`[::1]`).
    fn cleanup<E: de::Error>(
        mut hosts: BTreeMap<String, Vec<String>>,
    ) -> Result<BTreeMap<String, Vec<String>>, E> {
        for (host, ips) in hosts.iter_mut() {
            if host.is_empty() || host.contains([':', '=']) {
                return Err(E::custom(format!("bad host name '{host}'")));
            }
            for ip in ips.iter_mut() {
                if ip.len() > 2 && ip.starts_with('[') && ip.ends_with(']') {
                    *ip = ip[1..ip.len() - 1].to_string();
                }
            }
        }
        Ok(hosts)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
        d.deserialize_any(V)
    }

    pub(crate) fn serialize<S: Serializer>(
        hosts: &BTreeMap<String, Vec<String>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut lines: Vec<String> = hosts
            .iter()
            .flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}={ip}")))
            .collect();
        lines.sort();
        let mut seq = s.serialize_seq(Some(lines.len()))?;
        for line in &lines {
            seq.serialize_element(line)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;

    #[derive(Deserialize, Serialize, Debug, Default)]
    #[serde(default)]
    struct T {
        #[serde(deserialize_with = "mapping")]
        labels: BTreeMap<String, String>,
        #[serde(deserialize_with = "mapping_with_equals")]
        environment: BTreeMap<String, Option<String>>,
        #[serde(deserialize_with = "string_list")]
        dns: Vec<String>,
        #[serde(deserialize_with = "scalar_list")]
        expose: Vec<String>,
        #[serde(with = "hosts")]
        extra_hosts: BTreeMap<String, Vec<String>>,
        #[serde(deserialize_with = "multi_options")]
        options: BTreeMap<String, Vec<String>>,
    }

    fn t(v: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn list_or_dict_both_ways() {
        let a = t(json!({"labels": {"a": 1, "b": true, "c": null, "d": 1.5}})).unwrap();
        assert_eq!(a.labels["a"], "1");
        assert_eq!(a.labels["b"], "true");
        assert_eq!(a.labels["c"], "");
        assert_eq!(a.labels["d"], "1.5");
        let b = t(json!({"labels": ["a=1=2", "b"]})).unwrap();
        assert_eq!(b.labels["a"], "1=2");
        assert_eq!(b.labels["b"], "");
        let e = t(json!({"environment": ["A=1", "B", "C="]})).unwrap();
        assert_eq!(e.environment["A"].as_deref(), Some("1"));
        assert_eq!(e.environment["B"], None);
        assert_eq!(e.environment["C"].as_deref(), Some(""));
        let e = t(json!({"environment": {"A": null, "B": 2}})).unwrap();
        assert_eq!(e.environment["A"], None);
        assert_eq!(e.environment["B"].as_deref(), Some("2"));
        let err = t(json!({"environment": ["A =1"]})).unwrap_err();
        assert_eq!(
            err,
            "environment variable A  is declared with a trailing space"
        );
        assert!(t(json!({"labels": "a=b"})).is_err());
    }

    #[test]
    fn string_and_scalar_lists() {
        assert_eq!(t(json!({"dns": "8.8.8.8"})).unwrap().dns, ["8.8.8.8"]);
        assert_eq!(t(json!({"dns": ["a", "b"]})).unwrap().dns, ["a", "b"]);
        assert!(t(json!({"dns": [1]})).is_err());
        assert_eq!(
            t(json!({"expose": [80, "90/udp"]})).unwrap().expose,
            ["80", "90/udp"]
        );
        assert_eq!(t(json!({"expose": "80"})).unwrap().expose, ["80"]);
        let o = t(json!({"options": {"a": [1, "x"], "b": true}}))
            .unwrap()
            .options;
        assert_eq!(o["a"], ["1", "x"]);
        assert_eq!(o["b"], ["true"]);
    }

    #[test]
    fn extra_hosts_read_both_ways_print_as_compose() {
        let h = t(json!({"extra_hosts": {"db": "10.0.0.2", "v6": ["[::1]", "fe80::1"]}})).unwrap();
        assert_eq!(h.extra_hosts["db"], ["10.0.0.2"]);
        assert_eq!(h.extra_hosts["v6"], ["::1", "fe80::1"]);
        let printed = serde_json::to_value(&h).unwrap();
        assert_eq!(
            printed["extra_hosts"],
            json!(["db=10.0.0.2", "v6=::1", "v6=fe80::1"])
        );
        let l = t(json!({"extra_hosts": ["db:10.0.0.2", "web=1.1.1.1,2.2.2.2", "db=10.0.0.3"]}))
            .unwrap();
        assert_eq!(l.extra_hosts["db"], ["10.0.0.2", "10.0.0.3"]);
        assert_eq!(l.extra_hosts["web"], ["1.1.1.1", "2.2.2.2"]);
        // `=` is tried first, so an IPv6 address needs no brackets there.
        let v6 = t(json!({"extra_hosts": ["h=::1"]})).unwrap();
        assert_eq!(v6.extra_hosts["h"], ["::1"]);
        assert_eq!(
            t(json!({"extra_hosts": ["nohost"]})).unwrap_err(),
            "invalid additional host, missing IP: nohost"
        );
        assert_eq!(
            t(json!({"extra_hosts": {"a:b": "1"}})).unwrap_err(),
            "bad host name 'a:b'"
        );
    }
}
