//! The route-by-role matrix: for every route the application has, which personas it admits.
//! The table below is written by hand, apart from the code's own declarations, so a route whose
//! declared access changes, or a new route that has not joined the table, fails here.

use jetdesk_domain::Role;
use jetdesk_testkit::TestApp;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Persona {
    Anonymous,
    Applicant,
    OtherApplicant,
    Reviewer,
    Interviewer,
    Coordinator,
    Host,
    Admin,
}
use Persona::*;

const ALL: &[Persona] = &[
    Anonymous,
    Applicant,
    OtherApplicant,
    Reviewer,
    Interviewer,
    Coordinator,
    Host,
    Admin,
];
const SIGNED_IN: &[Persona] = &[
    Applicant,
    OtherApplicant,
    Reviewer,
    Interviewer,
    Coordinator,
    Host,
    Admin,
];
const ADMIN_ONLY: &[Persona] = &[Admin];
const HOST_ONLY: &[Persona] = &[Host];
const TIMETABLE_READERS: &[Persona] = &[Coordinator, Host, Admin];
const APPLICANTS: &[Persona] = &[Applicant, OtherApplicant];
const STAFF: &[Persona] = &[Reviewer, Coordinator];
const COORDINATOR: &[Persona] = &[Coordinator];
const COORDINATOR_ADMIN: &[Persona] = &[Coordinator, Admin];
const REVIEWER: &[Persona] = &[Reviewer];
/// Document downloads: applicants are admitted to the route (and get 404 for others' documents).
const DOC_READERS: &[Persona] = &[Applicant, OtherApplicant, Reviewer, Coordinator];
const INTERVIEWER: &[Persona] = &[Interviewer];
const EVALUATORS: &[Persona] = &[Interviewer, Coordinator];
const TOKEN_HOLDERS: &[Persona] = &[Coordinator, Host, Admin];
/// JSON API routes: a session cookie never authenticates them, whoever it belongs to.
const NO_SESSION: &[Persona] = &[];

