//! The server key: what keeps secrets stored in the database unreadable to anyone who has only the
//! database (a copied backup, a read-only SQL injection). Today it seals each account's TOTP
//! secret (ASVS 6.4.1, 6.4.2), with XChaCha20-Poly1305 from RustCrypto's `chacha20poly1305`
//! (decision 0011).
//!
//! The key never goes into the database: it comes from `JETDESK_SECRET_KEY` (32 bytes as 64 hex
//! digits or base64), or else from the file `DATA_DIR/secret.key`, which the first start creates
//! with mode 0600. A start refuses to create a new key over a database that holds secrets sealed
//! with another, and refuses to go on when a sealed secret does not open: a wrong or lost key is an
//! error message at start, not codes that quietly stop working.
//!
//! A sealed value is `v1:` followed by the URL-safe base64 (no padding) of the 24-byte random
//! nonce, the ciphertext and its 16-byte tag. The user's id is the associated data, so a sealed
//! secret copied into another account's row does not open there. A value without the prefix is a
//! base32 secret from before encryption (base32 has no `:`): it still works, and
//! [`seal_stored_secrets`] at start (or the next read) seals it.

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use jetdesk_store::Store;
use rand::RngCore;
use std::path::{Path, PathBuf};

/// The environment variable that holds the key (also `--secret-key`).
pub const KEY_ENV: &str = "JETDESK_SECRET_KEY";
/// The key file's name in the data dir, used when the variable is not set.
pub const KEY_FILE: &str = "secret.key";
/// The prefix of a value sealed by this version of the format.
const SEALED_V1: &str = "v1:";
/// XChaCha20's nonce length: long enough to draw at random for every value.
const NONCE_LEN: usize = 24;

/// The key that seals secrets at rest, and where it came from (for error messages; never the key).
#[derive(Clone)]
pub struct ServerKey {
    cipher: XChaCha20Poly1305,
    origin: String,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerKey")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A stored TOTP secret that does not open with the server key: the key was changed, or the value
/// was damaged or copied from another account.
#[derive(Debug, thiserror::Error)]
#[error(
    "the TOTP secret of user {user_id} does not open with the server key from {origin}: the key is \
     not the one it was sealed with, or the stored value was changed"
)]
pub struct Unreadable {
    /// Whose secret.
    pub user_id: i64,
    /// Where the key in use came from.
    pub origin: String,
}

/// Whether a stored TOTP secret is sealed (rather than base32 from before encryption).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_V1)
}

/// The associated data that binds a sealed TOTP secret to its account.
fn totp_context(user_id: i64) -> Vec<u8> {
    format!("jetdesk totp-secret user:{user_id}").into_bytes()
}

