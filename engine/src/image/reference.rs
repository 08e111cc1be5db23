//! Image references as Docker parses them: `name[:tag][@digest]`, where a name may start
//! with a registry host (`localhost:5000/foo/bar`). Names are kept as the user typed them,
//! except that Docker Hub's long forms (`docker.io/library/busybox`) are shortened to the
//! familiar form (`busybox`), so an archive saved by podman lands under the name a Docker
//! user types.

use std::fmt;

use crate::error::{Error, Result};
use crate::store::Digest;

pub const DEFAULT_TAG: &str = "latest";
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed reference. `tag` and `digest` are as written; `key()` gives the tag index key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Repository name in familiar form, with its registry host if one was given.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl Reference {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid(format!("invalid reference format: {s:?}: {why}"));
        if s.is_empty() {
            return Err(bad("empty reference"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((n, d)) => (
                n,
                Some(d.parse::<Digest>().map_err(|_| bad("invalid digest"))?),
            ),
            None => (s, None),
        };
        // A colon after the last slash starts the tag; one before it belongs to a
        // registry host's port (`localhost:5000/foo`).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(bad("invalid tag"));
            }
        }
        validate_name(name).map_err(|why| bad(&why))?;
        Ok(Reference {
            name: familiar(name),
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// The tag, or `latest` when none was written.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or(DEFAULT_TAG)
    }

    /// The tag index key: `name:tag`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.name, self.tag_or_latest())
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Docker Hub's long forms shortened: `docker.io/library/x` -> `x`, `docker.io/u/x` -> `u/x`.
fn familiar(name: &str) -> String {
    for prefix in [
        "docker.io/library/",
        "index.docker.io/library/",
        "docker.io/",
        "index.docker.io/",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name.to_string()
}

/// The Docker Hub long form of a familiar name (`busybox:latest` ->
/// `docker.io/library/busybox:latest`), as containerd's image-name annotation wants it.
pub fn docker_long_form(key: &str) -> String {
    let first = key.split('/').next().unwrap_or(key);
    let has_domain =
        key.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        key.to_string()
    } else if key.contains('/') {
        format!("docker.io/{key}")
    } else {
        format!("docker.io/library/{key}")
    }
}

/// Docker Hub's name in references (`docker.io/library/busybox`).
pub const DOCKER_HUB: &str = "docker.io";

/// Where a repository name lives, as Docker's `splitDockerDomain` decides: the registry
/// host (`docker.io` when the first component is not a host) and the repository path on
/// it, with `library/` before one-segment names on Docker Hub.
/// `busybox` -> (`docker.io`, `library/busybox`); `127.0.0.1:5000/team/app` ->
/// (`127.0.0.1:5000`, `team/app`).
pub fn split_domain(name: &str) -> (String, String) {
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest)
        }
        _ => (DOCKER_HUB, name),
    };
    let domain = if domain == "index.docker.io" {
        DOCKER_HUB
    } else {
        domain
    };
    if domain == DOCKER_HUB && !path.contains('/') {
        return (domain.to_string(), format!("library/{path}"));
    }
    (domain.to_string(), path.to_string())
}

/// The repository part of a `name:tag` key.
pub fn repository_of(key: &str) -> &str {
    let last_slash = key.rfind('/').map_or(0, |i| i + 1);
    match key[last_slash..].rfind(':') {
        Some(i) => &key[..last_slash + i],
        None => key,
    }
}

/// Docker's tag rule: `[\w][\w.-]{0,127}`.
pub fn valid_tag(t: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG_LEN
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

fn validate_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("empty repository name".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "repository name longer than {MAX_NAME_LEN} characters"
        ));
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // Like Docker, the first component is a registry host only when more follow and it
    // looks like one (a dot, a port, or `localhost`).
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            if !valid_domain(first) {
                return Err(format!("invalid registry host {first:?}"));
            }
            parts.remove(0);
        }
    }
    for p in parts {
        if p.bytes().any(|c| c.is_ascii_uppercase()) {
            return Err("repository name must be lowercase".into());
        }
        if !valid_path_component(p) {
            return Err(format!("invalid repository name component {p:?}"));
        }
    }
    Ok(())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
fn valid_path_component(p: &str) -> bool {
    let b = p.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// Host components (`[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?` joined by dots) and an
/// optional numeric port.
fn valid_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|c| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
        })
}

/// True when `s` could be (a prefix of) an image ID: 1 to 64 lowercase hex digits,
/// optionally after `sha256:`.
pub fn id_prefix(s: &str) -> Option<&str> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    let ok = !hex.is_empty()
        && hex.len() <= 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then_some(hex)
}

