//! The one place an interface error becomes an HTTP answer: Docker's status codes and
//! its JSON body `{"message": "..."}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::backend::{BackendError, ErrorKind};

#[derive(Debug)]
pub struct ApiError(pub BackendError);

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError(BackendError::invalid(message))
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::InvalidArgument => StatusCode::BAD_REQUEST,
        ErrorKind::NotModified => StatusCode::NOT_MODIFIED,
        ErrorKind::Unsupported => StatusCode::NOT_IMPLEMENTED,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Unreachable => StatusCode::BAD_GATEWAY,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.0.kind);
        if status == StatusCode::NOT_MODIFIED {
            // 304 carries no body.
            return status.into_response();
        }
        let body = serde_json::json!({ "message": self.0.message });
        (status, axum::Json(body)).into_response()
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;
