//! Where a reference lives: the registry (`docker.io`, `127.0.0.1:5000`), the host its API
//! answers on (`registry-1.docker.io` for Docker Hub), the repository path on it
//! (`library/busybox`), and whether it is spoken to over plain HTTP.

use std::net::IpAddr;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::image::reference::{split_domain, Reference, DOCKER_HUB};

/// The host Docker Hub's registry API answers on.
pub const HUB_API_HOST: &str = "registry-1.docker.io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The reference as parsed (familiar name, tag, digest).
    pub reference: Reference,
    /// The registry, as references name it: `docker.io`, `127.0.0.1:5000`.
    pub domain: String,
    /// The repository path on the registry: `library/busybox`, `team/app`.
    pub repository: String,
    /// Plain HTTP instead of HTTPS: loopback registries and the configured insecure ones.
    pub insecure: bool,
}

impl Target {
    /// Parse `reference` as Docker does.
    pub fn parse(reference: &str, config: &Config) -> Result<Target> {
        let r = Reference::parse(reference)?;
        let (domain, repository) = split_domain(&r.name);
        let insecure = is_insecure(&domain, &config.insecure_registries);
        Ok(Target {
            reference: r,
            domain,
            repository,
            insecure,
        })
    }

    /// A registry given alone (`docker login 127.0.0.1:5000`), with or without a scheme;
    /// none, `docker.io` or `index.docker.io` mean Docker Hub.
    pub fn registry(server: &str, config: &Config) -> Result<Target> {
        let host = server_host(server);
        let domain = match host.as_str() {
            "" | "docker.io" | "index.docker.io" | HUB_API_HOST => DOCKER_HUB.to_string(),
            h => h.to_string(),
        };
        if domain.contains('/') || domain.is_empty() {
            return Err(Error::invalid(format!("invalid registry {server:?}")));
        }
        Ok(Target {
            reference: Reference {
                name: format!("{domain}/x"),
                tag: None,
                digest: None,
            },
            insecure: is_insecure(&domain, &config.insecure_registries),
            domain,
            repository: String::new(),
        })
    }

    pub fn is_docker_hub(&self) -> bool {
        self.domain == DOCKER_HUB
    }

    /// The host (and port) the registry API answers on.
    pub fn api_host(&self) -> &str {
        if self.is_docker_hub() {
            HUB_API_HOST
        } else {
            &self.domain
        }
    }

    pub fn scheme(&self) -> &'static str {
        if self.insecure {
            "http"
        } else {
            "https"
        }
    }

    /// `http://127.0.0.1:5000/v2/`: what a login checks.
    pub fn v2_url(&self) -> String {
        format!("{}://{}/v2/", self.scheme(), self.api_host())
    }

    /// The familiar name (`busybox`, `127.0.0.1:5000/team/app`).
    pub fn familiar_name(&self) -> &str {
        &self.reference.name
    }

    /// The familiar name with the tag or digest as written (`busybox:latest`).
    pub fn familiar_string(&self) -> String {
        let mut r = self.reference.clone();
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(crate::image::reference::DEFAULT_TAG.into());
        }
        r.to_string()
    }

    /// The same repository with another tag or digest, for `oci-client`.
    pub fn oci(&self) -> oci_client::Reference {
        let mut r = match (&self.reference.digest, &self.reference.tag) {
            (Some(d), _) => oci_client::Reference::with_digest(
                self.domain.clone(),
                self.repository.clone(),
                d.to_string(),
            ),
            (None, t) => oci_client::Reference::with_tag(
                self.domain.clone(),
                self.repository.clone(),
                t.clone().unwrap_or_else(|| "latest".into()),
            ),
        };
        if self.is_docker_hub() {
            r.set_mirror_registry(HUB_API_HOST.into());
        }
        r
    }

    /// This repository at `digest`.
    pub fn oci_at(&self, digest: &crate::store::Digest) -> oci_client::Reference {
        let mut t = self.clone();
        t.reference.digest = Some(digest.clone());
        t.oci()
    }

    /// Another repository of the same registry (a mount's source).
    pub fn sibling(&self, repository: &str) -> oci_client::Reference {
        let mut t = self.clone();
        t.repository = repository.to_string();
        t.oci()
    }
}

/// `https://host:5000/v1/` -> `host:5000`.
fn server_host(server: &str) -> String {
    let s = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))
        .unwrap_or(server);
    s.split('/').next().unwrap_or("").to_string()
}

/// Whether `domain` (`host[:port]`) is spoken to over HTTP: loopback hosts always, as
/// dockerd does, and those listed (by `host:port` or by host alone).
pub fn is_insecure(domain: &str, listed: &[String]) -> bool {
    let host = host_of(domain);
    let loopback = host == "localhost"
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false);
    loopback || listed.iter().any(|l| l == domain || l == host)
}

/// The host of `host[:port]`, brackets of an IPv6 address removed.
fn host_of(domain: &str) -> &str {
    if let Some(rest) = domain.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match domain.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => domain,
    }
}
