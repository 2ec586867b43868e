//! The one integration-test binary (each extra tests/*.rs file would link on its own and slow the
//! suite). Every test that touches the database runs on SQLite and on PostgreSQL through `on_both!`.

/// Defines `mod $name { fn sqlite(); fn postgres(); }` running `$body(app)` on each backend.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = jetdesk_testkit::TestApp::spawn(jetdesk_testkit::Backend::Sqlite).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = jetdesk_testkit::TestApp::spawn(jetdesk_testkit::Backend::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

mod accounts;
mod admin;
mod api;
mod applications;
mod backup;
mod checks;
mod concurrency;
mod dashboard;
mod demo;
mod documents;
mod e2e;
mod e2e_application;
mod e2e_dashboard;
mod e2e_interviews;
mod e2e_placement;
mod e2e_privacy;
mod e2e_selection;
mod e2e_timetable;
mod evaluations;
mod exports;
mod interviews;
mod matrix;
mod mfa;
mod outcomes;
mod placement_app;
mod privacy;
mod public;
mod referees;
mod review;
mod timetables;
