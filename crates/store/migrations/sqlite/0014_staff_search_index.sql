-- The staff list and search at 50,000 applications under load (issue 8, docs/reliability.md §3).
--
-- 1. Search: a trigram full-text index over applications.search_text (FTS5, external content, kept
--    in step by the triggers below). A term of three or more characters is matched as a substring
--    through the index, with the same results as `search_text LIKE '%term%'`; shorter terms still use
--    LIKE. (FTS5's `secure-delete` option was tried and left off: with it, SQLite 3.46's integrity
--    check found this index malformed after a rename and an erasure.)
CREATE VIRTUAL TABLE applications_search USING fts5(
    search_text, content = 'applications', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO applications_search (applications_search) VALUES ('rebuild');

CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
    INSERT INTO applications_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
    INSERT INTO applications_search (applications_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER applications_search_update AFTER UPDATE OF search_text ON applications BEGIN
    INSERT INTO applications_search (applications_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO applications_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- 2. The search's matches are checked against the filters and sorted through this narrow index
--    (found by id), not the wide rows, which hold the eligibility JSON.
CREATE INDEX applications_list_by_id
    ON applications (id, round_id, submitted_at, position, state, eligibility_overall);

-- 3. The pager's total without a search term: COUNT(*) over a round's 50,000 index entries cost
--    2-3 ms a request; these per-group counts, kept by triggers in the writing transaction, sum in
--    microseconds. (SQLite only: it has one writer, so the few hot rows cost no contention.)
CREATE TABLE application_counts (
    round_id INTEGER NOT NULL,
    position TEXT NOT NULL,
    state TEXT NOT NULL,
    eligibility_overall TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (round_id, position, state, eligibility_overall, submitted)
);
INSERT INTO application_counts (round_id, position, state, eligibility_overall, submitted, n)
SELECT round_id, position, state, COALESCE(eligibility_overall, ''), submitted_at IS NOT NULL, COUNT(*)
FROM applications
GROUP BY round_id, position, state, COALESCE(eligibility_overall, ''), submitted_at IS NOT NULL;

CREATE TRIGGER application_counts_insert AFTER INSERT ON applications BEGIN
    INSERT INTO application_counts (round_id, position, state, eligibility_overall, submitted, n)
    VALUES (new.round_id, new.position, new.state, COALESCE(new.eligibility_overall, ''),
            new.submitted_at IS NOT NULL, 1)
    ON CONFLICT (round_id, position, state, eligibility_overall, submitted) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER application_counts_delete AFTER DELETE ON applications BEGIN
    UPDATE application_counts SET n = n - 1
    WHERE round_id = old.round_id AND position = old.position AND state = old.state
      AND eligibility_overall = COALESCE(old.eligibility_overall, '')
      AND submitted = (old.submitted_at IS NOT NULL);
END;
CREATE TRIGGER application_counts_update
AFTER UPDATE OF round_id, position, state, eligibility_overall, submitted_at ON applications BEGIN
    UPDATE application_counts SET n = n - 1
    WHERE round_id = old.round_id AND position = old.position AND state = old.state
      AND eligibility_overall = COALESCE(old.eligibility_overall, '')
      AND submitted = (old.submitted_at IS NOT NULL);
    INSERT INTO application_counts (round_id, position, state, eligibility_overall, submitted, n)
    VALUES (new.round_id, new.position, new.state, COALESCE(new.eligibility_overall, ''),
            new.submitted_at IS NOT NULL, 1)
    ON CONFLICT (round_id, position, state, eligibility_overall, submitted) DO UPDATE SET n = n + 1;
END;
