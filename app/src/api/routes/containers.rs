//! `/containers/...`: list, create, inspect, lifecycle, logs, stats, top, changes,
//! export and the archive endpoints.

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::Router;
use base64::Engine as _;
use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::StreamExt;

use super::{body, json, no_content, ok_json, streamed, upload, ApiResult};
use crate::api::error::ApiError;
use crate::api::query::Query;
use crate::api::AppState;
use crate::api::{frame, hijack};
use crate::backend::{LogsQuery, PathStat};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/containers/json", get(list))
        .route("/containers/create", post(create))
        .route("/containers/prune", post(prune))
        .route("/containers/{id}/json", get(inspect))
        .route("/containers/{id}/start", post(start))
        .route("/containers/{id}/stop", post(stop))
        .route("/containers/{id}/restart", post(restart))
        .route("/containers/{id}/kill", post(kill))
        .route("/containers/{id}/pause", post(pause))
        .route("/containers/{id}/unpause", post(unpause))
        .route("/containers/{id}/wait", post(wait))
        .route("/containers/{id}/rename", post(rename))
        .route("/containers/{id}/update", post(update))
        .route("/containers/{id}/resize", post(resize))
        .route("/containers/{id}/top", get(top))
        .route("/containers/{id}/stats", get(stats))
        .route("/containers/{id}/changes", get(changes))
        .route("/containers/{id}/export", get(export))
        .route("/containers/{id}/logs", get(logs))
        .route("/containers/{id}/attach", post(attach))
        .route(
            "/containers/{id}/archive",
            get(archive_get).head(archive_head).put(archive_put),
        )
        .route("/containers/{id}", delete(remove))
}

fn query(raw: &Option<String>) -> Result<Query, ApiError> {
    Query::parse(raw.as_deref())
}

async fn list(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(&raw)?;
    let opts = q::ListContainersOptions {
        all: q.flag("all"),
        limit: q.int("limit")?.map(|n| n as i32),
        size: q.flag("size"),
        filters: q.filters()?,
    };
    ok_json(&s.backend.container_list(opts).await?)
}

async fn create(State(s): State<AppState>, RawQuery(raw): RawQuery, bytes: Bytes) -> ApiResult {
    let q = query(&raw)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "config cannot be empty in order to create a container",
        ));
    }
    let cfg: m::ContainerCreateBody = body(&bytes)?;
    let created = s
        .backend
        .container_create(q.string("name"), q.string("platform"), cfg)
        .await?;
    Ok(json(StatusCode::CREATED, &created))
}

async fn inspect(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    ok_json(&s.backend.container_inspect(&id, q.flag("size")).await?)
}

async fn start(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.container_start(&id).await?;
    no_content()
}

/// `t` (seconds; older clients) or `timeout`, and `signal`.
fn stop_args(q: &Query) -> Result<(Option<String>, Option<i64>), ApiError> {
    let t = match q.int("t")? {
        Some(t) => Some(t),
        None => q.int("timeout")?,
    };
    Ok((q.string("signal").filter(|s| !s.is_empty()), t))
}

async fn stop(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (sig, t) = stop_args(&query(&raw)?)?;
    s.backend.container_stop(&id, sig, t).await?;
    no_content()
}

async fn restart(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (sig, t) = stop_args(&query(&raw)?)?;
    s.backend.container_restart(&id, sig, t).await?;
    no_content()
}

async fn kill(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let sig = q.string("signal").unwrap_or_default();
    s.backend.container_kill(&id, &sig).await?;
    no_content()
}

async fn pause(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.container_pause(&id).await?;
    no_content()
}

async fn unpause(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    s.backend.container_unpause(&id).await?;
    no_content()
}

/// The status line goes out at once and the body when the container is done, as
/// Docker does, so a client knows the wait is registered before it starts the container.
async fn wait(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let condition = q.string("condition").unwrap_or_default();
    // Refuse a missing container or a bad condition before the 200 goes out.
    s.backend.container_inspect(&id, false).await?;
    if !matches!(
        condition.as_str(),
        "" | "not-running" | "next-exit" | "removed"
    ) {
        return Err(ApiError::bad_request(format!(
            "invalid condition: \"{condition}\""
        )));
    }
    let backend = s.backend.clone();
    let answer = futures_util::stream::once(async move {
        let res = match backend.container_wait(&id, &condition).await {
            Ok(r) => serde_json::to_vec(&r).unwrap_or_default(),
            Err(e) => serde_json::to_vec(&serde_json::json!({
                "StatusCode": -1,
                "Error": {"Message": e.message},
            }))
            .unwrap_or_default(),
        };
        Ok::<_, std::convert::Infallible>(Bytes::from(res))
    });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        Body::from_stream(answer),
    )
        .into_response())
}

async fn rename(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let name = q.string("name").unwrap_or_default();
    s.backend.container_rename(&id, &name).await?;
    no_content()
}

async fn update(State(s): State<AppState>, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let b: m::ContainerUpdateBody = body(&bytes)?;
    ok_json(&s.backend.container_update(&id, b).await?)
}

async fn resize(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let (h, w) = q.size()?;
    s.backend.container_resize(&id, h, w).await?;
    Ok(StatusCode::OK.into_response())
}

