//! The JET placement (issue 5), built on `jetdesk-placement`: contracting organisations with their
//! profile, sister cities and posts (hosts edit them, in Japanese or English); the coordinator's
//! placement run for a round (lists built by `lists`, previewed with statistics and explanations,
//! adjusted by pins and forbids, re-run, published); offers the candidate accepts or declines; and
//! the host's view of the candidates placed with them.
//!
//! Authorisation: a host sees and changes only organisations they belong to (any other id is a
//! 404, so ids do not leak); coordinators and admins read every organisation, create them and
//! attach hosts; only coordinators run and publish placements; an applicant answers only their own
//! offer (another's id is a 404).
//!
//! What it must never do: move an application's state except through `jetdesk_domain::transition`,
//! or show a host anything of another organisation's candidates.

pub(crate) mod areas;
pub(crate) mod demo;
mod lists;

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, FormErrors};
use crate::i18n::Lang;
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::{transition, ApplicationState, Event, JlptLevel, Role};
use jetdesk_store::{
    HeldAt, PlacementOffer, PlacementOrg, PlacementOrgInput, PlacementPost, PlacementPostInput, Round, Store,
    StoreError,
};
use lists::{Adjustments, Candidate, Post, RunResult};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

const HOST: Access = Access::Roles(&[Role::Host]);
const READERS: Access = Access::Roles(&[Role::Host, Role::Coordinator, Role::Admin]);
const STAFF: Access = Access::Roles(&[Role::Coordinator, Role::Admin]);
const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);
const APPLICANT: Access = Access::Roles(&[Role::Applicant]);

/// Organisation kinds, in the order a form lists them.
const KINDS: &[&str] = &["prefecture", "designated_city", "city", "town", "village"];
const SETTINGS: &[&str] = &["urban", "semi_urban", "rural"];
const LEVELS: &[&str] = &["elementary", "junior_high", "senior_high", "special_needs"];
/// The default number of days a candidate has to answer an offer.
const DEFAULT_RESPONSE_DAYS: i64 = 14;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/hosts", READERS, get(orgs_page)),
        RouteDef::get("/hosts.csv", READERS, get(orgs_export)),
        RouteDef::get("/hosts.xlsx", READERS, get(orgs_export)),
        RouteDef::post("/hosts", STAFF, post(create_org)),
        RouteDef::post("/hosts/prefectures", STAFF, post(add_prefectures)),
        RouteDef::get("/hosts/{org}", READERS, get(org_page)),
        RouteDef::get("/hosts/{org}/placed.csv", READERS, get(placed_export)),
        RouteDef::get("/hosts/{org}/placed.xlsx", READERS, get(placed_export)),
        RouteDef::post("/hosts/{org}/profile", HOST, post(save_profile)),
        RouteDef::post("/hosts/{org}/posts", HOST, post(save_post)),
        RouteDef::post("/hosts/{org}/posts/{id}/delete", HOST, post(delete_post)),
        RouteDef::post("/hosts/{org}/members", STAFF, post(add_member)),
        RouteDef::get("/placement", COORDINATOR, get(rounds_page)),
        RouteDef::get("/placement/{round}", COORDINATOR, get(preview_page)),
        RouteDef::get(
            "/placement/{round}/assignment.csv",
            COORDINATOR,
            get(preview_export),
        ),
        RouteDef::get(
            "/placement/{round}/assignment.xlsx",
            COORDINATOR,
            get(preview_export),
        ),
        RouteDef::post("/placement/{round}/run", COORDINATOR, post(run_placement)),
        RouteDef::post("/placement/{round}/adjust", COORDINATOR, post(adjust)),
        RouteDef::post("/placement/{round}/publish", COORDINATOR, post(publish)),
        RouteDef::get("/my/placement", APPLICANT, get(my_placement)),
        RouteDef::post("/my/placement/{offer}/accept", APPLICANT, post(accept)),
        RouteDef::post("/my/placement/{offer}/decline", APPLICANT, post(decline)),
    ]
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
    edit: Option<i64>,
}

fn notice_key(q: &NoticeQuery) -> Option<&'static str> {
    match q.notice.as_deref() {
        Some("created") => Some("pl-notice-created"),
        Some("profile") => Some("pl-notice-profile"),
        Some("post") => Some("pl-notice-post"),
        Some("deleted") => Some("pl-notice-deleted"),
        Some("member") => Some("pl-notice-member"),
        Some("prefectures") => Some("pl-notice-prefectures"),
        Some("run") => Some("pl-notice-run"),
        Some("adjusted") => Some("pl-notice-adjusted"),
        Some("published") => Some("pl-notice-published"),
        Some("accepted") => Some("pl-notice-accepted"),
        Some("declined") => Some("pl-notice-declined"),
        _ => None,
    }
}

fn org_name(lang: Lang, org: &PlacementOrg) -> String {
    match lang {
        Lang::Ja => org.name_ja.clone(),
        Lang::En => org.name_en.clone(),
    }
}

fn is_staff(ctx: &Ctx) -> bool {
    ctx.user()
        .is_some_and(|u| u.has(Role::Coordinator) || u.has(Role::Admin))
}

/// The organisation, if the user may see it, and whether they may change it (a member host).
/// Anything else is a 404.
async fn org_for(state: &AppState, ctx: &Ctx, org_id: i64, write: bool) -> AppResult<(PlacementOrg, bool)> {
    let user = ctx.require_user()?;
    let org = state
        .store
        .placement_org(org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.has(Role::Host) && state.store.is_host_member(org_id, user.id).await? {
        return Ok((org, true));
    }
    if !write && is_staff(ctx) {
        return Ok((org, false));
    }
    Err(AppError::NotFound)
}

/// Lines of text: trimmed, bounded, without control characters other than line breaks.
fn clean_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim().replace("\r\n", "\n");
    (text.chars().count() <= max && !text.chars().any(|c| c.is_control() && c != '\n')).then_some(text)
}

// ---------------------------------------------------------------------------------------------
// Organisations

