-- Personal API tokens (issue 7): only the SHA-256 of a token is stored. `scopes` is a
-- space-separated list (`applications:read outcomes:read`); each token counts its own requests in a
-- fixed one-minute window (`window_start`, `window_count`) for the rate limit, shared by every
-- app instance because it lives here.
CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT,
    per_minute BIGINT NOT NULL DEFAULT 600,
    window_start BIGINT NOT NULL DEFAULT 0,
    window_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Server secrets made on first use (the key that signs API paging cursors), so that every
-- instance sharing the database signs alike.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
