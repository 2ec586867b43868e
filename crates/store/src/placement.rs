//! The JET placement's data: contracting organisations' placement details (kind, region, area code,
//! profile, sister cities), their posts, the coordinator's pins and forbids and stored runs, and
//! offers. What a placement *means* (the engine's lists, who may see what) is the web layer's: this
//! module only reads and writes rows.
//!
//! Whether an offer holds a place is read from its application's state (`placed` or `accepted`), so
//! a decline or a withdrawal, wherever it happens, frees the post without a second write here.

use crate::{on_unique, Result, Store, StoreError};

/// An organisation with its placement details.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementOrg {
    /// Row id.
    pub id: i64,
    /// Name in English.
    pub name_en: String,
    /// Name in Japanese.
    pub name_ja: String,
    /// The prefecture it is in (English name).
    pub prefecture: String,
    /// `urban`, `semi_urban` or `rural`.
    pub setting: String,
    /// `prefecture`, `designated_city`, `city`, `town` or `village`.
    pub kind: String,
    /// Its region code (`tohoku`, …; empty if not set).
    pub region: String,
    /// Its area code, as in the applicants' preferences (`iwate`, `city-sapporo`; empty if not set).
    pub area: String,
    /// The host's description of the organisation.
    pub profile: String,
}

/// What creating an organisation takes.
#[derive(Debug, Clone, Default)]
pub struct PlacementOrgInput {
    /// Name in English.
    pub name_en: String,
    /// Name in Japanese.
    pub name_ja: String,
    /// Prefecture (English name).
    pub prefecture: String,
    /// Setting.
    pub setting: String,
    /// Kind.
    pub kind: String,
    /// Region code.
    pub region: String,
    /// Area code.
    pub area: String,
}

/// A sister city abroad.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SisterCity {
    /// The organisation.
    pub org_id: i64,
    /// The city.
    pub city: String,
    /// Its country.
    pub country: String,
}

/// A post an organisation offers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementPost {
    /// Row id.
    pub id: i64,
    /// The organisation.
    pub org_id: i64,
    /// `alt` or `cir`.
    pub position: String,
    /// Number of places (at least 1).
    pub places: i64,
    /// School levels (ALT), comma-separated.
    pub school_levels: String,
    /// Minimum JLPT level (`N1`..`N5`), empty for none.
    pub min_jlpt: String,
    /// 1 when a driving licence is required.
    pub driving_licence: i64,
    /// The host's notes.
    pub notes: String,
}

/// A post's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct PlacementPostInput {
    /// See [`PlacementPost`].
    pub position: String,
    /// See [`PlacementPost`].
    pub places: i64,
    /// See [`PlacementPost`].
    pub school_levels: String,
    /// See [`PlacementPost`].
    pub min_jlpt: String,
    /// See [`PlacementPost`].
    pub driving_licence: bool,
    /// See [`PlacementPost`].
    pub notes: String,
}

/// A candidate (or a holder of a place) in a round, with what the lists are built from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementCandidate {
    /// The application.
    pub application_id: i64,
    /// The applicant.
    pub user_id: i64,
    /// Reference number.
    pub reference: Option<String>,
    /// Position.
    pub position: String,
    /// Application state.
    pub state: String,
    /// The account's display name.
    pub display_name: String,
    /// The account's e-mail.
    pub email: String,
}

/// A pin or forbid.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PlacementAdjustment {
    /// The application.
    pub application_id: i64,
    /// The post.
    pub post_id: i64,
    /// `pin` or `forbid`.
    pub kind: String,
}

/// A stored run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementRun {
    /// Row id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// When it ran.
    pub created_at: i64,
    /// Its result, JSON written by the web layer.
    pub result_json: String,
    /// When it was published.
    pub published_at: Option<i64>,
}

/// An offer with its application's state, post and organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementOffer {
    /// Row id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// The application.
    pub application_id: i64,
    /// The post.
    pub post_id: i64,
    /// Offered at.
    pub offered_at: i64,
    /// Answer by.
    pub deadline_at: i64,
    /// Answered at.
    pub answered_at: Option<i64>,
    /// The application's state now.
    pub state: String,
    /// The applicant.
    pub user_id: i64,
    /// The reference number.
    pub reference: Option<String>,
    /// The post's position.
    pub position: String,
    /// The organisation.
    pub org_id: i64,
    /// Its English name.
    pub name_en: String,
    /// Its Japanese name.
    pub name_ja: String,
    /// The applicant's display name.
    pub display_name: String,
    /// The applicant's e-mail.
    pub email: String,
}

