//! The JSON API under `/api/v1` for integration (the placing body's systems, say): applications,
//! outcomes, placements, organisations and posts, read-only, described by the OpenAPI document at
//! `/api/v1/openapi.json` (`openapi.rs`). Personal tokens are made on `/account/tokens` (`tokens.rs`).
//!
//! Authentication is a bearer token and nothing else: the session layer does not read cookies on
//! `/api/` paths, so no API request is ever authenticated by a cookie, and that is why the CSRF layer
//! may let these paths through (a forged cross-site request carries no bearer token). Each route's
//! [`Access::Api`] names the scope it needs; [`check`] refuses a missing, unknown, expired or revoked
//! token (401), a token over its rate limit (429), too few scopes or an owner whose roles may not
//! see the data (403), each as `application/problem+json` (RFC 9457). A host's token sees only its
//! own organisations' rows.
//!
//! Lists are paged by an opaque cursor: the last row's id and an HMAC-SHA256 of it (and of the
//! list's name) under a server secret kept in the database, so a cursor cannot be forged or moved
//! to another list. This module must never read the session's user.

pub(crate) mod openapi;
pub mod tokens;

use crate::access::{Access, RouteDef};
use crate::security::{constant_time_eq, new_token, token_hash};
use crate::session::Ctx;
use crate::AppState;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use base64::Engine;
use hmac::{Hmac, Mac};
use jetdesk_domain::{ApplicationState, Position, Role};
use jetdesk_store::{
    ApiApplication, ApiApplicationFilter, ApiOrganisation, ApiOutcome, ApiPlacement, ApiPost,
};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Where the API lives.
pub const PREFIX: &str = "/api/";
/// The largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;
/// The page size when none is asked for.
const DEFAULT_LIMIT: i64 = 50;
/// The rate limit's fixed window.
const WINDOW_SECONDS: i64 = 60;

/// The scopes a token may carry, each with the roles whose holders may use it. A host may use the
/// organisation and placement scopes for its own organisations only.
pub const SCOPES: &[(&str, &[Role])] = &[
    ("applications:read", &[Role::Coordinator]),
    ("outcomes:read", &[Role::Coordinator]),
    ("placements:read", &[Role::Coordinator, Role::Host]),
    (
        "organisations:read",
        &[Role::Coordinator, Role::Admin, Role::Host],
    ),
];

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/api/v1/openapi.json", Access::Public, get(openapi::document)),
        RouteDef::get(
            "/api/v1/applications",
            Access::Api("applications:read"),
            get(list_applications),
        ),
        RouteDef::get(
            "/api/v1/applications/{id}",
            Access::Api("applications:read"),
            get(one_application),
        ),
        RouteDef::get(
            "/api/v1/outcomes",
            Access::Api("outcomes:read"),
            get(list_outcomes),
        ),
        RouteDef::get(
            "/api/v1/placements",
            Access::Api("placements:read"),
            get(list_placements),
        ),
        RouteDef::get(
            "/api/v1/organisations",
            Access::Api("organisations:read"),
            get(list_organisations),
        ),
        RouteDef::get(
            "/api/v1/organisations/{id}",
            Access::Api("organisations:read"),
            get(one_organisation),
        ),
        RouteDef::get(
            "/api/v1/posts",
            Access::Api("organisations:read"),
            get(list_posts),
        ),
        RouteDef::get("/account/tokens", tokens::ACCESS, get(tokens::page)),
        RouteDef::post(
            "/account/tokens",
            tokens::ACCESS,
            axum::routing::post(tokens::create),
        ),
        RouteDef::post(
            "/account/tokens/{id}/revoke",
            tokens::ACCESS,
            axum::routing::post(tokens::revoke),
        ),
    ]
}

/// An RFC 9457 problem: served as `application/problem+json`.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
}

impl Problem {
    fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            status,
            slug,
            title,
            detail: detail.into(),
        }
    }

    fn unauthorized(slug: &'static str, detail: &str) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, slug, "Not authenticated", detail)
    }

    fn bad_request(slug: &'static str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, slug, "Bad request", detail)
    }

    fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "No such object.")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({
            "type": format!("urn:jetdesk:problem:{}", self.slug),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(WINDOW_SECONDS as u64));
        }
        response
    }
}

impl From<jetdesk_store::StoreError> for Problem {
    fn from(err: jetdesk_store::StoreError) -> Problem {
        let reference = crate::security::short_reference();
        tracing::error!(reference = %reference, error = ?err, "internal error in the API");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            format!("Something went wrong on our side (reference {reference})."),
        )
    }
}

