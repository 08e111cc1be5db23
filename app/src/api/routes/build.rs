//! `POST /build`: the body is the context tar, the query is `docker build`'s flags (`t`
//! repeated, `buildargs` and `labels` as JSON objects), and the answer is the classic
//! builder's JSON progress stream. Berth's own structured events stay inside Berth:
//! API clients get Docker's messages only.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use futures_util::StreamExt;

use super::{streamed, upload, ApiResult};
use crate::api::error::ApiError;
use crate::api::query::Query;
use crate::api::AppState;
use crate::backend::{BuildRequest, BUILD_EVENT_ID};

pub async fn build(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    b: Body,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    if q.string("remote").is_some_and(|r| !r.is_empty()) {
        return Err(ApiError::bad_request(
            "building from a remote URL is not supported: send the context as the request body",
        ));
    }
    let build_args: BTreeMap<String, Option<String>> = json_map(&q, "buildargs")?;
    let labels: BTreeMap<String, Option<String>> = json_map(&q, "labels")?;
    let req = BuildRequest {
        dockerfile: q.string("dockerfile").unwrap_or_default(),
        tags: q.all("t"),
        build_args,
        target: q.string("target").filter(|t| !t.is_empty()),
        no_cache: q.flag("nocache"),
        pull: q.flag("pull"),
        labels: labels
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        network: q
            .string("networkmode")
            .filter(|n| !n.is_empty() && n != "default"),
        secrets: BTreeMap::new(),
        platform: q.string("platform").filter(|p| !p.is_empty()),
        quiet: q.flag("q"),
        registry_auths: super::registry::registry_config(&headers)?,
    };
    let stream = s.backend.image_build(req, upload(b)).await?;
    let lines = stream.filter_map(|m| async move {
        match m {
            Ok(m) if m.id.as_deref() == Some(BUILD_EVENT_ID) => None,
            Ok(m) => {
                let mut line = serde_json::to_vec(&wire(&m)).unwrap_or_default();
                line.push(b'\n');
                Some(Ok(bytes::Bytes::from(line)))
            }
            Err(e) => Some(Err(e)),
        }
    });
    Ok(streamed("application/json", Box::pin(lines)))
}

/// `POST /build/prune`: `{"CachesDeleted": [...], "SpaceReclaimed": N}`.
pub async fn prune(State(s): State<AppState>) -> ApiResult {
    let r = s.backend.build_prune().await?;
    Ok(axum::Json(serde_json::json!({
        "CachesDeleted": r.caches_deleted.unwrap_or_default(),
        "SpaceReclaimed": r.space_reclaimed.unwrap_or(0),
    }))
    .into_response())
}

/// A query value that is a JSON object of strings (`buildargs`, `labels`).
fn json_map(q: &Query, key: &str) -> Result<BTreeMap<String, Option<String>>, ApiError> {
    match q.string(key).filter(|s| !s.is_empty()) {
        None => Ok(BTreeMap::new()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::bad_request(format!("invalid {key} JSON: {e}"))),
    }
}

/// A progress message as Docker's daemon writes it (bollard's model only reads them).
fn wire(m: &bollard::models::BuildInfo) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    if let Some(id) = &m.id {
        o.insert("id".into(), id.clone().into());
    }
    if let Some(s) = &m.stream {
        o.insert("stream".into(), s.clone().into());
    }
    if let Some(s) = &m.status {
        o.insert("status".into(), s.clone().into());
    }
    if let Some(id) = m.aux.as_ref().and_then(|a| a.id.clone()) {
        o.insert("aux".into(), serde_json::json!({ "ID": id }));
    }
    if let Some(msg) = m.error_detail.as_ref().and_then(|d| d.message.clone()) {
        o.insert("errorDetail".into(), serde_json::json!({ "message": msg }));
        o.insert("error".into(), msg.into());
    }
    serde_json::Value::Object(o)
}