impl ServerKey {
    /// A key from its text form: 64 hex digits, or base64 (standard or URL-safe, padded or not)
    /// of 32 bytes. `origin` names where the text came from, for messages.
    pub fn from_text(text: &str, origin: &str) -> anyhow::Result<ServerKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
        };
        let bytes = bytes.ok_or_else(|| {
            anyhow!(
                "the server key in {origin} is neither 64 hex digits nor base64; make one with \
                 `openssl rand -base64 32`"
            )
        })?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| {
            anyhow!(
                "the server key in {origin} is {} bytes long; it must be 32 (`openssl rand -base64 32`)",
                bytes.len()
            )
        })?;
        Ok(ServerKey {
            cipher,
            origin: origin.to_string(),
        })
    }

    /// The key from `secret_key` (the setting, from `JETDESK_SECRET_KEY`) or else from
    /// `DATA_DIR/secret.key`. Without either, a new key is written to that file (mode 0600) —
    /// unless `sealed_secrets_exist`, when a new key could open none of them: that is an error
    /// saying where the old key must go.
    pub fn load(
        secret_key: Option<&str>,
        data_dir: &Path,
        sealed_secrets_exist: bool,
    ) -> anyhow::Result<ServerKey> {
        if let Some(text) = secret_key {
            return ServerKey::from_text(text, KEY_ENV);
        }
        let path = data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                return ServerKey::from_text(&text, &path.display().to_string());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => bail!("reading the server key {}: {e}", path.display()),
        }
        if sealed_secrets_exist {
            bail!(
                "the database holds TOTP secrets sealed with a server key, but neither {KEY_ENV} \
                 is set nor {} exists: put the key they were sealed with back (docs/operations.md, \
                 \"The server key\"). If it is lost, see there how its users enrol again",
                path.display()
            );
        }
        create_key_file(&path)
    }

    /// Seals the base32 TOTP secret of `user_id` for the database.
    pub fn seal_totp(&self, user_id: i64, secret: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = totp_context(user_id);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow!("sealing a TOTP secret failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_V1}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// The base32 TOTP secret of `user_id` from its stored form: opened if sealed, as it is if it
    /// predates encryption.
    pub fn open_totp(&self, user_id: i64, stored: &str) -> Result<String, Unreadable> {
        let Some(encoded) = stored.strip_prefix(SEALED_V1) else {
            return Ok(stored.to_string());
        };
        let unreadable = || Unreadable {
            user_id,
            origin: self.origin.clone(),
        };
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| unreadable())?;
        if bytes.len() < NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| unreadable())?;
        let aad = totp_context(user_id);
        let plain = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

/// Writes a new random key to `path`, readable by its owner only, and says so in the log.
fn create_key_file(path: &Path) -> anyhow::Result<ServerKey> {
    let text = generate(&path.display().to_string())?.1;
    write_key_file(path, &text)?;
    tracing::warn!(
        path = %path.display(),
        "created a new server key for TOTP secrets: back it up apart from the database \
         (docs/operations.md, \"The server key\")"
    );
    ServerKey::from_text(&text, &path.display().to_string())
}

/// Writes a key's text to a new file `path` (never over one), readable by its owner only, synced.
pub fn write_key_file(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating the server key {}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the server key {}", path.display()))
}

/// Logs a warning when the key file can be read by anyone but its owner.
fn warn_if_readable_by_others(path: &PathBuf) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    "the server key file can be read by others: chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// At start: checks that every sealed TOTP secret opens with `key`, and seals those stored before
/// encryption. `stored` is every `(user_id, secret)` of `user_mfa`. Returns how many were sealed;
/// an error names the accounts whose secrets do not open.
pub async fn seal_stored_secrets(
    store: &Store,
    key: &ServerKey,
    stored: Vec<(i64, String)>,
) -> anyhow::Result<usize> {
    let mut unreadable = Vec::new();
    let mut sealed = 0;
    for (user_id, secret) in stored {
        if is_sealed(&secret) {
            if key.open_totp(user_id, &secret).is_err() {
                unreadable.push(user_id);
            }
        } else if store
            .replace_mfa_secret(user_id, &secret, &key.seal_totp(user_id, &secret)?)
            .await?
        {
            sealed += 1;
        }
    }
    if !unreadable.is_empty() {
        let shown: Vec<String> = unreadable.iter().take(10).map(i64::to_string).collect();
        bail!(
            "{} stored TOTP secret(s) (users {}{}) do not open with the server key from {}: start \
             with the key they were sealed with ({KEY_ENV} or DATA_DIR/{KEY_FILE}). If that key is \
             lost, those users must enrol again: see docs/operations.md, \"The server key\"",
            unreadable.len(),
            shown.join(", "),
            if unreadable.len() > shown.len() {
                ", …"
            } else {
                ""
            },
            key.origin
        );
    }
    if sealed > 0 {
        tracing::info!(sealed, "sealed TOTP secrets stored before encryption");
    }
    Ok(sealed)
}

/// A new random key and its text (base64), for a rotation.
pub fn generate(origin: &str) -> anyhow::Result<(ServerKey, String)> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let text = STANDARD.encode(bytes);
    Ok((ServerKey::from_text(&text, origin)?, text))
}

