//! Host organisations and the ALT school-visit planner: organisations and their member users, each
//! organisation's schools and ALTs (lists kept as comma-separated text), and its term plans, whose
//! generated plan, hand-pinned visits and published copy are JSON text the web layer reads with
//! `jetdesk-timetable`'s types.

use crate::{on_unique, Result, Store};

/// A contracting organisation (a board of education, say).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostOrg {
    /// Row id.
    pub id: i64,
    /// Its name in English.
    pub name_en: String,
    /// Its name in Japanese.
    pub name_ja: String,
    /// The prefecture it is in.
    pub prefecture: String,
    /// `urban`, `semi_urban` or `rural`.
    pub setting: String,
}

/// A school an organisation plans visits to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TtSchool {
    /// Row id.
    pub id: i64,
    /// The organisation.
    pub org_id: i64,
    /// The host's short id for it, unique in the organisation (`s1`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// `elementary`, `junior_high`, `senior_high` or `special_needs`.
    pub level: String,
    /// `week`, `month` or `term`.
    pub per: String,
    /// Visit days needed in each such period.
    pub days: i64,
    /// Preferred weekdays, comma-separated (`mon,thu`).
    pub preferred_weekdays: String,
    /// Closed dates, comma-separated `YYYY-MM-DD`.
    pub closed: String,
}

/// An ALT working for an organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TtAlt {
    /// Row id.
    pub id: i64,
    /// The organisation.
    pub org_id: i64,
    /// The host's short id for them, unique in the organisation (`a1`).
    pub code: String,
    /// Their name.
    pub name: String,
    /// The e-mail address of their jetdesk account (empty if none).
    pub email: String,
    /// The code of their base school.
    pub base_school: String,
    /// Working weekdays, comma-separated.
    pub weekdays: String,
    /// Days off, comma-separated dates.
    pub unavailable: String,
    /// Other reachable schools' codes, comma-separated.
    pub reachable: String,
    /// The unguessable id of their calendar feed.
    pub feed_token: String,
}

/// A school's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct TtSchoolInput {
    /// Short id.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Period kind.
    pub per: String,
    /// Days per period.
    pub days: i64,
    /// Comma-separated weekdays.
    pub preferred_weekdays: String,
    /// Comma-separated dates.
    pub closed: String,
}

/// An ALT's fields as entered.
#[derive(Debug, Clone, Default)]
pub struct TtAltInput {
    /// Short id.
    pub code: String,
    /// Name.
    pub name: String,
    /// Account e-mail (may be empty).
    pub email: String,
    /// Base school code.
    pub base_school: String,
    /// Comma-separated weekdays.
    pub weekdays: String,
    /// Comma-separated dates.
    pub unavailable: String,
    /// Comma-separated school codes.
    pub reachable: String,
}

/// A term plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TtPlan {
    /// Row id.
    pub id: i64,
    /// The organisation.
    pub org_id: i64,
    /// Its name (`2027 spring term`).
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub term_start: String,
    /// Last day.
    pub term_end: String,
    /// Dates closed everywhere this term, comma-separated.
    pub closed: String,
    /// The latest generated (and hand-edited) plan, as JSON, if generated.
    pub plan_json: Option<String>,
    /// The pinned (hand-moved) visits, a JSON list.
    pub pins_json: String,
    /// The published copy, as JSON, if published.
    pub published_json: Option<String>,
    /// When last published.
    pub published_at: Option<i64>,
}

const PLAN_COLUMNS: &str = "id, org_id, name, term_start, term_end, closed, plan_json, pins_json, \
                            published_json, published_at";
const SCHOOL_COLUMNS: &str = "id, org_id, code, name, level, per, days, preferred_weekdays, closed";
const ALT_COLUMNS: &str =
    "id, org_id, code, name, email, base_school, weekdays, unavailable, reachable, feed_token";

