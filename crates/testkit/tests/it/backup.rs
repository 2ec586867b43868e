//! Backup and restore: a populated SQLite instance is backed up while a task keeps writing (inserts
//! and section saves in a loop); the archive is restored into a fresh data dir and compared: every
//! row committed before the snapshot started is there, every table's row count matches the
//! manifest, and the stored files match byte for byte. A restore refuses a data dir that is not
//! empty and an archive whose checksums do not match; PostgreSQL is refused with the pg_dump pointer.

use jetdesk_domain::Role;
use jetdesk_store::Store;
use jetdesk_testkit::{open_round, Backend, TestApp};
use jetdesk_web::privacy::backup;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_restores_what_was_committed() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let round = open_round(&app).await;
    let mut applications = Vec::new();
    for i in 0..5 {
        let user = app
            .create_user(&format!("applicant{i}@example.org"), &[Role::Applicant])
            .await;
        applications.push(app.store.create_application(&round, user, "alt").await.unwrap());
    }
    let files_dir = app.data_dir.join("files");
    let mut files = Vec::new();
    for i in 0..4u64 {
        let key = format!("{i:064x}");
        let path = files_dir.join(&key[..2]).join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let content = vec![u8::try_from(i).unwrap(); 10_000 + i as usize];
        std::fs::write(&path, &content).unwrap();
        files.push((format!("files/{}/{key}", &key[..2]), content));
    }

    // The writer: an audit row and a section save per turn, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicI64::new(0));
    let writer = {
        let (store, stop, written, apps) = (
            app.store.clone(),
            stop.clone(),
            written.clone(),
            applications.clone(),
        );
        tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                store
                    .audit(None, "load.write", &format!("n:{n}"), None, None)
                    .await
                    .unwrap();
                let app_id = apps[usize::try_from(n).unwrap() % apps.len()];
                let data = format!("{{\"n\":{n}}}");
                store
                    .save_section(app_id, &format!("s{n}"), &data, true, 0)
                    .await
                    .unwrap();
                written.store(n, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Everything committed now must be in the backup.
    // (One read: the writer goes on committing between any two queries.)
    let committed_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let committed_audit = *committed_ids.last().unwrap();
    let committed_sections: Vec<(i64, String)> = sqlx::query_as(
        "SELECT application_id, section FROM application_sections ORDER BY application_id, section",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("jetdesk-backup.zip");
    let manifest = backup::backup(&app.store, &app.data_dir, &archive).await.unwrap();
    let during = written.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(written.load(Ordering::SeqCst) > 20, "the writer kept writing");
    eprintln!(
        "backup: {} tables, {} files, writer at {during} turns when it finished",
        manifest.tables.len(),
        manifest.files.len()
    );

    let target = out.path().join("restored");
    let restored_manifest = backup::restore(&archive, &target).await.unwrap();
    assert_eq!(restored_manifest.tables, manifest.tables);
    let url = format!("sqlite://{}", target.join(backup::DATABASE_FILE).display());
    let restored = Store::connect(&url).await.unwrap();
    let counts: std::collections::BTreeMap<String, i64> =
        restored.table_counts().await.unwrap().into_iter().collect();
    assert_eq!(
        counts, manifest.tables,
        "row counts match the snapshot's manifest"
    );
    assert_eq!(manifest.tables["users"], 5);
    assert!(manifest.tables["audit_log"] >= committed_audit);
    restored.close().await;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log WHERE id <= $1 ORDER BY id")
        .bind(committed_audit)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        ids, committed_ids,
        "every audit row committed before the snapshot"
    );
    let sections: Vec<(i64, String)> = sqlx::query_as(
        "SELECT application_id, section FROM application_sections ORDER BY application_id, section",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        committed_sections.iter().all(|s| sections.contains(s)),
        "every section saved before the snapshot"
    );
    assert!(sections.len() >= committed_sections.len());
    pool.close().await;
    for (rel, content) in &files {
        assert_eq!(&std::fs::read(target.join(rel)).unwrap(), content, "{rel}");
    }

    // Not into a data dir that holds something.
    let err = backup::restore(&archive, &target).await.unwrap_err();
    assert!(err.to_string().contains("not empty"));
    // Not from an archive whose file does not match its checksum.
    let tampered = out.path().join("tampered.zip");
    tamper(&archive, &tampered);
    let fresh = out.path().join("fresh");
    let err = backup::restore(&tampered, &fresh).await.unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    assert_eq!(
        std::fs::read_dir(&fresh).unwrap().count(),
        0,
        "a failed restore leaves nothing"
    );
}

/// Copies `from` to `to` with one stored file's bytes changed.
fn tamper(from: &std::path::Path, to: &std::path::Path) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut changed = false;
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if !changed && name.starts_with("files/") {
            bytes[0] ^= 0xff;
            changed = true;
        }
        dst.start_file(name, options).unwrap();
        dst.write_all(&bytes).unwrap();
    }
    dst.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_points_to_pg_dump() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let err = backup::backup(&app.store, &app.data_dir, &out.path().join("b.zip"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pg_dump"));
}
