-- Recruitment rounds and applications. An application's sections are stored one row each, as JSON,
-- with a version for optimistic concurrency (two tabs never silently overwrite each other).
CREATE TABLE rounds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    programme_year BIGINT NOT NULL,
    positions TEXT NOT NULL,
    sea_invite_code TEXT,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    word_limit BIGINT NOT NULL,
    referees_required BIGINT NOT NULL,
    documents_required TEXT NOT NULL,
    rules_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    position TEXT NOT NULL,
    reference TEXT,
    state TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    eligibility_overall TEXT,
    eligibility_json TEXT,
    withdrawn_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    UNIQUE (round_id, user_id)
);
CREATE UNIQUE INDEX applications_reference ON applications(reference);
CREATE INDEX applications_round_state ON applications(round_id, state, position);
CREATE INDEX applications_round_submitted ON applications(round_id, submitted_at);

CREATE TABLE application_sections (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    data_json TEXT NOT NULL,
    completed BIGINT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, section)
);
