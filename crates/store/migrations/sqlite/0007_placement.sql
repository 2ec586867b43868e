-- The JET placement (issue 5): contracting organisations gain their kind, region, area code (the
-- same codes as the applicants' placement preferences), a profile and sister cities abroad; their
-- posts with requirements; the coordinator's placement runs with pins and forbids; and offers.
ALTER TABLE host_orgs ADD COLUMN kind TEXT NOT NULL DEFAULT 'city';
ALTER TABLE host_orgs ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE host_orgs ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE host_orgs ADD COLUMN profile TEXT NOT NULL DEFAULT '';

CREATE TABLE host_org_sister_cities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    city TEXT NOT NULL,
    country TEXT NOT NULL
);
CREATE INDEX host_org_sister_cities_org ON host_org_sister_cities(org_id);

-- A post: `places` people for `position` ('alt' or 'cir'); school levels comma-separated (ALT);
-- min_jlpt '' or 'N1'..'N5'; driving_licence 0/1.
CREATE TABLE placement_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES host_orgs(id) ON DELETE CASCADE,
    position TEXT NOT NULL,
    places BIGINT NOT NULL CHECK (places > 0),
    school_levels TEXT NOT NULL,
    min_jlpt TEXT NOT NULL,
    driving_licence BIGINT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX placement_posts_org ON placement_posts(org_id);

-- The coordinator's adjustments for the next run of a round: 'pin' or 'forbid' one placement.
CREATE TABLE placement_adjustments (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    post_id INTEGER NOT NULL REFERENCES placement_posts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, application_id, post_id)
);

-- A run: its result (JSON written by the web layer) and when it was published.
CREATE TABLE placement_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    result_json TEXT NOT NULL,
    published_at BIGINT
);
CREATE INDEX placement_runs_round ON placement_runs(round_id, id);

-- An offer: one per application. Whether it holds a place is the application's state
-- ('placed' or 'accepted'); a decline or withdrawal frees it without touching this row.
CREATE TABLE placement_offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications(id) ON DELETE CASCADE,
    post_id INTEGER NOT NULL REFERENCES placement_posts(id),
    run_id INTEGER REFERENCES placement_runs(id) ON DELETE SET NULL,
    offered_at BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE INDEX placement_offers_post ON placement_offers(post_id);