/// (method, route pattern, path to probe — `{victim}` is a user id —, who is admitted).
const MATRIX: &[(&str, &str, &str, &[Persona])] = &[
    ("GET", "/", "/", ALL),
    ("GET", "/about", "/about", ALL),
    ("GET", "/positions", "/positions", ALL),
    ("GET", "/positions/alt", "/positions/alt", ALL),
    ("GET", "/positions/cir", "/positions/cir", ALL),
    ("GET", "/positions/sea", "/positions/sea", ALL),
    ("GET", "/eligibility", "/eligibility", ALL),
    (
        "GET",
        "/eligibility/check",
        "/eligibility/check?position=alt",
        ALL,
    ),
    ("GET", "/pay-and-conditions", "/pay-and-conditions", ALL),
    ("GET", "/japanese-evaluation", "/japanese-evaluation", ALL),
    ("GET", "/language", "/language?lang=ja&next=/", ALL),
    ("GET", "/healthz", "/healthz", ALL),
    ("GET", "/static/{file}", "/static/site.css", ALL),
    ("GET", "/signup", "/signup", ALL),
    ("POST", "/signup", "/signup", ALL),
    ("GET", "/verify/{token}", "/verify/bogus", ALL),
    ("POST", "/verify/resend", "/verify/resend", ALL),
    ("GET", "/login", "/login", ALL),
    ("POST", "/login", "/login", ALL),
    ("POST", "/logout", "/logout", SIGNED_IN),
    ("GET", "/password/forgot", "/password/forgot", ALL),
    ("POST", "/password/forgot", "/password/forgot", ALL),
    ("GET", "/password/reset/{token}", "/password/reset/bogus", ALL),
    ("POST", "/password/reset/{token}", "/password/reset/bogus", ALL),
    ("GET", "/account", "/account", SIGNED_IN),
    ("GET", "/account/password", "/account/password", SIGNED_IN),
    ("POST", "/account/password", "/account/password", SIGNED_IN),
    // Two-step verification: the account's own page, the code step of sign-in, the admin's reset.
    ("GET", "/account/mfa", "/account/mfa", SIGNED_IN),
    ("POST", "/account/mfa/setup", "/account/mfa/setup", SIGNED_IN),
    ("POST", "/account/mfa/confirm", "/account/mfa/confirm", SIGNED_IN),
    ("POST", "/account/mfa/disable", "/account/mfa/disable", SIGNED_IN),
    (
        "POST",
        "/account/mfa/recovery-codes",
        "/account/mfa/recovery-codes",
        SIGNED_IN,
    ),
    ("GET", "/login/code", "/login/code", ALL),
    ("POST", "/login/code", "/login/code", ALL),
    (
        "POST",
        "/admin/users/{id}/mfa/reset",
        "/admin/users/{victim}/mfa/reset",
        ADMIN_ONLY,
    ),
    ("GET", "/apply", "/apply", APPLICANTS),
    ("POST", "/apply/start", "/apply/start", APPLICANTS),
    (
        "GET",
        "/apply/section/{id}",
        "/apply/section/personal",
        APPLICANTS,
    ),
    (
        "POST",
        "/apply/section/{id}",
        "/apply/section/personal",
        APPLICANTS,
    ),
    ("GET", "/apply/check", "/apply/check", APPLICANTS),
    ("POST", "/apply/submit", "/apply/submit", APPLICANTS),
    ("POST", "/apply/withdraw", "/apply/withdraw", APPLICANTS),
    (
        "POST",
        "/apply/partner/confirm",
        "/apply/partner/confirm",
        APPLICANTS,
    ),
    ("GET", "/apply/documents", "/apply/documents", APPLICANTS),
    (
        "POST",
        "/apply/documents/{kind}",
        "/apply/documents/degree",
        APPLICANTS,
    ),
    (
        "POST",
        "/apply/documents/{kind}/delete",
        "/apply/documents/degree/delete",
        APPLICANTS,
    ),
    ("GET", "/documents/{id}", "/documents/1", DOC_READERS),
    ("GET", "/apply/referees", "/apply/referees", APPLICANTS),
    ("POST", "/apply/referees/{slot}", "/apply/referees/1", APPLICANTS),
    ("GET", "/reference/{token}", "/reference/bogus", ALL),
    ("POST", "/reference/{token}", "/reference/bogus", ALL),
    (
        "POST",
        "/reference/{token}/upload",
        "/reference/bogus/upload",
        ALL,
    ),
    ("GET", "/staff/referees/{id}", "/staff/referees/1", STAFF),
    ("GET", "/staff/applications", "/staff/applications", STAFF),
    ("GET", "/staff/applications.csv", "/staff/applications.csv", STAFF),
    (
        "GET",
        "/staff/applications.xlsx",
        "/staff/applications.xlsx",
        STAFF,
    ),
    // Exports of the staff lists (issue 7): the same roles as each list.
    ("GET", "/admin/users.csv", "/admin/users.csv", ADMIN_ONLY),
    ("GET", "/admin/users.xlsx", "/admin/users.xlsx", ADMIN_ONLY),
    ("GET", "/admin/audit.csv", "/admin/audit.csv", COORDINATOR_ADMIN),
    ("GET", "/admin/audit.xlsx", "/admin/audit.xlsx", COORDINATOR_ADMIN),
    ("GET", "/review.csv", "/review.csv", REVIEWER),
    ("GET", "/review.xlsx", "/review.xlsx", REVIEWER),
    (
        "GET",
        "/staff/selection/{round}/in-review.csv",
        "/staff/selection/{round}/in-review.csv",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/selection/{round}/in-review.xlsx",
        "/staff/selection/{round}/in-review.xlsx",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/selection/{round}/ranking.csv",
        "/staff/selection/{round}/ranking.csv",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/selection/{round}/ranking.xlsx",
        "/staff/selection/{round}/ranking.xlsx",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/outcomes/{round}/list.csv",
        "/staff/outcomes/{round}/list.csv",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/outcomes/{round}/list.xlsx",
        "/staff/outcomes/{round}/list.xlsx",
        COORDINATOR,
    ),
    (
        "GET",
        "/interviews/slots.csv",
        "/interviews/slots.csv",
        COORDINATOR,
    ),
    (
        "GET",
        "/interviews/slots.xlsx",
        "/interviews/slots.xlsx",
        COORDINATOR,
    ),
    ("GET", "/interviews/day.csv", "/interviews/day.csv", INTERVIEWER),
    ("GET", "/interviews/day.xlsx", "/interviews/day.xlsx", INTERVIEWER),
    ("GET", "/evaluations.csv", "/evaluations.csv", EVALUATORS),
    ("GET", "/evaluations.xlsx", "/evaluations.xlsx", EVALUATORS),
    ("GET", "/hosts.csv", "/hosts.csv", TIMETABLE_READERS),
    ("GET", "/hosts.xlsx", "/hosts.xlsx", TIMETABLE_READERS),
    (
        "GET",
        "/hosts/{org}/placed.csv",
        "/hosts/1/placed.csv",
        TIMETABLE_READERS,
    ),
    (
        "GET",
        "/hosts/{org}/placed.xlsx",
        "/hosts/1/placed.xlsx",
        TIMETABLE_READERS,
    ),
    (
        "GET",
        "/placement/{round}/assignment.csv",
        "/placement/{round}/assignment.csv",
        COORDINATOR,
    ),
    (
        "GET",
        "/placement/{round}/assignment.xlsx",
        "/placement/{round}/assignment.xlsx",
        COORDINATOR,
    ),
    ("GET", "/staff/erasure.csv", "/staff/erasure.csv", COORDINATOR),
    ("GET", "/staff/erasure.xlsx", "/staff/erasure.xlsx", COORDINATOR),
    ("GET", "/staff/rounds.csv", "/staff/rounds.csv", COORDINATOR),
    ("GET", "/staff/rounds.xlsx", "/staff/rounds.xlsx", COORDINATOR),
    ("GET", "/staff/dashboard", "/staff/dashboard", COORDINATOR_ADMIN),
    (
        "GET",
        "/staff/dashboard/{file}",
        "/staff/dashboard/funnel.csv?round={round}",
        COORDINATOR_ADMIN,
    ),
    ("GET", "/admin/audit", "/admin/audit", COORDINATOR_ADMIN),
    (
        "GET",
        "/staff/applications/{id}",
        "/staff/applications/{application}",
        STAFF,
    ),
    ("GET", "/staff/rounds", "/staff/rounds", COORDINATOR),
    ("GET", "/staff/rounds/new", "/staff/rounds/new", COORDINATOR),
    ("POST", "/staff/rounds/new", "/staff/rounds/new", COORDINATOR),
    ("GET", "/staff/rounds/{id}", "/staff/rounds/{round}", COORDINATOR),
    ("POST", "/staff/rounds/{id}", "/staff/rounds/{round}", COORDINATOR),
    ("GET", "/my/data", "/my/data", APPLICANTS),
    ("GET", "/my/data.zip", "/my/data.zip", APPLICANTS),
    ("POST", "/my/erasure", "/my/erasure", APPLICANTS),
    ("GET", "/staff/erasure", "/staff/erasure", COORDINATOR),
    ("GET", "/staff/erasure/{id}", "/staff/erasure/1", COORDINATOR),
    ("POST", "/staff/erasure/{id}", "/staff/erasure/1", COORDINATOR),
    (
        "GET",
        "/staff/rounds/{id}/retention",
        "/staff/rounds/{round}/retention",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/rounds/{id}/retention",
        "/staff/rounds/{round}/retention",
        COORDINATOR,
    ),
    ("GET", "/admin/users", "/admin/users", ADMIN_ONLY),
    ("GET", "/admin/users/{id}", "/admin/users/{victim}", ADMIN_ONLY),
    (
        "POST",
        "/admin/users/{id}/roles",
        "/admin/users/{victim}/roles",
        ADMIN_ONLY,
    ),
    ("GET", "/timetables", "/timetables", TIMETABLE_READERS),
    ("GET", "/timetables/{org}", "/timetables/1", TIMETABLE_READERS),
    (
        "POST",
        "/timetables/{org}/schools",
        "/timetables/1/schools",
        HOST_ONLY,
    ),
    (
        "POST",
        "/timetables/{org}/schools/{id}/delete",
        "/timetables/1/schools/1/delete",
        HOST_ONLY,
    ),
    ("POST", "/timetables/{org}/alts", "/timetables/1/alts", HOST_ONLY),
    (
        "POST",
        "/timetables/{org}/alts/{id}/delete",
        "/timetables/1/alts/1/delete",
        HOST_ONLY,
    ),
    (
        "POST",
        "/timetables/{org}/plans",
        "/timetables/1/plans",
        HOST_ONLY,
    ),
    (
        "GET",
        "/timetables/{org}/plans/{plan}",
        "/timetables/1/plans/1",
        TIMETABLE_READERS,
    ),
    (
        "POST",
        "/timetables/{org}/plans/{plan}/generate",
        "/timetables/1/plans/1/generate",
        HOST_ONLY,
    ),
    (
        "POST",
        "/timetables/{org}/plans/{plan}/move",
        "/timetables/1/plans/1/move",
        HOST_ONLY,
    ),
    (
        "POST",
        "/timetables/{org}/plans/{plan}/settings",
        "/timetables/1/plans/1/settings",
        HOST_ONLY,
    ),
    (
        "POST",
        "/timetables/{org}/plans/{plan}/publish",
        "/timetables/1/plans/1/publish",
        HOST_ONLY,
    ),
    (
        "GET",
        "/timetables/{org}/plans/{plan}/alts/{code}",
        "/timetables/1/plans/1/alts/a1",
        TIMETABLE_READERS,
    ),
    (
        "GET",
        "/timetables/{org}/plans/{plan}/schools/{code}",
        "/timetables/1/plans/1/schools/s1",
        TIMETABLE_READERS,
    ),
    ("GET", "/my/timetable", "/my/timetable", SIGNED_IN),
    ("GET", "/hosts", "/hosts", TIMETABLE_READERS),
    ("POST", "/hosts", "/hosts", COORDINATOR_ADMIN),
    (
        "POST",
        "/hosts/prefectures",
        "/hosts/prefectures",
        COORDINATOR_ADMIN,
    ),
    ("GET", "/hosts/{org}", "/hosts/1", TIMETABLE_READERS),
    ("POST", "/hosts/{org}/profile", "/hosts/1/profile", HOST_ONLY),
    ("POST", "/hosts/{org}/posts", "/hosts/1/posts", HOST_ONLY),
    (
        "POST",
        "/hosts/{org}/posts/{id}/delete",
        "/hosts/1/posts/1/delete",
        HOST_ONLY,
    ),
    (
        "POST",
        "/hosts/{org}/members",
        "/hosts/1/members",
        COORDINATOR_ADMIN,
    ),
    ("GET", "/placement", "/placement", COORDINATOR),
    ("GET", "/placement/{round}", "/placement/{round}", COORDINATOR),
    (
        "POST",
        "/placement/{round}/run",
        "/placement/{round}/run",
        COORDINATOR,
    ),
    (
        "POST",
        "/placement/{round}/adjust",
        "/placement/{round}/adjust",
        COORDINATOR,
    ),
    (
        "POST",
        "/placement/{round}/publish",
        "/placement/{round}/publish",
        COORDINATOR,
    ),
    ("GET", "/my/placement", "/my/placement", APPLICANTS),
    (
        "POST",
        "/my/placement/{offer}/accept",
        "/my/placement/1/accept",
        APPLICANTS,
    ),
    (
        "POST",
        "/my/placement/{offer}/decline",
        "/my/placement/1/decline",
        APPLICANTS,
    ),
    // Review and outcomes (issue 4).
    ("GET", "/review", "/review", REVIEWER),
    ("POST", "/review/conflicts", "/review/conflicts", REVIEWER),
    (
        "GET",
        "/review/applications/{id}",
        "/review/applications/{application}",
        REVIEWER,
    ),
    (
        "POST",
        "/review/applications/{id}/score",
        "/review/applications/{application}/score",
        REVIEWER,
    ),
    (
        "POST",
        "/review/applications/{id}/conflict",
        "/review/applications/{application}/conflict",
        REVIEWER,
    ),
    ("GET", "/staff/selection", "/staff/selection", COORDINATOR),
    (
        "GET",
        "/staff/selection/{round}",
        "/staff/selection/{round}",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/settings",
        "/staff/selection/{round}/settings",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/assign",
        "/staff/selection/{round}/assign",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/reassign",
        "/staff/selection/{round}/reassign",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/moderate",
        "/staff/selection/{round}/moderate",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/selection/{round}/ranking",
        "/staff/selection/{round}/ranking",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/invite",
        "/staff/selection/{round}/invite",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/selection/{round}/reject-not-invited",
        "/staff/selection/{round}/reject-not-invited",
        COORDINATOR,
    ),
    (
        "GET",
        "/staff/outcomes/{round}",
        "/staff/outcomes/{round}",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/outcomes/{round}/decide",
        "/staff/outcomes/{round}/decide",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/outcomes/{round}/propose",
        "/staff/outcomes/{round}/propose",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/outcomes/{round}/publish",
        "/staff/outcomes/{round}/publish",
        COORDINATOR,
    ),
    (
        "POST",
        "/staff/outcomes/{round}/upgrade",
        "/staff/outcomes/{round}/upgrade",
        COORDINATOR,
    ),
    ("GET", "/timetable/feed/{file}", "/timetable/feed/bogus.ics", ALL),
    // Interviews and Japanese evaluation requests (issue 4).
    ("GET", "/interviews", "/interviews", COORDINATOR),
    (
        "POST",
        "/interviews/settings",
        "/interviews/settings",
        COORDINATOR,
    ),
    ("POST", "/interviews/venues", "/interviews/venues", COORDINATOR),
    ("POST", "/interviews/caps", "/interviews/caps", COORDINATOR),
    ("POST", "/interviews/panels", "/interviews/panels", COORDINATOR),
    ("POST", "/interviews/slots", "/interviews/slots", COORDINATOR),
    ("POST", "/interviews/publish", "/interviews/publish", COORDINATOR),
    ("GET", "/my/interview", "/my/interview", APPLICANTS),
    ("POST", "/my/interview/book", "/my/interview/book", APPLICANTS),
    ("POST", "/my/interview/move", "/my/interview/move", APPLICANTS),
    ("POST", "/my/interview/cancel", "/my/interview/cancel", APPLICANTS),
    ("GET", "/interviews/day", "/interviews/day", INTERVIEWER),
    (
        "GET",
        "/interviews/score/{application}",
        "/interviews/score/x",
        INTERVIEWER,
    ),
    (
        "POST",
        "/interviews/score/{application}",
        "/interviews/score/x",
        INTERVIEWER,
    ),
    (
        "GET",
        "/my/japanese-evaluation",
        "/my/japanese-evaluation",
        APPLICANTS,
    ),
    (
        "POST",
        "/my/japanese-evaluation",
        "/my/japanese-evaluation",
        APPLICANTS,
    ),
    ("GET", "/evaluations", "/evaluations", EVALUATORS),
    (
        "POST",
        "/evaluations/{id}/delegate",
        "/evaluations/999/delegate",
        COORDINATOR,
    ),
    (
        "POST",
        "/evaluations/{id}/confirm",
        "/evaluations/999/confirm",
        EVALUATORS,
    ),
    (
        "POST",
        "/evaluations/{id}/result",
        "/evaluations/999/result",
        EVALUATORS,
    ),
    ("GET", "/account/tokens", "/account/tokens", TOKEN_HOLDERS),
    ("POST", "/account/tokens", "/account/tokens", TOKEN_HOLDERS),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        "/account/tokens/999/revoke",
        TOKEN_HOLDERS,
    ),
    // The JSON API admits no session at all (bearer tokens only: tests/it/api.rs); the document is public.
    ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", ALL),
    ("GET", "/api/v1/applications", "/api/v1/applications", NO_SESSION),
    (
        "GET",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{application}",
        NO_SESSION,
    ),
    ("GET", "/api/v1/outcomes", "/api/v1/outcomes", NO_SESSION),
    ("GET", "/api/v1/placements", "/api/v1/placements", NO_SESSION),
    (
        "GET",
        "/api/v1/organisations",
        "/api/v1/organisations",
        NO_SESSION,
    ),
    (
        "GET",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/1",
        NO_SESSION,
    ),
    ("GET", "/api/v1/posts", "/api/v1/posts", NO_SESSION),
];

