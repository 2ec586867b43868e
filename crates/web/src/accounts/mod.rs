//! Accounts: sign up with e-mail verification, sign in and out, forgotten-password reset by an
//! e-mailed single-use link, the account page and password change. Two-step verification (TOTP
//! and recovery codes, the second sign-in step) is in `mfa.rs`.
//!
//! Sign-in and reset requests are rate-limited per account and per client address, counted in the
//! database so that every app instance sees the same counts. Messages never say more than the user
//! needs: a reset request does not reveal whether the address has an account.

mod mfa;

use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::{safe_next, Form, FormErrors};
use crate::i18n::Lang;
use crate::page::Page;
use crate::security::{hash_password, new_token, password_is_guessable, token_hash, verify_password};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::{clean_line, Email, EmailError, LineError, Role};
use jetdesk_store::{EmailTokenError, StoreError, TokenPurpose};
use serde::Deserialize;

pub(crate) fn routes() -> Vec<RouteDef> {
    let mut routes = vec![
        RouteDef::get("/signup", Access::Public, get(signup_form)),
        RouteDef::post("/signup", Access::Public, post(signup)),
        RouteDef::get("/verify/{token}", Access::Public, get(verify)),
        RouteDef::post("/verify/resend", Access::Public, post(resend_verification)),
        RouteDef::get("/login", Access::Public, get(login_form)),
        RouteDef::post("/login", Access::Public, post(login)),
        RouteDef::post("/logout", Access::SignedIn, post(logout)),
        RouteDef::get("/password/forgot", Access::Public, get(forgot_form)),
        RouteDef::post("/password/forgot", Access::Public, post(forgot)),
        RouteDef::get("/password/reset/{token}", Access::Public, get(reset_form)),
        RouteDef::post("/password/reset/{token}", Access::Public, post(reset)),
        RouteDef::get("/account", Access::SignedIn, get(account)),
        RouteDef::get("/account/password", Access::SignedIn, get(password_form)),
        RouteDef::post("/account/password", Access::SignedIn, post(change_password)),
    ];
    routes.extend(mfa::routes());
    routes
}

/// A verification link lasts three days; a reset link one hour.
const VERIFY_TTL: i64 = 3 * 24 * 3600;
const RESET_TTL: i64 = 3600;
/// Failed sign-ins allowed per account, and per address, in `LOGIN_WINDOW` seconds.
const LOGIN_PER_ACCOUNT: i64 = 5;
const LOGIN_PER_ADDRESS: i64 = 30;
const LOGIN_WINDOW: i64 = 15 * 60;
/// Reset (and verification) e-mails allowed per account, and per address, in an hour.
const RESET_PER_ACCOUNT: i64 = 3;
const RESET_PER_ADDRESS: i64 = 20;
const RESET_WINDOW: i64 = 3600;
const PASSWORD_MIN: usize = crate::security::PASSWORD_MIN_CHARS;
const PASSWORD_MAX: usize = 200;
const NAME_MAX: usize = 100;

// ----- templates -----

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignupTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    display_name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    email: String,
    next: String,
    unverified: bool,
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    email: String,
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    action: String,
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountTemplate {
    page: Page,
    email: String,
    verified: bool,
    roles: Vec<String>,
}

use crate::public::MessageTemplate;

fn message(
    ctx: &Ctx,
    title_key: &str,
    paragraphs: Vec<String>,
    link: Option<(&str, String)>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let link = link.map(|(href, key)| (href.to_string(), lang.t(&key)));
    Ok(Html(
        MessageTemplate {
            page: Page::new(ctx, lang.t(title_key)),
            paragraphs,
            link,
        }
        .render()?,
    ))
}

fn unprocessable(html: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response()
}

// ----- validation -----

fn email_error(lang: Lang, e: EmailError) -> String {
    lang.t(match e {
        EmailError::Empty => "err-email-empty",
        EmailError::TooLong => "err-email-long",
        EmailError::Format => "err-email-format",
    })
}

fn line_error(lang: Lang, e: LineError, empty_key: &str) -> String {
    match e {
        LineError::Empty => lang.t(empty_key),
        LineError::TooLong(max) => lang.t1("err-too-long", "max", max),
        LineError::Control => lang.t("err-control"),
    }
}

