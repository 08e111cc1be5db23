//! `/containers/{id}/exec` and `/exec/...`: create, start (the connection is taken
//! over, see `hijack`), resize, inspect.

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use bollard::models as m;

use super::{body, json, ok_json, ApiResult};
use crate::api::error::ApiError;
use crate::api::hijack;
use crate::api::query::Query;
use crate::api::AppState;
use crate::backend::{BackendError, ExecStarted};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/containers/{id}/exec", post(create))
        .route("/exec/{id}/start", post(start))
        .route("/exec/{id}/resize", post(resize))
        .route("/exec/{id}/json", get(inspect))
}

async fn create(State(s): State<AppState>, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let cfg: m::ExecConfig = body(&bytes)?;
    Ok(json(
        StatusCode::CREATED,
        &s.backend.exec_create(&id, cfg).await?,
    ))
}

async fn start(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: axum::http::Request<Body>,
) -> ApiResult {
    let (parts, b) = req.into_parts();
    let bytes = axum::body::to_bytes(b, 1 << 20)
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let cfg: m::ExecStartConfig = body(&bytes)?;
    let req = axum::http::Request::from_parts(parts, Body::empty());
    // Refuse an unknown or finished exec before the connection is taken over.
    let info = s.backend.exec_inspect(&id).await?;
    let tty = info
        .process_config
        .as_ref()
        .and_then(|p| p.tty)
        .unwrap_or(false);
    if cfg.detach.unwrap_or(false) {
        return match s.backend.exec_start(&id, cfg).await? {
            ExecStarted::Detached => Ok(StatusCode::OK.into_response()),
            ExecStarted::Attached(d) => Ok(hijack::output_only(d, tty)),
        };
    }
    if hijack::wants_upgrade(&req) {
        let b = s.backend.clone();
        return Ok(hijack::upgrade(req, tty, async move {
            match b.exec_start(&id, cfg).await? {
                ExecStarted::Attached(d) => Ok(d),
                ExecStarted::Detached => Err(BackendError::internal("the exec ran detached")),
            }
        }));
    }
    match s.backend.exec_start(&id, cfg).await? {
        ExecStarted::Attached(d) => Ok(hijack::output_only(d, tty)),
        ExecStarted::Detached => Ok(StatusCode::OK.into_response()),
    }
}

async fn resize(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let (h, w) = q.size()?;
    s.backend.exec_resize(&id, h, w).await?;
    Ok(StatusCode::OK.into_response())
}

async fn inspect(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.exec_inspect(&id).await?)
}
