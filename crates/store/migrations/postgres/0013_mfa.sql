-- Two-step verification (TOTP, RFC 6238) and one-time recovery codes. `user_mfa` holds the
-- authenticator secret (base32); `enabled_at` is NULL while an enrolment waits for its first code.
-- `last_step` is the 30-second time step of the last accepted code: a code is accepted only for a
-- later step, so a code seen once cannot be replayed. Recovery codes are random and stored as their
-- SHA-256; `used_at` makes each one single use. A sign-in that passed the password step waits in
-- `mfa_challenges`, keyed by the (still anonymous) session, until the code is right.
CREATE TABLE user_mfa (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE mfa_recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    UNIQUE (user_id, code_hash)
);

CREATE TABLE mfa_challenges (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next_path TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
