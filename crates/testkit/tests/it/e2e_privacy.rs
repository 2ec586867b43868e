//! End-to-end test in chromium: an applicant downloads everything jetdesk holds about them.
