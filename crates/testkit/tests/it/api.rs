//! The JSON API: personal tokens (shown once, stored hashed, revocable), the bearer check and its
//! problem+json refusals (401 missing/unknown/expired/revoked, 403 scope or role, 429 rate limit),
//! 400 for bad filters, limits and tampered cursors, cursor paging that returns every row exactly
//! once, a host's token confined to its own organisation, no cookie authentication (so no CSRF),
//! and every operation's real responses validated against the OpenAPI document.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, TestApp};
use serde_json::Value;

const ALL_SCOPES: &[&str] = &[
    "applications:read",
    "outcomes:read",
    "placements:read",
    "organisations:read",
];

async fn token_for(app: &TestApp, user: i64, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    jetdesk_web::api::tokens::issue(&app.store, user, "test", &scopes, 30)
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String, Value) {
    let mut req = app.client().get(app.at(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.text().await.unwrap();
    let value = serde_json::from_str(&body).unwrap_or(Value::Null);
    (status, ctype, value)
}

/// Asserts an RFC 9457 problem with `status` whose type ends in `slug`.
async fn problem(app: &TestApp, token: Option<&str>, path: &str, status: u16, slug: &str) {
    let (got, ctype, body) = get(app, token, path).await;
    assert_eq!(got, status, "{path}: {body}");
    assert_eq!(ctype, "application/problem+json", "{path}");
    assert_eq!(body["status"], status, "{path}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{path}: {body}"
    );
    let kind = body["type"].as_str().unwrap_or("");
    assert!(kind.ends_with(slug), "{path}: type {kind}, wanted {slug}");
}

on_both!(
    tokens_are_shown_once_stored_hashed_and_revocable,
    |app: TestApp| async move {
        let coordinator = app.create_user("coord@api.example", &[Role::Coordinator]).await;
        let (client, csrf) = app.session_for(Some(coordinator)).await;
        let page = client.get(app.at("/account/tokens")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("applications:read"));

        // No scope chosen: told next to the field, nothing made.
        let res = client
            .post(app.at("/account/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "import"), ("days", "30")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(n, 0);

        let res = client
            .post(app.at("/account/tokens"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "import"),
                ("days", "30"),
                ("applications:read", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let start = html.find("jdt_").expect("the new token is shown");
        let token: String = html[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let (hash, scopes): (String, String) = sqlx::query_as("SELECT token_hash, scopes FROM api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(hash, jetdesk_web::security::token_hash(&token));
        assert_eq!(hash.len(), 64, "a SHA-256 in hex, not the token");
        assert_eq!(scopes, "applications:read");
        let again = client
            .get(app.at("/account/tokens"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!again.contains(&token), "shown once only");
        assert!(again.contains("never"), "not used yet");

        let (status, _, body) = get(&app, Some(&token), "/api/v1/applications").await;
        assert_eq!(status, 200, "{body}");
        let used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(used.is_some(), "last use recorded");
        problem(&app, Some(&token), "/api/v1/outcomes", 403, "insufficient-scope").await;

        let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let csrf = csrf_from(&again);
        let res = client
            .post(app.at(&format!("/account/tokens/{id}/revoke")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        problem(&app, Some(&token), "/api/v1/applications", 401, "revoked-token").await;

        // Someone else cannot revoke (or learn of) another's token.
        let other = app.create_user("other@api.example", &[Role::Coordinator]).await;
        let (client, csrf) = app.session_for(Some(other)).await;
        let res = client
            .post(app.at(&format!("/account/tokens/{id}/revoke")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }
);

on_both!(bad_tokens_and_bad_input_are_problems, |app: TestApp| async move {
    let coordinator = app.create_user("coord@api.example", &[Role::Coordinator]).await;
    let token = token_for(&app, coordinator, ALL_SCOPES).await;
    problem(&app, None, "/api/v1/applications", 401, "missing-token").await;
    problem(
        &app,
        Some("jdt_nonsense"),
        "/api/v1/applications",
        401,
        "invalid-token",
    )
    .await;
    let round = jetdesk_testkit::open_round(&app).await;
    let applicant = app.create_user("a@api.example", &[Role::Applicant]).await;
    let id = app
        .store
        .create_application(&round, applicant, "alt")
        .await
        .unwrap();
    let ok = get(&app, Some(&token), &format!("/api/v1/applications/{id}")).await;
    assert_eq!(ok.0, 200);
    assert_eq!(ok.2["applicant"]["email"], "a@api.example");
    assert!(
        ok.2.get("answers").is_none(),
        "no answers without a scope for them"
    );

    for (path, slug) in [
        ("/api/v1/applications?state=asleep", "invalid-filter"),
        ("/api/v1/applications?position=ceo", "invalid-filter"),
        ("/api/v1/applications?round=-1", "invalid-filter"),
        ("/api/v1/applications?round=abc", "invalid-filter"),
        ("/api/v1/applications?colour=red", "unknown-parameter"),
        ("/api/v1/applications?limit=201", "invalid-limit"),
        (
            "/api/v1/applications?limit=100000000000000000000",
            "invalid-limit",
        ),
        ("/api/v1/applications?limit=0", "invalid-limit"),
        (
            "/api/v1/applications?cursor=AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAA",
            "invalid-cursor",
        ),
        ("/api/v1/applications/abc", "invalid-id"),
    ] {
        problem(&app, Some(&token), path, 400, slug).await;
    }
    problem(
        &app,
        Some(&token),
        "/api/v1/applications/999999",
        404,
        "not-found",
    )
    .await;
    problem(&app, Some(&token), "/api/v1/nothing-here", 404, "http").await;

    // Expired.
    sqlx::query("UPDATE api_tokens SET expires_at = $1")
        .bind(jetdesk_store::now() - 1)
        .execute(&app.db)
        .await
        .unwrap();
    problem(&app, Some(&token), "/api/v1/applications", 401, "expired-token").await;

    // A cookie session is no credential on the API, and so the API needs no CSRF token: a POST
    // with a session cookie and no CSRF token reaches the router (405), not the CSRF refusal.
    let (client, _) = app.session_for(Some(coordinator)).await;
    let res = client.get(app.at("/api/v1/applications")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("set-cookie").is_none());
    let res = client.post(app.at("/api/v1/applications")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
});

on_both!(
    cursor_paging_returns_every_row_exactly_once,
    |app: TestApp| async move {
        let coordinator = app.create_user("coord@api.example", &[Role::Coordinator]).await;
        let token = token_for(&app, coordinator, &["applications:read"]).await;
        let round = jetdesk_testkit::open_round(&app).await;
        let mut made = Vec::new();
        for i in 0..7 {
            let user = app
                .create_user(&format!("p{i}@api.example"), &[Role::Applicant])
                .await;
            made.push(app.store.create_application(&round, user, "alt").await.unwrap());
        }
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/applications?round={}&limit=3", round.id);
        let mut pages = 0;
        let mut last_cursor = String::new();
        loop {
            let (status, _, body) = get(&app, Some(&token), &path).await;
            assert_eq!(status, 200, "{body}");
            pages += 1;
            for item in body["items"].as_array().unwrap() {
                seen.push(item["id"].as_i64().unwrap());
            }
            match body["next_cursor"].as_str() {
                Some(c) => {
                    last_cursor = c.to_string();
                    path = format!("/api/v1/applications?round={}&limit=3&cursor={c}", round.id);
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        made.sort();
        assert_eq!(seen, made, "every row once, in order");

        // A cursor changed by one character, or carried to another list, is refused.
        let mut tampered = last_cursor.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        problem(
            &app,
            Some(&token),
            &format!("/api/v1/applications?cursor={tampered}"),
            400,
            "invalid-cursor",
        )
        .await;
        let all = token_for(&app, coordinator, ALL_SCOPES).await;
        problem(
            &app,
            Some(&all),
            &format!("/api/v1/outcomes?cursor={last_cursor}"),
            400,
            "invalid-cursor",
        )
        .await;
    }
);

on_both!(each_token_has_its_own_rate_limit, |app: TestApp| async move {
    let coordinator = app.create_user("coord@api.example", &[Role::Coordinator]).await;
    let token = token_for(&app, coordinator, &["organisations:read"]).await;
    let other = token_for(&app, coordinator, &["organisations:read"]).await;
    sqlx::query("UPDATE api_tokens SET per_minute = 2")
        .execute(&app.db)
        .await
        .unwrap();
    // Two a minute: within six requests (even across a minute's edge) one is refused.
    let mut refused = false;
    for _ in 0..6 {
        let res = app
            .client()
            .get(app.at("/api/v1/organisations"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            assert!(res.headers().get("retry-after").is_some());
            refused = true;
            break;
        }
        assert_eq!(res.status(), 200);
    }
    assert!(refused, "the rate limit applies");
    let (status, _, _) = get(&app, Some(&other), "/api/v1/organisations").await;
    assert_eq!(status, 200, "another token has its own window");
});

on_both!(
    a_host_token_sees_only_its_own_organisation,
    |app: TestApp| async move {
        let host = app.create_user("host@api.example", &[Role::Host]).await;
        let mine = app
            .store
            .create_host_org("Mine City", "自市", "Iwate", "rural")
            .await
            .unwrap();
        let theirs = app
            .store
            .create_host_org("Their Town", "他町", "Aomori", "rural")
            .await
            .unwrap();
        app.store.add_host_member(mine, host).await.unwrap();
        let token = token_for(&app, host, ALL_SCOPES).await;
        problem(
            &app,
            Some(&token),
            "/api/v1/applications",
            403,
            "owner-not-permitted",
        )
        .await;
        problem(&app, Some(&token), "/api/v1/outcomes", 403, "owner-not-permitted").await;
        let (status, _, body) = get(&app, Some(&token), "/api/v1/organisations").await;
        assert_eq!(status, 200);
        let ids: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![mine]);
        problem(
            &app,
            Some(&token),
            &format!("/api/v1/organisations/{theirs}"),
            404,
            "not-found",
        )
        .await;
        let (status, _, _) = get(&app, Some(&token), &format!("/api/v1/organisations/{mine}")).await;
        assert_eq!(status, 200);
        // The account page offers a host only the scopes a host may use.
        let (client, _) = app.session_for(Some(host)).await;
        let html = client
            .get(app.at("/account/tokens"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"name="organisations:read""#));
        assert!(!html.contains(r#"name="applications:read""#));
        // An applicant has no token page.
        let applicant = app.create_user("a@api.example", &[Role::Applicant]).await;
        let (client, _) = app.session_for(Some(applicant)).await;
        let res = client.get(app.at("/account/tokens")).send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
);

/// Validates `body` against the schema the document gives for `op`'s `status` response.
fn check_against(doc: &Value, op: &Value, status: u16, ctype: &str, body: &Value, what: &str) {
    let response = &op["responses"][status.to_string()];
    assert!(response.is_object(), "{what}: status {status} is not documented");
    let content = &response["content"][ctype];
    assert!(
        content.is_object(),
        "{what}: {ctype} is not documented for {status}"
    );
    let mut schema = content["schema"].clone();
    schema["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {body} does not match: {errors:?}");
}

on_both!(openapi_describes_every_real_response, |app: TestApp| async move {
    // Data for every list: a round with an application, its outcome, an organisation, a post
    // and an offer.
    let coordinator = app.create_user("coord@api.example", &[Role::Coordinator]).await;
    let round = jetdesk_testkit::open_round(&app).await;
    let applicant = app.create_user("a@api.example", &[Role::Applicant]).await;
    let application = app
        .store
        .create_application(&round, applicant, "alt")
        .await
        .unwrap();
    let now = jetdesk_store::now();
    sqlx::query(
        "INSERT INTO outcomes (application_id, outcome, reasons, decided_by, decided_at, published_at)
         VALUES ($1, 'shortlisted', '', $2, $3, $3)",
    )
    .bind(application)
    .bind(coordinator)
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    let org = app
        .store
        .create_host_org("Mine City", "自市", "Iwate", "rural")
        .await
        .unwrap();
    let post: i64 = sqlx::query_scalar(
        "INSERT INTO placement_posts (org_id, position, places, school_levels, min_jlpt, driving_licence,
             notes, created_at, updated_at)
         VALUES ($1, 'alt', 2, 'junior_high,senior_high', '', 1, '', $2, $2) RETURNING id",
    )
    .bind(org)
    .bind(now)
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO placement_offers (round_id, application_id, post_id, offered_at, deadline_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(round.id)
    .bind(application)
    .bind(post)
    .bind(now)
    .bind(now + 7 * 86_400)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE applications SET state = 'placed' WHERE id = $1")
        .bind(application)
        .execute(&app.db)
        .await
        .unwrap();
    let token = token_for(&app, coordinator, ALL_SCOPES).await;
    let narrow = token_for(&app, coordinator, &["outcomes:read"]).await;

    // A decided but unpublished outcome is not served.
    let other = app.create_user("b@api.example", &[Role::Applicant]).await;
    let unpublished = app.store.create_application(&round, other, "cir").await.unwrap();
    sqlx::query(
        "INSERT INTO outcomes (application_id, outcome, reasons, decided_by, decided_at)
         VALUES ($1, 'unsuccessful', 'ranking', $2, $3)",
    )
    .bind(unpublished)
    .bind(coordinator)
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    let (status, _, body) = get(&app, Some(&token), "/api/v1/outcomes").await;
    assert_eq!(status, 200);
    let listed: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["application_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![application], "only published outcomes: {body}");

    let (status, ctype, doc) = get(&app, None, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/json"));
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 7);
    for (path, item) in paths {
        let op = &item["get"];
        let concrete = path
            .replace("/applications/{id}", &format!("/applications/{application}"))
            .replace("/organisations/{id}", &format!("/organisations/{org}"));
        let url = format!("/api/v1{concrete}");
        // Success, with at least one item in every list.
        let (status, ctype, body) = get(&app, Some(&token), &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        if let Some(items) = body.get("items") {
            assert!(!items.as_array().unwrap().is_empty(), "{url} lists something");
        }
        check_against(&doc, op, status, &ctype, &body, &url);
        // Every documented refusal, as the server really gives it.
        let (status, ctype, body) = get(&app, None, &url).await;
        assert_eq!(status, 401);
        check_against(&doc, op, status, &ctype, &body, &url);
        if !path.starts_with("/outcomes") {
            let (status, ctype, body) = get(&app, Some(&narrow), &url).await;
            assert_eq!(status, 403);
            check_against(&doc, op, status, &ctype, &body, &url);
        }
        let bad = if path.contains("{id}") {
            url.replace(&format!("/{application}"), "/x")
                .replace(&format!("/{org}"), "/x")
        } else {
            format!("{url}?limit=500")
        };
        let (status, ctype, body) = get(&app, Some(&token), &bad).await;
        assert_eq!(status, 400, "{bad}");
        check_against(&doc, op, status, &ctype, &body, &bad);
        if path.contains("{id}") {
            let missing = url
                .replace(&format!("/{application}"), "/987654")
                .replace(&format!("/{org}"), "/987654");
            let (status, ctype, body) = get(&app, Some(&token), &missing).await;
            assert_eq!(status, 404);
            check_against(&doc, op, status, &ctype, &body, &missing);
        }
    }
    sqlx::query("UPDATE api_tokens SET per_minute = 0")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, ctype, body) = get(&app, Some(&token), "/api/v1/organisations").await;
    assert_eq!(status, 429);
    check_against(
        &doc,
        &paths["/organisations"]["get"],
        status,
        &ctype,
        &body,
        "429",
    );
});
