//! The subject access download: a ZIP of JSON files (one per kind of record) with the person's
//! uploaded documents and a README.txt that says what each file is and what is left out and why.

use crate::error::{AppError, AppResult};
use crate::AppState;
use serde_json::Value;
use std::io::Write;
use zip::write::SimpleFileOptions;

const README: &str = "\
Your data held by jetdesk (the JET Programme's UK recruitment system)
=====================================================================

This archive answers a subject access request under UK GDPR. Each .json file holds one kind of
record about you, as a list of objects. Times are Unix seconds (UTC).

  account.json               your account (the password hash is not included: it is not readable)
  roles.json                 what your account may do
  applications.json          each application: round, position, reference, state, eligibility verdicts
  application_sections.json  your answers, section by section
  documents.json             the documents you uploaded (the files themselves are in documents/)
  referees.json              the referees you named: name, e-mail, relationship, where the request is
  partner_links.json         links between your application and a partner's
  outcomes.json              published outcomes, with reasons and feedback
  interview_bookings.json    interview bookings
  placement_offers.json      placement offers and your answers
  japanese_assessments.json  Japanese levels assessed by the JET Desk
  japanese_evaluations.json  Japanese evaluation call requests
  erasure_requests.json      your requests to be erased
  audit_log.json             the audit log's entries about you, your applications, and your own actions
  emails.json                the e-mails jetdesk sent to you

Not included:
  - The texts of your references. A reference is the referee's personal data, given in
    confidence; UK GDPR (Data Protection Act 2018, Schedule 2, paragraph 24) exempts confidential
    references from subject access. You can ask your referees for a copy.
  - Outcomes not yet published, and reviewers' and interviewers' working notes, which become
    part of the published outcome's reasons and feedback.
";

/// A file name safe inside a ZIP: ASCII letters, digits, dot, dash and underscore.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    cleaned.trim_start_matches('.').chars().take(80).collect()
}

/// Builds the ZIP for `user_id`.
pub(crate) async fn subject_access_zip(state: &AppState, user_id: i64) -> AppResult<Vec<u8>> {
    let tables = state.store.subject_access(user_id).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, rows) in &tables {
        if *name == "documents" {
            for row in rows {
                let sha = row.get("sha256").and_then(Value::as_str).unwrap_or_default();
                let id = row.get("id").and_then(Value::as_i64).unwrap_or_default();
                let original = row
                    .get("original_name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let bytes = crate::documents::load_content(state, sha).await?;
                files.push((format!("documents/{id}-{}", safe_name(original)), bytes));
            }
        }
        let json = serde_json::to_vec_pretty(rows).map_err(|e| AppError::Internal(e.into()))?;
        files.push((format!("{name}.json"), json));
    }
    write_zip(&files).map_err(AppError::Internal)
}

fn write_zip(files: &[(String, Vec<u8>)]) -> anyhow::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("README.txt", options)?;
    zip.write_all(README.as_bytes())?;
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names_inside_the_zip_cannot_climb_out() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("学位.pdf"), "__.pdf");
    }
}
