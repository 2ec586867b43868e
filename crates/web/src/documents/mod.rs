//! Documents: the applicant uploads the round's documents (proof of degree, passport photo page,
//! JLPT certificate), replaces or deletes them before submitting, and downloads them; coordinators
//! and reviewers download them too, each download written to the audit log.
//!
//! A file is judged by its content ([`sniff`]), never by its name or stated type; it is stored
//! through `object_store` (a local file system under `DATA_DIR/files`) under the SHA-256 of its
//! content, and the applicant's file name is kept, sanitised, in the database for display only.
//! Upload forms are multipart and carry the CSRF token in the `csrf` query parameter (see
//! `csrf.rs` and decision 0004). The upload route lifts the global body limit; the handler counts
//! the bytes itself so an oversized file gets a page that says so.

pub mod sniff;

use crate::access::{Access, RouteDef};
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{format_time, Page};
use crate::session::Ctx;
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jetdesk_domain::Role;
use jetdesk_store::{Application, Document, NewDocument, Round};
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sniff::Sniffed;

const APPLICANT: Access = Access::Roles(&[Role::Applicant]);
const OWNER_OR_STAFF: Access = Access::Roles(&[Role::Applicant, Role::Coordinator, Role::Reviewer]);

pub(crate) fn routes() -> Vec<RouteDef> {
    vec![
        RouteDef::get("/apply/documents", APPLICANT, get(list)),
        RouteDef::post(
            "/apply/documents/{kind}",
            APPLICANT,
            post(upload).layer(DefaultBodyLimit::disable()),
        ),
        RouteDef::post("/apply/documents/{kind}/delete", APPLICANT, post(delete)),
        RouteDef::get("/documents/{id}", OWNER_OR_STAFF, get(download)),
    ]
}

// ----- the kinds -----

/// A kind of document a round can ask for.
pub struct KindInfo {
    /// Its id in `Round.documents_required`.
    pub id: &'static str,
    /// Its name.
    pub title: &'static str,
    /// The form field's id.
    pub field: &'static str,
    /// What to upload.
    pub hint: &'static str,
    /// Whether submitting needs it.
    pub required: bool,
    /// The formats it takes.
    pub accepts: &'static [Sniffed],
    /// The file input's `accept` attribute.
    pub accept_attr: &'static str,
}

/// Every kind, in the order the page lists them.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        id: "degree",
        title: "Proof of degree",
        field: "file-degree",
        hint: "Your degree certificate, or a letter from your university confirming the degree and its expected date. PDF only.",
        required: true,
        accepts: &[Sniffed::Pdf],
        accept_attr: ".pdf,application/pdf",
    },
    KindInfo {
        id: "passport",
        title: "Passport photo page",
        field: "file-passport",
        hint: "A clear scan or photo of the page with your photograph. PDF, JPEG or PNG.",
        required: true,
        accepts: &[Sniffed::Pdf, Sniffed::Jpeg, Sniffed::Png],
        accept_attr: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    },
    KindInfo {
        id: "jlpt",
        title: "JLPT certificate",
        field: "file-jlpt",
        hint: "Only if you have passed the Japanese-Language Proficiency Test. PDF only.",
        required: false,
        accepts: &[Sniffed::Pdf],
        accept_attr: ".pdf,application/pdf",
    },
];

/// The kind with this id.
pub fn kind(id: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.id == id)
}

/// The kinds a round asks for.
pub fn kinds_of(round: &Round) -> Vec<&'static KindInfo> {
    let listed: Vec<&str> = round.documents_required.split(',').map(str::trim).collect();
    KINDS.iter().filter(|k| listed.contains(&k.id)).collect()
}

/// "Not started", "In progress" or "Completed" for the task list: completed when every required
/// kind of the round has a document.
pub(crate) async fn task_status(
    state: &AppState,
    round: &Round,
    application_id: i64,
) -> AppResult<&'static str> {
    let docs = state.store.documents(application_id).await?;
    let required: Vec<_> = kinds_of(round).into_iter().filter(|k| k.required).collect();
    let have = |k: &KindInfo| docs.iter().any(|d| d.kind == k.id);
    Ok(
        if required.iter().all(|k| have(k)) && (!required.is_empty() || !docs.is_empty()) {
            "Completed"
        } else if docs.is_empty() {
            "Not started"
        } else {
            "In progress"
        },
    )
}

