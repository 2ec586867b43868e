//! Exports of the staff lists as CSV and XLSX: the filters on screen apply, the workbook opens,
//! every export is audited and a wrong role is refused. (The applications list's own export is
//! tested in `dashboard.rs`.)

use calamine::Reader;
use jetdesk_domain::Role;
use jetdesk_testkit::TestApp;

/// Status, content type and body of a GET.
async fn fetch(client: &reqwest::Client, url: String) -> (u16, String, Vec<u8>) {
    let res = client.get(&url).send().await.expect(&url);
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, res.bytes().await.expect("body").to_vec())
}

/// The rows of a CSV export (header first).
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_string).collect())
        .collect()
}

/// The rows of an XLSX export's only sheet (header first).
fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.sheet_names().first().cloned().expect("a sheet");
    let range = book.worksheet_range(&sheet).expect("the sheet");
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// How many audit entries have an action matching this `LIKE` pattern (`export.%` for every
/// export).
async fn audited(app: &TestApp, action: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM audit_log WHERE action LIKE $1";
    sqlx::query_scalar::<_, i64>(sql)
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

on_both!(
    every_export_answers_csv_and_a_matching_workbook_and_is_audited,
    |app: TestApp| async move {
        let round = jetdesk_testkit::open_round(&app).await;
        let org = app
            .store
            .create_host_org("Aomori", "青森県", "aomori", "rural")
            .await
            .unwrap();
        let everyone = app
            .create_user(
                "everyone@jetdesk.test",
                &[Role::Coordinator, Role::Reviewer, Role::Interviewer, Role::Admin],
            )
            .await;
        let (client, _) = app.session_for(Some(everyone)).await;
        let exports: Vec<String> = jetdesk_web::route_table()
            .into_iter()
            .filter(|(m, p, _)| *m == reqwest::Method::GET && p.ends_with(".csv"))
            .map(|(_, p, _)| p.to_string())
            .filter(|p| !p.starts_with("/staff/dashboard/"))
            .collect();
        assert!(exports.len() >= 14, "{exports:?}");
        let before = audited(&app, "export.%").await;
        for pattern in &exports {
            let path = pattern
                .replace("{round}", &round.id.to_string())
                .replace("{org}", &org.to_string());
            let (status, kind, csv) = fetch(&client, app.at(&path)).await;
            assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&csv));
            assert!(kind.starts_with("text/csv"), "{path}: {kind}");
            let csv = csv_rows(&csv);
            assert!(
                !csv.is_empty() && csv[0].iter().all(|h| !h.is_empty()),
                "{path}: {csv:?}"
            );
            let xlsx_path = path.replacen(".csv", ".xlsx", 1);
            let (status, kind, xlsx) = fetch(&client, app.at(&xlsx_path)).await;
            assert_eq!(status, 200, "{xlsx_path}");
            assert!(kind.contains("spreadsheetml"), "{xlsx_path}: {kind}");
            let mut xlsx = xlsx_rows(xlsx);
            if path.starts_with("/admin/audit") {
                // The workbook's log also holds the CSV's export, newest first.
                assert!(xlsx.len() > 1 && xlsx[1][2] == "export.audit", "{xlsx:?}");
                xlsx.remove(1);
            }
            assert_eq!(xlsx, csv, "{xlsx_path} differs from its CSV");
        }
        let after = audited(&app, "export.%").await;
        assert_eq!(after - before, 2 * exports.len() as i64);
    }
);

