//! The coordinator's dashboard and the audit log viewer: aggregate figures per round, counted by the
//! database with `GROUP BY` (fast at 50,000 applications), and pages of the audit log.
//!
//! Two figures depend on JSON the database cannot portably read (the eligibility evaluation and the
//! answers of a section); for those the store hands out pages of raw JSON in id order
//! ([`Store::eligibility_page`], [`Store::section_page`]) so the caller parses them a page at a time
//! and never holds a whole round in memory. Nothing here writes.

use crate::{Result, Store};

/// The states an application passes through, as the audit log's state changes name them.
const STATE_NAMES: &str = "'draft','submitted','eligible','ineligible','in_review','invited','interviewed',\
'shortlisted','alternate','unsuccessful','placed','accepted','declined','departed','withdrawn'";

/// How long applications stayed in one state, from the audit log's state changes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageTime {
    /// The state.
    pub stage: String,
    /// How many applications left it (an application still in a state is not counted).
    pub left: i64,
    /// The average time spent in it, in seconds.
    pub average_seconds: i64,
}

/// Filters of the audit log viewer; `None` or empty means "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The acting user.
    pub actor_user_id: Option<i64>,
    /// The start of the action's name, such as `application.` or `user.roles`.
    pub action_prefix: String,
    /// The exact subject, such as `application:12`.
    pub subject: String,
    /// From this instant (Unix seconds, inclusive).
    pub from: Option<i64>,
    /// Until this instant (Unix seconds, exclusive).
    pub until: Option<i64>,
}

/// One audit log entry with its actor's e-mail address, for the viewer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Row id, increasing.
    pub id: i64,
    /// When, in Unix seconds.
    pub at: i64,
    /// The acting user, if any.
    pub actor_user_id: Option<i64>,
    /// The actor's e-mail address (None for the system or a deleted account).
    pub actor_email: Option<String>,
    /// The action.
    pub action: String,
    /// What was acted on.
    pub subject: String,
    /// The value before.
    pub before_value: Option<String>,
    /// The value after.
    pub after_value: Option<String>,
}

/// A value bound into the viewer's dynamically built filter.
enum AuditBind {
    Int(i64),
    Text(String),
}

