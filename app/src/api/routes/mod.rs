//! The route table, and the few helpers every route uses to read a body and write an
//! answer in Docker's shapes.

mod build;
mod containers;
mod exec;
mod images;
mod networks;
mod registry;
mod secrets;
mod swarm;
mod system;
mod volumes;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{ApiError, ApiResult};
use super::AppState;

pub fn all() -> Router<AppState> {
    Router::new()
        .route("/_ping", get(system::ping).head(system::ping))
        .route("/version", get(system::version))
        .route("/info", get(system::info))
        .route("/system/df", get(system::df))
        .route("/events", get(system::events))
        .merge(containers::routes())
        .merge(exec::routes())
        .merge(images::routes())
        .merge(networks::routes())
        .merge(volumes::routes())
        .merge(swarm::routes())
        .merge(secrets::routes())
        .route("/commit", post(images::commit))
        .route("/auth", post(registry::auth))
        .route("/build", post(build::build))
        .route("/build/prune", post(build::prune))
        .fallback(not_found)
}

/// Docker's answer to a path it has no route for.
async fn not_found(req: axum::http::Request<axum::body::Body>) -> Response {
    if let Some(refused) = req.extensions().get::<super::version::VersionRefused>() {
        return ApiError::bad_request(refused.0.clone()).into_response();
    }
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"message": "page not found"})),
    )
        .into_response()
}

/// A JSON body as a model; a malformed one is 400 with the parser's words, as Docker
/// answers. An empty body is the model's default.
pub fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(json_error(&e)))
}

/// serde's message without its position suffix, in the words Go's decoder uses for the
/// common cases.
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("invalid JSON: {e}"),
        Category::Data => format!("json: cannot unmarshal: {e}"),
        Category::Io => e.to_string(),
    }
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

pub fn ok_json<T: Serialize>(value: &T) -> ApiResult {
    Ok(json(StatusCode::OK, value))
}

pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A byte stream as a chunked answer of the given content type.
pub fn streamed(content_type: &'static str, stream: crate::backend::ByteStream) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, content_type)],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// A request body as the interface's upload stream.
pub fn upload(body: axum::body::Body) -> crate::backend::ByteStream {
    use futures_util::TryStreamExt;
    Box::pin(body.into_data_stream().map_err(|e| {
        crate::backend::BackendError::invalid(format!("reading the request body: {e}"))
    }))
}
