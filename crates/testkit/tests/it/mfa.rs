//! Two-step verification: enrolment, the code step of sign-in, replay and recovery codes, switching
//! it off, the admin's reset, `require_staff_mfa`, and the secret sealed at rest with the server key
//! (what the database holds, secrets from before encryption, a wrong key). Codes are computed here
//! with `totp-rs` from the secret the enrolment page shows, independently of the app's own code.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, Backend, TestApp, PASSWORD};
use jetdesk_web::{Application, Config};
use std::path::Path;

/// Like `on_both!`, with `require_staff_mfa` switched on.
macro_rules! on_both_mfa {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = spawn(Backend::Sqlite).await {
                    ($body)(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn(Backend::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| c.require_staff_mfa = true).await
}

fn now() -> u64 {
    u64::try_from(jetdesk_store::now()).unwrap()
}

/// The code of `secret` (base32) at Unix time `at`.
fn code_at(secret: &str, at: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "test".into())
        .unwrap()
        .generate(at)
}

/// A six-digit code that is none of the codes valid around now.
fn wrong_code(secret: &str) -> String {
    let t = now();
    let valid: Vec<String> = (0..5).map(|i| code_at(secret, t - 60 + i * 30)).collect();
    (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

async fn text(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The text of the element with this id (`<code id="mfa-secret">…</code>`).
fn element(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).map(|i| i + marker.len()).expect(id);
    html[start..].split('<').next().unwrap().to_string()
}

async fn csrf_of(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    csrf_from(&text(client.get(app.at(path)).send().await.unwrap()).await)
}

/// Starts an enrolment for the signed-in `client`; returns the secret shown.
async fn start_enrolment(app: &TestApp, client: &reqwest::Client) -> String {
    let csrf = csrf_of(app, client, "/account/mfa").await;
    let res = client
        .post(app.at("/account/mfa/setup"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = text(res).await;
    assert!(page.contains("data:image/svg+xml;base64,"), "no QR code");
    assert!(element(&page, "mfa-uri").starts_with("otpauth://totp/"));
    element(&page, "mfa-secret")
}

async fn confirm(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = csrf_of(app, client, "/account/mfa").await;
    client
        .post(app.at("/account/mfa/confirm"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

/// Enrols the signed-in `client` with a right code; returns the secret and the recovery codes.
async fn enrol(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let secret = start_enrolment(app, client).await;
    let res = confirm(app, client, &code_at(&secret, now())).await;
    assert_eq!(res.status(), 200);
    (secret, recovery_codes_on(&text(res).await))
}

/// The ten recovery codes a page shows.
fn recovery_codes_on(page: &str) -> Vec<String> {
    let list = page.split("id=\"recovery-codes\"").nth(1).unwrap();
    let list = list.split("</ul>").next().unwrap();
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    codes
}

/// A new applicant with two-step verification on: id, secret and recovery codes.
async fn enrolled_applicant(app: &TestApp, email: &str) -> (i64, String, Vec<String>) {
    let id = app.create_user(email, &[Role::Applicant]).await;
    let (client, _) = app.session_for(Some(id)).await;
    let (secret, codes) = enrol(app, &client).await;
    (id, secret, codes)
}

/// Posts the password; for an account with two-step verification the answer is the code step.
async fn password_step(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    let csrf = csrf_of(app, client, "/login").await;
    client
        .post(app.at("/login"))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
}

async fn code_step(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = csrf_of(app, client, "/login/code").await;
    client
        .post(app.at("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", code)])
        .send()
        .await
        .unwrap()
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    client.get(app.at("/account")).send().await.unwrap().status() == 200
}

async fn actions(app: &TestApp, user_id: i64) -> Vec<(Option<i64>, String)> {
    app.store
        .audit_for(&format!("user:{user_id}"), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor_user_id, e.action))
        .collect()
}

/// The user's TOTP secret as the database holds it.
async fn stored_secret(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar("SELECT secret FROM user_mfa WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn set_stored_secret(app: &TestApp, user_id: i64, secret: &str) {
    sqlx::query("UPDATE user_mfa SET secret = $1 WHERE user_id = $2")
        .bind(secret)
        .bind(user_id)
        .execute(&app.db)
        .await
        .unwrap();
}

/// What a restart does: builds (without serving) another jetdesk on the test's database, with
/// this key setting and data dir. `Err` is the whole error message.
async fn restart_with(app: &TestApp, secret_key: Option<String>, data_dir: &Path) -> Result<(), String> {
    let mut config = Config::for_data_dir(data_dir.to_path_buf());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.database = Some(app.database_url.clone());
    config.secret_key = secret_key;
    let built = Application::build(config).await.map_err(|e| format!("{e:#}"))?;
    built.state().store.close().await;
    Ok(())
}

/// Whether the stored form is sealed and does not hold `secret` in clear.
fn sealed_without(stored: &str, secret: &str) -> bool {
    stored.starts_with("v1:") && !stored.to_uppercase().contains(&secret.to_uppercase())
}

on_both_mfa!(
    enrolment_needs_a_right_code_and_sign_in_then_needs_the_code,
    |app: TestApp| async move {
        let email = "ann@example.org";
        let id = app.create_user(email, &[Role::Applicant]).await;
        let client = app.client();
        app.sign_in(&client, email, PASSWORD).await;

        // A wrong code leaves it off, with the message beside the field.
        let secret = start_enrolment(&app, &client).await;
        let res = confirm(&app, &client, &wrong_code(&secret)).await;
        assert_eq!(res.status(), 422);
        let page = text(res).await;
        assert!(page.contains("id=\"code-error\""), "{page}");
        assert!(page.contains("The code is not right"));
        assert!(!app.store.mfa_enabled(id).await.unwrap());
        // The right code switches it on (the same pending secret is shown again after the error).
        assert_eq!(element(&page, "mfa-secret"), secret);
        let res = confirm(&app, &client, &code_at(&secret, now())).await;
        assert_eq!(res.status(), 200);
        assert!(app.store.mfa_enabled(id).await.unwrap());
        assert!(actions(&app, id).await.contains(&(Some(id), "mfa.enrol".into())));

        // Sign-in now takes two steps; the password alone signs nobody in.
        let other = app.client();
        let res = password_step(&app, &other, email).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login/code");
        assert!(!signed_in(&app, &other).await);
        // A wrong code is refused and still signs nobody in.
        let res = code_step(&app, &other, &wrong_code(&secret)).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("The code is not right"));
        assert!(!signed_in(&app, &other).await);
        // The next step's code (the enrolment used this step's) signs in.
        let code = code_at(&secret, now() + 30);
        let res = code_step(&app, &other, &code).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/account");
        assert!(signed_in(&app, &other).await);

        // The same code again, in a third browser, is a replay: refused.
        let third = app.client();
        password_step(&app, &third, email).await;
        let res = code_step(&app, &third, &code).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("already been used"));
        assert!(!signed_in(&app, &third).await);
        // So is the older code that switched it on.
        let res = code_step(&app, &third, &code_at(&secret, now())).await;
        assert_eq!(res.status(), 422);
        assert!(!signed_in(&app, &third).await);
    }
);

on_both_mfa!(wrong_codes_lock_the_code_step, |app: TestApp| async move {
    let email = "locked@example.org";
    let (_, secret, _) = enrolled_applicant(&app, email).await;
    let other = app.client();
    password_step(&app, &other, email).await;
    for _ in 0..5 {
        assert_eq!(code_step(&app, &other, &wrong_code(&secret)).await.status(), 422);
    }
    // Even the right code is refused now.
    let res = code_step(&app, &other, &code_at(&secret, now() + 30)).await;
    assert_eq!(res.status(), 429);
    assert!(text(res).await.contains("Too many wrong codes"));
    assert!(!signed_in(&app, &other).await);
});

on_both_mfa!(a_recovery_code_works_once, |app: TestApp| async move {
    let email = "lost.phone@example.org";
    let (id, _, codes) = enrolled_applicant(&app, email).await;

    let first = app.client();
    password_step(&app, &first, email).await;
    // Typed in capitals and without the dash: still the same code.
    let typed = codes[3].to_uppercase().replace('-', "");
    let res = code_step(&app, &first, &typed).await;
    assert_eq!(res.status(), 303);
    assert!(signed_in(&app, &first).await);
    let audit = app.store.audit_for(&format!("user:{id}"), 10).await.unwrap();
    let used = audit
        .iter()
        .find(|e| e.action == "mfa.recovery_code_used")
        .unwrap();
    assert_eq!(used.after_value.as_deref(), Some("9 left"));

    let second = app.client();
    password_step(&app, &second, email).await;
    let res = code_step(&app, &second, &codes[3]).await;
    assert_eq!(res.status(), 422);
    assert!(!signed_in(&app, &second).await);
    // Another one still works.
    assert_eq!(code_step(&app, &second, &codes[4]).await.status(), 303);
    assert!(signed_in(&app, &second).await);
});

on_both_mfa!(
    switching_off_needs_the_password_and_a_code,
    |app: TestApp| async move {
        let email = "switch@example.org";
        let id = app.create_user(email, &[Role::Applicant]).await;
        let (client, csrf) = app.session_for(Some(id)).await;
        let (secret, _) = enrol(&app, &client).await;
        let disable = |password: &'static str, code: String| {
            let (client, csrf, url) = (client.clone(), csrf.clone(), app.at("/account/mfa/disable"));
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("current_password", password),
                        ("code", code.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = disable("wrong password!", code_at(&secret, now() + 30)).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("current password is incorrect"));
        let res = disable(PASSWORD, wrong_code(&secret)).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("id=\"code-error\""));
        assert!(app.store.mfa_enabled(id).await.unwrap());
        let res = disable(PASSWORD, code_at(&secret, now() + 30)).await;
        assert_eq!(res.status(), 303);
        assert!(!app.store.mfa_enabled(id).await.unwrap());
        assert!(actions(&app, id)
            .await
            .contains(&(Some(id), "mfa.disable".into())));
        // Signing in is one step again.
        let other = app.client();
        let res = password_step(&app, &other, email).await;
        assert_eq!(location(&res), "/account");
    }
);

on_both_mfa!(
    staff_without_mfa_are_sent_to_enrol_and_applicants_are_not,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let email = "coordinator@example.org";
        app.create_user(email, &[Role::Coordinator]).await;
        let client = app.client();
        // Signing in leads to the enrolment page rather than where the coordinator was going.
        let res = password_step(&app, &client, email).await;
        assert_eq!(location(&res), "/account/mfa?required=1");
        // Every staff route refuses until enrolled, GET or POST.
        let res = client.get(app.at("/staff/applications")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/account/mfa?required=1");
        let csrf = csrf_of(&app, &client, "/account").await;
        let res = client
            .post(app.at(&format!("/staff/selection/{}/settings", round.id)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/account/mfa?required=1");
        let page = text(
            client
                .get(app.at("/account/mfa?required=1"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page.contains("id=\"mfa-required\""), "{page}");
        // Their own account pages still work.
        assert!(signed_in(&app, &client).await);

        // An applicant is not asked.
        let applicant = app.client();
        app.create_user("applicant@example.org", &[Role::Applicant]).await;
        let res = password_step(&app, &applicant, "applicant@example.org").await;
        assert_eq!(location(&res), "/account");
        assert_eq!(
            applicant.get(app.at("/apply")).send().await.unwrap().status(),
            200
        );

        // Once enrolled, the staff list opens.
        let (secret, _) = enrol(&app, &client).await;
        let res = client.get(app.at("/staff/applications")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        // And the next sign-in asks for the code, then goes where it was going.
        let again = app.client();
        password_step(&app, &again, email).await;
        let res = code_step(&app, &again, &code_at(&secret, now() + 30)).await;
        assert_eq!(location(&res), "/account");
        assert_eq!(
            again
                .get(app.at("/staff/applications"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
);

on_both_mfa!(
    an_admin_resets_mfa_audited_and_other_roles_cannot,
    |app: TestApp| async move {
        let (user, _, _) = enrolled_applicant(&app, "phone.lost@example.org").await;
        let admin = app.create_user("admin@example.org", &[Role::Admin]).await;
        let coordinator = app.create_user("coord@example.org", &[Role::Coordinator]).await;
        let (admin_client, admin_csrf) = app.session_for(Some(admin)).await;
        let (coordinator_client, coordinator_csrf) = app.session_for(Some(coordinator)).await;
        // Staff must have it themselves before any reset (require_staff_mfa is on).
        let reset = format!("/admin/users/{user}/mfa/reset");
        let res = admin_client
            .post(app.at(&reset))
            .form(&[("csrf", admin_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/account/mfa?required=1");
        assert!(app.store.mfa_enabled(user).await.unwrap());
        enrol(&app, &admin_client).await;
        enrol(&app, &coordinator_client).await;

        // A coordinator is not an admin.
        let res = coordinator_client
            .post(app.at(&reset))
            .form(&[("csrf", coordinator_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(app.store.mfa_enabled(user).await.unwrap());

        // The admin sees it on and resets it.
        let page = text(
            admin_client
                .get(app.at(&format!("/admin/users/{user}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page.contains(&format!("action=\"{reset}\"")));
        let res = admin_client
            .post(app.at(&reset))
            .form(&[("csrf", admin_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/admin/users/{user}?notice=mfa-reset"));
        assert!(!app.store.mfa_enabled(user).await.unwrap());
        assert!(actions(&app, user)
            .await
            .contains(&(Some(admin), "mfa.reset".into())));
        let mails = app.mails_to("phone.lost@example.org", 2).await;
        assert!(mails
            .iter()
            .any(|m| m.contains("An administrator has reset two-step verification")));
        // Without the CSRF token nothing happens.
        let res = admin_client.post(app.at(&reset)).send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
);

on_both_mfa!(totp_secrets_are_sealed_at_rest, |app: TestApp| async move {
    let email = "sealed@example.org";
    let id = app.create_user(email, &[Role::Applicant]).await;
    let (client, _) = app.session_for(Some(id)).await;
    // Sealed from the pending enrolment on: the database never holds the secret in clear.
    let secret = start_enrolment(&app, &client).await;
    let pending = stored_secret(&app, id).await;
    assert!(sealed_without(&pending, &secret), "{pending}");
    assert_eq!(
        confirm(&app, &client, &code_at(&secret, now())).await.status(),
        200
    );
    assert!(app.store.mfa_enabled(id).await.unwrap());
    let stored = stored_secret(&app, id).await;
    assert!(sealed_without(&stored, &secret), "{stored}");
    // The key is a file in the data dir that only its owner can read.
    let key_file = app.data_dir.join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!stored.contains(std::fs::read_to_string(&key_file).unwrap().trim()));
    // Signing in with a code still works, and so does a restart with the same key.
    let other = app.client();
    password_step(&app, &other, email).await;
    assert_eq!(
        code_step(&app, &other, &code_at(&secret, now() + 30))
            .await
            .status(),
        303
    );
    assert!(signed_in(&app, &other).await);
    restart_with(&app, None, &app.data_dir).await.unwrap();
});

on_both_mfa!(
    secrets_from_before_encryption_still_work_and_are_sealed,
    |app: TestApp| async move {
        // Two accounts whose rows hold base32, as a jetdesk from before encryption wrote them.
        let (ann, ann_secret, _) = enrolled_applicant(&app, "ann.legacy@example.org").await;
        let (bob, bob_secret, _) = enrolled_applicant(&app, "bob.legacy@example.org").await;
        set_stored_secret(&app, ann, &ann_secret).await;
        set_stored_secret(&app, bob, &bob_secret).await;

        // Ann's is read at her sign-in: her code works, and that read seals it.
        let client = app.client();
        password_step(&app, &client, "ann.legacy@example.org").await;
        let res = code_step(&app, &client, &code_at(&ann_secret, now() + 30)).await;
        assert_eq!(res.status(), 303);
        assert!(signed_in(&app, &client).await);
        assert!(sealed_without(&stored_secret(&app, ann).await, &ann_secret));

        // Bob's is sealed by the next start, with the same key; then his code still works.
        assert_eq!(stored_secret(&app, bob).await, bob_secret);
        restart_with(&app, None, &app.data_dir).await.unwrap();
        assert!(sealed_without(&stored_secret(&app, bob).await, &bob_secret));
        let client = app.client();
        password_step(&app, &client, "bob.legacy@example.org").await;
        let res = code_step(&app, &client, &code_at(&bob_secret, now() + 30)).await;
        assert_eq!(res.status(), 303);
        assert!(signed_in(&app, &client).await);
    }
);

on_both_mfa!(
    a_wrong_server_key_is_a_clear_error_not_a_panic,
    |app: TestApp| async move {
        let (ann, ann_secret, _) = enrolled_applicant(&app, "ann.key@example.org").await;
        let (bob, _, bob_codes) = enrolled_applicant(&app, "bob.key@example.org").await;

        // Another key: the start stops, saying where the key came from and whose secrets.
        let err = restart_with(&app, Some("ab".repeat(32)), &app.data_dir)
            .await
            .unwrap_err();
        assert!(
            err.contains("do not open with the server key from JETDESK_SECRET_KEY")
                && err.contains(&format!("users {ann}, {bob}")),
            "{err}"
        );
        // A key that is not one.
        let err = restart_with(&app, Some("not a key".into()), &app.data_dir)
            .await
            .unwrap_err();
        assert!(err.contains("neither 64 hex digits nor base64"), "{err}");
        // No key at all (a restored data dir without its secret.key): no new key is made over
        // secrets sealed with the old one.
        let bare = tempfile::tempdir().unwrap();
        let err = restart_with(&app, None, bare.path()).await.unwrap_err();
        assert!(err.contains("secret.key") && err.contains("sealed"), "{err}");
        assert!(!bare.path().join("secret.key").exists());

        // While serving, a sealed secret that does not open (here Ann's, copied into Bob's row)
        // refuses codes with a message rather than an error page, and a recovery code still works.
        set_stored_secret(&app, bob, &stored_secret(&app, ann).await).await;
        let client = app.client();
        password_step(&app, &client, "bob.key@example.org").await;
        let res = code_step(&app, &client, &code_at(&ann_secret, now() + 30)).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("cannot be checked at the moment"));
        assert!(!signed_in(&app, &client).await);
        assert_eq!(code_step(&app, &client, &bob_codes[0]).await.status(), 303);
        assert!(signed_in(&app, &client).await);
    }
);

on_both_mfa!(
    a_staff_token_works_only_once_its_owner_has_two_step_verification,
    |app: TestApp| async move {
        // A token made before two-step verification was required (or by the command line).
        let email = "coord.api@example.org";
        let id = app.create_user(email, &[Role::Coordinator]).await;
        let token =
            jetdesk_web::api::tokens::issue(&app.store, id, "script", &["applications:read".to_string()], 30)
                .await
                .unwrap();
        let call = || async {
            let res = app
                .client()
                .get(app.at("/api/v1/applications"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), text(res).await)
        };
        let (status, body) = call().await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("owner-without-two-step"), "{body}");
        // Once its owner has set it up, the same token works.
        let (client, _) = app.session_for(Some(id)).await;
        enrol(&app, &client).await;
        let (status, body) = call().await;
        assert_eq!(status, 200, "{body}");
    }
);

on_both_mfa!(
    new_recovery_codes_need_the_password_and_an_app_code_and_replace_the_old_ones,
    |app: TestApp| async move {
        let email = "renew@example.org";
        let id = app.create_user(email, &[Role::Applicant]).await;
        let (client, _) = app.session_for(Some(id)).await;
        let (secret, old) = enrol(&app, &client).await;
        let renew = |password: &'static str, code: String| {
            let client = client.clone();
            let app = &app;
            async move {
                let csrf = csrf_of(app, &client, "/account/mfa").await;
                client
                    .post(app.at("/account/mfa/recovery-codes"))
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("new_codes_password", password),
                        ("new_codes_code", code.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        // With most codes used, the page says so.
        let account_page = app.at("/account/mfa");
        let page = |client: reqwest::Client| {
            let url = account_page.clone();
            async move { text(client.get(url).send().await.unwrap()).await }
        };
        assert!(!page(client.clone()).await.contains("id=\"mfa-codes-low\""));
        for code in &old[3..] {
            let signer = app.client();
            password_step(&app, &signer, email).await;
            assert_eq!(code_step(&app, &signer, code).await.status(), 303);
        }
        let low = page(client.clone()).await;
        assert!(low.contains("id=\"mfa-codes-low\""), "{low}");
        assert!(low.contains("You have only 3 recovery codes left."), "{low}");

        // A recovery code cannot renew the codes, nor can a wrong password: nothing changes, and
        // the message is beside the field.
        let res = renew(PASSWORD, old[0].clone()).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("id=\"new_codes_code-error\""));
        assert_eq!(app.store.recovery_codes_left(id).await.unwrap(), 3);
        let res = renew("not my password", code_at(&secret, now() + 30)).await;
        assert_eq!(res.status(), 422);
        assert!(text(res).await.contains("id=\"new_codes_password-error\""));

        // The password and the app's code: ten new codes, shown once, audited.
        let res = renew(PASSWORD, code_at(&secret, now() + 30)).await;
        assert_eq!(res.status(), 200);
        let new = recovery_codes_on(&text(res).await);
        assert!(new.iter().all(|c| !old.contains(c)));
        assert!(actions(&app, id)
            .await
            .contains(&(Some(id), "mfa.recovery_codes_replaced".into())));

        // An old code no longer signs in; a new one does.
        let other = app.client();
        password_step(&app, &other, email).await;
        assert_eq!(code_step(&app, &other, &old[1]).await.status(), 422);
        assert_eq!(code_step(&app, &other, &new[0]).await.status(), 303);
        assert!(signed_in(&app, &other).await);
    }
);
