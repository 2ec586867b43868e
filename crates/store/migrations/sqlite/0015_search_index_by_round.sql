-- The staff search's trigram index, keyed by round (issue 8, docs/reliability.md §3).
--
-- Each entry's rowid is now round_id * 2^32 + id (application ids stay below 2^32), so a round's
-- matches are one rowid range of the index: the search counts them, and pages through them in
-- reference order, without looking up every match's row to learn its round. The index keeps no
-- copy of the text (content = ''); `contentless_delete` lets the triggers remove an entry by rowid.
DROP TRIGGER applications_search_insert;
DROP TRIGGER applications_search_delete;
DROP TRIGGER applications_search_update;
DROP TABLE applications_search;

CREATE VIRTUAL TABLE applications_search USING fts5(
    search_text, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO applications_search (rowid, search_text)
SELECT round_id * 4294967296 + id, search_text FROM applications;

CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
    INSERT INTO applications_search (rowid, search_text)
    VALUES (new.round_id * 4294967296 + new.id, new.search_text);
END;
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
    DELETE FROM applications_search WHERE rowid = old.round_id * 4294967296 + old.id;
END;
CREATE TRIGGER applications_search_update AFTER UPDATE OF search_text, round_id ON applications BEGIN
    DELETE FROM applications_search WHERE rowid = old.round_id * 4294967296 + old.id;
    INSERT INTO applications_search (rowid, search_text)
    VALUES (new.round_id * 4294967296 + new.id, new.search_text);
END;