#[test]
fn every_route_has_joined_the_matrix() {
    let declared: BTreeSet<(String, String)> = jetdesk_web::route_table()
        .into_iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let tested: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = declared.difference(&tested).collect();
    let stale: Vec<_> = tested.difference(&declared).collect();
    assert!(missing.is_empty(), "routes missing from the matrix: {missing:?}");
    assert!(
        stale.is_empty(),
        "matrix rows for routes that no longer exist: {stale:?}"
    );
}

on_both!(each_route_admits_exactly_its_roles, |app: TestApp| async move {
    let mut users = Vec::new();
    for (persona, role) in [
        (Applicant, Role::Applicant),
        (OtherApplicant, Role::Applicant),
        (Reviewer, Role::Reviewer),
        (Interviewer, Role::Interviewer),
        (Coordinator, Role::Coordinator),
        (Host, Role::Host),
        (Admin, Role::Admin),
    ] {
        let id = app
            .create_user(&format!("{persona:?}@matrix.example").to_lowercase(), &[role])
            .await;
        users.push((persona, Some(id)));
    }
    users.push((Anonymous, None));
    let victim = app.create_user("victim@matrix.example", &[Role::Applicant]).await;
    let round = jetdesk_testkit::open_round(&app).await;
    let application = app.store.create_application(&round, victim, "alt").await.unwrap();

    let mut wrong = Vec::new();
    for (method, pattern, probe, admitted) in MATRIX {
        let path = probe
            .replace("{victim}", &victim.to_string())
            .replace("{application}", &application.to_string())
            .replace("{round}", &round.id.to_string());
        for &(persona, user_id) in &users {
            // A fresh session per probe: a probe (sign-out, say) must not change the next one.
            let (client, csrf) = app.session_for(user_id).await;
            let res = match *method {
                "GET" => client.get(app.at(&path)).send().await.unwrap(),
                _ => client
                    .post(app.at(&path))
                    .form(&[("csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap(),
            };
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("")
                .to_string();
            // The JSON API refuses with a 401 problem (never a sign-in redirect); only that counts.
            let is_problem = res
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes() == b"application/problem+json");
            let refused = status == 403
                || (status == 303 && location.starts_with("/login?next="))
                || (status == 401 && is_problem && pattern.starts_with("/api/"));
            assert!(status < 500, "{method} {path} as {persona:?} gave {status}");
            if refused == admitted.contains(&persona) {
                wrong.push(format!("{method} {pattern} as {persona:?}: {status} {location}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "routes admitting the wrong personas:\n{}",
        wrong.join("\n")
    );
});
