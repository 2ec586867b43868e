//! One error type for the web layer. Each variant knows its HTTP status; the `error_pages`
//! middleware turns it into a page in the site's style and language. Internal errors are logged
//! once, here, with a short reference the user sees, and never show their details.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or object (also used where saying "forbidden" would leak that it exists).
    #[error("not found")]
    NotFound,
    /// Signed in, but without a role this page admits.
    #[error("forbidden")]
    Forbidden,
    /// The page needs a signed-in user; carries the path to return to.
    #[error("sign-in required")]
    SignInRequired(String),
    /// A state-changing request without this session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// A request the user can correct; the message is already in their language.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A rate limit; the message says how long to wait.
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// Anything unexpected. Logged with a reference id; the user sees only the id.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<jetdesk_store::StoreError> for AppError {
    fn from(err: jetdesk_store::StoreError) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        AppError::Internal(err.into())
    }
}

/// What the error page shows; put in the response's extensions for the `error_pages` middleware.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// Extra words for the page (already in the user's language), if any.
    pub detail: Option<String>,
    /// The reference of a logged internal error.
    pub reference: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, detail, reference) = match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, None, None),
            AppError::Forbidden => (StatusCode::FORBIDDEN, None, None),
            AppError::SignInRequired(next) => {
                let location = format!("/login?next={}", crate::forms::url_encode(&next));
                return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, location)]).into_response();
            }
            AppError::Csrf => (StatusCode::FORBIDDEN, Some(CSRF_DETAIL.to_string()), None),
            AppError::BadRequest(msg) => (StatusCode::BAD_REQUEST, Some(msg), None),
            AppError::TooManyRequests(msg) => (StatusCode::TOO_MANY_REQUESTS, Some(msg), None),
            AppError::Internal(err) => {
                let reference = crate::security::short_reference();
                tracing::error!(reference = %reference, error = ?err, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, None, Some(reference))
            }
        };
        let mut response = (status, status.canonical_reason().unwrap_or("error")).into_response();
        response.extensions_mut().insert(ErrorPage { detail, reference });
        response
    }
}

/// Marker the error page swaps for the translated "your form expired" text.
pub const CSRF_DETAIL: &str = "csrf";

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;
