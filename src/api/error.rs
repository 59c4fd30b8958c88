//! The one mapping from [`AppError`] to an HTTP response of the JSON API.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header::RETRY_AFTER};
use axum::response::{IntoResponse, Response};

use crate::domain::AppError;

/// An [`AppError`] on its way out as `{"code", "message", …}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // The serde form carries the code and the variant's named fields
        // (`seats`, `trip_id`, …); the message is added for people.
        let mut body =
            serde_json::to_value(&err).unwrap_or_else(|_| serde_json::json!({"code": err.code()}));
        if let Some(obj) = body.as_object_mut() {
            obj.insert("message".into(), err.message().into());
        }
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after } = err
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self(AppError::invalid(r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self(AppError::invalid(r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self(AppError::invalid("The path has a malformed parameter."))
    }
}
