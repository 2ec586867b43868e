//! A session that expires while an applicant is writing a section must not cost them their typing.
//! When a section form arrives without a signed-in session, the CSRF layer hands its body here
//! instead of refusing it: the body is kept for an hour under the hash of a random token, the token
//! goes to the browser in an HttpOnly cookie, and the applicant is sent to sign in with the section
//! as the page to return to. Back on the section, the kept answers fill the form again with a
//! notice; they are never saved on their own, because the request that brought them was not
//! authenticated: the applicant checks them and saves (a normal, CSRF-protected request).

use crate::security::{new_token, token_hash};
use crate::session::cookie;
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The cookie holding the token of a kept form.
pub const RESUME_COOKIE: &str = "jetdesk_resume";
/// How long a kept form waits for its owner to sign in again.
const KEEP_SECONDS: i64 = 3600;

/// Whether a form posted to `path` is kept when the session has expired: the application's
/// sections, where an applicant may have written for an hour.
pub fn resumable(path: &str) -> bool {
    path.strip_prefix("/apply/section/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

fn cookie_attributes(state: &AppState) -> &'static str {
    if state.secure_cookies {
        "Path=/apply; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/apply; HttpOnly; SameSite=Lax"
    }
}

/// Keeps `body` posted to `path` and sends the browser to sign in, then back to `path`.
pub async fn stash(state: &AppState, path: &str, body: &[u8]) -> Response {
    let token = new_token();
    let text = String::from_utf8_lossy(body);
    let kept = state
        .store
        .stash_form(
            &token_hash(&token),
            path,
            &text,
            jetdesk_store::now() + KEEP_SECONDS,
        )
        .await;
    if let Err(err) = kept {
        return crate::error::AppError::from(err).into_response();
    }
    let location = format!(
        "/login?next={}&notice=session-expired",
        crate::forms::url_encode(path)
    );
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    let set = format!(
        "{RESUME_COOKIE}={token}; Max-Age={KEEP_SECONDS}; {}",
        cookie_attributes(state)
    );
    if let Ok(v) = HeaderValue::from_str(&set) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Takes the form kept for `path` by this browser, if any: its fields, in order.
pub async fn take(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> crate::error::AppResult<Option<Vec<(String, String)>>> {
    let Some(token) = cookie(headers, RESUME_COOKIE).filter(|t| !t.is_empty() && t.len() < 100) else {
        return Ok(None);
    };
    let body = state.store.take_form(&token_hash(token), path).await?;
    Ok(body.map(|b| form_urlencoded::parse(b.as_bytes()).into_owned().collect()))
}

/// A `Set-Cookie` value that removes the resume cookie.
pub fn clear_cookie(state: &AppState) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{RESUME_COOKIE}=; Max-Age=0; {}",
        cookie_attributes(state)
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_section_forms_are_kept() {
        assert!(resumable("/apply/section/personal"));
        assert!(resumable("/apply/section/preferences"));
        assert!(!resumable("/apply/section/"));
        assert!(!resumable("/apply/submit"));
        assert!(!resumable("/apply/section/personal?x=1"));
        assert!(!resumable("/admin/users"));
    }
}