/// Rotation: re-seals every stored TOTP secret from `old` to `new`, in one transaction. Changes
/// nothing, and says whose, when a secret does not open with `old`, and changes nothing when one
/// changed meanwhile (jetdesk must be stopped). Returns how many were re-sealed.
pub async fn reseal_stored_secrets(store: &Store, old: &ServerKey, new: &ServerKey) -> anyhow::Result<usize> {
    let mut changes = Vec::new();
    let mut unreadable = Vec::new();
    for (user_id, stored) in store.all_mfa_secrets().await? {
        match old.open_totp(user_id, &stored) {
            Ok(secret) => {
                let sealed = new.seal_totp(user_id, &secret)?;
                changes.push((user_id, stored, sealed));
            }
            Err(_) => unreadable.push(user_id.to_string()),
        }
    }
    if !unreadable.is_empty() {
        bail!(
            "nothing changed: the TOTP secrets of users {} do not open with the current server key              from {}; rotate from the key they were sealed with",
            unreadable.join(", "),
            old.origin
        );
    }
    if !store.replace_mfa_secrets(&changes).await? {
        bail!(
            "nothing changed: a two-step setting changed while rotating; stop jetdesk and run the              rotation again"
        );
    }
    Ok(changes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> ServerKey {
        ServerKey::from_text(&hex::encode([byte; 32]), "test").unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_its_key_and_account_only() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let sealed = key(1).seal_totp(7, secret).unwrap();
        assert!(is_sealed(&sealed) && !sealed.contains(secret));
        assert_eq!(key(1).open_totp(7, &sealed).unwrap(), secret);
        // Each sealing draws a new nonce.
        assert_ne!(sealed, key(1).seal_totp(7, secret).unwrap());
        // Another key, another account, a changed byte: refused, with the reason.
        let err = key(2).open_totp(7, &sealed).unwrap_err();
        assert!(err
            .to_string()
            .contains("does not open with the server key from test"));
        assert!(key(1).open_totp(8, &sealed).is_err());
        let mut damaged = sealed.clone().into_bytes();
        let last = damaged.len() - 1;
        damaged[last] = if damaged[last] == b'A' { b'B' } else { b'A' };
        assert!(key(1).open_totp(7, &String::from_utf8(damaged).unwrap()).is_err());
        assert!(key(1).open_totp(7, "v1:").is_err());
        assert!(key(1).open_totp(7, "v1:!!!").is_err());
    }

    #[test]
    fn a_secret_from_before_encryption_reads_as_it_is() {
        assert_eq!(
            key(1).open_totp(7, "JBSWY3DPEHPK3PXP").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(!is_sealed("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn keys_are_read_as_hex_or_base64_of_32_bytes() {
        let bytes = [9u8; 32];
        for text in [
            hex::encode(bytes),
            STANDARD.encode(bytes),
            URL_SAFE_NO_PAD.encode(bytes),
            format!(" {}\n", STANDARD.encode(bytes)),
        ] {
            let sealed = ServerKey::from_text(&text, "t")
                .unwrap()
                .seal_totp(1, "AB")
                .unwrap();
            assert_eq!(key(9).open_totp(1, &sealed).unwrap(), "AB");
        }
        let short = ServerKey::from_text(&STANDARD.encode([1u8; 16]), "JETDESK_SECRET_KEY");
        assert!(short
            .unwrap_err()
            .to_string()
            .contains("16 bytes long; it must be 32"));
        assert!(ServerKey::from_text("not a key!", "x").is_err());
        assert!(ServerKey::from_text("", "x").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_private_and_never_over_sealed_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let err = ServerKey::load(None, dir.path(), true).unwrap_err().to_string();
        assert!(err.contains("secret.key") && err.contains("sealed"), "{err}");
        assert!(!dir.path().join(KEY_FILE).exists());
        let first = ServerKey::load(None, dir.path(), false).unwrap();
        let sealed = first.seal_totp(3, "ABC").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The next start reads the same key; the setting wins over the file.
        let again = ServerKey::load(None, dir.path(), true).unwrap();
        assert_eq!(again.open_totp(3, &sealed).unwrap(), "ABC");
        let set = ServerKey::load(Some(&hex::encode([5u8; 32])), dir.path(), true).unwrap();
        assert!(set.open_totp(3, &sealed).is_err());
    }
}
