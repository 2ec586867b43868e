-- Host organisations (contracting organisations) and their members, and the ALT school-visit
-- planner: each organisation's schools and ALTs, and its term plans (the plan itself as JSON).
CREATE TABLE host_orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_en TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    prefecture TEXT NOT NULL,
    setting TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE host_org_members (
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX host_org_members_user ON host_org_members(user_id);

CREATE TABLE tt_schools (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    per TEXT NOT NULL,
    days BIGINT NOT NULL,
    preferred_weekdays TEXT NOT NULL,
    closed TEXT NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE tt_alts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    base_school TEXT NOT NULL,
    weekdays TEXT NOT NULL,
    unavailable TEXT NOT NULL,
    reachable TEXT NOT NULL,
    feed_token TEXT NOT NULL UNIQUE,
    UNIQUE (org_id, code)
);
CREATE INDEX tt_alts_email ON tt_alts(email);

CREATE TABLE tt_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    closed TEXT NOT NULL,
    plan_json TEXT,
    pins_json TEXT NOT NULL,
    published_json TEXT,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tt_plans_org ON tt_plans(org_id);
