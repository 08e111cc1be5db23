//! `/images/...` and `/commit`. Image names carry slashes (`localhost:5000/team/app`),
//! so everything after `/images/` is read as one path and its last segment says what
//! is asked (`json`, `history`, `tag`, `get`, `push`).

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use bollard::models as m;
use bollard::query_parameters as q;

use super::{body, json, ok_json, streamed, upload, ApiResult};
use crate::api::compat;
use crate::api::error::ApiError;
use crate::api::query::Query;
use crate::api::version::ApiVersion;
use crate::api::AppState;
use crate::backend::BackendError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/images/json", get(list))
        .route("/images/load", post(load))
        .route("/images/create", post(create))
        .route("/images/prune", post(prune))
        .route("/images/get", get(save_many))
        .route(
            "/images/{*rest}",
            get(by_name_get).post(by_name_post).delete(remove),
        )
}

async fn list(
    State(s): State<AppState>,
    Extension(v): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let opts = q::ListImagesOptions {
        all: q.flag("all"),
        filters: q.filters()?,
        shared_size: q.flag("shared-size"),
        digests: q.flag("digests"),
        manifests: false,
    };
    let images = s.backend.image_list(opts).await?;
    let old = v.before(1, 44);
    let out: Vec<serde_json::Value> = images
        .iter()
        .map(|i| compat::image_summary(serde_json::to_value(i).unwrap_or_default(), old))
        .collect();
    ok_json(&out)
}

/// A progress stream of one message, as Docker answers load and import.
fn progress(lines: Vec<serde_json::Value>) -> ApiResult {
    let mut body = Vec::new();
    for l in lines {
        body.extend(serde_json::to_vec(&l).unwrap_or_default());
        body.push(b'\n');
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// `quiet` only silences progress bars, which Berth does not draw: the names of the
/// loaded images are always sent, as Docker's daemon sends them.
async fn load(State(s): State<AppState>, b: Body) -> ApiResult {
    let report = s.backend.image_load(upload(b)).await?;
    progress(
        report
            .loaded
            .iter()
            .map(|l| serde_json::json!({"stream": format!("{l}\n")}))
            .collect(),
    )
}

/// `fromSrc=-` imports the body as a root filesystem; `fromImage` pulls.
async fn create(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
    b: Body,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    if let Some(src) = q.string("fromSrc") {
        if src != "-" {
            return Err(ApiError(BackendError::unsupported(
                "importing from a URL is not supported: send the tar in the request body (fromSrc=-)",
            )));
        }
        let reference = match (q.string("repo").filter(|r| !r.is_empty()), q.string("tag")) {
            (Some(r), Some(t)) if !t.is_empty() => Some(format!("{r}:{t}")),
            (Some(r), _) => Some(r),
            _ => None,
        };
        let id = s
            .backend
            .image_import(upload(b), reference, q.all("changes"), q.string("message"))
            .await?;
        return progress(vec![serde_json::json!({"status": id})]);
    }
    let image = q.string("fromImage").unwrap_or_default();
    if image.is_empty() {
        return Err(ApiError::bad_request("fromImage or fromSrc is required"));
    }
    // `tag` may be a tag or a digest; an image already naming one keeps it.
    let reference = match q.string("tag").filter(|t| !t.is_empty()) {
        Some(t) if t.starts_with("sha256:") => format!("{image}@{t}"),
        Some(t) => format!("{image}:{t}"),
        None => image,
    };
    let auth = super::registry::registry_auth(&headers)?;
    let stream = s
        .backend
        .image_pull(
            &reference,
            q.string("platform").filter(|p| !p.is_empty()),
            auth,
        )
        .await?;
    Ok(super::registry::progress(stream))
}

async fn prune(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let opts = q::PruneImagesOptions {
        filters: q.filters()?,
    };
    ok_json(&s.backend.image_prune(opts).await?)
}

async fn save_many(State(s): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let tar = s.backend.image_save(q.all("names")).await?;
    Ok(streamed("application/x-tar", tar))
}

/// `NAME/json`, `NAME/history`, `NAME/get`.
async fn by_name_get(State(s): State<AppState>, Path(rest): Path<String>) -> ApiResult {
    if let Some(name) = rest.strip_suffix("/json") {
        return ok_json(&s.backend.image_inspect(name).await?);
    }
    if let Some(name) = rest.strip_suffix("/history") {
        return ok_json(&s.backend.image_history(name).await?);
    }
    if let Some(name) = rest.strip_suffix("/get") {
        let tar = s.backend.image_save(vec![name.to_string()]).await?;
        return Ok(streamed("application/x-tar", tar));
    }
    Err(ApiError(BackendError::not_found("page not found")))
}

/// `NAME/tag?repo=&tag=`, `NAME/push`.
async fn by_name_post(
    State(s): State<AppState>,
    Path(rest): Path<String>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    if let Some(name) = rest.strip_suffix("/tag") {
        let repo = q.string("repo").unwrap_or_default();
        let tag = q
            .string("tag")
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "latest".into());
        s.backend.image_tag(name, &repo, &tag).await?;
        return Ok(StatusCode::CREATED.into_response());
    }
    if let Some(name) = rest.strip_suffix("/push") {
        let reference = match q.string("tag").filter(|t| !t.is_empty()) {
            Some(t) => format!("{name}:{t}"),
            None => name.to_string(),
        };
        let auth = super::registry::registry_auth(&headers)?;
        let stream = s.backend.image_push(&reference, auth).await?;
        return Ok(super::registry::progress(stream));
    }
    Err(ApiError(BackendError::not_found("page not found")))
}

async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    ok_json(
        &s.backend
            .image_remove(&name, q.flag("force"), q.flag("noprune"))
            .await?,
    )
}

/// `POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=`.
pub async fn commit(State(s): State<AppState>, RawQuery(raw): RawQuery, bytes: Bytes) -> ApiResult {
    let q = Query::parse(raw.as_deref())?;
    let container = q
        .string("container")
        .ok_or_else(|| ApiError::bad_request("container is required"))?;
    let config: m::ContainerConfig = body(&bytes)?;
    let changes = q.all("changes");
    let opts = q::CommitContainerOptions {
        container: Some(container.clone()),
        repo: q.string("repo").filter(|r| !r.is_empty()),
        tag: q.string("tag").filter(|t| !t.is_empty()),
        comment: q.string("comment"),
        author: q.string("author"),
        pause: q.flag_or("pause", true),
        changes: (!changes.is_empty()).then(|| changes.join("\n")),
    };
    let id = s.backend.image_commit(&container, opts, config).await?;
    Ok(json(StatusCode::CREATED, &id))
}
