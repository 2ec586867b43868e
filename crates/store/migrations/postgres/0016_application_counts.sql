-- The staff list's pager on PostgreSQL (issue 8, docs/reliability.md §3).
--
-- Counting a round's 50,000 applications for the pager read every index entry: 16 ms a request
-- after VACUUM, and 38 staff-list pages a second under load. As on SQLite since 0014, the counts per
-- (round, position, state, verdict, submitted) are kept by a trigger in the writing transaction and
-- the pager sums a few rows. A counter row is locked by a writer changing an application of its
-- group until that transaction ends; the writes that change these columns (submission, withdrawal,
-- outcomes) are short and rare beside reads.
CREATE TABLE application_counts (
    round_id BIGINT NOT NULL,
    position TEXT NOT NULL,
    state TEXT NOT NULL,
    eligibility_overall TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, position, state, eligibility_overall, submitted)
);
INSERT INTO application_counts (round_id, position, state, eligibility_overall, submitted, n)
SELECT round_id, position, state, COALESCE(eligibility_overall, ''),
       CASE WHEN submitted_at IS NULL THEN 0 ELSE 1 END, COUNT(*)
FROM applications
GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION application_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE application_counts SET n = n - 1
        WHERE round_id = OLD.round_id AND position = OLD.position AND state = OLD.state
          AND eligibility_overall = COALESCE(OLD.eligibility_overall, '')
          AND submitted = CASE WHEN OLD.submitted_at IS NULL THEN 0 ELSE 1 END;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO application_counts (round_id, position, state, eligibility_overall, submitted, n)
        VALUES (NEW.round_id, NEW.position, NEW.state, COALESCE(NEW.eligibility_overall, ''),
                CASE WHEN NEW.submitted_at IS NULL THEN 0 ELSE 1 END, 1)
        ON CONFLICT (round_id, position, state, eligibility_overall, submitted)
        DO UPDATE SET n = application_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER application_counts_insert_delete AFTER INSERT OR DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION application_counts_follow();
CREATE TRIGGER application_counts_update
    AFTER UPDATE OF round_id, position, state, eligibility_overall, submitted_at ON applications
    FOR EACH ROW EXECUTE FUNCTION application_counts_follow();
