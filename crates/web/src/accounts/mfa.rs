//! Two-step verification (ASVS 2.8, 4.3.1): a time-based one-time code (TOTP, RFC 6238) from an
//! authenticator app, with ten single-use recovery codes for a lost phone.
//!
//! - Enrolment (`/account/mfa`): a new secret is shown once, as a QR code drawn on the server and as
//!   text; it is switched on only when a code from it is entered. The recovery codes are then shown
//!   once and stored as SHA-256 hashes.
//! - Sign-in: after the right password, an account with two-step verification is not signed in; the
//!   session only remembers (in `mfa_challenges`, for ten minutes) who passed the password, and
//!   `/login/code` signs in when the code is right. Wrong codes count against the same kind of limits
//!   as passwords. Each accepted code's time step is stored and only later steps are accepted, so a
//!   code cannot be used twice.
//! - Switching it off needs the password and a code; an admin can reset it for someone who lost
//!   both phone and recovery codes. Every change is audited and e-mailed to the user.
//! - Staff enforcement (`require_staff_mfa`) is in `crate::access`, for every role-gated route.
//! - The secret is stored sealed with the server key (`crate::server_key`) and opened only here,
//!   to check a code or to show a pending enrolment's secret again.

use super::{check_password, finish_sign_in, over_limit, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, LOGIN_WINDOW};
use crate::access::{Access, RouteDef, MFA_ENROL_PATH, MFA_ROLES};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::page::Page;
use crate::security::{
    new_recovery_code, new_totp_secret, qr_data_uri, recovery_code_hash, totp_step_of, totp_uri,
};
use crate::server_key::{is_sealed, Unreadable};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{MfaSecret, User};
use serde::Deserialize;

pub(super) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/account/mfa", Access::SignedIn, get(page)),
        RouteDef::post("/account/mfa/setup", Access::SignedIn, post(setup)),
        RouteDef::post("/account/mfa/confirm", Access::SignedIn, post(confirm)),
        RouteDef::post("/account/mfa/disable", Access::SignedIn, post(disable)),
        RouteDef::post("/account/mfa/recovery-codes", Access::SignedIn, post(new_codes)),
        RouteDef::get("/login/code", Access::Public, get(code_form)),
        RouteDef::post("/login/code", Access::Public, post(code)),
        RouteDef::post(
            "/admin/users/{id}/mfa/reset",
            Access::Roles(&[Role::Admin]),
            post(admin_reset),
        ),
    ]
}

/// How long a sign-in waits for its code after the password.
const CHALLENGE_TTL: i64 = 10 * 60;
/// Recovery codes issued at enrolment.
const RECOVERY_CODES: usize = 10;

#[derive(Template)]
#[template(path = "accounts/mfa.html")]
struct MfaTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    enabled: bool,
    codes_left: i64,
    required: bool,
}

#[derive(Template)]
#[template(path = "accounts/mfa_setup.html")]
struct SetupTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    secret: String,
    uri: String,
    qr: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/mfa_codes.html")]
struct CodesTemplate {
    page: Page,
    codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "accounts/login_code.html")]
struct CodeTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
}

/// Whether this user must have two-step verification before staff pages work.
fn required_for(state: &AppState, roles: &std::collections::BTreeSet<Role>) -> bool {
    state.config.staff_mfa_required() && roles.iter().any(|r| MFA_ROLES.contains(r))
}

/// The digits of a six-digit code, allowing spaces ("123 456").
fn six_digits(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// How a code was accepted.
#[derive(Clone, Copy)]
enum Passed {
    Totp,
    RecoveryCode,
}

impl Passed {
    fn as_str(self) -> &'static str {
        match self {
            Passed::Totp => "totp",
            Passed::RecoveryCode => "recovery-code",
        }
    }
}

