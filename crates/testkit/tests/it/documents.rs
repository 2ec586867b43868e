//! Documents: uploads checked by content (forged PDFs, scripts inside, truncated files, wrong
//! formats), the size limit, file names with paths and control characters, downloads by the owner,
//! by another applicant (404) and by staff (audited), and replace and delete before submission only.

use jetdesk_domain::Role;
use jetdesk_testkit::{open_round, TestApp};
use reqwest::multipart::{Form, Part};

pub(crate) fn pdf(marker: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n% {marker}\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
    )
    .into_bytes()
}

pub(crate) fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde".to_vec();
    b.extend_from_slice(b"\x00\x00\x00\x00IEND\xaeB`\x82");
    b
}

/// An applicant with an application in the open round: (client, csrf, user id, application id).
pub(crate) async fn applicant(app: &TestApp, email: &str) -> (reqwest::Client, String, i64, i64) {
    let id = app.create_user(email, &[Role::Applicant]).await;
    let (client, csrf) = app.session_for(Some(id)).await;
    let res = client
        .post(app.at("/apply/start"))
        .form(&[("csrf", csrf.as_str()), ("position", "alt")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let application: i64 = sqlx::query_scalar("SELECT id FROM applications WHERE user_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    (client, csrf, id, application)
}

async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
    stated: &str,
) -> (u16, String) {
    let part = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(stated)
        .unwrap();
    let form = Form::new().percent_encode_noop().part("file", part);
    let res = client
        .post(app.at(&format!("/apply/documents/{kind}?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

async fn document_id(app: &TestApp, application: i64, kind: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT id FROM documents WHERE application_id = $1 AND kind = $2")
        .bind(application)
        .bind(kind)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// Every stored content file, by name.
fn stored_files(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    let root = app.data_dir.join("files");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return out;
    };
    for dir in dirs.flatten() {
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            out.push(f.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

on_both!(
    uploads_are_checked_by_content_not_by_name,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, application) = applicant(&app, "ann@docs.example").await;

        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "degree.pdf",
            png(),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("must be a PDF file"), "{page}");

        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "degree.pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("not a PDF, JPEG or PNG"), "{page}");

        let mut scripted = pdf("x");
        scripted.splice(
            9..9,
            b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
                .iter()
                .copied(),
        );
        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "degree.pdf",
            scripted,
            "application/pdf",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("contains JavaScript"), "{page}");

        let full = pdf("truncated");
        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "degree.pdf",
            full[..full.len() / 2].to_vec(),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("incomplete"), "{page}");

        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "",
            Vec::new(),
            "application/octet-stream",
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Select a file to upload"), "{page}");
        assert_eq!(
            document_id(&app, application, "degree").await,
            None,
            "nothing refused was stored"
        );
        assert!(stored_files(&app).is_empty());

        // A kind the round does not ask for, and a multipart post without the token in the query.
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "jlpt",
            "n2.pdf",
            pdf("a"),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 404);
        let res = client
            .post(app.at("/apply/documents/degree"))
            .multipart(Form::new().part("file", Part::bytes(pdf("a")).file_name("d.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);

        // A PNG is fine for the passport (whatever the browser says it is), a real PDF for the degree.
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "passport",
            "passport.pdf",
            png(),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "degree.pdf",
            pdf("ok"),
            "image/png",
        )
        .await;
        assert_eq!(status, 303);
        let page = client
            .get(app.at("/apply/documents"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("passport.pdf") && page.contains("degree.pdf"),
            "{page}"
        );
        let ctype: String = sqlx::query_scalar("SELECT content_type FROM documents WHERE kind = 'passport'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(ctype, "image/png");
    }
);

on_both!(
    an_oversized_upload_is_refused_with_a_message,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, application) = applicant(&app, "big@docs.example").await;
        let mut big = pdf("big");
        big.splice(9..9, std::iter::repeat_n(b' ', 10 * 1024 * 1024));
        let (status, page) = upload(&app, &client, &csrf, "degree", "big.pdf", big, "application/pdf").await;
        assert_eq!(status, 413);
        assert!(page.contains("smaller than 10 MiB"), "{page}");
        assert_eq!(document_id(&app, application, "degree").await, None);
        // The page still works, and a small file afterwards is accepted.
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "small.pdf",
            pdf("small"),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 303);
    }
);

on_both!(
    file_names_are_sanitised_and_downloads_are_guarded,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, application) = applicant(&app, "owner@docs.example").await;
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "../../etc/deg\tree<b>.pdf",
            pdf("mine"),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "passport",
            "C:\\Users\\ann\\passport.png",
            png(),
            "image/png",
        )
        .await;
        assert_eq!(status, 303);
        let names: Vec<String> = sqlx::query_scalar("SELECT original_name FROM documents ORDER BY kind")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert_eq!(
            names,
            vec!["degree<b>.pdf".to_string(), "passport.png".to_string()]
        );
        let page = client
            .get(app.at("/apply/documents"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("degree&lt;b&gt;.pdf") || page.contains("degree&#60;b&#62;.pdf"),
            "{page}"
        );
        // Stored under the content's SHA-256, never the applicant's name.
        let files = stored_files(&app);
        assert_eq!(files.len(), 2);
        assert!(
            files
                .iter()
                .all(|f| f.len() == 64 && f.chars().all(|c| c.is_ascii_hexdigit())),
            "{files:?}"
        );

        let id = document_id(&app, application, "degree").await.unwrap();
        let res = client
            .get(app.at(&format!("/documents/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(
            header("content-disposition").starts_with("attachment;"),
            "{}",
            header("content-disposition")
        );
        assert_eq!(header("content-type"), "application/pdf");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf("mine"));

        // Another applicant guessing the id gets the same 404 as a missing id.
        let (other, _, _, _) = applicant(&app, "guess@docs.example").await;
        assert_eq!(
            other
                .get(app.at(&format!("/documents/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            other
                .get(app.at("/documents/999999"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let (anon, _) = app.session_for(None).await;
        let res = anon
            .get(app.at(&format!("/documents/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);

        // Staff may download; every staff download is audited.
        let coordinator = app.create_user("coord@docs.example", &[Role::Coordinator]).await;
        let (staff, _) = app.session_for(Some(coordinator)).await;
        let res = staff
            .get(app.at(&format!("/documents/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let reviewer = app.create_user("rev@docs.example", &[Role::Reviewer]).await;
        let (rev, _) = app.session_for(Some(reviewer)).await;
        assert_eq!(
            rev.get(app.at(&format!("/documents/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'document.view' AND subject = $1 AND after_value = 'degree'",
    )
    .bind(format!("application:{application}"))
    .fetch_one(&app.db)
    .await
    .unwrap();
        assert_eq!(audited, 2, "each staff download is audited, the owner's are not");
        let host = app.create_user("host@docs.example", &[Role::Host]).await;
        let (h, _) = app.session_for(Some(host)).await;
        assert_eq!(
            h.get(app.at(&format!("/documents/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );

        // The staff detail page lists the documents with their download links.
        let page = staff
            .get(app.at(&format!("/staff/applications/{application}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("/documents/{id}")), "{page}");
    }
);

on_both!(
    documents_are_replaced_and_deleted_before_submission_only,
    |app: TestApp| async move {
        open_round(&app).await;
        let (client, csrf, _, application) = applicant(&app, "edit@docs.example").await;
        upload(
            &app,
            &client,
            &csrf,
            "degree",
            "first.pdf",
            pdf("first"),
            "application/pdf",
        )
        .await;
        let (status, _) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "second.pdf",
            pdf("second"),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 303);
        let id = document_id(&app, application, "degree").await.unwrap();
        let body = client
            .get(app.at(&format!("/documents/{id}")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.to_vec(), pdf("second"));
        assert_eq!(stored_files(&app).len(), 1, "the replaced content is gone");

        let res = client
            .post(app.at("/apply/documents/degree/delete"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(document_id(&app, application, "degree").await, None);
        assert!(stored_files(&app).is_empty());
        assert_eq!(
            client
                .get(app.at(&format!("/documents/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );

        upload(
            &app,
            &client,
            &csrf,
            "degree",
            "again.pdf",
            pdf("again"),
            "application/pdf",
        )
        .await;
        sqlx::query("UPDATE applications SET state = 'submitted' WHERE id = $1")
            .bind(application)
            .execute(&app.db)
            .await
            .unwrap();
        let (status, page) = upload(
            &app,
            &client,
            &csrf,
            "degree",
            "late.pdf",
            pdf("late"),
            "application/pdf",
        )
        .await;
        assert_eq!(status, 400);
        assert!(page.contains("can no longer be changed"), "{page}");
        let res = client
            .post(app.at("/apply/documents/degree/delete"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let id = document_id(&app, application, "degree").await.unwrap();
        let body = client
            .get(app.at(&format!("/documents/{id}")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.to_vec(), pdf("again"), "the submitted document is kept");
    }
);
