-- The audit log viewer filters by subject, actor and action prefix, newest first; the dashboard's
-- "time in each stage" reads an application's state changes by subject. Indexes only: the log stays
-- append-only.
CREATE INDEX audit_log_subject ON audit_log(subject, id);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);