/// The base32 secret of `row` (the user's), opened with the server key. A secret stored before
/// encryption (by an instance not yet upgraded) is sealed now. One that does not open is logged
/// and comes back as `Err`.
async fn open_secret(
    state: &AppState,
    user_id: i64,
    row: &MfaSecret,
) -> AppResult<Result<String, Unreadable>> {
    let opened = state.server_key.open_totp(user_id, &row.secret);
    match &opened {
        Ok(secret) if !is_sealed(&row.secret) => {
            let sealed = state.server_key.seal_totp(user_id, secret)?;
            state
                .store
                .replace_mfa_secret(user_id, &row.secret, &sealed)
                .await?;
        }
        Ok(_) => {}
        Err(unreadable) => tracing::error!("{unreadable}"),
    }
    Ok(opened)
}

/// Checks `input` (a six-digit code, or a recovery code when `recovery` allows it) for an enabled
/// secret, within the per-account and per-address limits. Err is the Fluent key of the message.
async fn verify(
    state: &AppState,
    ctx: &Ctx,
    user_id: i64,
    secret: &MfaSecret,
    input: &str,
    recovery: bool,
) -> AppResult<Result<Passed, &'static str>> {
    let by_user = format!("mfa-user:{user_id}");
    let by_ip = format!("login-ip:{}", ctx.client_ip());
    if over_limit(state, &by_user, LOGIN_PER_ACCOUNT, LOGIN_WINDOW).await?
        || over_limit(state, &by_ip, LOGIN_PER_ADDRESS, LOGIN_WINDOW).await?
    {
        return Ok(Err("err-mfa-locked"));
    }
    if input.trim().is_empty() {
        return Ok(Err("err-mfa-code-empty"));
    }
    let outcome = match six_digits(input) {
        Some(code) => {
            // Not the user's fault (the server's key changed): no attempt counted, and the
            // message points to the recovery codes, which are hashed, not sealed.
            let Ok(plain) = open_secret(state, user_id, secret).await? else {
                return Ok(Err("err-mfa-unreadable"));
            };
            match totp_step_of(&plain, &code, jetdesk_store::now()) {
                None => Err("err-mfa-code-wrong"),
                Some(step) if state.store.accept_mfa_step(user_id, step).await? => Ok(Passed::Totp),
                Some(_) => Err("err-mfa-code-used"),
            }
        }
        None if recovery => {
            if state
                .store
                .use_recovery_code(user_id, &recovery_code_hash(input))
                .await?
            {
                Ok(Passed::RecoveryCode)
            } else {
                Err("err-mfa-code-wrong")
            }
        }
        None => Err("err-mfa-code-format"),
    };
    match outcome {
        Ok(_) => state.store.clear_attempts(&by_user).await?,
        Err(_) => {
            state.store.record_attempt(&by_user).await?;
            state.store.record_attempt(&by_ip).await?;
        }
    }
    Ok(outcome)
}

