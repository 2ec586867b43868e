//! Partners applying together (DOMAIN.md: couples are placed together where possible). One
//! applicant names their partner's reference number in "Placement preferences"; the partner sees
//! the request on their own task list and confirms it. Two people naming each other confirms it
//! too. Only a link confirmed both ways makes a couple for placement
//! (`Store::confirmed_couples`).

use super::sections::Answers;
use super::Loaded;
use crate::error::{AppError, AppResult};
use crate::session::Ctx;
use crate::AppState;
use axum::extract::{RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};

/// The partner part of the task list.
pub struct PartnerView {
    /// What became of the link this applicant asked for, in words.
    pub status: Option<String>,
    /// Others who named this applicant and wait for a confirmation: (reference, name).
    pub requests: Vec<(String, String)>,
}

/// The name an application gives in its personal details (empty if not given yet).
async fn name_of(state: &AppState, application_id: i64) -> AppResult<String> {
    let personal: Answers = state
        .store
        .sections(application_id)
        .await?
        .into_iter()
        .find(|s| s.section == "personal")
        .and_then(|s| serde_json::from_str(&s.data_json).ok())
        .unwrap_or_default();
    let part = |k: &str| {
        personal
            .get(k)
            .map(String::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    Ok(format!("{} {}", part("given_names"), part("family_name"))
        .trim()
        .to_string())
}

async fn reference_of(state: &AppState, application_id: i64) -> AppResult<String> {
    Ok(state
        .store
        .application(application_id)
        .await?
        .and_then(|a| a.reference)
        .unwrap_or_default())
}

/// What the preferences section asks for.
pub enum Choice {
    /// No partner (any earlier link goes).
    NoPartner,
    /// A link to this application.
    Partner(i64),
    /// The reference does not name another application in the round: a message for the field.
    Problem(String),
}

/// Reads the partner answers of the preferences section (before it is saved).
pub async fn choice(state: &AppState, loaded: &Loaded, answers: &Answers) -> AppResult<Choice> {
    let wants = answers.get("partner").map(String::as_str) == Some("yes");
    let reference = answers
        .get("partner_reference")
        .map(|r| r.trim().to_uppercase())
        .unwrap_or_default();
    if !wants || reference.is_empty() {
        return Ok(Choice::NoPartner);
    }
    if loaded.app.reference.as_deref() == Some(reference.as_str()) {
        return Ok(Choice::Problem(
            "Enter your partner's reference number, not your own".into(),
        ));
    }
    Ok(
        match state
            .store
            .application_id_by_reference(loaded.round.id, &reference)
            .await?
        {
            Some(partner) => Choice::Partner(partner),
            None => Choice::Problem(format!(
                "No application in this round has the reference {reference}. Check it with your partner: they find it at the top of their application."
            )),
        },
    )
}

/// Records the link the saved section asks for (a problem leaves the earlier link as it was).
pub async fn apply(state: &AppState, application_id: i64, choice: &Choice) -> AppResult<()> {
    match choice {
        Choice::NoPartner => state.store.remove_partner_link(application_id).await?,
        Choice::Partner(partner) => {
            let unchanged = state
                .store
                .partner_link_of(application_id)
                .await?
                .is_some_and(|l| l.partner_application_id == *partner);
            if !unchanged {
                state.store.request_partner_link(application_id, *partner).await?;
            }
        }
        Choice::Problem(_) => {}
    }
    Ok(())
}

/// The applicant's partner link and the requests waiting for them.
pub async fn view(state: &AppState, application_id: i64) -> AppResult<PartnerView> {
    let status = match state.store.partner_link_of(application_id).await? {
        None => None,
        Some(link) => {
            let reference = reference_of(state, link.partner_application_id).await?;
            Some(if link.confirmed_at.is_some() {
                format!("Confirmed: you and {reference} are applying as partners and will be placed together where possible.")
            } else {
                format!("Waiting for {reference} to confirm that you are applying as partners.")
            })
        }
    };
    let mut requests = Vec::new();
    for link in state.store.partner_links_to(application_id).await? {
        if link.confirmed_at.is_none() {
            requests.push((
                reference_of(state, link.application_id).await?,
                name_of(state, link.application_id).await?,
            ));
        }
    }
    Ok(PartnerView { status, requests })
}

/// `POST /apply/partner/confirm`: the named partner confirms a request by its reference.
pub async fn confirm(State(state): State<AppState>, ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let loaded = super::load(&state, &ctx).await?.ok_or(AppError::NotFound)?;
    let reference: String = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "reference")
        .map(|(_, v)| v.trim().to_uppercase())
        .unwrap_or_default();
    let requester = state
        .store
        .application_id_by_reference(loaded.round.id, &reference)
        .await?
        .ok_or_else(|| AppError::BadRequest("That partner request no longer exists.".into()))?;
    if !state.store.confirm_partner_link(requester, loaded.app.id).await? {
        return Err(AppError::BadRequest(
            "That partner request no longer exists.".into(),
        ));
    }
    sync_answers(&state, &loaded, &reference).await?;
    let mine = loaded.app.reference.clone().unwrap_or_default();
    state
        .store
        .audit(
            Some(user.id),
            "application.partner_confirm",
            &format!("application:{}", loaded.app.id),
            None,
            Some(&reference),
        )
        .await?;
    if let Some(other) = state.store.application(requester).await? {
        if let Some(partner_user) = state.store.user(other.user_id).await? {
            state
                .mailer
                .queue(
                    &partner_user.email,
                    &format!("Your partner confirmed: {reference}"),
                    &format!(
                        "Hello {},\n\nThe applicant with reference {mine} has confirmed that you are applying to JET as partners. \
                         You will be placed together where possible.\n\nJET Desk\nReference: {reference}\n",
                        partner_user.display_name
                    ),
                )
                .await?;
        }
    }
    Ok(Redirect::to("/apply?notice=partner").into_response())
}

/// After confirming, the confirming applicant's own preferences say so too (while they can still
/// be changed), so that a later save of that section keeps the link instead of removing it.
async fn sync_answers(state: &AppState, loaded: &Loaded, requester_reference: &str) -> AppResult<()> {
    let Some(section) = super::sections::section("preferences") else {
        return Ok(());
    };
    if loaded.app.state != "draft" {
        return Ok(());
    }
    let row = loaded.sections.get(section.id);
    let mut answers: Answers = row
        .and_then(|r| serde_json::from_str(&r.data_json).ok())
        .unwrap_or_default();
    answers.insert("partner".into(), "yes".into());
    answers.insert("partner_reference".into(), requester_reference.into());
    let complete = super::sections::validate(section, &answers, super::word_limit(&loaded.round)).is_empty();
    let data = serde_json::to_string(&answers).map_err(|e| AppError::Internal(e.into()))?;
    // A stale version means the applicant is saving this section in another tab right now; their
    // own save will carry the partner answer they see there, and the link stands either way.
    state
        .store
        .save_section(
            loaded.app.id,
            section.id,
            &data,
            complete,
            row.map(|r| r.version).unwrap_or(0),
        )
        .await?;
    Ok(())
}