/// Turns an error response on an API path that is not already a problem (an unknown path, a
/// wrong method, a body too large) into one, so API clients never receive an HTML page.
pub fn as_problem(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return response;
    }
    let status = response.status();
    let title = status.canonical_reason().unwrap_or("Error");
    let mut problem = Problem::new(status, "http", title, title).into_response();
    // A 405 keeps its `Allow` header.
    if let Some(allow) = response.headers().get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}

/// Who is calling, once [`check`] has let the request through.
#[derive(Debug, Clone, Copy)]
pub struct ApiCaller {
    /// `Some(user_id)` when the owner may see only their own organisations (a host).
    pub member_of: Option<i64>,
}

/// The access check of an [`Access::Api`] route: a live bearer token, within its rate limit,
/// with `scope`, whose owner's roles may use the scope.
pub(crate) async fn check(scope: &'static str, mut request: Request, next: Next) -> Response {
    let Some(ctx) = request.extensions().get::<Ctx>().cloned() else {
        return Problem::from(jetdesk_store::StoreError::Conflict("session layer missing")).into_response();
    };
    match authenticate(ctx.app_state(), request.headers(), scope).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(problem) => problem.into_response(),
    }
}

async fn authenticate(state: &AppState, headers: &HeaderMap, scope: &str) -> Result<ApiCaller, Problem> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty() && t.len() < 200);
    let Some(bearer) = bearer else {
        return Err(Problem::unauthorized(
            "missing-token",
            "Send a personal API token as `Authorization: Bearer TOKEN`.",
        ));
    };
    let Some(token) = state.store.api_token_by_hash(&token_hash(bearer)).await? else {
        return Err(Problem::unauthorized("invalid-token", "This token is not known."));
    };
    let now = jetdesk_store::now();
    if token.revoked_at.is_some() {
        return Err(Problem::unauthorized(
            "revoked-token",
            "This token has been revoked.",
        ));
    }
    if !token.is_live(now) {
        return Err(Problem::unauthorized("expired-token", "This token has expired."));
    }
    let used = state
        .store
        .api_token_hit(token.id, now - now.rem_euclid(WINDOW_SECONDS))
        .await?;
    if used > token.per_minute {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!(
                "This token may make {} requests a minute; try again shortly.",
                token.per_minute
            ),
        ));
    }
    if !token.has_scope(scope) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            "Forbidden",
            format!("This token lacks the scope `{scope}`."),
        ));
    }
    let roles = state.store.roles(token.user_id).await?;
    let allowed = SCOPES
        .iter()
        .find(|(s, _)| *s == scope)
        .map(|(_, r)| *r)
        .unwrap_or(&[]);
    if !allowed.iter().any(|r| roles.contains(r)) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "owner-not-permitted",
            "Forbidden",
            "The token's owner does not hold a role that may see this.",
        ));
    }
    // The pages' rule for staff holds for their tokens too, including tokens made before it was
    // switched on: no two-step verification, no access (`crate::access::MFA_ROLES`).
    if state.config.staff_mfa_required()
        && roles.iter().any(|r| crate::access::MFA_ROLES.contains(r))
        && !state.store.mfa_enabled(token.user_id).await?
    {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "owner-without-two-step",
            "Forbidden",
            "The token's owner holds a staff role and has not set up two-step verification, which \
             staff accounts need: they must set it up under Account → Two-step verification.",
        ));
    }
    let sees_all = roles.contains(&Role::Coordinator) || roles.contains(&Role::Admin);
    Ok(ApiCaller {
        member_of: (!sees_all).then_some(token.user_id),
    })
}

/// Parsed query parameters: paging and filters.
struct Params(HashMap<String, String>);

