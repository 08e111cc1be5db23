//! `/volumes/...`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use bollard::models as m;
use bollard::query_parameters as q;

use super::{body, json, no_content, ok_json, ApiResult};
use crate::api::query::Query;
use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volumes", get(list))
        .route("/volumes/create", post(create))
        .route("/volumes/prune", post(prune))
        .route("/volumes/{name}", get(inspect).delete(remove))
}

async fn list(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .volume_list(q::ListVolumesOptions {
                filters: q.filters()?,
            })
            .await?,
    )
}

async fn create(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let req: m::VolumeCreateRequest = body(&bytes)?;
    Ok(json(
        StatusCode::CREATED,
        &s.backend.volume_create(req).await?,
    ))
}

async fn inspect(State(s): State<AppState>, Path(name): Path<String>) -> ApiResult {
    ok_json(&s.backend.volume_inspect(&name).await?)
}

async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    s.backend.volume_remove(&name, q.flag("force")).await?;
    no_content()
}

async fn prune(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .volume_prune(q::PruneVolumesOptions {
                filters: q.filters()?,
            })
            .await?,
    )
}