on_both!(the_user_export_applies_the_search, |app: TestApp| async move {
    let admin = app.create_user("admin@jetdesk.test", &[Role::Admin]).await;
    app.create_user("ann.able@jetdesk.test", &[Role::Reviewer]).await;
    app.create_user("ben.bell@jetdesk.test", &[Role::Coordinator])
        .await;
    let (client, _) = app.session_for(Some(admin)).await;

    // The page's link carries the search.
    let (_, _, page) = fetch(&client, app.at("/admin/users?q=ann")).await;
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("href=\"/admin/users.csv?q=ann\""), "{page}");
    assert!(page.contains("href=\"/admin/users.xlsx?q=ann\""));

    let (status, _, csv) = fetch(&client, app.at("/admin/users.csv?q=ann")).await;
    assert_eq!(status, 200);
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][1], "ann.able@jetdesk.test");
    assert_eq!(rows[1][2], "Reviewer");
    let (_, _, xlsx) = fetch(&client, app.at("/admin/users.xlsx?q=ann")).await;
    assert_eq!(xlsx_rows(xlsx), rows);

    // Without a search every user is there.
    let (_, _, csv) = fetch(&client, app.at("/admin/users.csv")).await;
    assert_eq!(csv_rows(&csv).len(), 4);

    let after: Option<String> = sqlx::query_scalar(
        "SELECT after_value FROM audit_log WHERE action = 'export.users' ORDER BY id LIMIT 1",
    )
    .fetch_optional(&app.db)
    .await
    .unwrap()
    .flatten();
    let after = after.unwrap_or_default();
    assert!(
        after.contains("format=csv") && after.contains("q=ann") && after.contains("rows=1"),
        "{after}"
    );
});

on_both!(
    the_audit_export_applies_the_filters_and_refuses_a_date_it_cannot_read,
    |app: TestApp| async move {
        let coordinator = app.create_user("coord@jetdesk.test", &[Role::Coordinator]).await;
        for (action, subject) in [
            ("outcome.publish", "round:1"),
            ("role.change", "user:7"),
            ("outcome.publish", "round:2"),
        ] {
            app.store
                .audit(Some(coordinator), action, subject, None, Some("x"))
                .await
                .unwrap();
        }
        let (client, _) = app.session_for(Some(coordinator)).await;
        let (status, _, csv) = fetch(&client, app.at("/admin/audit.csv?action=outcome.publish")).await;
        assert_eq!(status, 200);
        let rows = csv_rows(&csv);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[1..].iter().all(|r| r[2] == "outcome.publish"), "{rows:?}");
        // Newest first, as on the page.
        assert_eq!(rows[1][3], "round:2");

        let (status, _, body) = fetch(&client, app.at("/admin/audit.csv?from=31-02-2026")).await;
        assert_eq!(status, 400);
        assert!(
            String::from_utf8_lossy(&body).contains("date"),
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(audited(&app, "export.audit").await, 1);
    }
);

on_both!(
    a_host_exports_only_their_own_organisation,
    |app: TestApp| async move {
        let store = &app.store;
        let ours = store
            .create_host_org("Hirosaki City", "弘前市", "aomori", "urban")
            .await
            .unwrap();
        let theirs = store
            .create_host_org("Tono City", "遠野市", "iwate", "rural")
            .await
            .unwrap();
        let host = app.create_user("host@hirosaki.example", &[Role::Host]).await;
        store.add_host_member(ours, host).await.unwrap();
        let (client, _) = app.session_for(Some(host)).await;

        let (status, _, csv) = fetch(&client, app.at("/hosts.csv")).await;
        assert_eq!(status, 200);
        let rows = csv_rows(&csv);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[1][0], "Hirosaki City");
        assert_eq!(rows[1][1], "弘前市");

        let (status, _, _) = fetch(&client, app.at(&format!("/hosts/{ours}/placed.csv"))).await;
        assert_eq!(status, 200);
        for path in [
            format!("/hosts/{theirs}/placed.csv"),
            format!("/hosts/{theirs}/placed.xlsx"),
        ] {
            let (status, _, _) = fetch(&client, app.at(&path)).await;
            assert_eq!(status, 404, "{path}");
        }
        assert_eq!(audited(&app, "export.placed").await, 1);
    }
);

on_both!(an_applicant_is_refused_every_export, |app: TestApp| async move {
    let round = jetdesk_testkit::open_round(&app).await;
    let applicant = app
        .create_user("applicant@applicants.example", &[Role::Applicant])
        .await;
    let (client, _) = app.session_for(Some(applicant)).await;
    for (method, pattern, _) in jetdesk_web::route_table() {
        if method != reqwest::Method::GET || !(pattern.ends_with(".csv") || pattern.ends_with(".xlsx")) {
            continue;
        }
        let path = pattern
            .replace("{round}", &round.id.to_string())
            .replace("{org}", "1");
        let (status, _, _) = fetch(&client, app.at(&path)).await;
        assert_eq!(status, 403, "{path}");
    }
    let exported = audited(&app, "export.%").await;
    assert_eq!(exported, 0);
});
