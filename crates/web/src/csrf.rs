//! CSRF protection by a synchroniser token: every state-changing request must carry the session's
//! token, in the `csrf` form field or the `X-CSRF-Token` header (htmx sends the header); a
//! multipart upload form carries it in the `csrf` query parameter instead. A request
//! without a session, or with the wrong token, is refused with 403 before any handler runs.
//! SameSite=Lax cookies are a second line, not the only one.

use crate::error::AppError;
use crate::security::constant_time_eq;
use crate::session::Ctx;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header::CONTENT_TYPE, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest form body the CSRF check will buffer (forms are small; uploads send the token in a header).
const FORM_LIMIT: usize = 256 * 1024;

/// Refuses unsafe requests without the session's CSRF token.
pub async fn csrf_layer(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if request.uri().path().starts_with(crate::api::PREFIX) {
        // The JSON API never authenticates by cookie (the session layer reads none on its paths),
        // so a forged cross-site request has no credentials to borrow: no CSRF token is needed.
        return next.run(request).await;
    }
    let Some(ctx) = request.extensions().get::<Ctx>().cloned() else {
        return AppError::Csrf.into_response();
    };
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if is_form
        && ctx.user().is_none()
        && request.uri().query().is_none()
        && crate::applications::resume::resumable(request.uri().path())
    {
        // An application section posted after the session expired: keep the typing for after
        // sign-in instead of refusing it (see `applications::resume`). Nothing is saved from it.
        let path = request.uri().path().to_string();
        let Ok(bytes) = to_bytes(request.into_body(), FORM_LIMIT).await else {
            return (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
        };
        return crate::applications::resume::stash(ctx.app_state(), &path, &bytes).await;
    }
    let expected = ctx.csrf_if_any();
    if expected.is_empty() {
        return AppError::Csrf.into_response();
    }
    if let Some(header) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_time_eq(header.as_bytes(), expected.as_bytes()) {
            next.run(request).await
        } else {
            AppError::Csrf.into_response()
        };
    }
    if content_type.starts_with("multipart/form-data") {
        // File uploads without JavaScript: the token rides in the form action's query string
        // (`?csrf=…`), so the body (possibly megabytes) need not be buffered here. Only multipart
        // bodies may do this; see docs/decisions/0004-uploads.md.
        let sent = request
            .uri()
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf"))
            .map(|(_, v)| v.into_owned());
        return match sent {
            Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => next.run(request).await,
            _ => AppError::Csrf.into_response(),
        };
    }
    if !is_form {
        return AppError::Csrf.into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response();
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    match sent {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => AppError::Csrf.into_response(),
    }
}
