//! Exact solver (stub).
