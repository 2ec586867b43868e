//! `jetdesk secret-key rotate`, run as the real binary on a SQLite data dir: the stored TOTP
//! secrets are re-sealed under the new key, the key file is replaced and the old one kept, and a
//! rotation from the wrong key changes nothing.

use jetdesk_store::Store;
use jetdesk_web::server_key::{ServerKey, KEY_FILE};
use std::path::Path;
use std::process::{Command, Output};

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// `jetdesk secret-key rotate --data-dir DIR` with `extra` arguments and no key in the environment.
fn rotate(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jetdesk"))
        .args(["secret-key", "rotate", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env_remove("JETDESK_SECRET_KEY")
        .env_remove("JETDESK_NEW_SECRET_KEY")
        .env_remove("JETDESK_DATABASE")
        .output()
        .expect("jetdesk runs")
}

async fn store(dir: &Path) -> Store {
    let url = format!("sqlite://{}", dir.join("jetdesk.sqlite3").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A data dir whose key file sealed one account's TOTP secret.
struct Enrolled {
    tmp: tempfile::TempDir,
    user: i64,
    sealed: String,
    key_text: String,
}

async fn enrolled() -> Enrolled {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let store = store(dir).await;
    let key = ServerKey::load(None, dir, false).unwrap();
    let user = store
        .create_user(
            "ann@example.org",
            "Ann",
            "x",
            &[jetdesk_domain::Role::Coordinator],
            true,
        )
        .await
        .unwrap();
    let sealed = key.seal_totp(user, SECRET).unwrap();
    assert!(store.start_mfa_enrolment(user, &sealed).await.unwrap());
    store.close().await;
    let key_text = std::fs::read_to_string(dir.join(KEY_FILE)).unwrap();
    Enrolled {
        tmp,
        user,
        sealed,
        key_text,
    }
}

async fn stored(dir: &Path, user: i64) -> String {
    let store = store(dir).await;
    let all = store.all_mfa_secrets().await.unwrap();
    store.close().await;
    all.into_iter().find(|(u, _)| *u == user).unwrap().1
}

#[tokio::test]
async fn rotation_reseals_every_secret_and_replaces_the_key_file() {
    let Enrolled {
        tmp,
        user,
        sealed: before,
        key_text: old_text,
    } = enrolled().await;
    let dir = tmp.path();

    let out = rotate(dir, &[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("re-sealed 1 TOTP secret(s)"), "{said}");
    assert!(out.stdout.is_empty(), "a key in a file is never printed");

    let new_text = std::fs::read_to_string(dir.join(KEY_FILE)).unwrap();
    assert_ne!(new_text, old_text);
    let new = ServerKey::from_text(&new_text, "new").unwrap();
    let old = ServerKey::from_text(&old_text, "old").unwrap();
    let after = stored(dir, user).await;
    assert_ne!(after, before);
    assert_eq!(new.open_totp(user, &after).unwrap(), SECRET);
    assert!(old.open_totp(user, &after).is_err());
    // The old key is kept beside it (the earlier backups need it), private; nothing staged is left.
    let kept: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("secret.key.replaced-")
        })
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read_to_string(kept[0].path()).unwrap(), old_text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in [dir.join(KEY_FILE), kept[0].path()] {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{}", path.display());
        }
    }
    assert!(!dir.join("secret.key.new").exists());
}

#[tokio::test]
async fn a_key_from_the_environment_gets_its_successor_printed() {
    let Enrolled {
        tmp, user, key_text, ..
    } = enrolled().await;
    let dir = tmp.path();
    std::fs::remove_file(dir.join(KEY_FILE)).unwrap();

    let out = rotate(dir, &["--secret-key", key_text.trim()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let new = ServerKey::from_text(&printed, "printed").unwrap();
    assert_eq!(new.open_totp(user, &stored(dir, user).await).unwrap(), SECRET);
    assert!(
        !dir.join(KEY_FILE).exists(),
        "no file is written for a key kept in the environment"
    );
}

#[tokio::test]
async fn rotating_from_the_wrong_key_changes_nothing() {
    let Enrolled {
        tmp,
        user,
        sealed: before,
        key_text,
    } = enrolled().await;
    let dir = tmp.path();

    let out = rotate(dir, &["--secret-key", &"11".repeat(32)]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains(&format!(
            "nothing changed: the TOTP secrets of users {user} do not open"
        )),
        "{said}"
    );
    assert_eq!(stored(dir, user).await, before);
    assert_eq!(std::fs::read_to_string(dir.join(KEY_FILE)).unwrap(), key_text);

    // With no key at all there is nothing to rotate from.
    std::fs::remove_file(dir.join(KEY_FILE)).unwrap();
    let out = rotate(dir, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no server key to rotate"));
}
