//! Exports of the staff lists as CSV and XLSX. Every list's export is served by the list's own
//! module, from the same query code as the page (so the file holds exactly the rows the filters on
//! screen select, all pages of them), behind the same role check; this module holds what they
//! share: [`Format`] (which file the address asks for), [`Table`], [`send`] (which records the
//! export in the audit log, then writes the file) and [`ExportLinks`] (the page's "Download CSV /
//! Download Excel" links, `templates/export_links.html`). The applications list's exports live here.
//!
//! CSV text that a spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`, tab or CR) is
//! prefixed with `'`, the OWASP advice against CSV injection; XLSX cells are written as strings,
//! which spreadsheets never evaluate.

use crate::access::{Access, RouteDef};
use crate::applications::state_label;
use crate::error::AppResult;
use crate::forms::url_encode;
use crate::i18n::Lang;
use crate::page::format_time;
use crate::session::Ctx;
use crate::staff::{list_filter, ListQuery};
use crate::AppState;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jetdesk_domain::Role;
use std::future::Future;

/// The same people who see the list.
const STAFF: Access = Access::Roles(&[Role::Coordinator, Role::Reviewer]);

/// Rows read per query while exporting.
const EXPORT_PAGE: i64 = 1_000;

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/staff/applications.csv", STAFF, get(applications_export)),
        RouteDef::get("/staff/applications.xlsx", STAFF, get(applications_export)),
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

/// Which file an export's address asks for: `….xlsx` a workbook, anything else CSV. Each list
/// serves both addresses with one handler that takes this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Format {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(if parts.uri.path().ends_with(".xlsx") {
            Format::Xlsx
        } else {
            Format::Csv
        })
    }
}