/// Checks a new password and its confirmation, adding errors under `password` / `password_confirm`.
/// A common, breached or otherwise easily guessed password (ASVS 2.1.7) is refused too; the
/// account's e-mail address and name count as easy to guess.
fn check_new_password(
    lang: Lang,
    errors: &mut FormErrors,
    password: &str,
    confirm: &str,
    (email, name): (&str, &str),
) {
    let chars = password.chars().count();
    if password.is_empty() {
        errors.add("password", lang.t("err-password-empty"));
    } else if chars < PASSWORD_MIN {
        errors.add("password", lang.t1("err-password-short", "min", PASSWORD_MIN));
    } else if chars > PASSWORD_MAX {
        errors.add("password", lang.t1("err-too-long", "max", PASSWORD_MAX));
    } else if password.eq_ignore_ascii_case(email) {
        errors.add("password", lang.t("err-password-is-email"));
    } else if password_is_guessable(password, &[email, name]) {
        errors.add("password", lang.t("err-password-guessable"));
    } else if password != confirm {
        errors.add("password_confirm", lang.t("err-password-mismatch"));
    }
}

async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

async fn check_password(password: String, phc: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, phc.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// Refuses with a clear message when a bucket is over its limit.
async fn over_limit(state: &AppState, bucket: &str, limit: i64, window: i64) -> AppResult<bool> {
    Ok(state.store.count_attempts(bucket, window).await? >= limit)
}

async fn send_verification(
    state: &AppState,
    lang: Lang,
    user_id: i64,
    email: &str,
    name: &str,
) -> AppResult<()> {
    let token = new_token();
    state
        .store
        .create_email_token(&token_hash(&token), user_id, TokenPurpose::Verify, VERIFY_TTL)
        .await?;
    let link = format!("{}/verify/{token}", state.base_url);
    let body = lang.ta(
        "mail-verify-body",
        vec![("link", link.into()), ("name", name.to_string().into())],
    );
    state
        .mailer
        .queue(email, &lang.t("mail-verify-subject"), &body)
        .await?;
    Ok(())
}

// ----- sign up and verification -----

#[derive(Deserialize)]
struct SignupInput {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn signup_form(ctx: Ctx) -> AppResult<Response> {
    if ctx.user().is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, ctx.lang().t("signup-title"));
    let t = SignupTemplate {
        page,
        csrf,
        errors: FormErrors::default(),
        display_name: String::new(),
        email: String::new(),
    };
    Ok(Html(t.render()?).into_response())
}

async fn signup(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<SignupInput>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let name = clean_line(&input.display_name, NAME_MAX)
        .map_err(|e| errors.add("display_name", line_error(lang, e, "err-name-empty")))
        .ok();
    let email = Email::parse(&input.email)
        .map_err(|e| errors.add("email", email_error(lang, e)))
        .ok();
    check_new_password(
        lang,
        &mut errors,
        &input.password,
        &input.password_confirm,
        (input.email.trim(), input.display_name.trim()),
    );
    if let (Some(name), Some(email), true) = (&name, &email, errors.is_empty()) {
        let phc = hash(input.password.clone()).await?;
        match state
            .store
            .create_user(email.as_str(), name, &phc, &[Role::Applicant], false)
            .await
        {
            Ok(user_id) => {
                state
                    .store
                    .audit(
                        Some(user_id),
                        "user.signup",
                        &format!("user:{user_id}"),
                        None,
                        Some(email.as_str()),
                    )
                    .await?;
                send_verification(&state, lang, user_id, email.as_str(), name).await?;
                return Ok(message(
                    &ctx,
                    "check-email-title",
                    vec![
                        lang.t1("signup-check-email", "email", email.to_string()),
                        lang.t("check-email-spam"),
                    ],
                    None,
                )?
                .into_response());
            }
            Err(StoreError::Conflict(_)) => errors.add("email", lang.t("err-email-taken")),
            Err(other) => return Err(other.into()),
        }
    }
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, lang.t("signup-title"));
    let t = SignupTemplate {
        page,
        csrf,
        errors,
        display_name: input.display_name,
        email: input.email,
    };
    Ok(unprocessable(t.render()?))
}