/// Whether every document the round requires has been uploaded (for submission).
pub(crate) async fn all_required_uploaded(
    state: &AppState,
    round: &Round,
    application_id: i64,
) -> AppResult<bool> {
    let docs = state.store.documents(application_id).await?;
    Ok(kinds_of(round)
        .into_iter()
        .filter(|k| k.required)
        .all(|k| docs.iter().any(|d| d.kind == k.id)))
}

// ----- content storage, shared with referees -----

fn files(state: &AppState) -> AppResult<LocalFileSystem> {
    let dir = state.config.data_dir.join("files");
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("creating {}: {e}", dir.display())))?;
    LocalFileSystem::new_with_prefix(&dir).map_err(|e| AppError::Internal(e.into()))
}

fn key(sha256: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!("{}/{sha256}", sha256.get(..2).unwrap_or("00")))
}

/// Stores `bytes` under their SHA-256 (hex), which it returns. Storing the same content twice is
/// harmless.
pub(crate) async fn store_content(state: &AppState, bytes: Vec<u8>) -> AppResult<String> {
    let sha = hex::encode(Sha256::digest(&bytes));
    files(state)?
        .put(&key(&sha), bytes.into())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(sha)
}

/// The content stored under `sha256`.
pub(crate) async fn load_content(state: &AppState, sha256: &str) -> AppResult<Vec<u8>> {
    let got = files(state)?
        .get(&key(sha256))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let bytes = got.bytes().await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(bytes.to_vec())
}

/// Deletes the content under `sha256` unless a document or a reference still uses it.
pub(crate) async fn drop_content_if_unused(state: &AppState, sha256: &str) -> AppResult<()> {
    if !state.store.content_in_use(sha256).await? {
        if let Err(e) = files(state)?.delete(&key(sha256)).await {
            tracing::warn!(error = %e, "deleting unused content");
        }
    }
    Ok(())
}

/// An attachment download: the sniffed type, `Content-Disposition: attachment`, nosniff, no caching.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        sniff::ascii_name(name),
        crate::forms::url_encode(name).replace('+', "%20")
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    } else {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// A file read from a multipart form.
pub(crate) struct Upload {
    /// The browser's file name, sanitised.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Why no file could be read.
pub(crate) enum UploadProblem {
    /// Nothing was chosen.
    Missing,
    /// Larger than the limit (in MiB).
    TooLarge(u64),
    /// The body was not a readable multipart form.
    Malformed,
}

impl UploadProblem {
    /// The message beside the field.
    pub fn message(&self) -> String {
        match self {
            UploadProblem::Missing => "Select a file to upload".into(),
            UploadProblem::TooLarge(mib) => format!("The selected file must be smaller than {mib} MiB"),
            UploadProblem::Malformed => "The upload did not arrive complete. Try again".into(),
        }
    }
}

/// The upload limit in bytes.
pub(crate) fn limit_bytes(state: &AppState) -> (usize, u64) {
    let mib = state.config.max_upload_mib.max(1);
    (
        usize::try_from(mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX),
        mib,
    )
}

/// Reads the `file` field of a multipart form, counting bytes: past the limit the rest is read and
/// discarded (up to twice the limit, so the browser sees our answer), then refused.
pub(crate) async fn read_upload(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, UploadProblem> {
    let (limit, mib) = limit_bytes(state);
    let mut multipart = multipart.map_err(|_| UploadProblem::Malformed)?;
    let mut found: Option<Upload> = None;
    let mut total = 0usize;
    let mut too_large = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) if too_large => return Err(UploadProblem::TooLarge(mib)),
            Err(_) => return Err(UploadProblem::Malformed),
        };
        let is_file = field.name() == Some("file") && found.is_none();
        let name = sniff::sanitise_name(field.file_name().unwrap_or(""));
        let mut field = field;
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    total = total.saturating_add(chunk.len());
                    if total > limit {
                        too_large = true;
                        bytes = Vec::new();
                        if total > limit.saturating_mul(2) {
                            return Err(UploadProblem::TooLarge(mib));
                        }
                    } else if is_file {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) if too_large => return Err(UploadProblem::TooLarge(mib)),
                Err(_) => return Err(UploadProblem::Malformed),
            }
        }
        if is_file {
            found = Some(Upload { name, bytes });
        }
    }
    if too_large {
        return Err(UploadProblem::TooLarge(mib));
    }
    match found {
        Some(u) if !u.bytes.is_empty() || u.name != "document" => Ok(u),
        _ => Err(UploadProblem::Missing),
    }
}

