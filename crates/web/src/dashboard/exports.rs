//! Exports of the staff lists as CSV and XLSX, with exactly the filters of the list on screen
//! (the list's own `staff::list_filter`), the same names hidden during a name-blind sift, and an
//! audit entry per export (who, which filters, how many rows).
//!
//! CSV text that a spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`) is prefixed
//! with `'`, the OWASP advice against CSV injection; XLSX cells are written as strings, which
//! spreadsheets never evaluate.

use crate::access::{Access, RouteDef};
use crate::applications::state_label;
use crate::error::AppResult;
use crate::page::format_time;
use crate::session::Ctx;
use crate::staff::{list_filter, ListQuery};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jetdesk_domain::Role;
use jetdesk_store::{ApplicationFilter, ApplicationListing};

/// The same people who see the list.
const STAFF: Access = Access::Roles(&[Role::Coordinator, Role::Reviewer]);

/// Rows read per query while exporting.
const EXPORT_PAGE: i64 = 1_000;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/staff/applications.csv", STAFF, get(applications_csv)),
        RouteDef::get("/staff/applications.xlsx", STAFF, get(applications_xlsx)),
    ]
}

/// A file download with its type and name.
pub(crate) fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Text made safe from being read as a formula by a spreadsheet.
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A header and rows as CSV (UTF-8, CRLF line ends as RFC 4180 asks).
pub(crate) fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| defuse(c)))
            .map_err(anyhow::Error::from)?;
    }
    Ok(writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("finishing a CSV: {e}"))?)
}

/// The filtered list in full, as a header and rows of text, after recording the export.
async fn applications_table(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    format: &str,
) -> AppResult<(ApplicationFilter, Vec<String>, Vec<Vec<String>>)> {
    let user = ctx.require_user()?.clone();
    let rounds = state.store.rounds().await?;
    let (filter, blind) = list_filter(state, ctx, q, &rounds).await?;
    let mut rows: Vec<ApplicationListing> = Vec::new();
    loop {
        let (mut page, total) = state
            .store
            .list_applications(&filter, EXPORT_PAGE, rows.len() as i64)
            .await?;
        let done = page.len() < EXPORT_PAGE as usize || rows.len() + page.len() >= total as usize;
        rows.append(&mut page);
        if done {
            break;
        }
    }
    if blind {
        crate::review::blind_listing(&mut rows);
    }
    let lang = ctx.lang();
    let header = [
        "dashboard-export-reference",
        "dashboard-export-applicant",
        "dashboard-export-email",
        "dashboard-export-position",
        "dashboard-export-state",
        "dashboard-export-eligibility",
        "dashboard-export-submitted",
    ]
    .iter()
    .map(|k| lang.t(k))
    .collect();
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.reference.unwrap_or_default(),
                r.display_name,
                r.email,
                r.position.to_uppercase(),
                state_label(&r.state).to_string(),
                r.eligibility_overall.unwrap_or_default(),
                r.submitted_at.map(format_time).unwrap_or_default(),
            ]
        })
        .collect();
    let described = format!(
        "format={format} round={} position={} state={} eligibility={} submitted={} q={} sort={} blind={} rows={}",
        filter.round_id,
        filter.position,
        filter.state,
        filter.eligibility,
        filter.submitted,
        filter.q,
        filter.sort,
        blind,
        table.len()
    );
    state
        .store
        .audit(
            Some(user.id),
            "export.applications",
            &format!("round:{}", filter.round_id),
            None,
            Some(&described),
        )
        .await?;
    Ok((filter, header, table))
}

async fn applications_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (filter, header, rows) = applications_table(&state, &ctx, &q, "csv").await?;
    Ok(download(
        csv_bytes(&header, &rows)?,
        "text/csv; charset=utf-8",
        &format!("applications-round-{}.csv", filter.round_id),
    ))
}

async fn applications_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (filter, header, rows) = applications_table(&state, &ctx, &q, "xlsx").await?;
    Ok(download(
        xlsx_bytes(&ctx.lang().t("dashboard-export-sheet"), &header, &rows)?,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("applications-round-{}.xlsx", filter.round_id),
    ))
}

/// A header (bold, frozen) and rows as a one-sheet workbook, every cell a string.
fn xlsx_bytes(sheet_name: &str, header: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name)?;
        for (c, text) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, text, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, text)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
        workbook.save_to_buffer()
    };
    Ok(build().map_err(anyhow::Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Jane Smith"), "Jane Smith");
    }

    #[test]
    fn a_csv_has_the_header_and_every_row() {
        let bytes =
            csv_bytes(&["a".into(), "b".into()], &[vec!["1".into(), "x, y".into()]]).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&bytes), "a,b\r\n1,\"x, y\"\r\n");
    }
}
