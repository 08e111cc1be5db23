//! Requests bollard has no method for (`POST /auth`), or whose query or answer it
//! narrows (logs without `details`, a build with one tag only, push messages without
//! their layer `id`). They go out through bollard's own client, as a request of a
//! neighbouring method rewritten just before it is sent, so they travel whatever
//! transport the connection uses (unix socket, TCP, TLS) with its version prefix and
//! headers, and their errors come back as bollard's.

use bollard::{BollardRequest, Docker};
use bytes::Bytes;
use hyper::http::{uri::PathAndQuery, Method, Uri};

use crate::backend::{BackendError, Result};

/// What to change in the request before it goes.
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    /// A new path after the API version prefix (`/auth`), and a new query.
    pub path: Option<(String, String)>,
    /// `key=value` pairs (already encoded) added to the query as it is.
    pub extra_query: Vec<String>,
    pub method: Option<Method>,
    /// A JSON body instead of the method's own.
    pub body: Option<Bytes>,
}

/// A client whose every request is rewritten so. Use it for one call only.
pub fn client(c: &Docker, rw: Rewrite) -> Docker {
    c.clone().with_request_modifier(move |mut req| {
        apply(&mut req, &rw);
        req
    })
}

/// The request rewritten; left as it was when its URI cannot be rebuilt (it then fails
/// at the daemon as the neighbouring request would, never silently).
fn apply(req: &mut BollardRequest, rw: &Rewrite) {
    let Ok(uri) = rewrite_uri(req.uri(), rw) else {
        return;
    };
    *req.uri_mut() = uri;
    if let Some(m) = &rw.method {
        *req.method_mut() = m.clone();
    }
    if let Some(b) = &rw.body {
        *req.body_mut() = bollard::body_full(b.clone());
    }
}

/// The URI with its path after the version prefix (`/v1.41`) replaced and the extra
/// query pairs appended.
fn rewrite_uri(uri: &Uri, rw: &Rewrite) -> Result<Uri> {
    let bad = |e: String| BackendError::internal(format!("rewriting a request's URI: {e}"));
    let path = uri.path();
    let (mut path, mut query) = match &rw.path {
        Some((p, q)) => {
            // The version prefix is the first segment: keep it, as bollard negotiated it.
            let prefix = path
                .strip_prefix('/')
                .and_then(|rest| rest.split('/').next())
                .filter(|seg| seg.starts_with('v'))
                .map(|seg| format!("/{seg}"))
                .unwrap_or_default();
            (format!("{prefix}{p}"), q.clone())
        }
        None => (
            path.to_string(),
            uri.query().unwrap_or_default().to_string(),
        ),
    };
    for pair in &rw.extra_query {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(pair);
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query);
    }
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path).map_err(|e| bad(e.to_string()))?);
    Uri::from_parts(parts).map_err(|e| bad(e.to_string()))
}

/// A query value percent-encoded (a tag, an image name's part).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn the_version_prefix_stays_and_the_path_goes() {
        let rw = Rewrite {
            path: Some(("/images/reg:5000/bb/push".into(), "tag=v1".into())),
            ..Default::default()
        };
        let u = rewrite_uri(
            &uri("unix://2f642e736f636b/v1.41/images/create?fromImage=x"),
            &rw,
        )
        .unwrap();
        assert_eq!(
            u.to_string(),
            "unix://2f642e736f636b/v1.41/images/reg:5000/bb/push?tag=v1"
        );
    }

    #[test]
    fn extra_pairs_join_the_query() {
        let rw = Rewrite {
            extra_query: vec!["details=1".into(), "t=b%3A1".into()],
            ..Default::default()
        };
        let u = rewrite_uri(&uri("http://h:2375/v1.41/services/x/logs?stdout=true"), &rw).unwrap();
        assert_eq!(
            u.to_string(),
            "http://h:2375/v1.41/services/x/logs?stdout=true&details=1&t=b%3A1"
        );
        let u = rewrite_uri(&uri("http://h:2375/v1.41/auth"), &rw).unwrap();
        assert_eq!(u.query(), Some("details=1&t=b%3A1"));
    }

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(encode("reg:5000/bb:v1"), "reg%3A5000%2Fbb%3Av1");
    }
}