#[derive(Template)]
#[template(path = "placement/orgs.html")]
struct OrgsTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    staff: bool,
    orgs: Vec<(i64, String, String)>,
    form: OrgForm,
    kinds: Vec<(&'static str, String)>,
    settings: Vec<(&'static str, String)>,
    areas: Vec<(&'static str, String)>,
    exports: ExportLinks,
}

#[derive(Deserialize, Default, Clone)]
struct OrgForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    setting: String,
}

fn kind_options(lang: Lang) -> Vec<(&'static str, String)> {
    KINDS
        .iter()
        .map(|k| (*k, lang.t(&format!("pl-kind-{k}"))))
        .collect()
}

fn setting_options(lang: Lang) -> Vec<(&'static str, String)> {
    SETTINGS
        .iter()
        .map(|s| (*s, lang.t(&format!("pl-setting-{s}"))))
        .collect()
}

fn area_options(lang: Lang) -> Vec<(&'static str, String)> {
    areas::PREFECTURES
        .iter()
        .map(|p| (p.code, if lang == Lang::Ja { p.ja } else { p.en }))
        .chain(
            areas::DESIGNATED_CITIES
                .iter()
                .map(|c| (c.code, if lang == Lang::Ja { c.ja } else { c.en })),
        )
        .map(|(c, n)| (c, n.to_string()))
        .collect()
}

/// "Iwate · Tohoku · Town · rural", in the user's language.
fn org_line(lang: Lang, org: &PlacementOrg) -> String {
    let area = areas::area_names(&org.area)
        .map(|(en, ja)| if lang == Lang::Ja { ja } else { en }.to_string())
        .unwrap_or_else(|| org.prefecture.clone());
    let region = areas::REGIONS
        .iter()
        .find(|r| r.0 == org.region)
        .map(|r| if lang == Lang::Ja { r.2 } else { r.1 }.to_string());
    let mut parts = vec![area];
    parts.extend(region);
    parts.push(lang.t(&format!("pl-kind-{}", org.kind)));
    parts.push(lang.t(&format!("pl-setting-{}", org.setting)));
    parts.join(" · ")
}

async fn render_orgs(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    form: OrgForm,
    notice: Option<&str>,
) -> AppResult<String> {
    let lang = ctx.lang();
    let staff = is_staff(ctx);
    let orgs = visible_orgs(state, ctx).await?;
    let t = OrgsTemplate {
        page: Page::new(ctx, lang.t("pl-orgs-title")).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        staff,
        orgs: orgs
            .iter()
            .map(|o| (o.id, org_name(lang, o), org_line(lang, o)))
            .collect(),
        form,
        kinds: kind_options(lang),
        settings: setting_options(lang),
        areas: area_options(lang),
        exports: ExportLinks::new("/hosts", &[]),
    };
    Ok(t.render()?)
}

/// The organisations a user sees: staff every one, a host their own. Shared by the list and its
/// export.
async fn visible_orgs(state: &AppState, ctx: &Ctx) -> AppResult<Vec<PlacementOrg>> {
    let user = ctx.require_user()?;
    Ok(if is_staff(ctx) {
        state.store.placement_orgs().await?
    } else {
        let mine: Vec<i64> = state
            .store
            .host_orgs_of(user.id)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        state
            .store
            .placement_orgs()
            .await?
            .into_iter()
            .filter(|o| mine.contains(&o.id))
            .collect()
    })
}

/// The organisations the list shows, as a file.
async fn orgs_export(State(state): State<AppState>, ctx: Ctx, format: Format) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "pl-field-name-en",
            "pl-field-name-ja",
            "pl-col-details",
            "pl-col-profile",
        ],
    );
    for o in visible_orgs(&state, &ctx).await? {
        table.push(vec![
            o.name_en.clone(),
            o.name_ja.clone(),
            org_line(lang, &o),
            o.profile.clone(),
        ]);
    }
    let export = Export {
        list: "organisations",
        subject: "organisations".into(),
        filters: format!("all={}", is_staff(&ctx)),
        file: "host-organisations".into(),
        sheet: lang.t("pl-orgs-title"),
    };
    send(&state, &ctx, format, export, table).await
}

async fn orgs_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    Ok(Html(
        render_orgs(
            &state,
            &ctx,
            FormErrors::default(),
            OrgForm::default(),
            notice_key(&q),
        )
        .await?,
    ))
}

async fn create_org(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let name_en = jetdesk_domain::clean_line(&form.name_en, 200);
    if name_en.is_err() {
        errors.add("name_en", lang.t("pl-err-name"));
    }
    let name_ja = jetdesk_domain::clean_line(&form.name_ja, 200);
    if name_ja.is_err() {
        errors.add("name_ja", lang.t("pl-err-name"));
    }
    if !KINDS.contains(&form.kind.as_str()) {
        errors.add("kind", lang.t("pl-err-kind"));
    }
    let prefecture = areas::prefecture_of(&form.area);
    if prefecture.is_none() {
        errors.add("area", lang.t("pl-err-area"));
    }
    if !SETTINGS.contains(&form.setting.as_str()) {
        errors.add("setting", lang.t("pl-err-setting"));
    }
    let (Ok(name_en), Ok(name_ja), Some(pref), true) = (name_en, name_ja, prefecture, errors.is_empty())
    else {
        let html = render_orgs(&state, &ctx, errors, form, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    let input = PlacementOrgInput {
        name_en,
        name_ja,
        prefecture: pref.en.into(),
        setting: form.setting,
        kind: form.kind,
        region: pref.region.into(),
        area: form.area,
    };
    let id = state.store.create_placement_org(&input).await?;
    let user = ctx.require_user()?;
    state
        .store
        .audit(
            Some(user.id),
            "host_org.create",
            &format!("host_org:{id}"),
            None,
            Some(&input.name_en),
        )
        .await?;
    Ok(Redirect::to(&format!("/hosts/{id}?notice=created")).into_response())
}

/// Creates an organisation for each prefecture and designated city that has none yet (matched by
/// area code and kind); returns how many were created.
pub(crate) async fn ensure_prefectures(store: &Store) -> anyhow::Result<usize> {
    let existing: Vec<(String, String)> = store
        .placement_orgs()
        .await?
        .into_iter()
        .map(|o| (o.area, o.kind))
        .collect();
    let has = |area: &str, kind: &str| existing.iter().any(|(a, k)| a == area && k == kind);
    let mut created = 0;
    for p in areas::PREFECTURES {
        if has(p.code, "prefecture") {
            continue;
        }
        let setting = if p.code == "tokyo" || p.code == "osaka" {
            "urban"
        } else {
            "semi_urban"
        };
        let input = PlacementOrgInput {
            name_en: format!("{} Prefecture", p.en),
            name_ja: p.ja.into(),
            prefecture: p.en.into(),
            setting: setting.into(),
            kind: "prefecture".into(),
            region: p.region.into(),
            area: p.code.into(),
        };
        store.create_placement_org(&input).await?;
        created += 1;
    }
    for c in areas::DESIGNATED_CITIES {
        if has(c.code, "designated_city") {
            continue;
        }
        let Some(pref) = areas::prefecture(c.prefecture) else {
            continue;
        };
        let input = PlacementOrgInput {
            name_en: c.en.into(),
            name_ja: c.ja.into(),
            prefecture: pref.en.into(),
            setting: "urban".into(),
            kind: "designated_city".into(),
            region: pref.region.into(),
            area: c.code.into(),
        };
        store.create_placement_org(&input).await?;
        created += 1;
    }
    Ok(created)
}

async fn add_prefectures(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let created = ensure_prefectures(&state.store).await?;
    state
        .store
        .audit(
            Some(user.id),
            "host_org.add_prefectures",
            "host_orgs",
            None,
            Some(&created.to_string()),
        )
        .await?;
    Ok(Redirect::to("/hosts?notice=prefectures").into_response())
}

#[derive(Deserialize, Default, Clone)]
struct ProfileForm {
    #[serde(default)]
    setting: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    sister_cities: String,
}

#[derive(Deserialize, Default, Clone)]
struct PostForm {
    #[serde(default)]
    post_id: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    level_elementary: Option<String>,
    #[serde(default)]
    level_junior_high: Option<String>,
    #[serde(default)]
    level_senior_high: Option<String>,
    #[serde(default)]
    level_special_needs: Option<String>,
    #[serde(default)]
    min_jlpt: String,
    #[serde(default)]
    driving_licence: Option<String>,
    #[serde(default)]
    notes: String,
}

impl PostForm {
    fn of(p: &PlacementPost) -> PostForm {
        let has = |l: &str| {
            p.school_levels
                .split(',')
                .any(|x| x.trim() == l)
                .then(|| "yes".to_string())
        };
        PostForm {
            post_id: p.id.to_string(),
            position: p.position.clone(),
            places: p.places.to_string(),
            level_elementary: has("elementary"),
            level_junior_high: has("junior_high"),
            level_senior_high: has("senior_high"),
            level_special_needs: has("special_needs"),
            min_jlpt: p.min_jlpt.clone(),
            driving_licence: (p.driving_licence != 0).then(|| "yes".into()),
            notes: p.notes.clone(),
        }
    }

    fn levels(&self) -> Vec<&'static str> {
        [
            (&self.level_elementary, "elementary"),
            (&self.level_junior_high, "junior_high"),
            (&self.level_senior_high, "senior_high"),
            (&self.level_special_needs, "special_needs"),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, l)| l)
        .collect()
    }

    fn level_checked(&self, level: &str) -> bool {
        self.levels().contains(&level)
    }
}

