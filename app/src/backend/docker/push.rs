//! `docker push` and `docker login` on a Docker engine. bollard has no `/auth` method,
//! and its push messages drop the layer `id` Docker's wire messages carry (so per-layer
//! lines would lose their `5b0d2d635df8: Pushed` prefix): both go as rewritten requests
//! (`reroute`), answered in the models the interface wants.

use bollard::models as m;
use bollard::query_parameters as q;
use bytes::Bytes;
use futures_util::TryStreamExt;
use hyper::http::Method;

use super::client::Connection;
use super::errors::from_docker;
use super::options::credentials;
use super::reroute::{self, Rewrite};
use crate::backend::{BackendError, Result, Stream};

/// `name[:tag]` as Docker's push path and query take it: the name, and the tag (empty
/// for all of the name's tags). A colon before the last slash is a registry's port.
fn name_and_tag(reference: &str) -> Result<(String, String)> {
    if reference.contains('@') {
        return Err(BackendError::invalid(format!(
            "cannot push a digest reference: {reference}"
        )));
    }
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    Ok(match reference[slash..].rfind(':') {
        Some(i) => (
            reference[..slash + i].to_string(),
            reference[slash + i + 1..].to_string(),
        ),
        None => (reference.to_string(), String::new()),
    })
}

/// `POST /images/{name}/push?tag=...` with `X-Registry-Auth`, sent as `/images/create`
/// rewritten: the same method, header and JSON message stream, read as
/// `CreateImageInfo`, which keeps the layer `id`.
pub async fn push(
    conn: &Connection,
    reference: &str,
    auth: Option<m::AuthConfig>,
) -> Result<Stream<m::CreateImageInfo>> {
    let (name, tag) = name_and_tag(reference)?;
    let c = conn.client().await?;
    let c = reroute::client(
        c,
        Rewrite {
            path: Some((
                format!("/images/{name}/push"),
                format!("tag={}", reroute::encode(&tag)),
            )),
            ..Default::default()
        },
    );
    // The daemon wants the header even when empty (anonymous push), as bollard's own
    // push sends it.
    let creds = auth.map(credentials).unwrap_or_default();
    let url = conn.url().to_string();
    let s = c.create_image(None::<q::CreateImageOptions>, None, Some(creds));
    Ok(Box::pin(s.map_err(move |e| from_docker(e, &url))))
}

/// `POST /auth`: the daemon checks the credentials against the registry. Sent as a
/// rewritten `GET /containers/{id}/export`, whose answer bollard hands over as raw
/// bytes.
pub async fn login(conn: &Connection, auth: m::AuthConfig) -> Result<m::AuthResponse> {
    let body = serde_json::to_vec(&auth)
        .map_err(|e| BackendError::internal(format!("encoding credentials: {e}")))?;
    let c = conn.client().await?;
    let c = reroute::client(
        c,
        Rewrite {
            path: Some(("/auth".to_string(), String::new())),
            method: Some(Method::POST),
            body: Some(Bytes::from(body)),
            ..Default::default()
        },
    );
    let answer: Vec<Bytes> = c
        .export_container("auth")
        .try_collect()
        .await
        .map_err(|e| conn.error(e))?;
    let answer = answer.concat();
    serde_json::from_slice(&answer).map_err(|e| {
        BackendError::internal(format!(
            "the Docker engine's login answer is not Docker's: {e}: {}",
            String::from_utf8_lossy(&answer)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registry_port_is_not_a_tag() {
        let split = |r: &str| name_and_tag(r).unwrap();
        assert_eq!(
            split("127.0.0.1:5000/bb:v1"),
            ("127.0.0.1:5000/bb".into(), "v1".into())
        );
        assert_eq!(
            split("127.0.0.1:5000/bb"),
            ("127.0.0.1:5000/bb".into(), String::new())
        );
        assert_eq!(split("busybox:latest"), ("busybox".into(), "latest".into()));
        assert!(name_and_tag("bb@sha256:abc").is_err());
    }
}