impl Params {
    fn parse(raw: Option<String>, allowed: &[&str]) -> Result<Params, Problem> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !allowed.contains(&k.as_ref()) && !["limit", "cursor"].contains(&k.as_ref()) {
                return Err(Problem::bad_request(
                    "unknown-parameter",
                    format!("Unknown query parameter `{k}`."),
                ));
            }
            if map.insert(k.clone().into_owned(), v.into_owned()).is_some() {
                return Err(Problem::bad_request(
                    "repeated-parameter",
                    format!("The query parameter `{k}` is given more than once."),
                ));
            }
        }
        Ok(Params(map))
    }

    fn id(&self, name: &str) -> Result<Option<i64>, Problem> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => parse_id(v).map(Some).ok_or_else(|| {
                Problem::bad_request(
                    "invalid-filter",
                    format!("`{name}` must be a positive whole number."),
                )
            }),
        }
    }

    fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, Problem> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v.clone())),
            Some(_) => Err(Problem::bad_request(
                "invalid-filter",
                format!("`{name}` must be one of: {}.", allowed.join(", ")),
            )),
        }
    }

    fn limit(&self) -> Result<i64, Problem> {
        match self.0.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
                _ => Err(Problem::bad_request(
                    "invalid-limit",
                    format!("`limit` must be a whole number from 1 to {MAX_LIMIT}."),
                )),
            },
        }
    }
}

