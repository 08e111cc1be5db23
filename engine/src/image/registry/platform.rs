//! Choosing one image of a manifest list or OCI index: the platform asked for
//! (`linux/arm64/v8`), or the host's (`linux/amd64` here), as Docker chooses.

use std::fmt;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::image::host_arch;
use crate::store::Digest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`, or the host's platform when none is given.
    pub fn parse(s: Option<&str>) -> Result<Platform> {
        let Some(s) = s.filter(|s| !s.is_empty()) else {
            return Ok(Platform {
                os: "linux".into(),
                arch: host_arch().into(),
                variant: None,
            });
        };
        let parts: Vec<String> = s.split('/').map(str::to_lowercase).collect();
        let bad = || {
            Error::invalid(format!(
                "invalid platform {s:?}: expected os/arch[/variant]"
            ))
        };
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (os.clone(), arch.clone(), None),
            [os, arch, v] => (os.clone(), arch.clone(), Some(v.clone())),
            _ => return Err(bad()),
        };
        if os.is_empty() || arch.is_empty() {
            return Err(bad());
        }
        let arch = match arch.as_str() {
            "x86_64" | "x86-64" => "amd64".to_string(),
            "aarch64" => "arm64".to_string(),
            _ => arch,
        };
        Ok(Platform { os, arch, variant })
    }

    /// Whether an index entry's (or a config's) platform is this one. An arm64 entry
    /// without a variant is `v8`, as containerd normalises it.
    pub fn matches(&self, os: &str, arch: &str, variant: Option<&str>) -> bool {
        if os != self.os || arch != self.arch {
            return false;
        }
        let norm = |v: Option<&str>| match (arch, v) {
            ("arm64", None) => Some("v8".to_string()),
            (_, v) => v.map(str::to_string),
        };
        match &self.variant {
            None => true,
            Some(want) => norm(variant).as_deref() == Some(want.as_str()),
        }
    }

    /// The entry of a manifest list or OCI index for this platform.
    pub fn select(&self, index: &Value) -> Result<Digest> {
        let entries = index["manifests"].as_array().cloned().unwrap_or_default();
        for e in &entries {
            let p = &e["platform"];
            let (os, arch) = (
                p["os"].as_str().unwrap_or(""),
                p["architecture"].as_str().unwrap_or(""),
            );
            if self.matches(os, arch, p["variant"].as_str()) {
                return e["digest"].as_str().unwrap_or("").parse().map_err(|_| {
                    Error::Runtime(format!("manifest list entry for {self}: invalid digest"))
                });
            }
        }
        Err(Error::Runtime(format!(
            "no matching manifest for {self} in the manifest list entries"
        )))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> Value {
        let d = |s: &[u8]| Digest::of(s).to_string();
        json!({"manifests": [
            {"digest": d(b"arm"), "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
            {"digest": d(b"arm64"), "platform": {"os": "linux", "architecture": "arm64"}},
            {"digest": d(b"amd64"), "platform": {"os": "linux", "architecture": "amd64"}},
            {"digest": d(b"win"), "platform": {"os": "windows", "architecture": "amd64"}},
        ]})
    }

    #[test]
    fn picks_the_asked_platform_or_the_host() {
        let i = index();
        let pick = |p: Option<&str>| Platform::parse(p).unwrap().select(&i);
        assert_eq!(pick(Some("linux/arm/v7")).unwrap(), Digest::of(b"arm"));
        assert_eq!(pick(Some("linux/arm64/v8")).unwrap(), Digest::of(b"arm64"));
        assert_eq!(pick(Some("linux/aarch64")).unwrap(), Digest::of(b"arm64"));
        assert_eq!(pick(Some("windows/amd64")).unwrap(), Digest::of(b"win"));
        if host_arch() == "amd64" {
            assert_eq!(pick(None).unwrap(), Digest::of(b"amd64"));
        }
        assert_eq!(
            pick(Some("linux/s390x")).unwrap_err().to_string(),
            "no matching manifest for linux/s390x in the manifest list entries"
        );
        assert!(Platform::parse(Some("linux")).is_err());
    }
}
