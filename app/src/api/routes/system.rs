//! `/_ping`, `/version`, `/info`, `/system/df`, `/events`.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use bollard::query_parameters as q;
use futures_util::StreamExt;

use super::{ok_json, ApiResult};
use crate::api::compat;
use crate::api::query::Query;
use crate::api::version::ApiVersion;
use crate::api::AppState;

pub async fn ping(State(s): State<AppState>) -> ApiResult {
    s.backend.ping().await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache, no-store, must-revalidate"),
        ],
        "OK",
    )
        .into_response())
}

pub async fn version(State(s): State<AppState>) -> ApiResult {
    ok_json(&s.backend.version().await?)
}

pub async fn info(State(s): State<AppState>) -> ApiResult {
    ok_json(&s.backend.info().await?)
}

pub async fn df(State(s): State<AppState>, Extension(v): Extension<ApiVersion>) -> ApiResult {
    let usage = s.backend.df().await?;
    ok_json(&compat::df(usage, v))
}

/// One JSON object per line, flushed as each event happens.
pub async fn events(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let opts = q::EventsOptions {
        since: q.string("since"),
        until: q.string("until"),
        filters: q.filters()?,
    };
    let stream = s.backend.events(opts).await?;
    let lines = stream.map(|ev| {
        ev.and_then(|e| {
            let mut line = serde_json::to_vec(&compat::event(e))
                .map_err(|x| crate::backend::BackendError::internal(x.to_string()))?;
            line.push(b'\n');
            Ok(bytes::Bytes::from(line))
        })
    });
    Ok(super::streamed("application/json", Box::pin(lines)))
}