/// Where to look for offers that hold a place.
#[derive(Debug, Clone, Copy)]
pub enum HeldAt {
    /// At this organisation's posts.
    Org(i64),
    /// In this round.
    Round(i64),
}

const ORG_COLUMNS: &str = "id, name_en, name_ja, prefecture, setting, kind, region, area, profile";
const POST_COLUMNS: &str = "id, org_id, position, places, school_levels, min_jlpt, driving_licence, notes";
const OFFER_SELECT: &str =
    "SELECT o.id, o.round_id, o.application_id, o.post_id, o.offered_at, o.deadline_at,
       o.answered_at, a.state, a.user_id, a.reference, p.position, h.id AS org_id, h.name_en, h.name_ja,
       u.display_name, u.email
     FROM placement_offers o
     JOIN applications a ON a.id = o.application_id
     JOIN placement_posts p ON p.id = o.post_id
     JOIN host_orgs h ON h.id = p.org_id
     JOIN users u ON u.id = a.user_id";

impl Store {
    /// Creates an organisation with its placement details; returns its id.
    pub async fn create_placement_org(&self, o: &PlacementOrgInput) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO host_orgs (name_en, name_ja, prefecture, setting, kind, region, area, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&o.name_en)
        .bind(&o.name_ja)
        .bind(&o.prefecture)
        .bind(&o.setting)
        .bind(&o.kind)
        .bind(&o.region)
        .bind(&o.area)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await?)
    }

    /// One organisation with its placement details.
    pub async fn placement_org(&self, id: i64) -> Result<Option<PlacementOrg>> {
        Ok(
            sqlx::query_as(&format!("SELECT {ORG_COLUMNS} FROM host_orgs WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every organisation, by English name.
    pub async fn placement_orgs(&self) -> Result<Vec<PlacementOrg>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ORG_COLUMNS} FROM host_orgs ORDER BY name_en, id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Updates the profile and setting a host edits.
    pub async fn set_org_profile(&self, org_id: i64, setting: &str, profile: &str) -> Result<()> {
        sqlx::query("UPDATE host_orgs SET setting = $1, profile = $2 WHERE id = $3")
            .bind(setting)
            .bind(profile)
            .bind(org_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The e-mail addresses of the organisation's host members.
    pub async fn host_org_member_emails(&self, org_id: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT u.email FROM host_org_members m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY u.email",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every sister city of every organisation.
    pub async fn all_sister_cities(&self) -> Result<Vec<SisterCity>> {
        Ok(
            sqlx::query_as("SELECT org_id, city, country FROM host_org_sister_cities ORDER BY org_id, id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The organisation's sister cities, in the order entered.
    pub async fn sister_cities(&self, org_id: i64) -> Result<Vec<SisterCity>> {
        Ok(sqlx::query_as(
            "SELECT org_id, city, country FROM host_org_sister_cities WHERE org_id = $1 ORDER BY id",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Replaces the organisation's sister cities with `cities` (city, country).
    pub async fn set_sister_cities(&self, org_id: i64, cities: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM host_org_sister_cities WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        for (city, country) in cities {
            sqlx::query("INSERT INTO host_org_sister_cities (org_id, city, country) VALUES ($1, $2, $3)")
                .bind(org_id)
                .bind(city)
                .bind(country)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's posts, oldest first.
    pub async fn placement_posts(&self, org_id: i64) -> Result<Vec<PlacementPost>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM placement_posts WHERE org_id = $1 ORDER BY id"
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every post of every organisation, by id.
    pub async fn all_placement_posts(&self) -> Result<Vec<PlacementPost>> {
        Ok(
            sqlx::query_as(&format!("SELECT {POST_COLUMNS} FROM placement_posts ORDER BY id"))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Adds a post (`id` None) or changes one of the organisation's posts; returns its id, or None
    /// when `id` names no post of this organisation.
    pub async fn save_placement_post(
        &self,
        org_id: i64,
        id: Option<i64>,
        p: &PlacementPostInput,
    ) -> Result<Option<i64>> {
        let now = crate::now();
        match id {
            None => Ok(Some(
                sqlx::query_scalar(
                    "INSERT INTO placement_posts (org_id, position, places, school_levels, min_jlpt,
                         driving_licence, notes, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(org_id)
                .bind(&p.position)
                .bind(p.places)
                .bind(&p.school_levels)
                .bind(&p.min_jlpt)
                .bind(i64::from(p.driving_licence))
                .bind(&p.notes)
                .bind(now)
                .fetch_one(self.pool())
                .await?,
            )),
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE placement_posts SET position = $1, places = $2, school_levels = $3, min_jlpt = $4,
                         driving_licence = $5, notes = $6, updated_at = $7
                     WHERE id = $8 AND org_id = $9",
                )
                .bind(&p.position)
                .bind(p.places)
                .bind(&p.school_levels)
                .bind(&p.min_jlpt)
                .bind(i64::from(p.driving_licence))
                .bind(&p.notes)
                .bind(now)
                .bind(id)
                .bind(org_id)
                .execute(self.pool())
                .await?;
                Ok((done.rows_affected() > 0).then_some(id))
            }
        }
    }

    /// Removes a post of the organisation; false if there was none. A post that has ever been
    /// offered is kept (its offers name it): `Conflict("post_offered")`.
    pub async fn delete_placement_post(&self, org_id: i64, id: i64) -> Result<bool> {
        let offered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM placement_offers WHERE post_id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        if offered > 0 {
            return Err(StoreError::Conflict("post_offered"));
        }
        let done = sqlx::query("DELETE FROM placement_posts WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The round's applications in `states`, with their accounts, by id.
    pub async fn placement_candidates(
        &self,
        round_id: i64,
        states: &[&str],
    ) -> Result<Vec<PlacementCandidate>> {
        let list = states
            .iter()
            .map(|s| format!("'{}'", s.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(sqlx::query_as(&format!(
            "SELECT a.id AS application_id, a.user_id, a.reference, a.position, a.state, u.display_name, u.email
             FROM applications a JOIN users u ON u.id = a.user_id
             WHERE a.round_id = $1 AND a.state IN ({list}) ORDER BY a.id"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The saved answers (section, JSON) of the round's applications in `states`:
    /// (application id, section id, answers JSON).
    pub async fn placement_sections(
        &self,
        round_id: i64,
        states: &[&str],
    ) -> Result<Vec<(i64, String, String)>> {
        let list = states
            .iter()
            .map(|s| format!("'{}'", s.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(sqlx::query_as(&format!(
            "SELECT s.application_id, s.section, s.data_json FROM application_sections s
             JOIN applications a ON a.id = s.application_id
             WHERE a.round_id = $1 AND a.state IN ({list})
               AND s.section IN ('personal', 'japanese', 'preferences', 'health', 'experience')"
        ))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Interview scores of the round's applications: (application id, sum of totals, number of
    /// scores), so the caller takes the average.
    pub async fn interview_score_sums(&self, round_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT s.application_id, CAST(SUM(s.total) AS BIGINT), CAST(COUNT(*) AS BIGINT)
             FROM interview_scores s JOIN applications a ON a.id = s.application_id
             WHERE a.round_id = $1 GROUP BY s.application_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest Japanese level the JET Desk assessed for each of the round's applications that has one.
    pub async fn assessed_japanese_levels(&self, round_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT j.application_id, j.level FROM japanese_assessments j
             JOIN applications a ON a.id = j.application_id
             WHERE a.round_id = $1 ORDER BY j.assessed_at, j.id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Places held in the round (offers whose application is `placed` or `accepted`): (post id, count).
    pub async fn places_taken(&self, round_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT o.post_id, CAST(COUNT(*) AS BIGINT) FROM placement_offers o
             JOIN applications a ON a.id = o.application_id
             WHERE o.round_id = $1 AND a.state IN ('placed', 'accepted') GROUP BY o.post_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The round's pins and forbids.
    pub async fn placement_adjustments(&self, round_id: i64) -> Result<Vec<PlacementAdjustment>> {
        Ok(sqlx::query_as(
            "SELECT application_id, post_id, kind FROM placement_adjustments WHERE round_id = $1
             ORDER BY application_id, post_id",
        )
        .bind(round_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Pins or forbids one placement (replacing an earlier adjustment of the same pair). A pin
    /// replaces the candidate's other pins: a candidate is pinned to one post at most.
    pub async fn set_placement_adjustment(
        &self,
        round_id: i64,
        application_id: i64,
        post_id: i64,
        kind: &str,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        if kind == "pin" {
            sqlx::query(
                "DELETE FROM placement_adjustments WHERE round_id = $1 AND application_id = $2 AND kind = 'pin'",
            )
            .bind(round_id)
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO placement_adjustments (round_id, application_id, post_id, kind, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (round_id, application_id, post_id) DO UPDATE SET kind = excluded.kind,
               created_at = excluded.created_at",
        )
        .bind(round_id)
        .bind(application_id)
        .bind(post_id)
        .bind(kind)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a pin or forbid; false if there was none.
    pub async fn clear_placement_adjustment(
        &self,
        round_id: i64,
        application_id: i64,
        post_id: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM placement_adjustments WHERE round_id = $1 AND application_id = $2 AND post_id = $3",
        )
        .bind(round_id)
        .bind(application_id)
        .bind(post_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores a run's result; returns its id.
    pub async fn insert_placement_run(&self, round_id: i64, actor: i64, result_json: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO placement_runs (round_id, created_by, created_at, result_json) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(round_id)
        .bind(actor)
        .bind(crate::now())
        .bind(result_json)
        .fetch_one(self.pool())
        .await?)
    }

    /// The round's latest run.
    pub async fn latest_placement_run(&self, round_id: i64) -> Result<Option<PlacementRun>> {
        Ok(sqlx::query_as(
            "SELECT id, round_id, created_at, result_json, published_at FROM placement_runs
             WHERE round_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(round_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Marks a run published; false if it already was.
    pub async fn mark_placement_run_published(&self, run_id: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE placement_runs SET published_at = $1 WHERE id = $2 AND published_at IS NULL")
                .bind(crate::now())
                .bind(run_id)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Moves an application from `from` to `to` (the caller asked the state machine: shortlisted to
    /// placed) with the same conditional UPDATE as `set_application_state`, and records its offer, in
    /// one transaction; false (nothing written) if the application was no longer in `from` or
    /// already has an offer.
    #[allow(clippy::too_many_arguments)]
    pub async fn place_with_offer(
        &self,
        from: &str,
        to: &str,
        round_id: i64,
        application_id: i64,
        post_id: i64,
        run_id: i64,
        deadline_at: i64,
    ) -> Result<bool> {
        let now = crate::now();
        let mut tx = self.pool().begin().await?;
        let moved =
            sqlx::query("UPDATE applications SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
                .bind(to)
                .bind(now)
                .bind(application_id)
                .bind(from)
                .execute(&mut *tx)
                .await?;
        if moved.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO placement_offers (round_id, application_id, post_id, run_id, offered_at, deadline_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(round_id)
        .bind(application_id)
        .bind(post_id)
        .bind(run_id)
        .bind(now)
        .bind(deadline_at)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            tx.rollback().await?;
            return match on_unique(e, "offer") {
                StoreError::Conflict(_) => Ok(false),
                other => Err(other),
            };
        }
        tx.commit().await?;
        Ok(true)
    }

    /// One offer.
    pub async fn placement_offer(&self, id: i64) -> Result<Option<PlacementOffer>> {
        Ok(sqlx::query_as(&format!("{OFFER_SELECT} WHERE o.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The offers made to `user_id`, newest first.
    pub async fn placement_offers_of(&self, user_id: i64) -> Result<Vec<PlacementOffer>> {
        Ok(sqlx::query_as(&format!(
            "{OFFER_SELECT} WHERE a.user_id = $1 ORDER BY o.offered_at DESC, o.id DESC"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The offers that hold a place (their application is `placed` or `accepted`) at an
    /// organisation's posts or in a round, by post.
    pub async fn placement_offers_held(&self, at: HeldAt) -> Result<Vec<PlacementOffer>> {
        let (column, id) = match at {
            HeldAt::Org(id) => ("h.id", id),
            HeldAt::Round(id) => ("o.round_id", id),
        };
        Ok(sqlx::query_as(&format!(
            "{OFFER_SELECT} WHERE {column} = $1 AND a.state IN ('placed', 'accepted') ORDER BY o.post_id, o.id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records when an offer was answered.
    pub async fn mark_offer_answered(&self, offer_id: i64) -> Result<()> {
        sqlx::query("UPDATE placement_offers SET answered_at = $1 WHERE id = $2")
            .bind(crate::now())
            .bind(offer_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The answers of one application's section, as JSON, if saved.
    pub async fn section_json(&self, application_id: i64, section: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT data_json FROM application_sections WHERE application_id = $1 AND section = $2",
        )
        .bind(application_id)
        .bind(section)
        .fetch_optional(self.pool())
        .await?)
    }
}
