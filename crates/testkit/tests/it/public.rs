//! The public site: pages, languages, headers, health, errors.

use jetdesk_testkit::{Backend, TestApp};

const PAGES: &[&str] = &[
    "/",
    "/about",
    "/positions",
    "/positions/alt",
    "/positions/cir",
    "/positions/sea",
    "/eligibility",
    "/pay-and-conditions",
    "/japanese-evaluation",
];

on_both!(
    every_public_page_renders_with_its_title_and_security_headers,
    |app: TestApp| async move {
        let client = app.client();
        for path in PAGES {
            let res = client.get(app.at(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let h = res.headers().clone();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
                "{path}: {csp}"
            );
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(h.contains_key("referrer-policy"));
            assert!(
                h.get("set-cookie").is_none(),
                "{path}: reading a public page must not start a session"
            );
            let body = res.text().await.unwrap();
            assert!(
                body.contains("<title>") && body.contains("– JET Programme UK</title>"),
                "{path}"
            );
            assert!(body.contains("class=\"skip-link\" href=\"#main\""), "{path}");
            assert!(!body.contains("<script>"), "{path}: no inline script");
        }
    }
);

on_both!(
    hsts_is_sent_on_every_response_only_when_served_over_https,
    |app: TestApp| async move {
        // Some pages, an error page, the health check and a static file.
        const PATHS: &[&str] = &["/", "/login", "/no-such-page", "/healthz", "/static/app.js"];
        // Local development over plain http (no base URL): no HSTS, which would pin the browser
        // to an https://127.0.0.1 that does not exist.
        for path in PATHS {
            let res = app.client().get(app.at(path)).send().await.unwrap();
            assert!(
                res.headers().get("strict-transport-security").is_none(),
                "{path}: HSTS over plain http"
            );
        }
        // Behind a TLS-terminating proxy (an https base URL, same backend): HSTS on everything.
        let backend = match app.store.backend() {
            jetdesk_store::Backend::Sqlite => Backend::Sqlite,
            jetdesk_store::Backend::Postgres => Backend::Postgres,
        };
        let https = TestApp::spawn_with(backend, |c| {
            c.base_url = Some("https://jet.example.org".into());
        })
        .await
        .unwrap();
        for path in PATHS {
            let res = https.client().get(https.at(path)).send().await.unwrap();
            assert_eq!(
                res.headers()
                    .get("strict-transport-security")
                    .map(|v| v.to_str().unwrap()),
                Some("max-age=31536000; includeSubDomains"),
                "{path}"
            );
        }
        // And an explicitly http base URL sends none either.
        let http = TestApp::spawn_with(backend, |c| {
            c.base_url = Some("http://jet.internal:8080".into());
        })
        .await
        .unwrap();
        let res = http.client().get(http.at("/")).send().await.unwrap();
        assert!(res.headers().get("strict-transport-security").is_none());
    }
);

on_both!(
    the_cir_page_explains_the_japanese_requirement,
    |app: TestApp| async move {
        let body = app
            .client()
            .get(app.at("/positions/cir"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("JLPT N2"));
        assert!(body.contains("do not need a JLPT certificate"));
        assert!(body.contains("held <strong>in Japanese</strong>"));
        assert!(body.contains("href=\"/japanese-evaluation\""));
    }
);

on_both!(
    accept_language_ja_gives_the_japanese_interface,
    |app: TestApp| async move {
        let client = app.client();
        let body = client
            .get(app.at("/positions"))
            .header("accept-language", "ja-JP,ja;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("<html lang=\"ja\">"));
        assert!(body.contains("ログイン"));
        assert!(
            body.contains("hreflang=\"en\""),
            "offers the switch back to English"
        );
    }
);

on_both!(
    the_language_switch_persists_across_pages,
    |app: TestApp| async move {
        let client = app.client();
        let res = client
            .get(app.at("/language?lang=ja&next=%2Feligibility"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/eligibility");
        let body = client
            .get(app.at("/about"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("<html lang=\"ja\">"), "the cookie keeps Japanese");
        // An English browser still sees Japanese once chosen.
        let body = client
            .get(app.at("/"))
            .header("accept-language", "en-GB")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("<html lang=\"ja\">"));
        let res = client
            .get(app.at("/language?lang=en&next=https://evil.example/"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "an off-site next is not followed");
        let res = client.get(app.at("/language?lang=klingon")).send().await.unwrap();
        assert_eq!(res.status(), 400);
    }
);

on_both!(a_missing_page_is_a_styled_404, |app: TestApp| async move {
    let res = app.client().get(app.at("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().contains_key("content-security-policy"));
    let body = res.text().await.unwrap();
    assert!(body.contains("Page not found") && body.contains("site.css"));
});

on_both!(healthz_reports_the_database, |app: TestApp| async move {
    let client = app.client();
    let res = client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    app.store.close().await;
    let res = client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
});

on_both!(a_wrong_method_is_a_page_not_a_crash, |app: TestApp| async move {
    let (client, csrf) = app.session_for(None).await;
    let res = client
        .post(app.at("/about"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("not available"));
});

on_both!(
    static_files_are_served_with_their_types,
    |app: TestApp| async move {
        let client = app.client();
        for (path, kind) in [
            ("/static/site.css", "text/css"),
            ("/static/app.js", "text/javascript"),
            ("/static/favicon.svg", "image/svg+xml"),
        ] {
            let res = client.get(app.at(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert!(
                res.headers()["content-type"].to_str().unwrap().starts_with(kind),
                "{path}"
            );
        }
        assert_eq!(
            client
                .get(app.at("/static/../Cargo.toml"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
);

on_both!(
    the_eligibility_check_answers_with_the_rules_reasons,
    |app: TestApp| async move {
        let client = app.client();
        let get = |query: &'static str| {
            let client = client.clone();
            let url = app.at(&format!("/eligibility/check{query}"));
            async move { client.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let form = get("").await;
        assert!(form.contains("Am I eligible?") && !form.contains("From your answers"));
        let ok = get("?position=cir&british=yes&degree=expected&degree_date=2027-06-30&former_jet=no&declined=no&months_in_japan=3&jlpt=N2").await;
        assert!(ok.contains("you appear to be eligible"), "{ok}");
        let not_british = get("?position=alt&british=no&degree=awarded&degree_date=2024-07-01&former_jet=no&declined=no&months_in_japan=0").await;
        assert!(not_british.contains("you are not eligible this year") && not_british.contains("British"));
        let late_degree = get("?position=alt&british=yes&degree=expected&degree_date=2027-09-30&teacher_training=no&former_jet=no&declined=no&months_in_japan=0").await;
        assert!(
            late_degree.contains("you are not eligible this year") && late_degree.contains("31 July"),
            "{late_degree}"
        );
        let garbage = get("?position=%3Cscript%3E&months_in_japan=lots&jlpt=N9").await;
        assert!(garbage.contains("some points will be checked") && !garbage.contains("<script>"));
    }
);