impl Store {
    /// Submitted applications of a round per day since `since` (day 0 is the 24 hours from
    /// `since`), as (day, count), days without any left out.
    pub async fn submissions_per_day(&self, round_id: i64, since: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT (submitted_at - $2) / 86400 AS day, COUNT(*) AS n FROM applications
             WHERE round_id = $1 AND submitted_at IS NOT NULL AND submitted_at >= $2
             GROUP BY day ORDER BY day",
        )
        .bind(round_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    /// The round's applications counted by (state, position).
    pub async fn funnel(&self, round_id: i64) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT state, position, COUNT(*) FROM applications WHERE round_id = $1
             GROUP BY state, position ORDER BY state, position",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Up to `limit` (id, eligibility JSON) of the round's evaluated applications with an id above
    /// `after`, in id order: page through a round by passing the last id seen.
    pub async fn eligibility_page(
        &self,
        round_id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, eligibility_json FROM applications
             WHERE round_id = $1 AND id > $2 AND eligibility_json IS NOT NULL ORDER BY id LIMIT $3",
        )
        .bind(round_id)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Up to `limit` (application id, answers JSON) of one section of the round's submitted
    /// applications with an id above `after`, in id order.
    pub async fn section_page(
        &self,
        round_id: i64,
        section: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT s.application_id, s.data_json FROM application_sections s
             JOIN applications a ON a.id = s.application_id
             WHERE a.round_id = $1 AND a.submitted_at IS NOT NULL AND s.section = $2 AND s.application_id > $3
             ORDER BY s.application_id LIMIT $4",
        )
        .bind(round_id)
        .bind(section)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Review progress of a round: (score sheets assigned, sheets submitted, applications moderated).
    pub async fn review_progress(&self, round_id: i64) -> Result<(i64, i64, i64)> {
        let (assigned, submitted): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN r.submitted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM review_assignments r JOIN applications a ON a.id = r.application_id WHERE a.round_id = $1",
        )
        .bind(round_id)
        .fetch_one(self.pool())
        .await?;
        let moderated: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM review_moderations m JOIN applications a ON a.id = m.application_id
             WHERE a.round_id = $1",
        )
        .bind(round_id)
        .fetch_one(self.pool())
        .await?;
        Ok((assigned, submitted, moderated))
    }

    /// Interview progress of a round: (published seats, seats booked, candidates with a score).
    pub async fn interview_progress(&self, round_id: i64) -> Result<(i64, i64, i64)> {
        let (seats, booked): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(capacity), 0) AS BIGINT), CAST(COALESCE(SUM(booked), 0) AS BIGINT)
             FROM interview_slots WHERE round_id = $1 AND published = 1",
        )
        .bind(round_id)
        .fetch_one(self.pool())
        .await?;
        let scored: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT s.application_id) FROM interview_scores s
             JOIN applications a ON a.id = s.application_id WHERE a.round_id = $1",
        )
        .bind(round_id)
        .fetch_one(self.pool())
        .await?;
        Ok((seats, booked, scored))
    }

    /// How long the round's applications stayed in each state, from consecutive state changes in
    /// the audit log (an entry whose before and after values are both states).
    pub async fn stage_times(&self, round_id: i64) -> Result<Vec<StageTime>> {
        let sql = format!(
            "SELECT stage, COUNT(*) AS left_count, CAST(AVG(next_at - at) AS BIGINT) AS average_seconds FROM (
               SELECT l.after_value AS stage, l.at,
                      LEAD(l.at) OVER (PARTITION BY l.subject ORDER BY l.id) AS next_at
               FROM audit_log l
               WHERE l.subject IN (SELECT 'application:' || a.id FROM applications a WHERE a.round_id = $1)
                 AND l.before_value IN ({STATE_NAMES}) AND l.after_value IN ({STATE_NAMES})
             ) t WHERE next_at IS NOT NULL GROUP BY stage ORDER BY stage"
        );
        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as(&sql).bind(round_id).fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|(stage, left, average_seconds)| StageTime {
                stage,
                left,
                average_seconds,
            })
            .collect())
    }

    /// The round's placement offers counted by the application's state now (`placed` is an offer
    /// awaiting an answer).
    pub async fn offers_by_state(&self, round_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT a.state, COUNT(*) FROM placement_offers o JOIN applications a ON a.id = o.application_id
             WHERE o.round_id = $1 GROUP BY a.state ORDER BY a.state",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One page of the audit log, newest first, with the number of entries the filter matches.
    pub async fn audit_page(&self, f: &AuditFilter, limit: i64, offset: i64) -> Result<(Vec<AuditRow>, i64)> {
        let mut conditions = vec!["1 = 1".to_string()];
        let mut ints: Vec<(usize, i64)> = Vec::new();
        let mut texts: Vec<(usize, String)> = Vec::new();
        let mut n = 0;
        if let Some(actor) = f.actor_user_id {
            n += 1;
            conditions.push(format!("l.actor_user_id = ${n}"));
            ints.push((n, actor));
        }
        if !f.action_prefix.is_empty() {
            n += 1;
            conditions.push(format!("l.action LIKE ${n} ESCAPE '\\'"));
            let escaped = f
                .action_prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            texts.push((n, format!("{escaped}%")));
        }
        if !f.subject.is_empty() {
            n += 1;
            conditions.push(format!("l.subject = ${n}"));
            texts.push((n, f.subject.clone()));
        }
        if let Some(from) = f.from {
            n += 1;
            conditions.push(format!("l.at >= ${n}"));
            ints.push((n, from));
        }
        if let Some(until) = f.until {
            n += 1;
            conditions.push(format!("l.at < ${n}"));
            ints.push((n, until));
        }
        // Binds must go in placeholder order.
        let mut binds: Vec<(usize, AuditBind)> = ints
            .into_iter()
            .map(|(i, v)| (i, AuditBind::Int(v)))
            .chain(texts.into_iter().map(|(i, v)| (i, AuditBind::Text(v))))
            .collect();
        binds.sort_by_key(|(i, _)| *i);
        let filter = conditions.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM audit_log l WHERE {filter}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for (_, b) in &binds {
            count = match b {
                AuditBind::Int(i) => count.bind(*i),
                AuditBind::Text(t) => count.bind(t.clone()),
            };
        }
        let total = count.fetch_one(self.pool()).await?;
        let sql = format!(
            "SELECT l.id, l.at, l.actor_user_id, u.email AS actor_email, l.action, l.subject, l.before_value,
                    l.after_value
             FROM audit_log l LEFT JOIN users u ON u.id = l.actor_user_id
             WHERE {filter} ORDER BY l.id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut rows = sqlx::query_as::<_, AuditRow>(&sql);
        for (_, b) in &binds {
            rows = match b {
                AuditBind::Int(i) => rows.bind(*i),
                AuditBind::Text(t) => rows.bind(t.clone()),
            };
        }
        let rows = rows.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((rows, total))
    }
}
