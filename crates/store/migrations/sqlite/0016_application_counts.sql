-- PostgreSQL only: it now keeps the staff list's per-group counts as SQLite has since 0014 (see the
-- PostgreSQL migration of this number). Nothing changes here; this keeps the two lists in step.
SELECT 1;
