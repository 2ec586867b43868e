//! Applicants' documents: one row per (application, kind) pointing at content stored elsewhere
//! (the web layer's object store) under its SHA-256. Writes happen only while the application is a
//! draft; the condition is part of each statement, so a submit racing an upload cannot slip past it.

use crate::{affected, Result, Store};

/// An uploaded document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    /// Row id (the download URL's id).
    pub id: i64,
    /// The application it belongs to.
    pub application_id: i64,
    /// "degree", "passport" or "jlpt".
    pub kind: String,
    /// SHA-256 of the content, hex: the object store key.
    pub sha256: String,
    /// The type sniffed from the content ("application/pdf", "image/jpeg", "image/png").
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// The applicant's file name, sanitised, for display only.
    pub original_name: String,
    /// When it was uploaded (Unix seconds).
    pub uploaded_at: i64,
}

/// What an upload stores.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// See [`Document`].
    pub kind: &'a str,
    /// See [`Document`].
    pub sha256: &'a str,
    /// See [`Document`].
    pub content_type: &'a str,
    /// See [`Document`].
    pub size_bytes: i64,
    /// See [`Document`].
    pub original_name: &'a str,
}

const DOC_COLUMNS: &str =
    "id, application_id, kind, sha256, content_type, size_bytes, original_name, uploaded_at";

impl Store {
    /// An application's documents, by kind.
    pub async fn documents(&self, application_id: i64) -> Result<Vec<Document>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOC_COLUMNS} FROM documents WHERE application_id = $1 ORDER BY kind"
        ))
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A document by id.
    pub async fn document(&self, id: i64) -> Result<Option<Document>> {
        Ok(
            sqlx::query_as(&format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Stores (or replaces) the document of `doc.kind` on a draft application. Returns
    /// `Ok(None)` if the application is not a draft (nothing written), else `Ok(Some(old))` with
    /// the hash of the content it replaced, if any, so the caller can drop content nothing uses.
    pub async fn put_document(
        &self,
        application_id: i64,
        doc: &NewDocument<'_>,
    ) -> Result<Option<Option<String>>> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM documents WHERE application_id = $1 AND kind = $2")
                .bind(application_id)
                .bind(doc.kind)
                .fetch_optional(&mut *tx)
                .await?;
        let written = affected(
            sqlx::query(
                "INSERT INTO documents (application_id, kind, sha256, content_type, size_bytes, original_name, uploaded_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7
                 WHERE EXISTS (SELECT 1 FROM applications WHERE id = $1 AND state = 'draft')
                 ON CONFLICT (application_id, kind) DO UPDATE SET sha256 = excluded.sha256,
                     content_type = excluded.content_type, size_bytes = excluded.size_bytes,
                     original_name = excluded.original_name, uploaded_at = excluded.uploaded_at",
            )
            .bind(application_id)
            .bind(doc.kind)
            .bind(doc.sha256)
            .bind(doc.content_type)
            .bind(doc.size_bytes)
            .bind(doc.original_name)
            .bind(now)
            .execute(&mut *tx)
            .await?,
        );
        if written == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(old.filter(|o| o != doc.sha256)))
    }

    /// Deletes the document of `kind` from a draft application; returns its content hash if a row
    /// was deleted.
    pub async fn delete_document(&self, application_id: i64, kind: &str) -> Result<Option<String>> {
        let mut tx = self.pool().begin().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM documents WHERE application_id = $1 AND kind = $2")
                .bind(application_id)
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
        let deleted = affected(
            sqlx::query(
                "DELETE FROM documents WHERE application_id = $1 AND kind = $2
                   AND EXISTS (SELECT 1 FROM applications WHERE id = $1 AND state = 'draft')",
            )
            .bind(application_id)
            .bind(kind)
            .execute(&mut *tx)
            .await?,
        );
        tx.commit().await?;
        Ok(if deleted == 0 { None } else { old })
    }

    /// Whether any document or uploaded reference still uses the content with this hash.
    pub async fn content_in_use(&self, sha256: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM documents WHERE sha256 = $1)
                  + (SELECT COUNT(*) FROM referees WHERE reference_sha256 = $1)",
        )
        .bind(sha256)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }
}