async fn remove(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let opts = q::RemoveContainerOptions {
        v: q.flag("v"),
        force: q.flag("force"),
        link: q.flag("link"),
    };
    s.backend.container_remove(&id, opts).await?;
    no_content()
}

async fn prune(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = query(&raw)?;
    let opts = q::PruneContainersOptions {
        filters: q.filters()?,
    };
    ok_json(&s.backend.container_prune(opts).await?)
}

async fn top(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    ok_json(&s.backend.container_top(&id, q.string("ps_args")).await?)
}

/// One JSON object per reading; with `stream=false` (or `one-shot`) just one.
async fn stats(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = query(&raw)?;
    let stream = q.flag_or("stream", true) && !q.flag("one-shot");
    let readings = s.backend.container_stats(&id, stream).await?;
    let lines = readings.map(|r| {
        r.and_then(|r| {
            let mut line = serde_json::to_vec(&r)
                .map_err(|e| crate::backend::BackendError::internal(e.to_string()))?;
            line.push(b'\n');
            Ok(Bytes::from(line))
        })
    });
    Ok(streamed("application/json", Box::pin(lines)))
}

async fn changes(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok_json(&s.backend.container_changes(&id).await?)
}

async fn export(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let tar = s.backend.container_export(&id).await?;
    Ok(streamed("application/x-tar", tar))
}

/// Docker's log stream: raw for a tty container, otherwise each chunk framed with its
/// stream (stdout or stderr) and length.
/// A logs endpoint's query (containers', services' and tasks' take the same).
pub(crate) fn logs_query(raw: &Option<String>) -> Result<LogsQuery, ApiError> {
    let q = query(raw)?;
    // `since`/`until` as the events endpoint reads them (Unix seconds with a fraction).
    let now = berth_engine::events::now_nanos();
    let time = |key: &str| -> Result<Option<i64>, ApiError> {
        q.get(key)
            .filter(|v| !v.is_empty() && *v != "0")
            .map(|v| berth_engine::events::filter::parse_time(v, now))
            .transpose()
            .map_err(|e| ApiError::bad_request(format!("{key}: {e}")))
    };
    let tail = match q.get("tail").unwrap_or("all") {
        "" | "all" | "-1" => None,
        n => Some(
            n.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("invalid value for tail: {n:?}")))?,
        ),
    };
    let opts = LogsQuery {
        follow: q.flag("follow"),
        stdout: q.flag("stdout"),
        stderr: q.flag("stderr"),
        since: time("since")?,
        until: time("until")?,
        timestamps: q.flag("timestamps"),
        tail,
        details: q.flag("details"),
    };
    if !opts.stdout && !opts.stderr {
        return Err(ApiError::bad_request(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    Ok(opts)
}

async fn logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let opts = logs_query(&raw)?;
    let tty = s
        .backend
        .container_inspect(&id, false)
        .await?
        .config
        .and_then(|c| c.tty)
        .unwrap_or(false);
    let out = s.backend.container_logs(&id, opts).await?;
    let (ctype, bytes) = frame::encode(out, tty);
    Ok(streamed(ctype, bytes))
}

fn stat_header(stat: &PathStat) -> Result<HeaderValue, ApiError> {
    let json = serde_json::to_vec(stat).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(json);
    HeaderValue::from_str(&b64).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn path_param(q: &Query) -> Result<String, ApiError> {
    q.string("path")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad_request("path cannot be empty"))
}

async fn archive_head(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let path = path_param(&query(&raw)?)?;
    let stat = s.backend.archive_stat(&id, &path).await?;
    let mut h = HeaderMap::new();
    h.insert("X-Docker-Container-Path-Stat", stat_header(&stat)?);
    Ok((StatusCode::OK, h).into_response())
}

async fn archive_get(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let path = path_param(&query(&raw)?)?;
    let (stat, tar) = s.backend.archive_get(&id, &path).await?;
    let mut res = streamed("application/x-tar", tar);
    res.headers_mut()
        .insert("X-Docker-Container-Path-Stat", stat_header(&stat)?);
    Ok(res)
}

async fn archive_put(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    b: Body,
) -> ApiResult {
    let q = query(&raw)?;
    let path = path_param(&q)?;
    s.backend
        .archive_put(
            &id,
            &path,
            q.flag("noOverwriteDirNonDir"),
            q.flag("copyUIDGID"),
            upload(b),
        )
        .await?;
    Ok(StatusCode::OK.into_response())
}

/// `POST /containers/{id}/attach`: the connection is taken over (see `hijack`).
async fn attach(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    req: axum::http::Request<Body>,
) -> ApiResult {
    let q = query(&raw)?;
    let c = s.backend.container_inspect(&id, false).await?;
    let tty = c.config.and_then(|c| c.tty).unwrap_or(false);
    let opts = q::AttachContainerOptions {
        detach_keys: q.string("detachKeys"),
        logs: q.flag("logs"),
        stream: q.flag("stream"),
        stdin: q.flag("stdin"),
        stdout: q.flag("stdout"),
        stderr: q.flag("stderr"),
    };
    // Attached (for a container not yet running: registered) before the answer goes
    // out, so a start the client sends next is seen from its first byte.
    let d = s.backend.container_attach(&id, opts).await?;
    if hijack::wants_upgrade(&req) {
        return Ok(hijack::upgrade(req, tty, async move { Ok(d) }));
    }
    Ok(hijack::output_only(d, tty))
}