fn parse_id(v: &str) -> Option<i64> {
    v.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The key that signs cursors, made on first use and shared through the database.
async fn cursor_key(state: &AppState) -> Result<Vec<u8>, Problem> {
    Ok(state
        .store
        .server_secret("api-cursor", &new_token())
        .await?
        .into_bytes())
}

fn cursor_mac(key: &[u8], list: &str, id: i64) -> Vec<u8> {
    // HMAC takes a key of any length, so this never fails; an empty MAC would match nothing.
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(format!("{list}:{id}").as_bytes());
    mac.finalize().into_bytes().iter().take(16).copied().collect()
}

/// An opaque cursor for the row after `id` in `list`.
pub fn encode_cursor(key: &[u8], list: &str, id: i64) -> String {
    let mut bytes = id.to_be_bytes().to_vec();
    bytes.extend(cursor_mac(key, list, id));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The id a cursor made by [`encode_cursor`] for `list` carries; `None` if it was not.
pub fn decode_cursor(key: &[u8], list: &str, cursor: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    if bytes.len() != 24 {
        return None;
    }
    let (id_bytes, mac) = bytes.split_at(8);
    let id = i64::from_be_bytes(id_bytes.try_into().ok()?);
    constant_time_eq(mac, &cursor_mac(key, list, id)).then_some(id)
}

/// Runs a paged list: reads the cursor, asks `fetch` for one row more than the page, and answers
/// `{ "items": [...], "next_cursor": ... }`.
async fn page<T, F, Fut>(
    state: &AppState,
    params: &Params,
    list: &str,
    fetch: F,
    id_of: fn(&T) -> i64,
    render: fn(&T) -> Value,
) -> Result<Json<Value>, Problem>
where
    F: FnOnce(i64, i64) -> Fut,
    Fut: std::future::Future<Output = jetdesk_store::Result<Vec<T>>>,
{
    let limit = params.limit()?;
    let key = cursor_key(state).await?;
    let after = match params.0.get("cursor") {
        None => 0,
        Some(c) => decode_cursor(&key, list, c).ok_or_else(|| {
            Problem::bad_request(
                "invalid-cursor",
                "This cursor was not made by this list; start again without one.",
            )
        })?,
    };
    let mut rows = fetch(after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = match rows.last() {
        Some(last) if more => Value::String(encode_cursor(&key, list, id_of(last))),
        _ => Value::Null,
    };
    Ok(Json(json!({
        "items": rows.iter().map(render).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

/// A Unix time as RFC 3339, or null.
fn time(t: Option<i64>) -> Value {
    t.and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| Value::String(t.to_string()))
        .unwrap_or(Value::Null)
}

fn application_json(a: &ApiApplication) -> Value {
    json!({
        "id": a.id,
        "round_id": a.round_id,
        "reference": a.reference,
        "position": a.position,
        "state": a.state,
        "eligibility": a.eligibility_overall,
        "submitted_at": time(a.submitted_at),
        "updated_at": time(Some(a.updated_at)),
        "applicant": { "name": a.display_name, "email": a.email },
    })
}

fn outcome_json(o: &ApiOutcome) -> Value {
    json!({
        "application_id": o.application_id,
        "round_id": o.round_id,
        "reference": o.reference,
        "position": o.position,
        "outcome": o.outcome,
        "alternate_rank": o.alternate_rank,
        "reasons": o.reasons.split(',').filter(|r| !r.is_empty()).collect::<Vec<_>>(),
        "decided_at": time(Some(o.decided_at)),
        "published_at": time(o.published_at),
    })
}

fn placement_json(p: &ApiPlacement) -> Value {
    json!({
        "id": p.id,
        "round_id": p.round_id,
        "application_id": p.application_id,
        "reference": p.reference,
        "state": p.state,
        "post_id": p.post_id,
        "organisation_id": p.org_id,
        "organisation_name": p.org_name_en,
        "position": p.position,
        "offered_at": time(Some(p.offered_at)),
        "deadline_at": time(Some(p.deadline_at)),
        "answered_at": time(p.answered_at),
    })
}

fn organisation_json(o: &ApiOrganisation) -> Value {
    json!({
        "id": o.id,
        "name_en": o.name_en,
        "name_ja": o.name_ja,
        "prefecture": o.prefecture,
        "setting": o.setting,
        "kind": o.kind,
        "region": o.region,
        "area": o.area,
    })
}

fn post_json(p: &ApiPost) -> Value {
    json!({
        "id": p.id,
        "organisation_id": p.org_id,
        "position": p.position,
        "places": p.places,
        "school_levels": p.school_levels.split(',').filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        "min_jlpt": if p.min_jlpt.is_empty() { Value::Null } else { Value::String(p.min_jlpt.clone()) },
        "driving_licence": p.driving_licence != 0,
    })
}

fn path_id(raw: &str) -> Result<i64, Problem> {
    parse_id(raw).ok_or_else(|| Problem::bad_request("invalid-id", "The id must be a positive whole number."))
}

/// The states, positions and verdicts a filter accepts.
pub(crate) fn state_names() -> Vec<&'static str> {
    ApplicationState::ALL.iter().map(|s| s.as_str()).collect()
}

pub(crate) fn position_names() -> Vec<&'static str> {
    Position::ALL.iter().map(|p| p.as_str()).collect()
}

pub(crate) const VERDICTS: &[&str] = &["pass", "needs_review", "fail"];

async fn list_applications(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let params = Params::parse(raw, &["round", "position", "state", "eligibility"])?;
    let filter = ApiApplicationFilter {
        round_id: params.id("round")?,
        position: params.one_of("position", &position_names())?,
        state: params.one_of("state", &state_names())?,
        eligibility: params.one_of("eligibility", VERDICTS)?,
    };
    let store = &state.store;
    page(
        &state,
        &params,
        "applications",
        |after, n| store.api_applications(&filter, after, n),
        |a| a.id,
        application_json,
    )
    .await
}

async fn one_application(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id)?;
    let a = state
        .store
        .api_application(id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(application_json(&a)))
}

async fn list_outcomes(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let params = Params::parse(raw, &["round"])?;
    let round = params.id("round")?;
    let store = &state.store;
    page(
        &state,
        &params,
        "outcomes",
        |after, n| store.api_outcomes(round, after, n),
        |o| o.application_id,
        outcome_json,
    )
    .await
}

async fn list_placements(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let params = Params::parse(raw, &["round"])?;
    let round = params.id("round")?;
    let store = &state.store;
    page(
        &state,
        &params,
        "placements",
        |after, n| store.api_placements(round, caller.member_of, after, n),
        |p| p.id,
        placement_json,
    )
    .await
}

async fn list_organisations(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let params = Params::parse(raw, &[])?;
    let store = &state.store;
    page(
        &state,
        &params,
        "organisations",
        |after, n| store.api_organisations(caller.member_of, after, n),
        |o| o.id,
        organisation_json,
    )
    .await
}

async fn one_organisation(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let id = path_id(&id)?;
    let o = state
        .store
        .api_organisation(id, caller.member_of)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(organisation_json(&o)))
}

async fn list_posts(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let params = Params::parse(raw, &["organisation"])?;
    let org = params.id("organisation")?;
    let store = &state.store;
    page(
        &state,
        &params,
        "posts",
        |after, n| store.api_posts(org, caller.member_of, after, n),
        |p| p.id,
        post_json,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_refuses_tampering() {
        let key = b"a server secret";
        let c = encode_cursor(key, "applications", 42);
        assert_eq!(decode_cursor(key, "applications", &c), Some(42));
        assert_eq!(decode_cursor(key, "outcomes", &c), None, "moved to another list");
        assert_eq!(decode_cursor(b"another secret", "applications", &c), None);
        let forged = encode_cursor(b"guess", "applications", 41);
        assert_eq!(decode_cursor(key, "applications", &forged), None);
        assert_eq!(decode_cursor(key, "applications", "not base64!"), None);
        assert_eq!(decode_cursor(key, "applications", ""), None);
    }
}