async fn verify(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    match state
        .store
        .consume_email_token(&token_hash(&token), TokenPurpose::Verify)
        .await?
    {
        Ok(user_id) => {
            state.store.mark_verified(user_id).await?;
            state
                .store
                .audit(
                    Some(user_id),
                    "user.verified",
                    &format!("user:{user_id}"),
                    None,
                    None,
                )
                .await?;
            let to = if ctx.user().is_some() {
                "/account?notice=verified"
            } else {
                "/login?notice=verified"
            };
            Ok(Redirect::to(to).into_response())
        }
        Err(e) => {
            let key = match e {
                EmailTokenError::Unknown => "token-unknown",
                EmailTokenError::Used => "verify-used",
                EmailTokenError::Expired => "verify-expired",
            };
            let html = message(
                &ctx,
                "verify-failed-title",
                vec![ctx.lang().t(key)],
                Some(("/login", "verify-sign-in-to-resend".into())),
            )?;
            Ok((StatusCode::BAD_REQUEST, html).into_response())
        }
    }
}

#[derive(Deserialize)]
struct EmailInput {
    #[serde(default)]
    email: String,
}

async fn resend_verification(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<EmailInput>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let Ok(email) = Email::parse(&input.email) else {
        return Err(AppError::BadRequest(lang.t("err-email-format")));
    };
    let (by_account, by_ip) = (
        format!("mail-email:{email}"),
        format!("mail-ip:{}", ctx.client_ip()),
    );
    if over_limit(&state, &by_account, RESET_PER_ACCOUNT, RESET_WINDOW).await?
        || over_limit(&state, &by_ip, RESET_PER_ADDRESS, RESET_WINDOW).await?
    {
        return Err(AppError::TooManyRequests(lang.t("err-too-many-mails")));
    }
    state.store.record_attempt(&by_account).await?;
    state.store.record_attempt(&by_ip).await?;
    if let Some(user) = state.store.user_by_email(email.as_str()).await? {
        if user.email_verified_at.is_none() {
            send_verification(&state, lang, user.id, &user.email, &user.display_name).await?;
        }
    }
    Ok(message(
        &ctx,
        "check-email-title",
        vec![lang.t1("resend-check-email", "email", email.to_string())],
        None,
    )?
    .into_response())
}

// ----- sign in and out -----

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<LoginQuery>) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref()).unwrap_or_default();
    if ctx.user().is_some() {
        return Ok(Redirect::to(if next.is_empty() { "/account" } else { &next }).into_response());
    }
    let csrf = ctx.csrf().await?;
    let notice = match q.notice.as_deref() {
        Some("verified") => Some("notice-verified"),
        Some("password-reset") => Some("notice-password-reset"),
        Some("session-expired") => Some("notice-session-expired"),
        Some("mfa-expired") => Some("notice-mfa-expired"),
        _ => None,
    };
    let page = Page::new(&ctx, ctx.lang().t("login-title")).with_notice(notice);
    let t = LoginTemplate {
        page,
        csrf,
        errors: FormErrors::default(),
        email: String::new(),
        next,
        unverified: false,
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Deserialize)]
struct LoginInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<LoginInput>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut unverified = false;
    let email = Email::parse(&input.email)
        .map_err(|e| errors.add("email", email_error(lang, e)))
        .ok();
    if input.password.is_empty() {
        errors.add("password", lang.t("err-password-empty"));
    }
    if let (Some(email), true) = (&email, errors.is_empty()) {
        let by_account = format!("login-email:{email}");
        let by_ip = format!("login-ip:{}", ctx.client_ip());
        if over_limit(&state, &by_account, LOGIN_PER_ACCOUNT, LOGIN_WINDOW).await? {
            errors.add("email", lang.t("err-login-locked-account"));
            status = StatusCode::TOO_MANY_REQUESTS;
        } else if over_limit(&state, &by_ip, LOGIN_PER_ADDRESS, LOGIN_WINDOW).await? {
            errors.add("email", lang.t("err-login-locked-address"));
            status = StatusCode::TOO_MANY_REQUESTS;
        } else {
            let user = state.store.user_by_email(email.as_str()).await?;
            let ok = check_password(
                input.password.clone(),
                user.as_ref().map(|u| u.password_hash.clone()),
            )
            .await?;
            match user {
                Some(user) if ok && user.email_verified_at.is_none() => {
                    unverified = true;
                    errors.add("email", lang.t("err-login-unverified"));
                }
                Some(user) if ok => {
                    state.store.clear_attempts(&by_account).await?;
                    let to = safe_next(Some(&input.next)).unwrap_or_else(|| "/account".into());
                    if state.store.mfa_enabled(user.id).await? {
                        // Not signed in yet: the session only remembers who passed the password.
                        return mfa::challenge(&state, &ctx, user.id, &to).await;
                    }
                    let to = mfa::after_sign_in(&state, user.id, &to).await?;
                    return finish_sign_in(&state, &ctx, &user, None, &to).await;
                }
                _ => {
                    state.store.record_attempt(&by_account).await?;
                    state.store.record_attempt(&by_ip).await?;
                    errors.add("email", lang.t("err-login-wrong"));
                }
            }
        }
    }
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, lang.t("login-title"));
    let next = safe_next(Some(&input.next)).unwrap_or_default();
    let t = LoginTemplate {
        page,
        csrf,
        errors,
        email: input.email,
        next,
        unverified,
    };
    Ok((status, Html(t.render()?)).into_response())
}