/// The status for a refused code: 429 when locked out, else 422.
fn refused(key: &str) -> StatusCode {
    if key == "err-mfa-locked" {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Tells the user by e-mail that their two-step verification changed.
async fn notify(state: &AppState, ctx: &Ctx, user: &User, body_key: &str) -> AppResult<()> {
    let lang = ctx.lang();
    state
        .mailer
        .queue(&user.email, &lang.t("mail-mfa-subject"), &lang.t(body_key))
        .await?;
    Ok(())
}

async fn audit(
    state: &AppState,
    actor: i64,
    action: &str,
    user_id: i64,
    after: Option<&str>,
) -> AppResult<()> {
    state
        .store
        .audit(Some(actor), action, &format!("user:{user_id}"), None, after)
        .await?;
    Ok(())
}

// ----- the account's page -----

#[derive(Deserialize)]
struct MfaQuery {
    required: Option<String>,
    notice: Option<String>,
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    required: bool,
    notice: Option<&str>,
) -> AppResult<String> {
    let user = ctx.require_user()?;
    let enabled = state.store.mfa_enabled(user.id).await?;
    let codes_left = state.store.recovery_codes_left(user.id).await?;
    Ok(MfaTemplate {
        page: Page::new(ctx, ctx.lang().t("mfa-title")).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        enabled,
        codes_left,
        required: required && !enabled && required_for(state, &user.roles),
    }
    .render()?)
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<MfaQuery>) -> AppResult<Html<String>> {
    let notice = match q.notice.as_deref() {
        Some("disabled") => Some("notice-mfa-disabled"),
        Some("enabled") => Some("notice-mfa-enabled"),
        _ => None,
    };
    let required = q.required.is_some();
    Ok(Html(
        render_page(&state, &ctx, FormErrors::default(), required, notice).await?,
    ))
}

fn render_setup(ctx: &Ctx, csrf: String, email: &str, secret: &str, errors: FormErrors) -> AppResult<String> {
    let uri = totp_uri(secret, email)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a stored TOTP secret is not base32")))?;
    Ok(SetupTemplate {
        page: Page::new(ctx, ctx.lang().t("mfa-setup-title")),
        csrf,
        errors,
        secret: secret.to_string(),
        qr: qr_data_uri(&uri),
        uri,
    }
    .render()?)
}

/// Starts an enrolment with a new secret and shows it.
async fn setup(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let secret = new_totp_secret();
    let sealed = state.server_key.seal_totp(user.id, &secret)?;
    if !state.store.start_mfa_enrolment(user.id, &sealed).await? {
        // Already on: it must be switched off before a new authenticator is set up.
        return Ok(Redirect::to("/account/mfa").into_response());
    }
    let csrf = ctx.csrf().await?;
    Ok(Html(render_setup(
        &ctx,
        csrf,
        &user.email,
        &secret,
        FormErrors::default(),
    )?)
    .into_response())
}

#[derive(Deserialize)]
struct CodeInput {
    #[serde(default)]
    code: String,
}

/// Switches two-step verification on when the code fits the pending secret, and shows the
/// recovery codes once.
async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<CodeInput>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let lang = ctx.lang();
    let pending = match state.store.mfa_secret(user.id).await? {
        Some(s) if s.enabled_at.is_none() => s,
        _ => return Ok(Redirect::to("/account/mfa").into_response()),
    };
    let secret = open_secret(&state, user.id, &pending)
        .await?
        .map_err(|e| AppError::Internal(e.into()))?;
    let by_user = format!("mfa-user:{}", user.id);
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if over_limit(&state, &by_user, LOGIN_PER_ACCOUNT, LOGIN_WINDOW).await? {
        errors.add("code", lang.t("err-mfa-locked"));
        status = StatusCode::TOO_MANY_REQUESTS;
    } else if input.code.trim().is_empty() {
        errors.add("code", lang.t("err-mfa-code-empty"));
    } else {
        match six_digits(&input.code) {
            None => errors.add("code", lang.t("err-mfa-code-format")),
            Some(code) => match totp_step_of(&secret, &code, jetdesk_store::now()) {
                None => {
                    state.store.record_attempt(&by_user).await?;
                    errors.add("code", lang.t("err-mfa-code-wrong"));
                }
                Some(step) => {
                    let (codes, hashes) = recovery_codes();
                    if !state.store.enable_mfa(user.id, step, &hashes).await? {
                        return Ok(Redirect::to("/account/mfa").into_response());
                    }
                    state.store.clear_attempts(&by_user).await?;
                    audit(&state, user.id, "mfa.enrol", user.id, Some("totp")).await?;
                    if let Some(account) = state.store.user(user.id).await? {
                        notify(&state, &ctx, &account, "mail-mfa-enabled-body").await?;
                    }
                    let page =
                        Page::new(&ctx, lang.t("mfa-codes-title")).with_notice(Some("notice-mfa-enabled"));
                    return Ok(Html(CodesTemplate { page, codes }.render()?).into_response());
                }
            },
        }
    }
    let csrf = ctx.csrf().await?;
    let html = render_setup(&ctx, csrf, &user.email, &secret, errors)?;
    Ok((status, Html(html)).into_response())
}

/// What a change to two-step verification itself asks for again: the account's password, then a
/// code from the app (or a recovery code when `recovery`), each `(typed, field name)`.
struct Reauthentication<'a> {
    password: (&'a str, &'static str),
    code: (&'a str, &'static str),
    recovery: bool,
}