#[derive(Deserialize, Default, Clone)]
struct MemberForm {
    #[serde(default)]
    email: String,
}

/// A post as the organisation page lists it.
struct PostView {
    id: i64,
    position: String,
    places: i64,
    levels: String,
    requirements: String,
    notes: String,
}

/// A candidate placed with the organisation, as its host sees them.
struct PlacedView {
    reference: String,
    name: String,
    position: String,
    status: String,
    japanese: String,
    circumstances: String,
    contact: Option<String>,
}

#[derive(Template)]
#[template(path = "placement/org.html")]
struct OrgTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    can_edit: bool,
    staff: bool,
    org_id: i64,
    org_line: String,
    profile: ProfileForm,
    sister_cities: Vec<String>,
    posts: Vec<PostView>,
    post_form: PostForm,
    member_form: MemberForm,
    members: Vec<String>,
    placed: Vec<PlacedView>,
    exports: ExportLinks,
    settings: Vec<(&'static str, String)>,
    levels: Vec<(&'static str, String)>,
    jlpt: Vec<&'static str>,
}

#[derive(Default)]
struct OrgForms {
    errors: FormErrors,
    profile: Option<ProfileForm>,
    post: Option<PostForm>,
    member: MemberForm,
}

fn answers_of(json: Option<&str>) -> BTreeMap<String, String> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// One section's saved answers (empty if never saved).
async fn saved_answers(
    store: &Store,
    application_id: i64,
    section: &str,
) -> AppResult<BTreeMap<String, String>> {
    Ok(answers_of(
        store.section_json(application_id, section).await?.as_deref(),
    ))
}

/// The name an applicant gave in their personal details, or their account's name.
async fn applicant_name(store: &Store, application_id: i64, fallback: &str) -> AppResult<String> {
    Ok(full_name(
        &saved_answers(store, application_id, "personal").await?,
        fallback,
    ))
}

/// "Given names Family name" from the personal details, or `fallback` when both are blank.
fn full_name(personal: &BTreeMap<String, String>, fallback: &str) -> String {
    let part = |f: &str| personal.get(f).map_or("", String::as_str);
    let name = format!("{} {}", part("given_names"), part("family_name"));
    match name.trim() {
        "" => fallback.to_string(),
        name => name.to_string(),
    }
}

async fn placed_views(state: &AppState, lang: Lang, org_id: i64) -> AppResult<Vec<PlacedView>> {
    let mut out = Vec::new();
    for o in state.store.placement_offers_held(HeldAt::Org(org_id)).await? {
        let japanese = saved_answers(&state.store, o.application_id, "japanese").await?;
        let prefs = saved_answers(&state.store, o.application_id, "preferences").await?;
        let personal = saved_answers(&state.store, o.application_id, "personal").await?;
        let accepted = o.state == "accepted";
        let contact = accepted.then(|| {
            let phone = personal.get("phone").cloned().unwrap_or_default();
            if phone.is_empty() {
                o.email.clone()
            } else {
                format!("{} · {phone}", o.email)
            }
        });
        let level = japanese.get("jlpt_level").cloned().unwrap_or_default();
        out.push(PlacedView {
            reference: o.reference.clone().unwrap_or_default(),
            name: applicant_name(&state.store, o.application_id, &o.display_name).await?,
            position: o.position.to_uppercase(),
            status: lang.t(if accepted {
                "pl-status-accepted"
            } else {
                "pl-status-offered"
            }),
            japanese: if level.is_empty() || level == "none" {
                lang.t("pl-jlpt-none")
            } else {
                level
            },
            circumstances: prefs.get("circumstances").cloned().unwrap_or_default(),
            contact,
        });
    }
    Ok(out)
}

fn post_view(lang: Lang, p: &PlacementPost) -> PostView {
    let levels = p
        .school_levels
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| lang.t(&format!("pl-level-{l}")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut req = Vec::new();
    if !p.min_jlpt.is_empty() {
        req.push(lang.t1("pl-req-jlpt", "level", p.min_jlpt.clone()));
    }
    if p.driving_licence != 0 {
        req.push(lang.t("pl-req-licence"));
    }
    PostView {
        id: p.id,
        position: p.position.to_uppercase(),
        places: p.places,
        levels,
        requirements: req.join(", "),
        notes: p.notes.clone(),
    }
}

async fn render_org(
    state: &AppState,
    ctx: &Ctx,
    org: &PlacementOrg,
    can_edit: bool,
    forms: OrgForms,
    edit: Option<i64>,
    notice: Option<&str>,
) -> AppResult<String> {
    let lang = ctx.lang();
    let posts = state.store.placement_posts(org.id).await?;
    let cities = state.store.sister_cities(org.id).await?;
    let sister_lines: Vec<String> = cities
        .iter()
        .map(|c| format!("{}, {}", c.city, c.country))
        .collect();
    let profile = forms.profile.unwrap_or_else(|| ProfileForm {
        setting: org.setting.clone(),
        profile: org.profile.clone(),
        sister_cities: sister_lines.join("\n"),
    });
    let post_form = forms.post.unwrap_or_else(|| {
        edit.and_then(|id| posts.iter().find(|p| p.id == id))
            .map(PostForm::of)
            .unwrap_or_else(|| PostForm {
                position: "alt".into(),
                places: "1".into(),
                ..PostForm::default()
            })
    });
    let staff = is_staff(ctx);
    let members = if staff {
        state.store.host_org_member_emails(org.id).await?
    } else {
        Vec::new()
    };
    let t = OrgTemplate {
        page: Page::new(ctx, org_name(lang, org)).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors: forms.errors,
        can_edit,
        staff,
        org_id: org.id,
        org_line: format!("{} / {} · {}", org.name_en, org.name_ja, org_line(lang, org)),
        profile,
        sister_cities: sister_lines,
        posts: posts.iter().map(|p| post_view(lang, p)).collect(),
        post_form,
        member_form: forms.member,
        members,
        placed: placed_views(state, lang, org.id).await?,
        exports: ExportLinks::new(&format!("/hosts/{}/placed", org.id), &[]),
        settings: setting_options(lang),
        levels: LEVELS
            .iter()
            .map(|l| (*l, lang.t(&format!("pl-level-{l}"))))
            .collect(),
        jlpt: vec!["N1", "N2", "N3", "N4", "N5"],
    };
    Ok(t.render()?)
}

async fn org_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let (org, can_edit) = org_for(&state, &ctx, org_id, false).await?;
    Ok(Html(
        render_org(
            &state,
            &ctx,
            &org,
            can_edit,
            OrgForms::default(),
            q.edit,
            notice_key(&q),
        )
        .await?,
    ))
}

/// The candidates placed with an organisation, as its page lists them, as a file (same check as
/// the page: a member host or staff, anyone else a 404).
async fn placed_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Path(org_id): Path<i64>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, false).await?;
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "pl-reference",
            "pl-name",
            "pl-field-position",
            "pl-status",
            "pl-japanese",
            "pl-circumstances",
            "pl-contact",
        ],
    );
    for c in placed_views(&state, lang, org.id).await? {
        table.push(vec![
            c.reference,
            c.name,
            c.position,
            c.status,
            c.japanese,
            c.circumstances,
            c.contact.unwrap_or_else(|| lang.t("pl-contact-later")),
        ]);
    }
    let export = Export {
        list: "placed",
        subject: format!("org:{org_id}"),
        filters: format!("org={org_id}"),
        file: format!("placed-org-{org_id}"),
        sheet: org_name(lang, &org),
    };
    send(&state, &ctx, format, export, table).await
}

