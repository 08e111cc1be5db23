//! Registry endpoints: `POST /images/create?fromImage=` (pull), `POST
//! /images/{name}/push`, `POST /auth`. Credentials come as Docker's clients send them:
//! the `X-Registry-Auth` header (base64url JSON of an auth config) for pull and push,
//! `X-Registry-Config` (a map of them by registry) for a build's base images, the JSON
//! body for `/auth`. Progress is Docker's JSON message stream; an error after
//! the stream began is its last message (`errorDetail`), as Docker's daemon sends it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use base64::Engine as _;
use bollard::models as m;
use futures_util::StreamExt;

use super::{body, streamed, ApiResult};
use crate::api::error::ApiError;
use crate::api::AppState;
use crate::backend::Stream;

/// A header holding base64 (URL-safe, padded or not, or standard) JSON, decoded; None
/// when absent or empty. `name` is the header's as Docker writes it, for errors.
fn json_header<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    name: &str,
) -> Result<Option<T>, ApiError> {
    let Some(v) = headers.get(name) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or_default().trim();
    if text.is_empty() {
        return Ok(None);
    }
    let invalid = |e: String| ApiError::bad_request(format!("invalid {name} header: {e}"));
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
        .map_err(|e| invalid(e.to_string()))?;
    serde_json::from_slice(&raw).map_err(|e| invalid(e.to_string()))
}

/// The credentials in `X-Registry-Auth`, if any (an empty or `{}` header is none).
pub fn registry_auth(headers: &HeaderMap) -> Result<Option<m::AuthConfig>, ApiError> {
    let auth: Option<m::AuthConfig> = json_header(headers, "X-Registry-Auth")?;
    Ok(auth.filter(|a| a.username.is_some() || a.password.is_some()))
}

/// A build's credentials, registry -> auth config, from `X-Registry-Config`.
pub fn registry_config(headers: &HeaderMap) -> Result<BTreeMap<String, m::AuthConfig>, ApiError> {
    Ok(json_header(headers, "X-Registry-Config")?.unwrap_or_default())
}

/// A progress stream as Docker's JSON lines; an error ends it as Docker's last message.
pub fn progress(stream: Stream<m::CreateImageInfo>) -> axum::response::Response {
    let lines = stream.map(|m| {
        let v = match m {
            Ok(m) => wire(&m),
            Err(e) => serde_json::json!({
                "errorDetail": {"message": e.message},
                "error": e.message,
            }),
        };
        let mut line = serde_json::to_vec(&v).unwrap_or_default();
        line.push(b'\n');
        Ok(bytes::Bytes::from(line))
    });
    streamed("application/json", Box::pin(lines))
}

/// Docker's wire message: `status`, `id`, `progressDetail` (`{}` when none), `progress`
/// (the bar old clients print).
fn wire(m: &m::CreateImageInfo) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    if let Some(s) = &m.status {
        o.insert("status".into(), s.clone().into());
    }
    let detail = m.progress_detail.clone().unwrap_or_default();
    let mut d = serde_json::Map::new();
    if let Some(c) = detail.current {
        d.insert("current".into(), c.into());
    }
    if let Some(t) = detail.total {
        d.insert("total".into(), t.into());
    }
    o.insert("progressDetail".into(), serde_json::Value::Object(d));
    if let Some(id) = &m.id {
        o.insert("id".into(), id.clone().into());
    }
    if let Some(msg) = m.error_detail.as_ref().and_then(|e| e.message.clone()) {
        o.insert("errorDetail".into(), serde_json::json!({ "message": msg }));
        o.insert("error".into(), msg.into());
    }
    serde_json::Value::Object(o)
}

/// `POST /auth`.
pub async fn auth(
    axum::extract::State(s): axum::extract::State<AppState>,
    bytes: Bytes,
) -> ApiResult {
    let cfg: m::AuthConfig = body(&bytes)?;
    let r = s.backend.registry_login(cfg).await?;
    Ok(axum::Json(serde_json::json!({
        "Status": r.status,
        "IdentityToken": r.identity_token.unwrap_or_default(),
    }))
    .into_response())
}
