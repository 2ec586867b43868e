//! Sessions, kept in the database. The cookie holds a random token; the database holds its hash,
//! the signed-in user and the session's CSRF token. A session is created only when a page needs
//! one (a form, or signing in), so reading public pages writes nothing. Signing in always starts
//! a new session (the old id is discarded), and changing a password ends the user's other sessions.
//!
//! `session_layer` loads the session and the user's roles once per request and puts a [`Ctx`] in
//! the request's extensions, where handlers and the access check read it.

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::security::{new_token, token_hash};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use jetdesk_domain::Role;
use jetdesk_store::SessionRow;
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "jetdesk_session";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "lang";
/// How long a session lasts without use.
const SESSION_SECONDS: i64 = 12 * 3600;

/// The signed-in user, as a request sees them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// User id.
    pub id: i64,
    /// Their e-mail address.
    pub email: String,
    /// The name pages greet them by.
    pub display_name: String,
    /// Their roles.
    pub roles: BTreeSet<Role>,
}

impl SignedIn {
    /// Whether the user holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The request's context: language, session, user, client address.
#[derive(Clone)]
pub struct Ctx(Arc<CtxInner>);

struct CtxInner {
    state: AppState,
    lang: Lang,
    client_ip: Option<IpAddr>,
    path: String,
    user: Option<SignedIn>,
    session: Mutex<Option<SessionRow>>,
    set_cookies: Mutex<Vec<String>>,
}

impl Ctx {
    /// The interface language.
    pub fn lang(&self) -> Lang {
        self.0.lang
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&SignedIn> {
        self.0.user.as_ref()
    }

    /// The signed-in user, or "sign in first" (returning here afterwards).
    pub fn require_user(&self) -> AppResult<&SignedIn> {
        self.0
            .user
            .as_ref()
            .ok_or_else(|| AppError::SignInRequired(self.0.path.clone()))
    }

    /// The path and query of this request.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// The client's address, for per-address rate limits.
    pub fn client_ip(&self) -> String {
        self.0
            .client_ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    /// The session's CSRF token if a session exists (it does whenever someone is signed in).
    pub fn csrf_if_any(&self) -> String {
        self.session().map(|s| s.csrf_token).unwrap_or_default()
    }

    fn session(&self) -> Option<SessionRow> {
        self.0.session.lock().map(|s| s.clone()).unwrap_or(None)
    }

    /// The application's state (for middleware that has no `State` extractor).
    pub fn app_state(&self) -> &AppState {
        &self.0.state
    }

    /// The CSRF token for a form on this page, starting an anonymous session if there is none.
    pub async fn csrf(&self) -> AppResult<String> {
        if let Some(session) = self.session() {
            return Ok(session.csrf_token);
        }
        self.start_session(None).await
    }

    /// The hash of the current session's id, if any.
    pub fn session_id_hash(&self) -> Option<String> {
        self.session().map(|s| s.id)
    }

    /// Signs `user_id` in: the old session (if any) is deleted and a new one with a new id and a
    /// new CSRF token takes its place, so a session id planted before sign-in is worthless.
    pub async fn sign_in(&self, user_id: i64) -> AppResult<()> {
        if let Some(old) = self.session() {
            self.0.state.store.delete_session(&old.id).await?;
        }
        self.start_session(Some(user_id)).await?;
        Ok(())
    }

    /// Ends the session and clears the cookie.
    pub async fn sign_out(&self) -> AppResult<()> {
        if let Some(old) = self.session() {
            self.0.state.store.delete_session(&old.id).await?;
        }
        if let Ok(mut s) = self.0.session.lock() {
            *s = None;
        }
        self.push_cookie(format!(
            "{SESSION_COOKIE}=; Max-Age=0; {}",
            self.cookie_attributes()
        ));
        Ok(())
    }

    /// Remembers the language choice in a cookie for a year.
    pub fn set_lang_cookie(&self, lang: Lang) {
        self.push_cookie(format!(
            "{LANG_COOKIE}={}; Max-Age=31536000; {}",
            lang.code(),
            self.cookie_attributes()
        ));
    }

    async fn start_session(&self, user_id: Option<i64>) -> AppResult<String> {
        let token = new_token();
        let csrf = new_token();
        let row = SessionRow {
            id: token_hash(&token),
            user_id,
            csrf_token: csrf.clone(),
            expires_at: jetdesk_store::now() + SESSION_SECONDS,
        };
        self.0
            .state
            .store
            .create_session(&row.id, user_id, &csrf, row.expires_at)
            .await?;
        if let Ok(mut s) = self.0.session.lock() {
            *s = Some(row);
        }
        self.push_cookie(format!(
            "{SESSION_COOKIE}={token}; Max-Age={SESSION_SECONDS}; {}",
            self.cookie_attributes()
        ));
        Ok(csrf)
    }

    fn cookie_attributes(&self) -> &'static str {
        if self.0.state.secure_cookies {
            "Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "Path=/; HttpOnly; SameSite=Lax"
        }
    }

    fn push_cookie(&self, cookie: String) {
        if let Ok(mut c) = self.0.set_cookies.lock() {
            c.push(cookie);
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))
    }
}

/// Reads one cookie from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// Loads the session, user and language, runs the request, then sets any new cookies.
pub async fn session_layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let mut session = None;
    let mut user = None;
    // The JSON API authenticates by bearer token only: its requests never get a cookie session,
    // which is what lets the CSRF layer pass them (see `crate::api`).
    let is_api = request.uri().path().starts_with(crate::api::PREFIX);
    let session_cookie =
        cookie(headers, SESSION_COOKIE).filter(|t| !is_api && !t.is_empty() && t.len() < 100);
    if let Some(token) = session_cookie {
        match load_session(&state, &token_hash(token)).await {
            Ok((s, u)) => {
                session = s;
                user = u;
            }
            Err(err) => return axum::response::IntoResponse::into_response(AppError::from(err)),
        }
    }
    let saved_locale = user
        .as_ref()
        .and_then(|(_, locale): &(SignedIn, Option<String>)| locale.as_deref())
        .and_then(Lang::from_tag);
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_tag)
        .or(saved_locale)
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or_default();
    let client_ip = client_ip(&request, state.config.trust_proxy);
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let ctx = Ctx(Arc::new(CtxInner {
        state: state.clone(),
        lang,
        client_ip,
        path,
        user: user.map(|(u, _)| u),
        session: Mutex::new(session),
        set_cookies: Mutex::new(Vec::new()),
    }));
    request.extensions_mut().insert(ctx.clone());
    let mut response = next.run(request).await;
    let cookies = ctx.0.set_cookies.lock().map(|c| c.clone()).unwrap_or_default();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    if ctx.user().is_some() {
        // Pages for a signed-in user must not sit in shared caches or the back-forward cache.
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    response
}

type Loaded = (Option<SessionRow>, Option<(SignedIn, Option<String>)>);

async fn load_session(state: &AppState, id_hash: &str) -> jetdesk_store::Result<Loaded> {
    let Some(loaded) = state.store.session(id_hash).await? else {
        return Ok((None, None));
    };
    let row = loaded.session;
    let user = loaded.user.map(|(u, roles)| {
        (
            SignedIn {
                id: u.id,
                email: u.email,
                display_name: u.display_name,
                roles,
            },
            u.locale,
        )
    });
    if row.user_id.is_some() {
        // Sliding expiry: extend when less than half the lifetime is left (one write per 6 hours).
        if row.expires_at - jetdesk_store::now() < SESSION_SECONDS / 2 {
            state
                .store
                .extend_session(id_hash, jetdesk_store::now() + SESSION_SECONDS)
                .await?;
        }
    }
    Ok((Some(row), user))
}

fn client_ip(request: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip())
}