/// Reads "City, Country" lines; None if a line is not of that shape.
fn parse_sister_cities(text: &str) -> Option<Vec<(String, String)>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (city, country) = l.rsplit_once(',')?;
            let city = jetdesk_domain::clean_line(city, 100).ok()?;
            let country = jetdesk_domain::clean_line(country, 100).ok()?;
            Some((city, country))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|v| v.len() <= 50)
}

async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    if !SETTINGS.contains(&form.setting.as_str()) {
        errors.add("setting", lang.t("pl-err-setting"));
    }
    let profile = clean_text(&form.profile, 4000);
    if profile.is_none() {
        errors.add("profile", lang.t("pl-err-profile"));
    }
    let cities = parse_sister_cities(&form.sister_cities);
    if cities.is_none() {
        errors.add("sister_cities", lang.t("pl-err-sister-cities"));
    }
    let (Some(profile), Some(cities), true) = (profile, cities, errors.is_empty()) else {
        let forms = OrgForms {
            errors,
            profile: Some(form),
            ..OrgForms::default()
        };
        let html = render_org(&state, &ctx, &org, true, forms, None, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    state
        .store
        .set_org_profile(org.id, &form.setting, &profile)
        .await?;
    state.store.set_sister_cities(org.id, &cities).await?;
    let user = ctx.require_user()?;
    state
        .store
        .audit(
            Some(user.id),
            "host_org.profile",
            &format!("host_org:{}", org.id),
            None,
            None,
        )
        .await?;
    Ok(Redirect::to(&format!("/hosts/{}?notice=profile", org.id)).into_response())
}

async fn save_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<PostForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let post_id = match form.post_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return Err(AppError::NotFound),
        },
    };
    if !["alt", "cir"].contains(&form.position.as_str()) {
        errors.add("position", lang.t("pl-err-position"));
    }
    let places = form
        .places
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=100).contains(n));
    if places.is_none() {
        errors.add("places", lang.t("pl-err-places"));
    }
    if !form.min_jlpt.is_empty() && form.min_jlpt.parse::<JlptLevel>().is_err() {
        errors.add("min_jlpt", lang.t("pl-err-jlpt"));
    }
    let notes = clean_text(&form.notes, 2000);
    if notes.is_none() {
        errors.add("notes", lang.t("pl-err-notes"));
    }
    let (Some(places), Some(notes), true) = (places, notes, errors.is_empty()) else {
        let forms = OrgForms {
            errors,
            post: Some(form),
            ..OrgForms::default()
        };
        let html = render_org(&state, &ctx, &org, true, forms, None, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    let levels = if form.position == "alt" {
        form.levels().join(",")
    } else {
        String::new()
    };
    let input = PlacementPostInput {
        position: form.position.clone(),
        places,
        school_levels: levels,
        min_jlpt: form.min_jlpt.to_uppercase(),
        driving_licence: form.driving_licence.is_some(),
        notes,
    };
    let Some(id) = state.store.save_placement_post(org.id, post_id, &input).await? else {
        return Err(AppError::NotFound);
    };
    let user = ctx.require_user()?;
    state
        .store
        .audit(
            Some(user.id),
            "placement_post.save",
            &format!("placement_post:{id}"),
            None,
            Some(&format!("{} x{}", input.position, input.places)),
        )
        .await?;
    Ok(Redirect::to(&format!("/hosts/{}?notice=post", org.id)).into_response())
}

async fn delete_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((org_id, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, true).await?;
    match state.store.delete_placement_post(org.id, id).await {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::BadRequest(ctx.lang().t("pl-err-post-offered")));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/hosts/{}?notice=deleted", org.id)).into_response())
}

async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(org_id): Path<i64>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let (org, _) = org_for(&state, &ctx, org_id, false).await?;
    let lang = ctx.lang();
    let found = match jetdesk_domain::Email::parse(&form.email) {
        Ok(email) => state.store.user_by_email(email.as_str()).await?,
        Err(_) => None,
    };
    let host = match found {
        Some(u) if state.store.roles(u.id).await?.contains(&Role::Host) => Some(u),
        _ => None,
    };
    let Some(host) = host else {
        let mut errors = FormErrors::default();
        errors.add("email", lang.t("pl-err-member"));
        let forms = OrgForms {
            errors,
            member: form,
            ..OrgForms::default()
        };
        let html = render_org(&state, &ctx, &org, false, forms, None, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    state.store.add_host_member(org.id, host.id).await?;
    let user = ctx.require_user()?;
    state
        .store
        .audit(
            Some(user.id),
            "host_org.add_member",
            &format!("host_org:{}", org.id),
            None,
            Some(&host.id.to_string()),
        )
        .await?;
    Ok(Redirect::to(&format!("/hosts/{}?notice=member", org.id)).into_response())
}

// ---------------------------------------------------------------------------------------------
// The coordinator's placement run

#[derive(Template)]
#[template(path = "placement/rounds.html")]
struct RoundsTemplate {
    page: Page,
    rounds: Vec<(i64, String)>,
}

async fn rounds_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let t = RoundsTemplate {
        page: Page::new(&ctx, lang.t("pl-rounds-title")),
        rounds: state
            .store
            .rounds()
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    };
    Ok(Html(t.render()?))
}

async fn round_for(state: &AppState, round_id: i64) -> AppResult<Round> {
    state.store.round(round_id).await?.ok_or(AppError::NotFound)
}

/// Everything a run needs, loaded from the store: candidates, posts with free places, couples
/// and the coordinator's adjustments.
struct RunInput {
    candidates: Vec<Candidate>,
    posts: Vec<Post>,
    couples: Vec<(i64, i64)>,
    adjustments: Adjustments,
}

async fn load_run_input(store: &Store, round_id: i64) -> AppResult<RunInput> {
    const STATES: &[&str] = &["shortlisted"];
    let rows = store.placement_candidates(round_id, STATES).await?;
    let mut sections: HashMap<(i64, String), BTreeMap<String, String>> = HashMap::new();
    for (id, section, json) in store.placement_sections(round_id, STATES).await? {
        sections.insert((id, section), answers_of(Some(&json)));
    }
    let scores: HashMap<i64, f64> = store
        .interview_score_sums(round_id)
        .await?
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(id, sum, n)| (id, sum as f64 / n as f64))
        .collect();
    // The latest assessment wins (the query returns them oldest first).
    let assessed: HashMap<i64, String> = store
        .assessed_japanese_levels(round_id)
        .await?
        .into_iter()
        .collect();
    let empty = BTreeMap::new();
    let candidates = rows
        .iter()
        .map(|r| {
            let get = |s: &str| sections.get(&(r.application_id, s.to_string())).unwrap_or(&empty);
            let answer = |s: &str, f: &str| get(s).get(f).cloned().unwrap_or_default();
            let level = assessed
                .get(&r.application_id)
                .cloned()
                .unwrap_or_else(|| answer("japanese", "jlpt_level"));
            let licence = ["experience", "personal", "preferences"]
                .iter()
                .find_map(|s| get(s).get("driving_licence"))
                .map(|v| v == "yes");
            Candidate {
                application_id: r.application_id,
                reference: r.reference.clone().unwrap_or_default(),
                name: full_name(get("personal"), &r.display_name),
                position: r.position.clone(),
                areas: ["area1", "area2", "area3"]
                    .iter()
                    .map(|a| answer("preferences", a))
                    .filter(|a| !a.is_empty())
                    .collect(),
                setting: answer("preferences", "setting"),
                circumstances: answer("preferences", "circumstances"),
                home_town: answer("personal", "home_town"),
                jlpt: level.parse().ok(),
                licence,
                score: scores.get(&r.application_id).copied(),
            }
        })
        .collect();
    let orgs: HashMap<i64, PlacementOrg> = store
        .placement_orgs()
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut sisters: HashMap<i64, Vec<String>> = HashMap::new();
    for s in store.all_sister_cities().await? {
        sisters
            .entry(s.org_id)
            .or_default()
            .push(s.city.trim().to_lowercase());
    }
    let taken: HashMap<i64, i64> = store.places_taken(round_id).await?.into_iter().collect();
    let posts = store
        .all_placement_posts()
        .await?
        .into_iter()
        .filter_map(|p| {
            let org = orgs.get(&p.org_id)?;
            let held = taken.get(&p.id).copied().unwrap_or(0);
            Some(Post {
                id: p.id,
                org_id: p.org_id,
                label: format!(
                    "{} / {} · {} #{}",
                    org.name_en,
                    org.name_ja,
                    p.position.to_uppercase(),
                    p.id
                ),
                position: p.position,
                free: (p.places - held).max(0),
                held,
                min_jlpt: p.min_jlpt.parse().ok(),
                licence: p.driving_licence != 0,
                area: org.area.clone(),
                setting: org.setting.clone(),
                sister_cities: sisters.get(&p.org_id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let mut adjustments = Adjustments::default();
    for a in store.placement_adjustments(round_id).await? {
        if a.kind == "pin" {
            adjustments.pins.insert(a.application_id, a.post_id);
        } else {
            adjustments.forbids.insert((a.application_id, a.post_id));
        }
    }
    Ok(RunInput {
        candidates,
        posts,
        couples: store.confirmed_couples(round_id).await?,
        adjustments,
    })
}

struct RowView {
    application_id: i64,
    reference: String,
    name: String,
    position: String,
    post_id: Option<i64>,
    post: String,
    choice: String,
    explanation: String,
    circumstances: String,
    partner: String,
}

struct HeldView {
    reference: String,
    name: String,
    post: String,
    status: String,
}

#[derive(Template)]
#[template(path = "placement/preview.html")]
struct PreviewTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    round_id: i64,
    round_name: String,
    shortlisted: usize,
    run_at: Option<String>,
    published_at: Option<String>,
    stable: bool,
    blocking: Vec<String>,
    stats: Vec<(String, u64)>,
    rows: Vec<RowView>,
    fills: Vec<lists::PostFill>,
    exports: ExportLinks,
    held: Vec<HeldView>,
    adjustments: Vec<(i64, i64, String, String, String)>,
    candidate_options: Vec<(i64, String)>,
    post_options: Vec<(i64, String)>,
    days: String,
}

fn stored_result(json: &str) -> Option<RunResult> {
    serde_json::from_str(json).ok()
}

async fn render_preview(
    state: &AppState,
    ctx: &Ctx,
    round: &Round,
    errors: FormErrors,
    days: String,
    notice: Option<&str>,
) -> AppResult<String> {
    let lang = ctx.lang();
    let input = load_run_input(&state.store, round.id).await?;
    let run = state.store.latest_placement_run(round.id).await?;
    let result = run.as_ref().and_then(|r| stored_result(&r.result_json));
    let (labels, refs) = labels_and_refs(&input, result.as_ref());
    let rows = row_views(lang, result.as_ref(), &labels, &refs);
    let stats = result
        .as_ref()
        .map(|r| {
            [
                "pl-stat-1",
                "pl-stat-2",
                "pl-stat-3",
                "pl-stat-elsewhere",
                "pl-stat-unplaced",
            ]
            .iter()
            .zip(r.by_area_choice)
            .map(|(k, n)| (lang.t(k), n))
            .collect()
        })
        .unwrap_or_default();
    let mut held = Vec::new();
    for o in state.store.placement_offers_held(HeldAt::Round(round.id)).await? {
        held.push(held_view(state, lang, &o, &labels).await?);
    }
    let adjustments = state
        .store
        .placement_adjustments(round.id)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.application_id,
                a.post_id,
                refs.get(&a.application_id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", a.application_id)),
                labels
                    .get(&a.post_id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", a.post_id)),
                lang.t(&format!(
                    "pl-adjust-{}",
                    if a.kind == "pin" { "pin" } else { "forbid" }
                )),
            )
        })
        .collect();
    let t = PreviewTemplate {
        page: Page::new(ctx, lang.t("pl-preview-title")).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        round_id: round.id,
        round_name: round.name.clone(),
        shortlisted: input.candidates.len(),
        run_at: run.as_ref().map(|r| format_time(r.created_at)),
        published_at: run.as_ref().and_then(|r| r.published_at).map(format_time),
        stable: result.as_ref().is_none_or(|r| r.stable),
        blocking: result.as_ref().map(|r| r.blocking.clone()).unwrap_or_default(),
        stats,
        rows,
        fills: result.map(|r| r.posts).unwrap_or_default(),
        exports: ExportLinks::new(&format!("/placement/{}/assignment", round.id), &[]),
        held,
        adjustments,
        candidate_options: input
            .candidates
            .iter()
            .map(|c| {
                (
                    c.application_id,
                    format!("{} {} ({})", c.reference, c.name, c.position.to_uppercase()),
                )
            })
            .collect(),
        post_options: input.posts.iter().map(|p| (p.id, p.label.clone())).collect(),
        days,
    };
    Ok(t.render()?)
}

/// Each post's label, and each candidate's reference, by id.
fn labels_and_refs(
    input: &RunInput,
    result: Option<&RunResult>,
) -> (HashMap<i64, String>, HashMap<i64, String>) {
    let labels: HashMap<i64, String> = input.posts.iter().map(|p| (p.id, p.label.clone())).collect();
    let refs: HashMap<i64, String> = result
        .iter()
        .flat_map(|r| {
            r.rows
                .iter()
                .map(|row| (row.application_id, row.reference.clone()))
        })
        .chain(
            input
                .candidates
                .iter()
                .map(|c| (c.application_id, c.reference.clone())),
        )
        .collect();
    (labels, refs)
}

/// The latest run's assignment, one row per candidate. Shared by the preview and its export.
fn row_views(
    lang: Lang,
    result: Option<&RunResult>,
    labels: &HashMap<i64, String>,
    refs: &HashMap<i64, String>,
) -> Vec<RowView> {
    let choice_name = |n: u8| match n {
        0 => lang.t("pl-choice-none"),
        4 => lang.t("pl-choice-elsewhere"),
        n => lang.t1("pl-choice-area", "n", i64::from(n)),
    };
    result
        .map(|r| {
            r.rows
                .iter()
                .map(|row| RowView {
                    application_id: row.application_id,
                    reference: row.reference.clone(),
                    name: row.name.clone(),
                    position: row.position.to_uppercase(),
                    post_id: row.post_id,
                    post: row
                        .post_id
                        .map(|p| labels.get(&p).cloned().unwrap_or_else(|| format!("#{p}")))
                        .unwrap_or_else(|| lang.t("pl-unplaced")),
                    choice: choice_name(row.area_choice),
                    explanation: row.explanation.clone(),
                    circumstances: row.circumstances.clone(),
                    partner: row
                        .partner
                        .and_then(|p| refs.get(&p).cloned())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The latest run's assignment as a file (empty before the first run).
async fn preview_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Path(round_id): Path<i64>,
) -> AppResult<Response> {
    let round = round_for(&state, round_id).await?;
    let lang = ctx.lang();
    let input = load_run_input(&state.store, round.id).await?;
    let run = state.store.latest_placement_run(round.id).await?;
    let result = run.as_ref().and_then(|r| stored_result(&r.result_json));
    let (labels, refs) = labels_and_refs(&input, result.as_ref());
    let mut table = Table::new(
        lang,
        &[
            "pl-reference",
            "pl-name",
            "pl-field-position",
            "pl-placed-at",
            "pl-choice",
            "pl-explanation",
            "pl-circumstances",
            "pl-col-partner",
        ],
    );
    for r in row_views(lang, result.as_ref(), &labels, &refs) {
        table.push(vec![
            r.reference,
            r.name,
            r.position,
            r.post,
            r.choice,
            r.explanation,
            r.circumstances,
            r.partner,
        ]);
    }
    let export = Export {
        list: "placement",
        subject: format!("round:{round_id}"),
        filters: format!("round={round_id} run={}", run.map(|r| r.id).unwrap_or(0)),
        file: format!("placement-round-{round_id}"),
        sheet: lang.t("pl-assignment"),
    };
    send(&state, &ctx, format, export, table).await
}

async fn held_view(
    state: &AppState,
    lang: Lang,
    o: &PlacementOffer,
    labels: &HashMap<i64, String>,
) -> AppResult<HeldView> {
    Ok(HeldView {
        reference: o.reference.clone().unwrap_or_default(),
        name: applicant_name(&state.store, o.application_id, &o.display_name).await?,
        post: labels
            .get(&o.post_id)
            .cloned()
            .unwrap_or_else(|| o.name_en.clone()),
        status: lang.t(if o.state == "accepted" {
            "pl-status-accepted"
        } else {
            "pl-status-offered"
        }),
    })
}

async fn preview_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let round = round_for(&state, round_id).await?;
    Ok(Html(
        render_preview(
            &state,
            &ctx,
            &round,
            FormErrors::default(),
            DEFAULT_RESPONSE_DAYS.to_string(),
            notice_key(&q),
        )
        .await?,
    ))
}

/// Builds the lists for the round as it stands, runs the engine, and stores the result.
pub(crate) async fn run_and_store(store: &Store, round_id: i64, actor: i64) -> AppResult<RunResult> {
    let input = load_run_input(store, round_id).await?;
    let result = tokio::task::spawn_blocking(move || {
        lists::run(
            &input.candidates,
            &input.posts,
            &input.couples,
            &input.adjustments,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("placement lists refused: {e}")))?;
    let json = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.into()))?;
    let id = store.insert_placement_run(round_id, actor, &json).await?;
    store
        .audit(
            Some(actor),
            "placement.run",
            &format!("placement_run:{id}"),
            None,
            None,
        )
        .await?;
    Ok(result)
}

async fn run_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let round = round_for(&state, round_id).await?;
    run_and_store(&state.store, round.id, user.id).await?;
    Ok(Redirect::to(&format!("/placement/{}?notice=run", round.id)).into_response())
}

#[derive(Deserialize, Default)]
struct AdjustForm {
    #[serde(default)]
    application_id: String,
    #[serde(default)]
    post_id: String,
    #[serde(default)]
    kind: String,
}

async fn adjust(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Form(form): Form<AdjustForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let round = round_for(&state, round_id).await?;
    let lang = ctx.lang();
    let input = load_run_input(&state.store, round.id).await?;
    let mut errors = FormErrors::default();
    let app = form.application_id.trim().parse::<i64>().ok();
    let post = form.post_id.trim().parse::<i64>().ok();
    let candidate = app.and_then(|a| input.candidates.iter().find(|c| c.application_id == a));
    let known_post = post.and_then(|p| input.posts.iter().find(|q| q.id == p));
    if !["pin", "forbid", "clear"].contains(&form.kind.as_str()) {
        errors.add("kind", lang.t("pl-err-kind-adjust"));
    }
    if form.kind != "clear" && candidate.is_none() {
        errors.add("application_id", lang.t("pl-err-candidate"));
    }
    if known_post.is_none() {
        errors.add("post_id", lang.t("pl-err-post"));
    }
    if let (Some(c), Some(p)) = (candidate, known_post) {
        if c.position != p.position && form.kind == "pin" {
            errors.add("post_id", lang.t("pl-err-pin-position"));
        }
    }
    let (Some(app), Some(post), true) = (app, post, errors.is_empty()) else {
        let html = render_preview(
            &state,
            &ctx,
            &round,
            errors,
            DEFAULT_RESPONSE_DAYS.to_string(),
            None,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    if form.kind == "clear" {
        state
            .store
            .clear_placement_adjustment(round.id, app, post)
            .await?;
    } else {
        state
            .store
            .set_placement_adjustment(round.id, app, post, &form.kind)
            .await?;
    }
    state
        .store
        .audit(
            Some(user.id),
            &format!("placement.{}", form.kind),
            &format!("application:{app}"),
            None,
            Some(&format!("post:{post}")),
        )
        .await?;
    Ok(Redirect::to(&format!("/placement/{}?notice=adjusted", round.id)).into_response())
}

#[derive(Deserialize, Default)]
struct PublishForm {
    #[serde(default)]
    days: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(round_id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let round = round_for(&state, round_id).await?;
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=90).contains(d));
    if days.is_none() {
        errors.add("days", lang.t("pl-err-days"));
    }
    let run = state.store.latest_placement_run(round.id).await?;
    let result = run.as_ref().and_then(|r| stored_result(&r.result_json));
    let (Some(run), Some(result)) = (run.filter(|r| r.published_at.is_none()), result) else {
        errors.add("days", lang.t("pl-err-nothing-to-publish"));
        let html = render_preview(&state, &ctx, &round, errors, form.days, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    let Some(days) = days.filter(|_| errors.is_empty()) else {
        let html = render_preview(&state, &ctx, &round, errors, form.days, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    if !state.store.mark_placement_run_published(run.id).await? {
        return Ok(Redirect::to(&format!("/placement/{}", round.id)).into_response());
    }
    // Places as they are now: a host may have changed a post since the run.
    let input = load_run_input(&state.store, round.id).await?;
    let mut free: HashMap<i64, i64> = input.posts.iter().map(|p| (p.id, p.free)).collect();
    let orgs: HashMap<i64, (String, String)> = input
        .posts
        .iter()
        .map(|p| (p.id, (p.label.clone(), p.position.clone())))
        .collect();
    let from = ApplicationState::Shortlisted;
    let to = transition(from, Event::Place).map_err(|e| AppError::Internal(e.into()))?;
    let deadline = jetdesk_store::now() + days * 24 * 3600;
    for row in &result.rows {
        let Some(post_id) = row.post_id else { continue };
        let Some(left) = free.get_mut(&post_id).filter(|n| **n > 0) else {
            continue;
        };
        if !state
            .store
            .place_with_offer(
                from.as_str(),
                to.as_str(),
                round.id,
                row.application_id,
                post_id,
                run.id,
                deadline,
            )
            .await?
        {
            continue;
        }
        *left -= 1;
        state
            .store
            .audit(
                Some(user.id),
                "application.place",
                &format!("application:{}", row.application_id),
                Some(from.as_str()),
                Some(to.as_str()),
            )
            .await?;
        let Some(app) = state.store.application(row.application_id).await? else {
            continue;
        };
        let Some(applicant) = state.store.user(app.user_id).await? else {
            continue;
        };
        let reference = app.reference.clone().unwrap_or_default();
        let (label, position) = orgs.get(&post_id).cloned().unwrap_or_default();
        let body = format!(
            "Hello {},\n\nWe are pleased to offer you a placement on the JET Programme ({reference}):\n\n  {} at {label}\n\n\
             Please accept or decline it by {} (UK time) at {}/my/placement. Declining a placement counts as \
             withdrawing from this year's programme.\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
            applicant.display_name,
            position.to_uppercase(),
            format_time(deadline),
            state.base_url,
        );
        state
            .mailer
            .queue(
                &applicant.email,
                &format!("Your JET placement offer: {reference}"),
                &body,
            )
            .await?;
    }
    state
        .store
        .audit(
            Some(user.id),
            "placement.publish",
            &format!("placement_run:{}", run.id),
            None,
            None,
        )
        .await?;
    Ok(Redirect::to(&format!("/placement/{}?notice=published", round.id)).into_response())
}

// ---------------------------------------------------------------------------------------------
// The candidate's offer

struct OfferView {
    id: i64,
    reference: String,
    org: String,
    position: String,
    deadline: String,
    status: String,
    open: bool,
    profile: String,
}

#[derive(Template)]
#[template(path = "placement/my.html")]
struct MyTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    offers: Vec<OfferView>,
}

async fn render_my(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    notice: Option<&str>,
) -> AppResult<String> {
    let user = ctx.require_user()?;
    let lang = ctx.lang();
    let mut offers = Vec::new();
    for o in state.store.placement_offers_of(user.id).await? {
        let org = state.store.placement_org(o.org_id).await?;
        let status = match o.state.as_str() {
            "placed" => "pl-status-offered",
            "accepted" | "departed" => "pl-status-accepted",
            "declined" => "pl-status-declined",
            _ => "pl-status-withdrawn",
        };
        offers.push(OfferView {
            id: o.id,
            reference: o.reference.clone().unwrap_or_default(),
            org: if lang == Lang::Ja {
                o.name_ja.clone()
            } else {
                o.name_en.clone()
            },
            position: o.position.to_uppercase(),
            deadline: format_time(o.deadline_at),
            status: lang.t(status),
            open: o.state == "placed",
            profile: org.map(|g| g.profile).unwrap_or_default(),
        });
    }
    let t = MyTemplate {
        page: Page::new(ctx, lang.t("pl-my-title")).with_notice(notice),
        csrf: ctx.csrf().await?,
        errors,
        offers,
    };
    Ok(t.render()?)
}

async fn my_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    Ok(Html(
        render_my(&state, &ctx, FormErrors::default(), notice_key(&q)).await?,
    ))
}

/// The user's own offer, still open (the application is `placed`); anyone else's is a 404.
async fn own_offer(state: &AppState, ctx: &Ctx, offer_id: i64) -> AppResult<PlacementOffer> {
    let user = ctx.require_user()?;
    state
        .store
        .placement_offer(offer_id)
        .await?
        .filter(|o| o.user_id == user.id)
        .ok_or(AppError::NotFound)
}

/// Moves the offer's application by `event` and tells the applicant; None when it was not open.
async fn answer(state: &AppState, ctx: &Ctx, offer: &PlacementOffer, event: Event) -> AppResult<Option<()>> {
    let user = ctx.require_user()?;
    let Ok(from) = offer.state.parse::<ApplicationState>() else {
        return Ok(None);
    };
    let Ok(to) = transition(from, event) else {
        return Ok(None);
    };
    if !state
        .store
        .set_application_state(offer.application_id, from.as_str(), to.as_str(), None)
        .await?
    {
        return Ok(None);
    }
    state.store.mark_offer_answered(offer.id).await?;
    if event == Event::Accept && offer.position == "alt" {
        add_to_planner(state, offer).await?;
    }
    state
        .store
        .audit(
            Some(user.id),
            &format!("application.{}", event.as_str()),
            &format!("application:{}", offer.application_id),
            Some(from.as_str()),
            Some(to.as_str()),
        )
        .await?;
    let reference = offer.reference.clone().unwrap_or_default();
    let (subject, line) = if event == Event::Accept {
        (
            format!("Placement accepted: {reference}"),
            format!(
                "Thank you: you have accepted your placement as {} at {}. Your host organisation will be in touch.",
                offer.position.to_uppercase(),
                offer.name_en
            ),
        )
    } else {
        (
            format!("Placement declined: {reference}"),
            format!(
                "You have declined your placement as {} at {}. This counts as withdrawing from this year's programme.",
                offer.position.to_uppercase(),
                offer.name_en
            ),
        )
    };
    state
        .mailer
        .queue(
            &user.email,
            &subject,
            &format!(
                "Hello {},\n\n{line}\n\nJET Desk, Embassy of Japan in the UK\nReference: {reference}\n",
                user.display_name
            ),
        )
        .await?;
    Ok(Some(()))
}

/// An ALT who accepts joins their organisation's school-visit planner, based at its first school
/// and working Monday to Friday, for the host to adjust. Only when the organisation has schools (a
/// base school is required), and never replacing an ALT the host already entered.
async fn add_to_planner(state: &AppState, offer: &PlacementOffer) -> AppResult<()> {
    let schools = state.store.tt_schools(offer.org_id).await?;
    let Some(base) = schools.first() else {
        return Ok(());
    };
    let code = format!("jet-{}", offer.application_id);
    let alts = state.store.tt_alts(offer.org_id).await?;
    if alts.iter().any(|a| a.code == code || a.email == offer.email) {
        return Ok(());
    }
    let input = jetdesk_store::TtAltInput {
        code,
        name: applicant_name(&state.store, offer.application_id, &offer.display_name).await?,
        email: offer.email.clone(),
        base_school: base.code.clone(),
        weekdays: "mon, tue, wed, thu, fri".into(),
        ..Default::default()
    };
    state
        .store
        .save_tt_alt(offer.org_id, &input, &crate::security::new_token())
        .await?;
    Ok(())
}

async fn accept(State(state): State<AppState>, ctx: Ctx, Path(offer_id): Path<i64>) -> AppResult<Response> {
    let offer = own_offer(&state, &ctx, offer_id).await?;
    let lang = ctx.lang();
    if offer.state == "placed" && jetdesk_store::now() > offer.deadline_at {
        let mut errors = FormErrors::default();
        errors.add("offer", lang.t("pl-err-late"));
        let html = render_my(&state, &ctx, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    if answer(&state, &ctx, &offer, Event::Accept).await?.is_none() {
        return Ok(Redirect::to("/my/placement").into_response());
    }
    Ok(Redirect::to("/my/placement?notice=accepted").into_response())
}

#[derive(Deserialize, Default)]
struct DeclineForm {
    #[serde(default)]
    confirm: Option<String>,
}

async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(offer_id): Path<i64>,
    Form(form): Form<DeclineForm>,
) -> AppResult<Response> {
    let offer = own_offer(&state, &ctx, offer_id).await?;
    if form.confirm.as_deref() != Some("yes") {
        let mut errors = FormErrors::default();
        errors.add("confirm", ctx.lang().t("pl-err-confirm"));
        let html = render_my(&state, &ctx, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    if answer(&state, &ctx, &offer, Event::Decline).await?.is_none() {
        return Ok(Redirect::to("/my/placement").into_response());
    }
    Ok(Redirect::to("/my/placement?notice=declined").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sister_cities_are_read_as_city_and_country_lines() {
        assert_eq!(
            super::parse_sister_cities("Leeds, United Kingdom\n\n  Cardiff , Wales "),
            Some(vec![
                ("Leeds".into(), "United Kingdom".into()),
                ("Cardiff".into(), "Wales".into())
            ])
        );
        assert_eq!(super::parse_sister_cities("Leeds"), None);
        assert_eq!(super::parse_sister_cities(""), Some(vec![]));
    }
}