impl Store {
    /// Creates a host organisation; returns its id.
    pub async fn create_host_org(
        &self,
        name_en: &str,
        name_ja: &str,
        prefecture: &str,
        setting: &str,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO host_orgs (name_en, name_ja, prefecture, setting, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name_en)
        .bind(name_ja)
        .bind(prefecture)
        .bind(setting)
        .bind(crate::now())
        .fetch_one(self.pool())
        .await?)
    }

    /// Makes `user_id` a member of the organisation (nothing happens if already one).
    pub async fn add_host_member(&self, org_id: i64, user_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO host_org_members (org_id, user_id) VALUES ($1, $2)
             ON CONFLICT (org_id, user_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One organisation.
    pub async fn host_org(&self, id: i64) -> Result<Option<HostOrg>> {
        Ok(
            sqlx::query_as("SELECT id, name_en, name_ja, prefecture, setting FROM host_orgs WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every organisation, by English name.
    pub async fn host_orgs(&self) -> Result<Vec<HostOrg>> {
        Ok(sqlx::query_as(
            "SELECT id, name_en, name_ja, prefecture, setting FROM host_orgs ORDER BY name_en, id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The organisations `user_id` belongs to.
    pub async fn host_orgs_of(&self, user_id: i64) -> Result<Vec<HostOrg>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.name_en, o.name_ja, o.prefecture, o.setting
             FROM host_orgs o JOIN host_org_members m ON m.org_id = o.id
             WHERE m.user_id = $1 ORDER BY o.name_en, o.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether `user_id` belongs to the organisation.
    pub async fn is_host_member(&self, org_id: i64, user_id: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM host_org_members WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    /// The organisation's schools, by code.
    pub async fn tt_schools(&self, org_id: i64) -> Result<Vec<TtSchool>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SCHOOL_COLUMNS} FROM tt_schools WHERE org_id = $1 ORDER BY code"
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds a school, or replaces the one with the same code.
    pub async fn save_tt_school(&self, org_id: i64, s: &TtSchoolInput) -> Result<()> {
        sqlx::query(
            "INSERT INTO tt_schools (org_id, code, name, level, per, days, preferred_weekdays, closed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id, code) DO UPDATE SET name = excluded.name, level = excluded.level,
               per = excluded.per, days = excluded.days,
               preferred_weekdays = excluded.preferred_weekdays, closed = excluded.closed",
        )
        .bind(org_id)
        .bind(&s.code)
        .bind(&s.name)
        .bind(&s.level)
        .bind(&s.per)
        .bind(s.days)
        .bind(&s.preferred_weekdays)
        .bind(&s.closed)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Removes a school of the organisation; false if there was none.
    pub async fn delete_tt_school(&self, org_id: i64, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tt_schools WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The organisation's ALTs, by code.
    pub async fn tt_alts(&self, org_id: i64) -> Result<Vec<TtAlt>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ALT_COLUMNS} FROM tt_alts WHERE org_id = $1 ORDER BY code"
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds an ALT (with a new feed token), or replaces the one with the same code (keeping its
    /// feed token).
    pub async fn save_tt_alt(&self, org_id: i64, a: &TtAltInput, new_feed_token: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO tt_alts (org_id, code, name, email, base_school, weekdays, unavailable,
                                  reachable, feed_token)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (org_id, code) DO UPDATE SET name = excluded.name, email = excluded.email,
               base_school = excluded.base_school, weekdays = excluded.weekdays,
               unavailable = excluded.unavailable, reachable = excluded.reachable",
        )
        .bind(org_id)
        .bind(&a.code)
        .bind(&a.name)
        .bind(&a.email)
        .bind(&a.base_school)
        .bind(&a.weekdays)
        .bind(&a.unavailable)
        .bind(&a.reachable)
        .bind(new_feed_token)
        .execute(self.pool())
        .await
        .map_err(|e| on_unique(e, "feed_token"))?;
        Ok(())
    }

    /// Removes an ALT of the organisation; false if there was none.
    pub async fn delete_tt_alt(&self, org_id: i64, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tt_alts WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The ALT whose calendar feed has this token.
    pub async fn tt_alt_by_feed_token(&self, token: &str) -> Result<Option<TtAlt>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ALT_COLUMNS} FROM tt_alts WHERE feed_token = $1"
        ))
        .bind(token)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every ALT entry (in any organisation) with this account e-mail address.
    pub async fn tt_alts_by_email(&self, email: &str) -> Result<Vec<TtAlt>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ALT_COLUMNS} FROM tt_alts WHERE LOWER(email) = LOWER($1) ORDER BY org_id, code"
        ))
        .bind(email)
        .fetch_all(self.pool())
        .await?)
    }

    /// Creates a term plan (not generated yet); returns its id.
    pub async fn create_tt_plan(
        &self,
        org_id: i64,
        name: &str,
        term_start: &str,
        term_end: &str,
        closed: &str,
    ) -> Result<i64> {
        let now = crate::now();
        Ok(sqlx::query_scalar(
            "INSERT INTO tt_plans (org_id, name, term_start, term_end, closed, pins_json,
                                   created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, '[]', $6, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(term_start)
        .bind(term_end)
        .bind(closed)
        .bind(now)
        .fetch_one(self.pool())
        .await?)
    }

    /// The organisation's plans, newest first.
    pub async fn tt_plans(&self, org_id: i64) -> Result<Vec<TtPlan>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PLAN_COLUMNS} FROM tt_plans WHERE org_id = $1 ORDER BY id DESC"
        ))
        .bind(org_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One plan of the organisation (None if it belongs to another).
    pub async fn tt_plan(&self, org_id: i64, id: i64) -> Result<Option<TtPlan>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PLAN_COLUMNS} FROM tt_plans WHERE org_id = $1 AND id = $2"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Stores a plan's generated or edited visits and its pins.
    pub async fn save_tt_plan_result(&self, id: i64, plan_json: &str, pins_json: &str) -> Result<()> {
        sqlx::query("UPDATE tt_plans SET plan_json = $1, pins_json = $2, updated_at = $3 WHERE id = $4")
            .bind(plan_json)
            .bind(pins_json)
            .bind(crate::now())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Changes a plan's dates closed everywhere; with `clear_pins`, forgets its hand-moved visits.
    pub async fn update_tt_plan_settings(&self, id: i64, closed: &str, clear_pins: bool) -> Result<()> {
        let sql = if clear_pins {
            "UPDATE tt_plans SET closed = $1, pins_json = '[]', updated_at = $2 WHERE id = $3"
        } else {
            "UPDATE tt_plans SET closed = $1, updated_at = $2 WHERE id = $3"
        };
        sqlx::query(sql)
            .bind(closed)
            .bind(crate::now())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Publishes the plan's current visits (a copy: later edits stay drafts until published again).
    pub async fn publish_tt_plan(&self, id: i64, published_json: &str) -> Result<()> {
        let now = crate::now();
        sqlx::query(
            "UPDATE tt_plans SET published_json = $1, published_at = $2, updated_at = $2 WHERE id = $3",
        )
        .bind(published_json)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