/// Docker's `reference=` filter (its `FamiliarMatch`): the pattern, as Go's `path.Match`,
/// against the familiar name (`busybox`) or the familiar name and tag
/// (`busybox:latest`).
pub fn familiar_match(pattern: &str, repo: &str, tag: &str) -> bool {
    let familiar = repo
        .strip_prefix("docker.io/library/")
        .or_else(|| repo.strip_prefix("docker.io/"))
        .unwrap_or(repo);
    super::path_match::path_match(pattern, familiar)
        || super::path_match::path_match(pattern, &format!("{familiar}:{tag}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_name_means_latest() {
        let r = Reference::parse("busybox").unwrap();
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref(), r.key()),
            ("busybox", None, "busybox:latest".into())
        );
        assert_eq!(
            Reference::parse("busybox:1.36").unwrap().key(),
            "busybox:1.36"
        );
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        let r = Reference::parse("localhost:5000/foo/bar:1.0").unwrap();
        assert_eq!(r.name, "localhost:5000/foo/bar");
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        let r = Reference::parse("localhost:5000/foo").unwrap();
        assert_eq!(r.key(), "localhost:5000/foo:latest");
        assert_eq!(repository_of("localhost:5000/foo:1"), "localhost:5000/foo");
        assert_eq!(repository_of("localhost:5000/foo"), "localhost:5000/foo");
    }

    #[test]
    fn digest_references() {
        let d = Digest::of(b"x");
        let r = Reference::parse(&format!("foo/bar@{d}")).unwrap();
        assert_eq!(
            (r.name.as_str(), r.tag, r.digest),
            ("foo/bar", None, Some(d.clone()))
        );
        let r = Reference::parse(&format!("foo:1@{d}")).unwrap();
        assert_eq!(r.to_string(), format!("foo:1@{d}"));
        assert!(Reference::parse("foo@sha256:abc").is_err());
    }

    #[test]
    fn domains_split_as_docker_does() {
        let split = |s: &str| split_domain(&Reference::parse(s).unwrap().name);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(split("busybox"), pair("docker.io", "library/busybox"));
        assert_eq!(split("busybox:1.36"), pair("docker.io", "library/busybox"));
        assert_eq!(split("me/app"), pair("docker.io", "me/app"));
        assert_eq!(split("docker.io/library/x"), pair("docker.io", "library/x"));
        assert_eq!(split("index.docker.io/me/x"), pair("docker.io", "me/x"));
        assert_eq!(split("localhost:5000/x"), pair("localhost:5000", "x"));
        assert_eq!(split("localhost/x"), pair("localhost", "x"));
        assert_eq!(
            split("127.0.0.1:5000/team/app:1"),
            pair("127.0.0.1:5000", "team/app")
        );
        assert_eq!(split("host.example/a/b:tag"), pair("host.example", "a/b"));
        let d = Digest::of(b"x");
        let r = Reference::parse(&format!("host.example/a/b@{d}")).unwrap();
        assert_eq!(split_domain(&r.name), pair("host.example", "a/b"));
        assert_eq!(r.digest, Some(d));
        // A first component that is no host is part of the path.
        assert_eq!(split("team/sub/app"), pair("docker.io", "team/sub/app"));
    }

    #[test]
    fn docker_hub_long_forms_are_shortened() {
        assert_eq!(
            Reference::parse("docker.io/library/busybox:latest")
                .unwrap()
                .key(),
            "busybox:latest"
        );
        assert_eq!(
            Reference::parse("docker.io/me/app").unwrap().key(),
            "me/app:latest"
        );
        assert_eq!(
            Reference::parse("quay.io/me/app:2").unwrap().key(),
            "quay.io/me/app:2"
        );
        assert_eq!(
            docker_long_form("busybox:latest"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(docker_long_form("me/app:1"), "docker.io/me/app:1");
        assert_eq!(docker_long_form("localhost:5000/a:1"), "localhost:5000/a:1");
    }

    #[test]
    fn refuses_bad_names_and_tags() {
        for bad in [
            "", "Busybox", "foo/Bar", "foo:", "foo:-x", "foo::1", "-foo", "foo-", "a/../b",
            "foo bar", "a//b",
        ] {
            let err = Reference::parse(bad).unwrap_err().to_string();
            assert!(err.contains("invalid reference format"), "{bad}: {err}");
        }
        assert!(Reference::parse(&format!("foo:{}", "a".repeat(129))).is_err());
        assert!(Reference::parse(&format!("foo:{}", "a".repeat(128))).is_ok());
        for good in [
            "a",
            "a_b",
            "a__b",
            "a---b",
            "a.b",
            "my-registry.example:443/x/y_z:v1.0-rc_2",
            "localhost/x",
        ] {
            Reference::parse(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
    }

    #[test]
    fn reference_patterns_match_the_familiar_name_or_name_and_tag() {
        assert!(familiar_match("busybox", "busybox", "latest"));
        assert!(familiar_match("busy*:lat*", "busybox", "latest"));
        assert!(!familiar_match("library/*", "docker.io/library/x", "1"));
        assert!(familiar_match("user/*", "docker.io/user/app", "1"));
        assert!(!familiar_match("*", "user/app", "1"));
    }

    #[test]
    fn id_prefixes() {
        assert_eq!(id_prefix("sha256:abc"), Some("abc"));
        assert_eq!(id_prefix("abc123"), Some("abc123"));
        assert_eq!(id_prefix("busybox"), None);
        assert_eq!(id_prefix(""), None);
    }
}