// ----- the applicant's pages -----

async fn load(state: &AppState, ctx: &Ctx) -> AppResult<(Round, Application)> {
    let user = ctx.require_user()?;
    let round = state
        .store
        .current_round(crate::applications::COUNTRY)
        .await?
        .ok_or(AppError::NotFound)?;
    let app = state
        .store
        .application_of(round.id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((round, app))
}

struct DocRow {
    kind: &'static KindInfo,
    doc: Option<Document>,
}

impl DocRow {
    fn when(&self) -> String {
        self.doc
            .as_ref()
            .map(|d| format_time(d.uploaded_at))
            .unwrap_or_default()
    }
    fn size(&self) -> String {
        self.doc
            .as_ref()
            .map(|d| human_size(d.size_bytes))
            .unwrap_or_default()
    }
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KiB", (bytes + 1023) / 1024)
    }
}

#[derive(Template)]
#[template(path = "documents/list.html")]
struct ListTemplate {
    page: Page,
    csrf: String,
    errors: FormErrors,
    reference: String,
    editable: bool,
    rows: Vec<DocRow>,
    limit_mib: u64,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    round: &Round,
    app: &Application,
    errors: FormErrors,
    notice: Option<&str>,
) -> AppResult<String> {
    let docs = state.store.documents(app.id).await?;
    let rows = kinds_of(round)
        .into_iter()
        .map(|k| DocRow {
            kind: k,
            doc: docs.iter().find(|d| d.kind == k.id).cloned(),
        })
        .collect();
    let mut page = Page::new(ctx, "Documents");
    page.notice = notice.map(str::to_string);
    let t = ListTemplate {
        page,
        csrf: ctx.csrf().await?,
        errors,
        reference: app.reference.clone().unwrap_or_default(),
        editable: app.state == "draft",
        rows,
        limit_mib: limit_bytes(state).1,
    };
    Ok(t.render()?)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let (round, app) = load(&state, &ctx).await?;
    let notice = match q.notice.as_deref() {
        Some("uploaded") => Some("Your document has been uploaded."),
        Some("deleted") => Some("The document has been deleted."),
        _ => None,
    };
    Ok(Html(
        render(&state, &ctx, &round, &app, FormErrors::default(), notice).await?,
    ))
}

