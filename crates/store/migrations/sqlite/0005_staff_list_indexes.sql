-- The staff list at 50,000 applications: page through submitted order and search without touching
-- the wide rows (answers and eligibility JSON) until the page's 50 rows are known.
CREATE INDEX applications_round_submitted_id ON applications(round_id, submitted_at, id, search_text);
CREATE INDEX applications_round_search ON applications(round_id, search_text);
