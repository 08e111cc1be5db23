//! `/secrets` and `/configs`: Docker's endpoints over the engine interface (the docker
//! CLI's `secret` and `config` commands, and `stack deploy`'s).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use bollard::models as m;

use super::{body, json, ok_json, ApiResult};
use crate::api::query::Query;
use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/secrets", get(secrets))
        .route("/secrets/create", post(secret_create))
        .route("/secrets/{id}", get(secret).delete(secret_remove))
        .route("/configs", get(configs))
        .route("/configs/create", post(config_create))
        .route("/configs/{id}", get(config).delete(config_remove))
}

fn no_content_ok() -> ApiResult {
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}

async fn secrets(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .secret_list(q.filters()?.unwrap_or_default())
            .await?,
    )
}

async fn secret_create(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let spec: m::SecretSpec = body(&bytes)?;
    let id = s.backend.secret_create(spec).await?;
    Ok(json(StatusCode::CREATED, &m::IdResponse { id }))
}

async fn secret(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.secret_inspect(&id).await?)
}

async fn secret_remove(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.secret_remove(&id).await?;
    no_content_ok()
}

async fn configs(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .config_list(q.filters()?.unwrap_or_default())
            .await?,
    )
}

async fn config_create(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let spec: m::ConfigSpec = body(&bytes)?;
    let id = s.backend.config_create(spec).await?;
    Ok(json(StatusCode::CREATED, &m::IdResponse { id }))
}

async fn config(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.config_inspect(&id).await?)
}

async fn config_remove(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.config_remove(&id).await?;
    no_content_ok()
}