fn not_draft() -> AppError {
    AppError::BadRequest(
        "Your application has been submitted, so its documents can no longer be changed.".into(),
    )
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (round, app) = load(&state, &ctx).await?;
    let info = kinds_of(&round)
        .into_iter()
        .find(|k| k.id == kind_id)
        .ok_or(AppError::NotFound)?;
    if app.state != "draft" {
        return Err(not_draft());
    }
    let mut errors = FormErrors::default();
    let (st, cx, rd, ap) = (&state, &ctx, &round, &app);
    let refused = move |errors: FormErrors, status: StatusCode| async move {
        let html = render(st, cx, rd, ap, errors, None).await?;
        Ok::<Response, AppError>((status, Html(html)).into_response())
    };
    let upload = match read_upload(&state, multipart).await {
        Ok(u) => u,
        Err(problem) => {
            let status = match problem {
                UploadProblem::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            errors.add(info.field, problem.message());
            return refused(errors, status).await;
        }
    };
    let sniffed = match sniff::sniff(&upload.bytes) {
        Ok(s) if info.accepts.contains(&s) => s,
        Ok(_) => {
            errors.add(
                info.field,
                format!(
                    "The {} must be a PDF file (we check the content, not the name)",
                    info.title.to_lowercase()
                ),
            );
            return refused(errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(refusal) => {
            errors.add(info.field, refusal.message());
            return refused(errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    let sha = store_content(&state, upload.bytes).await?;
    let written = state
        .store
        .put_document(
            app.id,
            &NewDocument {
                kind: info.id,
                sha256: &sha,
                content_type: sniffed.content_type(),
                size_bytes: size,
                original_name: &upload.name,
            },
        )
        .await?;
    let Some(replaced) = written else {
        drop_content_if_unused(&state, &sha).await?;
        return Err(not_draft());
    };
    if let Some(old) = replaced {
        drop_content_if_unused(&state, &old).await?;
    }
    state
        .store
        .audit(
            Some(user.id),
            "document.upload",
            &format!("application:{}", app.id),
            None,
            Some(info.id),
        )
        .await?;
    Ok(Redirect::to("/apply/documents?notice=uploaded").into_response())
}

async fn delete(State(state): State<AppState>, ctx: Ctx, Path(kind_id): Path<String>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (_round, app) = load(&state, &ctx).await?;
    let info = kind(&kind_id).ok_or(AppError::NotFound)?;
    if app.state != "draft" {
        return Err(not_draft());
    }
    match state.store.delete_document(app.id, info.id).await? {
        Some(sha) => {
            drop_content_if_unused(&state, &sha).await?;
            state
                .store
                .audit(
                    Some(user.id),
                    "document.delete",
                    &format!("application:{}", app.id),
                    Some(info.id),
                    None,
                )
                .await?;
            Ok(Redirect::to("/apply/documents?notice=deleted").into_response())
        }
        None => Ok(Redirect::to("/apply/documents").into_response()),
    }
}

fn is_staff(ctx: &Ctx) -> bool {
    ctx.user()
        .is_some_and(|u| u.has(Role::Coordinator) || u.has(Role::Reviewer))
}

/// The download: its owner, or a coordinator or reviewer (audited). Anyone else gets the same 404
/// as for an id that does not exist.
async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let doc = state.store.document(id).await?.ok_or(AppError::NotFound)?;
    let app = state
        .store
        .application(doc.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = is_staff(&ctx);
    if !staff && app.user_id != user.id {
        return Err(AppError::NotFound);
    }
    if staff {
        state
            .store
            .audit(
                Some(user.id),
                "document.view",
                &format!("application:{}", app.id),
                None,
                Some(&doc.kind),
            )
            .await?;
    }
    let bytes = load_content(&state, &doc.sha256).await?;
    Ok(attachment(bytes, &doc.content_type, &doc.original_name))
}

// ----- for the staff detail page -----

#[derive(Template)]
#[template(path = "documents/staff_summary.html")]
struct StaffSummary {
    rows: Vec<DocRow>,
}

/// The documents of application `application_id` as an HTML fragment for the staff detail page
/// (a heading and a table with download links). Include it with `{{ documents_html|safe }}`.
pub(crate) async fn staff_summary(state: &AppState, application_id: i64) -> AppResult<String> {
    let app = state
        .store
        .application(application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let round = state.store.round(app.round_id).await?;
    let docs = state.store.documents(application_id).await?;
    let mut kinds: Vec<&'static KindInfo> = round.as_ref().map(kinds_of).unwrap_or_default();
    for d in &docs {
        if let Some(k) = kind(&d.kind) {
            if !kinds.iter().any(|x| x.id == k.id) {
                kinds.push(k);
            }
        }
    }
    let rows = kinds
        .into_iter()
        .map(|k| DocRow {
            kind: k,
            doc: docs.iter().find(|d| d.kind == k.id).cloned(),
        })
        .collect();
    Ok(StaffSummary { rows }.render()?)
}