/// Signs `user` in (a new session), remembers their language, audits it and goes to `to`.
/// `second_factor` names how the second step was passed, if there was one.
async fn finish_sign_in(
    state: &AppState,
    ctx: &Ctx,
    user: &jetdesk_store::User,
    second_factor: Option<&str>,
    to: &str,
) -> AppResult<Response> {
    ctx.sign_in(user.id).await?;
    if let Some(locale) = user.locale.as_deref().and_then(Lang::from_tag) {
        ctx.set_lang_cookie(locale);
    }
    state
        .store
        .audit(
            Some(user.id),
            "user.login",
            &format!("user:{}", user.id),
            None,
            second_factor,
        )
        .await?;
    Ok(Redirect::to(to).into_response())
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if let Some(user) = ctx.user() {
        state
            .store
            .audit(
                Some(user.id),
                "user.logout",
                &format!("user:{}", user.id),
                None,
                None,
            )
            .await?;
    }
    ctx.sign_out().await?;
    Ok(Redirect::to("/?notice=signed-out").into_response())
}

// ----- forgotten password -----

async fn forgot_form(ctx: Ctx) -> AppResult<Html<String>> {
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, ctx.lang().t("forgot-title"));
    Ok(Html(
        ForgotTemplate {
            page,
            csrf,
            errors: FormErrors::default(),
            email: String::new(),
        }
        .render()?,
    ))
}

async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<EmailInput>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match Email::parse(&input.email) {
        Err(e) => errors.add("email", email_error(lang, e)),
        Ok(email) => {
            let (by_account, by_ip) = (
                format!("reset-email:{email}"),
                format!("reset-ip:{}", ctx.client_ip()),
            );
            if over_limit(&state, &by_account, RESET_PER_ACCOUNT, RESET_WINDOW).await?
                || over_limit(&state, &by_ip, RESET_PER_ADDRESS, RESET_WINDOW).await?
            {
                errors.add("email", lang.t("err-too-many-mails"));
                status = StatusCode::TOO_MANY_REQUESTS;
            } else {
                state.store.record_attempt(&by_account).await?;
                state.store.record_attempt(&by_ip).await?;
                if let Some(user) = state.store.user_by_email(email.as_str()).await? {
                    let token = new_token();
                    state
                        .store
                        .create_email_token(&token_hash(&token), user.id, TokenPurpose::Reset, RESET_TTL)
                        .await?;
                    let link = format!("{}/password/reset/{token}", state.base_url);
                    let body = lang.ta(
                        "mail-reset-body",
                        vec![("link", link.into()), ("name", user.display_name.clone().into())],
                    );
                    state
                        .mailer
                        .queue(&user.email, &lang.t("mail-reset-subject"), &body)
                        .await?;
                }
                return Ok(message(
                    &ctx,
                    "check-email-title",
                    vec![
                        lang.t1("forgot-check-email", "email", email.to_string()),
                        lang.t("check-email-spam"),
                    ],
                    None,
                )?
                .into_response());
            }
        }
    }
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, lang.t("forgot-title"));
    Ok((
        status,
        Html(
            ForgotTemplate {
                page,
                csrf,
                errors,
                email: input.email,
            }
            .render()?,
        ),
    )
        .into_response())
}

fn token_problem(ctx: &Ctx, e: EmailTokenError) -> AppResult<Response> {
    let key = match e {
        EmailTokenError::Unknown => "token-unknown",
        EmailTokenError::Used => "reset-used",
        EmailTokenError::Expired => "reset-expired",
    };
    let html = message(
        ctx,
        "reset-failed-title",
        vec![ctx.lang().t(key)],
        Some(("/password/forgot", "reset-request-new".into())),
    )?;
    Ok((StatusCode::BAD_REQUEST, html).into_response())
}

