-- SQLite only: its staff-search index is now keyed by round (see the SQLite migration of this
-- number). PostgreSQL's pg_trgm index (0014) needs no change; this keeps the two lists in step.
SELECT 1;