impl Reauthentication<'_> {
    /// None when both are right; else the account page again with the message beside the field
    /// (429 when locked out). Wrong passwords count towards the sign-in lockout.
    async fn refusal(
        &self,
        state: &AppState,
        ctx: &Ctx,
        user: &User,
        secret: &MfaSecret,
    ) -> AppResult<Option<Response>> {
        let lang = ctx.lang();
        let (password, password_field) = self.password;
        let (code, code_field) = self.code;
        let mut errors = FormErrors::default();
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        let by_account = format!("login-email:{}", user.email);
        if over_limit(state, &by_account, LOGIN_PER_ACCOUNT, LOGIN_WINDOW).await? {
            errors.add(password_field, lang.t("err-login-locked-account"));
            status = StatusCode::TOO_MANY_REQUESTS;
        } else if password.is_empty() {
            errors.add(password_field, lang.t("err-current-password-empty"));
        } else if !check_password(password.to_string(), Some(user.password_hash.clone())).await? {
            state.store.record_attempt(&by_account).await?;
            errors.add(password_field, lang.t("err-current-password-wrong"));
        } else if let Err(key) = verify(state, ctx, user.id, secret, code, self.recovery).await? {
            errors.add(code_field, lang.t(key));
            status = refused(key);
        }
        if errors.is_empty() {
            return Ok(None);
        }
        let html = render_page(state, ctx, errors, false, None).await?;
        Ok(Some((status, Html(html)).into_response()))
    }
}

#[derive(Deserialize)]
struct DisableInput {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    code: String,
}

/// Switches two-step verification off: the password and a code (or a recovery code) are needed.
async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<DisableInput>,
) -> AppResult<Response> {
    let signed_in = ctx.require_user()?;
    let user = state.store.user(signed_in.id).await?.ok_or(AppError::NotFound)?;
    let secret = match state.store.mfa_secret(user.id).await? {
        Some(s) if s.enabled_at.is_some() => s,
        _ => return Ok(Redirect::to("/account/mfa").into_response()),
    };
    let check = Reauthentication {
        password: (&input.current_password, "current_password"),
        code: (&input.code, "code"),
        recovery: true,
    };
    if let Some(refusal) = check.refusal(&state, &ctx, &user, &secret).await? {
        return Ok(refusal);
    }
    state.store.remove_mfa(user.id).await?;
    audit(&state, user.id, "mfa.disable", user.id, None).await?;
    notify(&state, &ctx, &user, "mail-mfa-disabled-body").await?;
    Ok(Redirect::to("/account/mfa?notice=disabled").into_response())
}

#[derive(Deserialize)]
struct NewCodesInput {
    #[serde(default)]
    new_codes_password: String,
    #[serde(default)]
    new_codes_code: String,
}

/// Fresh recovery codes and their hashes.
fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes.iter().map(|c| recovery_code_hash(c)).collect();
    (codes, hashes)
}

/// Replaces the recovery codes (when some are used up, or may have been seen): the password and a
/// code from the app are needed, not a recovery code, so that a found sheet of codes cannot renew
/// itself. The old codes stop working; the new ones are shown once.
async fn new_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<NewCodesInput>,
) -> AppResult<Response> {
    let signed_in = ctx.require_user()?;
    let lang = ctx.lang();
    let user = state.store.user(signed_in.id).await?.ok_or(AppError::NotFound)?;
    let secret = match state.store.mfa_secret(user.id).await? {
        Some(s) if s.enabled_at.is_some() => s,
        _ => return Ok(Redirect::to("/account/mfa").into_response()),
    };
    let check = Reauthentication {
        password: (&input.new_codes_password, "new_codes_password"),
        code: (&input.new_codes_code, "new_codes_code"),
        recovery: false,
    };
    if let Some(refusal) = check.refusal(&state, &ctx, &user, &secret).await? {
        return Ok(refusal);
    }
    let (codes, hashes) = recovery_codes();
    if !state.store.replace_recovery_codes(user.id, &hashes).await? {
        return Ok(Redirect::to("/account/mfa").into_response());
    }
    audit(&state, user.id, "mfa.recovery_codes_replaced", user.id, None).await?;
    notify(&state, &ctx, &user, "mail-mfa-new-codes-body").await?;
    let page = Page::new(&ctx, lang.t("mfa-codes-title")).with_notice(Some("notice-mfa-new-codes"));
    Ok(Html(CodesTemplate { page, codes }.render()?).into_response())
}