async fn reset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if let Err(e) = state
        .store
        .check_email_token(&token_hash(&token), TokenPurpose::Reset)
        .await?
    {
        return token_problem(&ctx, e);
    }
    let csrf = ctx.csrf().await?;
    let page = Page::new(&ctx, ctx.lang().t("reset-title"));
    let action = format!("/password/reset/{token}");
    Ok(Html(
        ResetTemplate {
            page,
            csrf,
            errors: FormErrors::default(),
            action,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Deserialize)]
struct NewPasswordInput {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(input): Form<NewPasswordInput>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let hash_of_token = token_hash(&token);
    let user_id = match state
        .store
        .check_email_token(&hash_of_token, TokenPurpose::Reset)
        .await?
    {
        Ok(id) => id,
        Err(e) => return token_problem(&ctx, e),
    };
    let user = state.store.user(user_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    check_new_password(
        lang,
        &mut errors,
        &input.password,
        &input.password_confirm,
        (&user.email, &user.display_name),
    );
    if !errors.is_empty() {
        let csrf = ctx.csrf().await?;
        let page = Page::new(&ctx, lang.t("reset-title"));
        let action = format!("/password/reset/{token}");
        return Ok(unprocessable(
            ResetTemplate {
                page,
                csrf,
                errors,
                action,
            }
            .render()?,
        ));
    }
    let user_id = match state
        .store
        .consume_email_token(&hash_of_token, TokenPurpose::Reset)
        .await?
    {
        Ok(id) => id,
        Err(e) => return token_problem(&ctx, e),
    };
    let phc = hash(input.password).await?;
    state.store.set_password(user_id, &phc, None).await?;
    // Following the link proved the address is theirs.
    state.store.mark_verified(user_id).await?;
    state
        .store
        .clear_attempts(&format!("login-email:{}", user.email))
        .await?;
    Ok(Redirect::to("/login?notice=password-reset").into_response())
}

// ----- the account page -----

#[derive(Deserialize)]
struct AccountQuery {
    notice: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountQuery>,
) -> AppResult<Html<String>> {
    let signed_in = ctx.require_user()?;
    let user = state.store.user(signed_in.id).await?.ok_or(AppError::NotFound)?;
    let notice = match q.notice.as_deref() {
        Some("password-changed") => Some("notice-password-changed"),
        Some("verified") => Some("notice-verified"),
        _ => None,
    };
    let lang = ctx.lang();
    let page = Page::new(&ctx, lang.t("account-title")).with_notice(notice);
    let roles = signed_in
        .roles
        .iter()
        .map(|r| lang.t(&format!("role-{r}")))
        .collect();
    Ok(Html(
        AccountTemplate {
            page,
            email: user.email,
            verified: user.email_verified_at.is_some(),
            roles,
        }
        .render()?,
    ))
}

async fn password_form(ctx: Ctx) -> AppResult<Html<String>> {
    ctx.require_user()?;
    let page = Page::new(&ctx, ctx.lang().t("password-title"));
    Ok(Html(
        PasswordTemplate {
            csrf: ctx.csrf().await?,
            page,
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<NewPasswordInput>,
) -> AppResult<Response> {
    let signed_in = ctx.require_user()?;
    let lang = ctx.lang();
    let user = state.store.user(signed_in.id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let by_account = format!("login-email:{}", user.email);
    if over_limit(&state, &by_account, LOGIN_PER_ACCOUNT, LOGIN_WINDOW).await? {
        errors.add("current_password", lang.t("err-login-locked-account"));
    } else if input.current_password.is_empty() {
        errors.add("current_password", lang.t("err-current-password-empty"));
    } else if !check_password(input.current_password.clone(), Some(user.password_hash.clone())).await? {
        state.store.record_attempt(&by_account).await?;
        errors.add("current_password", lang.t("err-current-password-wrong"));
    }
    check_new_password(
        lang,
        &mut errors,
        &input.password,
        &input.password_confirm,
        (&user.email, &user.display_name),
    );
    if !errors.is_empty() {
        let page = Page::new(&ctx, lang.t("password-title"));
        return Ok(unprocessable(
            PasswordTemplate {
                csrf: ctx.csrf().await?,
                page,
                errors,
            }
            .render()?,
        ));
    }
    let phc = hash(input.password).await?;
    state
        .store
        .set_password(user.id, &phc, ctx.session_id_hash().as_deref())
        .await?;
    state
        .mailer
        .queue(
            &user.email,
            &lang.t("mail-password-changed-subject"),
            &lang.t("mail-password-changed-body"),
        )
        .await?;
    Ok(Redirect::to("/account?notice=password-changed").into_response())
}
