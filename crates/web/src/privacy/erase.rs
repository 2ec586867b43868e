//! Erasing personal data, shared by an approved erasure request, the retention job and the
//! `jetdesk retention` command: the store blanks and deletes the rows; this deletes the stored files
//! nothing uses any more and writes the audit entries (ids only, never the erased data).

use jetdesk_store::{RetentionCandidate, Store};
use std::path::Path;

/// Deletes the stored files of `hashes` that no document or reference uses any more (the object
/// store keeps files under `DATA_DIR/files/<first two hex digits>/<sha256>`).
pub async fn release_files(store: &Store, data_dir: &Path, hashes: &[String]) -> anyhow::Result<usize> {
    let mut deleted = 0;
    for sha in hashes {
        let Some(prefix) = sha.get(..2) else { continue };
        if !sha.bytes().all(|b| b.is_ascii_hexdigit()) || store.content_in_use(sha).await? {
            continue;
        }
        match std::fs::remove_file(data_dir.join("files").join(prefix).join(sha)) {
            Ok(()) => deleted += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(anyhow::anyhow!("deleting stored file {sha}: {e}")),
        }
    }
    Ok(deleted)
}

/// Erases a person (every application and the account) and their files; audited.
pub async fn erase_person(
    store: &Store,
    data_dir: &Path,
    user_id: i64,
    actor: Option<i64>,
) -> anyhow::Result<()> {
    let hashes = store.erase_person(user_id).await?;
    let files = release_files(store, data_dir, &hashes).await?;
    store
        .audit(
            actor,
            "privacy.erased",
            &format!("user:{user_id}"),
            None,
            Some(&format!("documents {}, files deleted {files}", hashes.len())),
        )
        .await?;
    Ok(())
}

/// The applications whose round's retention period has passed at `now`, in a state retention
/// erases, not yet erased.
pub async fn retention_due(store: &Store, now: i64) -> anyhow::Result<Vec<(RetentionCandidate, i64)>> {
    let mut due = Vec::new();
    for round in store.round_retentions().await? {
        let Some(months) = round.months else { continue };
        let Some(cutoff) = retention_cutoff(round.closes_at, months) else {
            continue;
        };
        if now < cutoff {
            continue;
        }
        for c in store.retention_candidates(round.round_id).await? {
            due.push((c, months));
        }
    }
    Ok(due)
}

/// The instant `months` calendar months (UTC) after `closes_at`.
pub fn retention_cutoff(closes_at: i64, months: i64) -> Option<i64> {
    let closed = jiff::Timestamp::from_second(closes_at).ok()?;
    let later = closed
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_add(jiff::Span::new().try_months(months).ok()?)
        .ok()?;
    Some(later.timestamp().as_second())
}

/// Applies every round's retention period at `now`: erases what is due (unless `dry_run`), and
/// returns it. An applicant left with no unerased application loses the account too.
pub async fn apply_retention(
    store: &Store,
    data_dir: &Path,
    now: i64,
    dry_run: bool,
) -> anyhow::Result<Vec<RetentionCandidate>> {
    let due = retention_due(store, now).await?;
    if dry_run {
        return Ok(due.into_iter().map(|(c, _)| c).collect());
    }
    let mut done = Vec::with_capacity(due.len());
    for (c, months) in due {
        let hashes = store.erase_application(c.application_id).await?;
        release_files(store, data_dir, &hashes).await?;
        store
            .audit(
                None,
                "privacy.retention.erased",
                &format!("application:{}", c.application_id),
                Some(&c.state),
                Some(&format!("round:{} after {months} months", c.round_id)),
            )
            .await?;
        if !store.has_unerased_application(c.user_id).await? {
            erase_person(store, data_dir, c.user_id, None).await?;
        }
        done.push(c);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::retention_cutoff;

    #[test]
    fn retention_counts_calendar_months_from_the_close() {
        // 1970-01-01 + 1 month = 1970-02-01 (31 days); + 12 months = 1971-01-01 (365 days).
        assert_eq!(retention_cutoff(0, 1), Some(31 * 86_400));
        assert_eq!(retention_cutoff(0, 12), Some(365 * 86_400));
        // 1970-01-31 + 1 month is clamped to 1970-02-28.
        assert_eq!(retention_cutoff(30 * 86_400, 1), Some(58 * 86_400));
    }
}
