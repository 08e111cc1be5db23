//! `/swarm`, `/nodes`, `/services` and `/tasks`: Docker's swarm endpoints, thin over the
//! engine interface, so the docker CLI's `swarm`, `node`, `service` and `stack` commands
//! work against Berth.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use bollard::models as m;

use super::{body, json, ok_json, ApiResult};
use crate::api::error::ApiError;
use crate::api::query::Query;
use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/swarm", get(inspect))
        .route("/swarm/init", post(init))
        .route("/swarm/leave", post(leave))
        .route("/swarm/join", post(join))
        .route("/nodes", get(nodes))
        .route("/nodes/{id}", get(node).delete(node_remove))
        .route("/nodes/{id}/update", post(node_update))
        .route("/services", get(services))
        .route("/services/create", post(service_create))
        .route("/services/{id}", get(service).delete(service_remove))
        .route("/services/{id}/update", post(service_update))
        .route("/services/{id}/logs", get(service_logs))
        .route("/tasks", get(tasks))
        .route("/tasks/{id}", get(task))
        .route("/tasks/{id}/logs", get(task_logs))
}

fn filters(q: &Query) -> Result<std::collections::HashMap<String, Vec<String>>, ApiError> {
    Ok(q.filters()?.unwrap_or_default())
}

/// `?version=N`, which updates must carry.
fn version(q: &Query) -> Result<u64, ApiError> {
    q.int("version")?
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| ApiError::bad_request("invalid service version: missing or bad version"))
}

async fn inspect(State(s): State<AppState>) -> ApiResult {
    ok_json(&s.backend.swarm_inspect().await?)
}

async fn init(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let req: m::SwarmInitRequest = body(&bytes)?;
    // Docker answers with the node ID as a JSON string.
    ok_json(&s.backend.swarm_init(req).await?)
}

async fn leave(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    s.backend.swarm_leave(q.flag("force")).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::OK))
}

async fn join() -> ApiResult {
    Err(ApiError(crate::backend::BackendError::unsupported(
        "joining another host's swarm is a real Swarm's job: drive it with the Docker backend \
         (berth --host / a docker context)",
    )))
}

async fn nodes(State(s): State<AppState>) -> ApiResult {
    ok_json(&s.backend.node_list().await?)
}

async fn node(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.node_inspect(&id).await?)
}

async fn node_remove(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    s.backend.node_remove(&id, q.flag("force")).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::OK))
}

async fn node_update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let spec: m::NodeSpec = body(&bytes)?;
    s.backend.node_update(&id, version(&q)?, spec).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::OK))
}

async fn services(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .service_list(filters(&q)?, q.flag("status"))
            .await?,
    )
}

/// A service spec as the docker CLI sends it. Go's decoder matches keys without regard
/// to case and the CLI writes the container's `Healthcheck`, which bollard's model
/// spells `HealthCheck`: that one key is put right before reading.
fn service_spec(bytes: &Bytes) -> ApiResult<m::ServiceSpec> {
    let mut v: serde_json::Value = body(bytes)?;
    if let Some(c) = v
        .pointer_mut("/TaskTemplate/ContainerSpec")
        .and_then(|c| c.as_object_mut())
    {
        if let Some(h) = c.remove("Healthcheck") {
            c.entry("HealthCheck").or_insert(h);
        }
    }
    serde_json::from_value(v)
        .map_err(|e| ApiError::bad_request(format!("json: cannot unmarshal: {e}")))
}

async fn service_create(State(s): State<AppState>, bytes: Bytes) -> ApiResult {
    let spec = service_spec(&bytes)?;
    Ok(json(
        StatusCode::CREATED,
        &s.backend.service_create(spec).await?,
    ))
}

async fn service(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.service_inspect(&id).await?)
}

async fn service_remove(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.service_remove(&id).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::OK))
}

async fn service_update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let spec = service_spec(&bytes)?;
    let rollback = q.get("rollback") == Some("previous");
    ok_json(
        &s.backend
            .service_update(&id, version(&q)?, spec, rollback)
            .await?,
    )
}

async fn tasks(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(&s.backend.task_list(filters(&q)?).await?)
}

async fn task(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.task_inspect(&id).await?)
}

/// Whether a service's tasks have a terminal: their logs are then one raw stream.
fn tty(spec: Option<&m::TaskSpec>) -> bool {
    spec.and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.tty)
        .unwrap_or(false)
}

async fn service_logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let opts = super::containers::logs_query(&raw)?;
    let service = s.backend.service_inspect(&id).await?;
    let tty = tty(service
        .spec
        .as_ref()
        .and_then(|sp| sp.task_template.as_ref()));
    let out = s.backend.service_logs(&id, false, opts).await?;
    let (ctype, bytes) = crate::api::frame::encode(out, tty);
    Ok(super::streamed(ctype, bytes))
}

async fn task_logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let opts = super::containers::logs_query(&raw)?;
    let task = s.backend.task_inspect(&id).await?;
    let out = s.backend.service_logs(&id, true, opts).await?;
    let (ctype, bytes) = crate::api::frame::encode(out, tty(task.spec.as_ref()));
    Ok(super::streamed(ctype, bytes))
}
