//! API version negotiation: a path may start with `/v1.41`; the prefix is taken off
//! before routing and the version kept with the request, so routes that answer
//! differently per version (image sizes, `system df`) can ask. A version above the
//! newest Berth speaks, or below the oldest it accepts, is refused as Docker refuses it.

use axum::http::{Request, Uri};

use crate::backend::local::{API_VERSION, MIN_API_VERSION};

/// `1.41` as (1, 41), comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(pub u32, pub u32);

impl ApiVersion {
    pub fn parse(s: &str) -> Option<ApiVersion> {
        let (a, b) = s.split_once('.')?;
        Some(ApiVersion(a.parse().ok()?, b.parse().ok()?))
    }
    pub fn current() -> ApiVersion {
        ApiVersion::parse(API_VERSION).unwrap_or(ApiVersion(1, 45))
    }
    pub fn minimum() -> ApiVersion {
        ApiVersion::parse(MIN_API_VERSION).unwrap_or(ApiVersion(1, 24))
    }
    pub fn before(self, major: u32, minor: u32) -> bool {
        self < ApiVersion(major, minor)
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Why a versioned path was refused (the request goes on to a route that says so).
#[derive(Debug, Clone)]
pub struct VersionRefused(pub String);

/// Split `/v1.41/containers/json` into the version and the rest of the path.
fn split(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/v")?;
    let end = rest.find('/').unwrap_or(rest.len());
    let (v, tail) = rest.split_at(end);
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Some((v, tail))
}

/// The request with its version prefix removed and its version recorded.
pub fn rewrite<B>(mut req: Request<B>) -> Request<B> {
    let path = req.uri().path().to_string();
    let mut version = ApiVersion::current();
    if let Some((v, tail)) = split(&path) {
        match ApiVersion::parse(v) {
            Some(asked) if asked > ApiVersion::current() => {
                req.extensions_mut().insert(VersionRefused(format!(
                    "client version {asked} is too new. Maximum supported API version is {}",
                    ApiVersion::current()
                )));
            }
            Some(asked) if asked < ApiVersion::minimum() => {
                req.extensions_mut().insert(VersionRefused(format!(
                    "client version {asked} is too old. Minimum supported API version is {}, please upgrade your client to a newer version",
                    ApiVersion::minimum()
                )));
            }
            Some(asked) => version = asked,
            None => {
                req.extensions_mut()
                    .insert(VersionRefused(format!("invalid API version {v:?}")));
            }
        }
        let tail = if tail.is_empty() { "/" } else { tail };
        let pq = match req.uri().query() {
            Some(q) => format!("{tail}?{q}"),
            None => tail.to_string(),
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req.extensions_mut().insert(version);
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(p: &str) -> (String, Option<ApiVersion>, bool) {
        let req = rewrite(Request::builder().uri(p).body(()).unwrap());
        (
            req.uri().to_string(),
            req.extensions().get::<ApiVersion>().copied(),
            req.extensions().get::<VersionRefused>().is_some(),
        )
    }

    #[test]
    fn versioned_paths_lose_their_prefix_and_keep_their_version() {
        assert_eq!(
            path_of("/v1.41/containers/json?all=1"),
            (
                "/containers/json?all=1".into(),
                Some(ApiVersion(1, 41)),
                false
            )
        );
        assert_eq!(path_of("/_ping").0, "/_ping");
        assert_eq!(path_of("/_ping").1, Some(ApiVersion::current()));
        assert!(path_of("/v9.99/info").2);
        assert!(path_of("/v1.12/info").2);
        // A volume named like a version is not a prefix.
        assert_eq!(path_of("/volumes/v1").0, "/volumes/v1");
    }
}
