//! The audit log viewer for coordinators and admins: filters, pages, newest first. Read-only: the
//! application has no route that edits or deletes an audit entry (the store has no such query).

use crate::access::{Access, RouteDef};
use crate::dashboard::exports::{every_page, send, Export, ExportLinks, Format, Table};
use crate::error::{AppError, AppResult};
use crate::forms::{url_encode, FormErrors};
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use axum::routing::get;
use jetdesk_domain::Role;
use jetdesk_store::{AuditFilter, AuditRow};
use serde::Deserialize;

const VIEWERS: Access = Access::Roles(&[Role::Coordinator, Role::Admin]);
const PAGE_SIZE: i64 = 50;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/admin/audit", VIEWERS, get(viewer)),
        RouteDef::get("/admin/audit.csv", VIEWERS, get(audit_export)),
        RouteDef::get("/admin/audit.xlsx", VIEWERS, get(audit_export)),
    ]
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "dashboard/audit.html")]
struct AuditTemplate {
    page: Page,
    errors: FormErrors,
    /// The filter fields: (id, label key, value, input type).
    fields: Vec<(&'static str, &'static str, String, &'static str)>,
    rows: Vec<AuditRow>,
    total: i64,
    page_no: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    exports: ExportLinks,
}

impl AuditTemplate {
    fn when(&self, at: &i64) -> String {
        format_time(*at)
    }
    fn count(&self) -> String {
        self.page.t1("dashboard-audit-count", "count", self.total)
    }
}

/// The Unix second at which a London calendar day (`YYYY-MM-DD`) begins.
fn london_day_start(date: &str) -> Option<i64> {
    let day: jiff::civil::Date = date.trim().parse().ok()?;
    Some(day.in_tz("Europe/London").ok()?.timestamp().as_second())
}

/// The store's filter from the viewer's fields, and a message beside each field that cannot be
/// read. Shared by the viewer and its export.
async fn audit_filter(state: &AppState, ctx: &Ctx, q: &AuditQuery) -> AppResult<(AuditFilter, FormErrors)> {
    let lang = ctx.lang();
    let mut errors = FormErrors::default();
    let mut filter = AuditFilter {
        action_prefix: q.action.trim().chars().take(100).collect(),
        subject: q.subject.trim().chars().take(100).collect(),
        ..AuditFilter::default()
    };
    let actor = q.actor.trim();
    if !actor.is_empty() {
        let found = match actor.parse::<i64>() {
            Ok(id) => state.store.user(id).await?,
            Err(_) => state.store.user_by_email(actor).await?,
        };
        match found {
            Some(user) => filter.actor_user_id = Some(user.id),
            None => errors.add("actor", lang.t("dashboard-audit-error-actor")),
        }
    }
    if !q.from.trim().is_empty() {
        match london_day_start(&q.from) {
            Some(at) => filter.from = Some(at),
            None => errors.add("from", lang.t("dashboard-audit-error-date")),
        }
    }
    if !q.to.trim().is_empty() {
        // "To" includes the whole of that day.
        match london_day_start(&q.to).map(|at| at + 86_400) {
            Some(at) => filter.until = Some(at),
            None => errors.add("to", lang.t("dashboard-audit-error-date")),
        }
    }
    Ok((filter, errors))
}

async fn viewer(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    let lang = ctx.lang();
    let (filter, errors) = audit_filter(&state, &ctx, &q).await?;
    let page_no = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (rows, total) = if errors.is_empty() {
        state
            .store
            .audit_page(&filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
            .await?
    } else {
        (Vec::new(), 0)
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let link = |n: i64| {
        format!(
            "/admin/audit?actor={}&action={}&subject={}&from={}&to={}&page={n}",
            url_encode(&q.actor),
            url_encode(&q.action),
            url_encode(&q.subject),
            url_encode(&q.from),
            url_encode(&q.to)
        )
    };
    let t = AuditTemplate {
        page: Page::new(&ctx, lang.t("dashboard-audit-title")),
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        errors,
        exports: ExportLinks::new(
            "/admin/audit",
            &[
                ("actor", &q.actor),
                ("action", &q.action),
                ("subject", &q.subject),
                ("from", &q.from),
                ("to", &q.to),
            ],
        ),
        fields: vec![
            ("actor", "dashboard-audit-actor", q.actor.clone(), "text"),
            ("action", "dashboard-audit-action", q.action.clone(), "text"),
            ("subject", "dashboard-audit-subject", q.subject.clone(), "text"),
            ("from", "dashboard-audit-from", q.from.clone(), "date"),
            ("to", "dashboard-audit-to", q.to.clone(), "date"),
        ],
        rows,
        total,
        page_no,
        pages,
    };
    Ok(Html(t.render()?))
}

/// The filtered log in full (every page, newest first), as a file. A filter that cannot be read
/// is refused with its message rather than ignored.
async fn audit_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let lang = ctx.lang();
    let (filter, errors) = audit_filter(&state, &ctx, &q).await?;
    if let Some((_, message)) = errors.list().first() {
        return Err(AppError::BadRequest(message.to_string()));
    }
    let rows = every_page(|limit, offset| {
        let (store, filter) = (&state.store, &filter);
        async move { Ok(store.audit_page(filter, limit, offset).await?) }
    })
    .await?;
    let mut table = Table::new(
        lang,
        &[
            "dashboard-audit-when",
            "dashboard-audit-actor",
            "dashboard-audit-action",
            "dashboard-audit-subject",
            "dashboard-audit-before",
            "dashboard-audit-after",
        ],
    );
    for r in rows {
        table.push(vec![
            format_time(r.at),
            r.actor_email.unwrap_or_default(),
            r.action,
            r.subject,
            r.before_value.unwrap_or_default(),
            r.after_value.unwrap_or_default(),
        ]);
    }
    let export = Export {
        list: "audit",
        subject: "audit".into(),
        filters: format!(
            "actor={} action={} subject={} from={} to={}",
            q.actor.trim(),
            filter.action_prefix,
            filter.subject,
            q.from.trim(),
            q.to.trim()
        ),
        file: "audit-log".into(),
        sheet: lang.t("dashboard-audit-title"),
    };
    send(&state, &ctx, format, export, table).await
}

#[cfg(test)]
mod tests {
    use super::london_day_start;

    #[test]
    fn a_day_starts_at_london_midnight_in_summer_and_winter() {
        // GMT in January, BST (UTC+1) in July.
        assert_eq!(london_day_start("2027-01-15"), Some(1799971200));
        assert_eq!(london_day_start("2027-07-15"), Some(1815606000));
        assert_eq!(london_day_start("15/07/2027"), None);
    }
}