// ----- the second sign-in step -----

/// After the right password for an account with two-step verification: remember who this session
/// is signing in as (not signed in yet) and ask for the code.
pub(super) async fn challenge(state: &AppState, ctx: &Ctx, user_id: i64, next: &str) -> AppResult<Response> {
    ctx.csrf().await?;
    let session = ctx
        .session_id_hash()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session for the code step")))?;
    state
        .store
        .create_mfa_challenge(&session, user_id, next, jetdesk_store::now() + CHALLENGE_TTL)
        .await?;
    Ok(Redirect::to("/login/code").into_response())
}

/// Where a freshly signed-in user goes: the enrolment page first if their role needs it.
pub(super) async fn after_sign_in(state: &AppState, user_id: i64, next: &str) -> AppResult<String> {
    if state.config.staff_mfa_required() {
        let roles = state.store.roles(user_id).await?;
        if roles.iter().any(|r| MFA_ROLES.contains(r)) && !state.store.mfa_enabled(user_id).await? {
            return Ok(MFA_ENROL_PATH.to_string());
        }
    }
    Ok(next.to_string())
}

async fn code_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let Some(session) = ctx.session_id_hash() else {
        return Ok(Redirect::to("/login").into_response());
    };
    if state.store.mfa_challenge(&session).await?.is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    let t = CodeTemplate {
        page: Page::new(&ctx, ctx.lang().t("mfa-code-title")),
        csrf: ctx.csrf().await?,
        errors: FormErrors::default(),
    };
    Ok(Html(t.render()?).into_response())
}

async fn code(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> AppResult<Response> {
    let lang = ctx.lang();
    let expired = || Redirect::to("/login?notice=mfa-expired").into_response();
    let Some(session) = ctx.session_id_hash() else {
        return Ok(expired());
    };
    let Some(challenge) = state.store.mfa_challenge(&session).await? else {
        return Ok(expired());
    };
    let user = state.store.user(challenge.user_id).await?;
    let secret = state.store.mfa_secret(challenge.user_id).await?;
    let (Some(user), Some(secret)) = (user, secret.filter(|s| s.enabled_at.is_some())) else {
        // Reset or removed meanwhile: start again from the password.
        state.store.delete_mfa_challenge(&session).await?;
        return Ok(expired());
    };
    match verify(&state, &ctx, user.id, &secret, &input.code, true).await? {
        Ok(passed) => {
            state.store.delete_mfa_challenge(&session).await?;
            state
                .store
                .clear_attempts(&format!("login-email:{}", user.email))
                .await?;
            if let Passed::RecoveryCode = passed {
                let left = state.store.recovery_codes_left(user.id).await?;
                audit(
                    &state,
                    user.id,
                    "mfa.recovery_code_used",
                    user.id,
                    Some(&format!("{left} left")),
                )
                .await?;
            }
            let to = after_sign_in(&state, user.id, &challenge.next_path).await?;
            finish_sign_in(&state, &ctx, &user, Some(passed.as_str()), &to).await
        }
        Err(key) => {
            let mut errors = FormErrors::default();
            errors.add("code", lang.t(key));
            let t = CodeTemplate {
                page: Page::new(&ctx, lang.t("mfa-code-title")),
                csrf: ctx.csrf().await?,
                errors,
            };
            Ok((refused(key), Html(t.render()?)).into_response())
        }
    }
}

// ----- the admin's reset -----

/// Removes another user's two-step verification (a lost phone and lost recovery codes), audited
/// with the admin as actor and e-mailed to the user.
async fn admin_reset(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let admin = ctx.require_user()?;
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let notice = if state.store.remove_mfa(id).await? {
        audit(&state, admin.id, "mfa.reset", id, None).await?;
        notify(&state, &ctx, &user, "mail-mfa-reset-body").await?;
        "mfa-reset"
    } else {
        "mfa-none"
    };
    Ok(Redirect::to(&format!("/admin/users/{id}?notice={notice}")).into_response())
}
