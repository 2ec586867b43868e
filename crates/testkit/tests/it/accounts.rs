//! Accounts: sign-up, verification, sign-in and out, reset, password change, rate limits, bad input.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, link_in, TestApp, PASSWORD};

async fn form_page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let page = client
        .get(app.at(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_from(&page)
}

async fn sign_up(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    email: &str,
    pw: &str,
) -> reqwest::Response {
    let csrf = form_page(app, client, "/signup").await;
    client
        .post(app.at("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", name),
            ("email", email),
            ("password", pw),
            ("password_confirm", pw),
        ])
        .send()
        .await
        .unwrap()
}

async fn try_login(app: &TestApp, client: &reqwest::Client, email: &str, pw: &str) -> reqwest::Response {
    let csrf = form_page(app, client, "/login").await;
    client
        .post(app.at("/login"))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", pw)])
        .send()
        .await
        .unwrap()
}

on_both!(sign_up_verify_sign_in_and_out, |app: TestApp| async move {
    let client = app.client();
    let res = sign_up(&app, &client, "Ann Lee", "Ann.Lee@Example.ac.uk", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("ann.lee@example.ac.uk"));

    // Not verified yet: sign-in is refused with a way to get a new link.
    let res = try_login(&app, &client, "ann.lee@example.ac.uk", PASSWORD).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Confirm your email address") && body.contains("/verify/resend"));

    let mail = &app.mails_to("ann.lee@example.ac.uk", 1).await[0];
    assert!(mail.contains("Hello Ann Lee"));
    let link = link_in(mail, &format!("{}/verify/", app.url));
    let res = client.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?notice=verified");
    // The link works once.
    let res = client.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("already been used"));

    let res = try_login(&app, &client, "ANN.LEE@example.ac.uk", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: no Secure flag");
    let account = client.get(app.at("/account")).send().await.unwrap();
    assert_eq!(account.headers()["cache-control"], "no-store");
    let account = account.text().await.unwrap();
    assert!(account.contains("Ann Lee") && account.contains("Applicant"));

    let csrf = csrf_from(&account);
    let res = client
        .post(app.at("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = client.get(app.at("/account")).send().await.unwrap();
    assert_eq!(res.status(), 303, "signed out: the account page asks to sign in");
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
});

on_both!(signing_in_starts_a_new_session, |app: TestApp| async move {
    app.create_user("fixation@example.org", &[Role::Applicant]).await;
    let client = app.client();
    let page = client.get(app.at("/login")).send().await.unwrap();
    let before = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_from(&page.text().await.unwrap());
    let res = client
        .post(app.at("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "fixation@example.org"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let after = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(before, after, "the pre-login session id must not survive sign-in");
    // The old token is gone from the database.
    let old_token = before.trim_start_matches("jetdesk_session=");
    let hash = jetdesk_web::security::token_hash(old_token);
    assert!(app.store.session(&hash).await.unwrap().is_none());
});

on_both!(
    bad_sign_up_input_is_explained_and_kept,
    |app: TestApp| async move {
        let client = app.client();
        let long_name = "x".repeat(101);
        let res = sign_up(&app, &client, &long_name, "not-an-email", "short").await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("There is a problem"));
        assert!(body.contains("href=\"#display_name\"") && body.contains("Must be 100 characters or fewer"));
        assert!(body.contains("href=\"#email\"") && body.contains("correct format"));
        assert!(body.contains("Password must be at least 12 characters"));
        assert!(body.contains("value=\"not-an-email\""), "the input is kept");

        let res = sign_up(&app, &client, "Bad\u{1b}[31mName", "ok@example.org", PASSWORD).await;
        assert!(res.text().await.unwrap().contains("control characters"));

        // HTML is stored as text and escaped on the way out.
        let res = sign_up(&app, &client, "<script>alert(1)</script>", "x@y", PASSWORD).await;
        let body = res.text().await.unwrap();
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&#60;script&#62;"));
        assert!(!body.contains("<script>alert(1)"));

        // Mismatched confirmation.
        let csrf = form_page(&app, &client, "/signup").await;
        let res = client
            .post(app.at("/signup"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("display_name", "A"),
                ("email", "a@example.org"),
                ("password", PASSWORD),
                ("password_confirm", "different password"),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains("The passwords do not match"));

        // A body that is not a form at all is a 400 page, not a 500.
        let res = client
            .post(app.at("/signup"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-csrf-token", csrf.as_str())
            .body("display_name=%ZZ&&&=")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
    }
);

on_both!(
    a_duplicate_sign_up_is_refused_clearly,
    |app: TestApp| async move {
        app.create_user("taken@example.org", &[Role::Applicant]).await;
        let res = sign_up(&app, &app.client(), "Someone", "Taken@example.org", PASSWORD).await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("An account with this email address already exists"));
    }
);

on_both!(
    a_post_without_the_csrf_token_is_refused,
    |app: TestApp| async move {
        let client = app.client();
        let _ = form_page(&app, &client, "/login").await;
        let res = client
            .post(app.at("/login"))
            .form(&[("email", "a@b.co"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("This form has expired"));
        let res = client
            .post(app.at("/login"))
            .form(&[("csrf", "forged"), ("email", "a@b.co"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        // No session at all.
        let res = app
            .client()
            .post(app.at("/login"))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
);

on_both!(sign_in_is_rate_limited_per_account, |app: TestApp| async move {
    app.create_user("target@example.org", &[Role::Applicant]).await;
    let client = app.client();
    for _ in 0..5 {
        let res = try_login(&app, &client, "target@example.org", "wrong password!").await;
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("email address or password is incorrect"));
    }
    let res = try_login(&app, &client, "target@example.org", PASSWORD).await;
    assert_eq!(res.status(), 429, "locked even with the right password");
    assert!(res.text().await.unwrap().contains("Wait 15 minutes"));
    // Another account from the same address is not locked.
    app.create_user("other@example.org", &[Role::Applicant]).await;
    assert_eq!(
        try_login(&app, &client, "other@example.org", PASSWORD)
            .await
            .status(),
        303
    );
});

on_both!(sign_in_is_rate_limited_per_address, |app: TestApp| async move {
    let client = app.client();
    for i in 0..30 {
        let res = try_login(
            &app,
            &client,
            &format!("nobody{i}@example.org"),
            "wrong password!",
        )
        .await;
        assert_eq!(res.status(), 422);
    }
    let res = try_login(&app, &client, "nobody-else@example.org", "wrong password!").await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("from your network"));
});

on_both!(
    a_forgotten_password_is_reset_by_a_single_use_link,
    |app: TestApp| async move {
        app.create_user("forgetful@example.org", &[Role::Applicant]).await;
        let client = app.client();
        let csrf = form_page(&app, &client, "/password/forgot").await;
        let res = client
            .post(app.at("/password/forgot"))
            .form(&[("csrf", csrf.as_str()), ("email", "forgetful@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let mail = &app.mails_to("forgetful@example.org", 1).await[0];
        let link = link_in(mail, &format!("{}/password/reset/", app.url));

        let page = client.get(&link).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_from(&page);
        let res = client
            .post(&link)
            .form(&[
                ("csrf", csrf.as_str()),
                ("password", "short"),
                ("password_confirm", "short"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "a bad new password keeps the link usable");
        let new_pw = "a brand new passphrase";
        let res = client
            .post(&link)
            .form(&[
                ("csrf", csrf.as_str()),
                ("password", new_pw),
                ("password_confirm", new_pw),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(
            try_login(&app, &app.client(), "forgetful@example.org", PASSWORD)
                .await
                .status(),
            422
        );
        assert_eq!(
            try_login(&app, &app.client(), "forgetful@example.org", new_pw)
                .await
                .status(),
            303
        );

        let res = client.get(&link).send().await.unwrap();
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("already been used"));
        let res = client
            .get(app.at("/password/reset/not-a-real-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("not valid"));
    }
);

on_both!(an_expired_reset_link_is_refused, |app: TestApp| async move {
    app.create_user("late@example.org", &[Role::Applicant]).await;
    let client = app.client();
    let csrf = form_page(&app, &client, "/password/forgot").await;
    client
        .post(app.at("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "late@example.org")])
        .send()
        .await
        .unwrap();
    let mail = &app.mails_to("late@example.org", 1).await[0];
    let link = link_in(mail, &format!("{}/password/reset/", app.url));
    sqlx::query("UPDATE email_tokens SET expires_at = 0")
        .execute(&app.db)
        .await
        .unwrap();
    let res = client.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("expired"));
});

on_both!(
    a_reset_request_does_not_reveal_accounts_and_is_limited,
    |app: TestApp| async move {
        let client = app.client();
        let csrf = form_page(&app, &client, "/password/forgot").await;
        let res = client
            .post(app.at("/password/forgot"))
            .form(&[("csrf", csrf.as_str()), ("email", "ghost@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("If ghost@example.org has an account"));
        for _ in 0..2 {
            client
                .post(app.at("/password/forgot"))
                .form(&[("csrf", csrf.as_str()), ("email", "ghost@example.org")])
                .send()
                .await
                .unwrap();
        }
        let res = client
            .post(app.at("/password/forgot"))
            .form(&[("csrf", csrf.as_str()), ("email", "ghost@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.text().await.unwrap().contains("Wait an hour"));
    }
);

on_both!(
    changing_the_password_signs_out_other_sessions,
    |app: TestApp| async move {
        let id = app.create_user("mover@example.org", &[Role::Applicant]).await;
        let (other_device, _) = app.session_for(Some(id)).await;
        assert_eq!(
            other_device
                .get(app.at("/account"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        let client = app.client();
        app.sign_in(&client, "mover@example.org", PASSWORD).await;
        let csrf = form_page(&app, &client, "/account/password").await;
        let res = client
            .post(app.at("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", "wrong one"),
                ("password", "new passphrase 1"),
                ("password_confirm", "new passphrase 1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("current password is incorrect"));
        let res = client
            .post(app.at("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", PASSWORD),
                ("password", "new passphrase 1"),
                ("password_confirm", "new passphrase 1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(
            client.get(app.at("/account")).send().await.unwrap().status(),
            200,
            "this session stays"
        );
        assert_eq!(
            other_device
                .get(app.at("/account"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "others end"
        );
        let mails = app.mails_to("mover@example.org", 1).await;
        assert!(
            mails[0].contains("password was changed")
                || mails[0].contains("password of your JET Programme account was just changed")
        );
    }
);

on_both!(sign_in_returns_to_the_page_asked_for, |app: TestApp| async move {
    app.create_user("returner@example.org", &[Role::Applicant]).await;
    let client = app.client();
    let res = client.get(app.at("/account/password")).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/login?next=%2Faccount%2Fpassword");
    let page = client
        .get(app.at(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"next\" value=\"/account/password\""));
    let csrf = csrf_from(&page);
    let res = client
        .post(app.at("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "returner@example.org"),
            ("password", PASSWORD),
            ("next", "/account/password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account/password");
});

on_both!(
    common_passwords_are_refused_next_to_the_field,
    |app: TestApp| async move {
        // Sign-up: a breached/common password of 12+ characters, and a variant of one.
        let client = app.client();
        for common in ["password1234", "Football2024!"] {
            let res = sign_up(&app, &client, "Common", "common@example.org", common).await;
            assert_eq!(res.status(), 422, "{common} was accepted");
            let body = res.text().await.unwrap();
            let field = body
                .split("id=\"password-error\"")
                .nth(1)
                .expect("error beside the field");
            assert!(field.contains("too easy to guess"), "{body}");
            assert!(body.contains("href=\"#password\""), "and in the summary");
        }
        assert!(app
            .store
            .user_by_email("common@example.org")
            .await
            .unwrap()
            .is_none());
        // The same in Japanese.
        let csrf = form_page(&app, &client, "/signup").await;
        let res = client
            .post(app.at("/signup"))
            .header("accept-language", "ja")
            .form(&[
                ("csrf", csrf.as_str()),
                ("display_name", "Common"),
                ("email", "common@example.org"),
                ("password", "qwertyuiop123"),
                ("password_confirm", "qwertyuiop123"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body
            .split("id=\"password-error\"")
            .nth(1)
            .unwrap()
            .contains("推測されやすすぎます"));

        // Changing the password refuses one too; a passphrase is fine.
        app.create_user("changer@example.org", &[Role::Applicant]).await;
        app.sign_in(&client, "changer@example.org", PASSWORD).await;
        let csrf = form_page(&app, &client, "/account/password").await;
        let change = |new: &'static str| {
            let (client, csrf, url) = (client.clone(), csrf.clone(), app.at("/account/password"));
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("current_password", PASSWORD),
                        ("password", new),
                        ("password_confirm", new),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = change("sunshine1234").await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body
            .split("id=\"password-error\"")
            .nth(1)
            .unwrap()
            .contains("too easy to guess"));
        assert_eq!(change("new passphrase 1").await.status(), 303);
    }
);
