//! `/networks/...`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use bollard::models as m;
use bollard::query_parameters as q;

use super::{body, json, no_content, ok_json, ApiResult};
use crate::api::query::Query;
use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/networks", get(list))
        .route("/networks/create", post(create))
        .route("/networks/prune", post(prune))
        .route("/networks/{id}", get(inspect).delete(remove))
        .route("/networks/{id}/connect", post(connect))
        .route("/networks/{id}/disconnect", post(disconnect))
}

async fn list(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .network_list(q::ListNetworksOptions {
                filters: q.filters()?,
            })
            .await?,
    )
}

async fn inspect(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.network_inspect(&id).await?)
}

async fn create(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let req: m::NetworkCreateRequest = body(&bytes)?;
    Ok(json(
        StatusCode::CREATED,
        &s.backend.network_create(req).await?,
    ))
}

async fn connect(State(s): State<AppState>, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let req: m::NetworkConnectRequest = body(&bytes)?;
    s.backend.network_connect(&id, req).await?;
    Ok(StatusCode::OK.into_response())
}

async fn disconnect(State(s): State<AppState>, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let req: m::NetworkDisconnectRequest = body(&bytes)?;
    s.backend.network_disconnect(&id, req).await?;
    Ok(StatusCode::OK.into_response())
}

async fn remove(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.network_remove(&id).await?;
    no_content()
}

async fn prune(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .network_prune(q::PruneNetworksOptions {
                filters: q.filters()?,
            })
            .await?,
    )
}
