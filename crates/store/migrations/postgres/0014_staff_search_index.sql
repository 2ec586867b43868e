-- The staff search at 50,000 applications under load (issue 8, docs/reliability.md §3): a trigram
-- GIN index over applications.search_text, which `search_text LIKE '%term%'` uses for terms of three
-- or more characters (the same results as without it, and as SQLite's FTS5 trigram index).
--
-- pg_trgm is a trusted extension (PostgreSQL 13+): a user with CREATE on the database may add it.
-- It goes into `public` when that schema exists (else the current schema), and an installed one is
-- used wherever it is: the tests give every database their own schema and drop it afterwards, which
-- must not take the extension (and other schemas' indexes) with it.
DO $$
DECLARE
    ext_schema TEXT;
BEGIN
    SELECT n.nspname INTO ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NULL THEN
        IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
            ext_schema := 'public';
        ELSE
            ext_schema := current_schema();
        END IF;
        EXECUTE format('CREATE EXTENSION pg_trgm SCHEMA %I', ext_schema);
    END IF;
    EXECUTE format(
        'CREATE INDEX applications_search_trgm ON applications USING gin (search_text %I.gin_trgm_ops)',
        ext_schema
    );
END
$$;
