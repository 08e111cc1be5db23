//! A service's `build` section, in its canonical long form (a bare `build: ./dir` has
//! become `{context: ./dir}` before the model sees it).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::deploy::Ulimit;
use super::mounts::FileReference;
use super::options::{self, hosts};
use super::scalars::{self, is_false};
use super::units::Bytes;

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Build {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile_inline: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    #[serde(
        deserialize_with = "options::mapping_with_equals",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub args: BTreeMap<String, Option<String>>,
    /// `true`, `false` or an attestation spec; kept as the text compose keeps.
    #[serde(
        deserialize_with = "scalars::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub provenance: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub sbom: Option<String>,
    /// SSH agent sockets or keys to forward: id → path (None: the default agent).
    #[serde(with = "ssh", skip_serializing_if = "BTreeMap::is_empty")]
    pub ssh: BTreeMap<String, Option<String>>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cache_from: Vec<String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cache_to: Vec<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub no_cache: bool,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub no_cache_filter: Vec<String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub additional_contexts: BTreeMap<String, String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub pull: bool,
    #[serde(with = "hosts", skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_hosts: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<Bytes>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ulimits: BTreeMap<String, Ulimit>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub platforms: Vec<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub privileged: bool,
}

impl Build {
    /// The context directory or URL; compose's default is the project directory.
    pub fn context_or_default(&self) -> &str {
        self.context.as_deref().unwrap_or(".")
    }
}

/// `ssh`: canonically a mapping of id to path (null for the default agent). Printed as
/// a sorted list of `id` or `id=path`, which reads back the same way. (compose-go
/// prints `id: path` list items, which it cannot read back.)
pub(crate) mod ssh {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Option<String>>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BTreeMap<String, Option<String>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of ssh ids to paths")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((id, path)) = a.next_entry::<String, scalars::ScalarText>()? {
                    out.insert(id, path.0);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }

    pub(crate) fn serialize<S: Serializer>(
        keys: &BTreeMap<String, Option<String>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(keys.len()))?;
        for (id, path) in keys {
            match path {
                Some(p) => seq.serialize_element(&format!("{id}={p}"))?,
                None => seq.serialize_element(id)?,
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_build_reads_and_prints() {
        let b: Build = serde_json::from_value(json!({
            "context": "./app",
            "dockerfile": "Dockerfile.dev",
            "args": {"A": "1", "B": null},
            "ssh": {"default": null, "key": "/k"},
            "cache_from": "type=local,src=/c",
            "tags": ["x:1"],
            "no_cache": "true",
            "shm_size": "64m",
            "extra_hosts": {"h": "1.2.3.4"},
            "provenance": false,
            "additional_contexts": {"base": "docker-image://alpine"},
            "ulimits": {"nofile": {"soft": 1, "hard": 2}},
            "secrets": [{"source": "tok", "target": "/run/secrets/tok"}]
        }))
        .unwrap();
        assert_eq!(b.context_or_default(), "./app");
        assert_eq!(b.args["B"], None);
        assert!(b.no_cache);
        assert_eq!(b.shm_size, Some(Bytes(64 << 20)));
        assert_eq!(b.provenance.as_deref(), Some("false"));
        assert_eq!(b.cache_from, ["type=local,src=/c"]);
        let out = serde_json::to_value(&b).unwrap();
        assert_eq!(out["ssh"], json!(["default", "key=/k"]));
        assert_eq!(out["shm_size"], "67108864");
        assert_eq!(out["extra_hosts"], json!(["h=1.2.3.4"]));
        assert_eq!(out["args"], json!({"A": "1", "B": null}));
        assert_eq!(Build::default().context_or_default(), ".");
    }
}