/// A list as text: column headings and rows.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table whose headings are these Fluent keys in `lang`.
    pub(crate) fn new(lang: Lang, keys: &[&str]) -> Table {
        Table {
            header: keys.iter().map(|k| lang.t(k)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (as many cells as headings).
    pub(crate) fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }
}

/// What an export is, for its audit entry and its file.
pub(crate) struct Export {
    /// The list: the audit action is `export.{list}`.
    pub(crate) list: &'static str,
    /// The audit entry's subject, such as `round:3` (the list's name when it has no subject).
    pub(crate) subject: String,
    /// The filters applied, as `name=value` words, for the audit entry.
    pub(crate) filters: String,
    /// The file's name without its extension.
    pub(crate) file: String,
    /// The workbook's sheet name (cut to what Excel allows).
    pub(crate) sheet: String,
}

/// Records the export in the audit log (who, which list, which filters, how many rows), then
/// sends the table as a CSV or XLSX download.
pub(crate) async fn send(
    state: &AppState,
    ctx: &Ctx,
    format: Format,
    export: Export,
    table: Table,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let described = format!(
        "format={} {} rows={}",
        format.extension(),
        export.filters,
        table.rows.len()
    );
    state
        .store
        .audit(
            Some(user.id),
            &format!("export.{}", export.list),
            &export.subject,
            None,
            Some(&described),
        )
        .await?;
    let name = format!("{}.{}", export.file, format.extension());
    Ok(match format {
        Format::Csv => download(
            csv_bytes(&table.header, &table.rows)?,
            "text/csv; charset=utf-8",
            &name,
        ),
        Format::Xlsx => download(
            xlsx_bytes(&export.sheet, &table.header, &table.rows)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &name,
        ),
    })
}

/// Every row of a paged list: `fetch(limit, offset)` answers a page and the total.
pub(crate) async fn every_page<T, F, Fut>(mut fetch: F) -> AppResult<Vec<T>>
where
    F: FnMut(i64, i64) -> Fut,
    Fut: Future<Output = AppResult<(Vec<T>, i64)>>,
{
    let mut rows: Vec<T> = Vec::new();
    loop {
        let (mut page, total) = fetch(EXPORT_PAGE, rows.len() as i64).await?;
        let done = page.len() < EXPORT_PAGE as usize || rows.len() + page.len() >= total as usize;
        rows.append(&mut page);
        if done {
            return Ok(rows);
        }
    }
}

/// A list page's "Download CSV · Download Excel" links, carrying its filters
/// (`templates/export_links.html`, included by the page; the template needs `page` and `exports`).
pub(crate) struct ExportLinks {
    pub(crate) csv: String,
    pub(crate) xlsx: String,
}

impl ExportLinks {
    /// The links for `base` (the export's address without extension, e.g. `/admin/users`) with
    /// these filters (name and value pairs; empty values left out).
    pub(crate) fn new(base: &str, filters: &[(&str, &str)]) -> ExportLinks {
        let query: Vec<String> = filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        ExportLinks {
            csv: format!("{base}.csv{query}"),
            xlsx: format!("{base}.xlsx{query}"),
        }
    }
}

/// The applications list in full with its filters, as a file, after recording the export.
async fn applications_export(
    State(state): State<AppState>,
    ctx: Ctx,
    format: Format,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let rounds = state.store.rounds().await?;
    let (filter, blind) = list_filter(&state, &ctx, &q, &rounds).await?;
    let mut rows = every_page(|limit, offset| {
        let (store, filter) = (&state.store, &filter);
        async move { Ok(store.list_applications(filter, limit, offset).await?) }
    })
    .await?;
    if blind {
        crate::review::blind_listing(&mut rows);
    }
    let lang = ctx.lang();
    let mut table = Table::new(
        lang,
        &[
            "dashboard-export-reference",
            "dashboard-export-applicant",
            "dashboard-export-email",
            "dashboard-export-position",
            "dashboard-export-state",
            "dashboard-export-eligibility",
            "dashboard-export-submitted",
        ],
    );
    for r in rows {
        table.push(vec![
            r.reference.unwrap_or_default(),
            r.display_name,
            r.email,
            r.position.to_uppercase(),
            state_label(&r.state).to_string(),
            r.eligibility_overall.unwrap_or_default(),
            r.submitted_at.map(format_time).unwrap_or_default(),
        ]);
    }
    let filters = format!(
        "round={} position={} state={} eligibility={} submitted={} q={} sort={} blind={}",
        filter.round_id,
        filter.position,
        filter.state,
        filter.eligibility,
        filter.submitted,
        filter.q,
        filter.sort,
        blind,
    );
    let export = Export {
        list: "applications",
        subject: format!("round:{}", filter.round_id),
        filters,
        file: format!("applications-round-{}", filter.round_id),
        sheet: lang.t("dashboard-export-sheet"),
    };
    send(&state, &ctx, format, export, table).await
}

/// A name Excel accepts for a sheet: at most 31 characters, none of `[]:*?/\`, not blank.
fn sheet_name(wanted: &str) -> String {
    let name: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .filter(|c| !c.is_control())
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_string();
    if name.is_empty() {
        "Export".into()
    } else {
        name
    }
}

/// A header (bold, frozen) and rows as a one-sheet workbook, every cell a string.
fn xlsx_bytes(sheet: &str, header: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet_name(sheet))?;
        for (c, text) in header.iter().enumerate() {
            worksheet.write_string_with_format(0, c as u16, text, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                worksheet.write_string(r as u32 + 1, c as u16, text)?;
            }
        }
        worksheet.set_freeze_panes(1, 0)?;
        worksheet.autofit();
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

    #[test]
    fn a_csv_cell_starting_with_a_formula_character_is_quoted_as_text() {
        let rows = vec![vec![
            "=1+2".into(),
            "-3".into(),
            "+cmd|' /C calc'!A0".into(),
            "a=b".into(),
        ]];
        let bytes = csv_bytes(&["h".into(), "i".into(), "j".into(), "k".into()], &rows).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.lines().nth(1), Some("'=1+2,'-3,'+cmd|' /C calc'!A0,a=b"));
    }

    #[test]
    fn a_sheet_name_is_cut_to_what_excel_allows() {
        assert_eq!(sheet_name("Users: search [all]"), "Users  search  all");
        assert_eq!(sheet_name("'"), "Export");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn export_links_carry_the_filters_but_not_empty_ones() {
        let links = ExportLinks::new("/admin/users", &[("q", "a b&c"), ("page", "")]);
        assert_eq!(links.csv, "/admin/users.csv?q=a+b%26c");
        assert_eq!(links.xlsx, "/admin/users.xlsx?q=a+b%26c");
        assert_eq!(ExportLinks::new("/review", &[]).csv, "/review.csv");
    }
}
