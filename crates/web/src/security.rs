//! Passwords (argon2id) and how guessable they are (zxcvbn), random tokens and their hashes,
//! constant-time comparison, and the time-based one-time codes of two-step verification (TOTP,
//! RFC 6238, with `totp-rs`). Nothing here touches the database.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The shortest password accepted anywhere (sign-up, reset, change, `jetdesk user add`): ASVS 2.1.1
/// asks for at least 12 characters; passphrases are welcome.
pub const PASSWORD_MIN_CHARS: usize = 12;

/// The lowest zxcvbn score accepted for a new password (ASVS 2.1.7). zxcvbn embeds the 30,000 most
/// common passwords of public breach corpora, English words, names and keyboard patterns, and scores
/// 0–4 by the guesses an attacker needs: 3 means more than 10^8 guesses, which rejects every listed
/// common password and its usual variants ("Password1234!", "football2024") while passphrases of a
/// few words (the hint the forms give) score 4.
pub const PASSWORD_MIN_SCORE: u8 = 3;

/// Whether `password` is too easy to guess: a common or breached password, a variant of one, or
/// built from `user_inputs` (the account's e-mail address and name). Only the first 100 characters
/// are scored, which bounds the work for long input.
pub fn password_is_guessable(password: &str, user_inputs: &[&str]) -> bool {
    let head: String = password.chars().take(100).collect();
    let inputs: Vec<&str> = user_inputs.iter().copied().filter(|s| !s.is_empty()).collect();
    u8::from(zxcvbn::zxcvbn(&head, &inputs).score()) < PASSWORD_MIN_SCORE
}

/// Hashes a password with argon2id and a fresh salt (the crate's defaults: m=19 MiB, t=2, p=1,
/// OWASP's recommended minimum).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// A hash of nothing anyone knows, verified against when the account does not exist, so that a
/// wrong e-mail address takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no account has this password").unwrap_or_default());

/// Whether `password` matches `phc` (a PHC string). `None` runs a dummy check and returns false.
pub fn verify_password(password: &str, phc: Option<&str>) -> bool {
    let phc = phc.unwrap_or(DUMMY_HASH.as_str());
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && !phc.is_empty()
}

/// A random token for a cookie or an e-mailed link: 256 bits, URL-safe base64.
pub fn new_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token, hex; what the database stores instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A short reference for an internal error, shown to the user and written to the log.
pub fn short_reference() -> String {
    let mut bytes = [0u8; 5];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode_upper(bytes)
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The issuer name authenticator apps show beside the account.
pub const TOTP_ISSUER: &str = "JET Desk";
/// Seconds per TOTP time step (RFC 6238's default, which every authenticator app uses).
pub const TOTP_STEP: i64 = 30;

/// A new TOTP secret: 160 random bits (RFC 4226's recommended length), base32 without padding.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    totp_rs::Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

/// The TOTP (SHA-1, 6 digits, 30 s: what authenticator apps expect) for a base32 secret.
fn totp(secret: &str, account: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        TOTP_STEP as u64,
        bytes,
        Some(TOTP_ISSUER.to_string()),
        account.replace(':', " "),
    )
    .ok()
}

/// The `otpauth://` URI that sets up an authenticator app for `account`.
pub fn totp_uri(secret: &str, account: &str) -> Option<String> {
    totp(secret, account).map(|t| t.get_url())
}

/// The time step whose code is `code`, looking one step either side of `now` (clock drift);
/// `None` if it matches none. Callers store the step and accept only later ones (no replay).
pub fn totp_step_of(secret: &str, code: &str, now: i64) -> Option<i64> {
    let totp = totp(secret, "")?;
    let current = now / TOTP_STEP;
    (current - 1..=current + 1).find(|&step| {
        let at = u64::try_from(step * TOTP_STEP).unwrap_or(0);
        constant_time_eq(totp.generate(at).as_bytes(), code.as_bytes())
    })
}

/// `text` as a QR code, an SVG image in a `data:` URI (the CSP admits `img-src data:`), drawn on the
/// server: no script and no third party sees the secret.
pub fn qr_data_uri(text: &str) -> Option<String> {
    use base64::Engine;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// The letters of recovery codes: no 0/o, 1/l/i, so that a code copied by hand survives.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A one-time recovery code such as `k7mq2-x9fhd`: 10 letters of 31, about 50 bits.
pub fn new_recovery_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let letter = |rng: &mut rand::rngs::OsRng| {
        char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())])
    };
    let first: String = (0..5).map(|_| letter(&mut rng)).collect();
    let second: String = (0..5).map(|_| letter(&mut rng)).collect();
    format!("{first}-{second}")
}

/// The stored form of a recovery code: the SHA-256 of the code without spaces or dashes, in lower
/// case (random codes of 50 bits need no slow hash).
pub fn recovery_code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_hash(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&phc)));
        assert!(!verify_password("correct horse batterY", Some(&phc)));
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a hash")));
    }

    #[test]
    fn tokens_are_unique_and_hashes_are_stable() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn common_passwords_are_refused_and_passphrases_pass() {
        for weak in [
            "password1234",
            "Password1234!",
            "qwertyuiop123",
            "football2024",
            "abcdefghijkl",
        ] {
            assert!(password_is_guessable(weak, &[]), "{weak} passed");
        }
        assert!(password_is_guessable(
            "ann.lee@example.org",
            &["ann.lee@example.org"]
        ));
        // The demo password and the passwords the tests use must keep working.
        for good in [
            "jetdesk-demo",
            "correct horse battery staple",
            "new passphrase 1",
            "first-password-for-hana",
            "second-password-for-hana",
        ] {
            assert!(
                !password_is_guessable(good, &["someone@example.org"]),
                "{good} refused"
            );
        }
    }

    #[test]
    fn a_totp_code_matches_its_own_step_and_neighbours_only() {
        let secret = new_totp_secret();
        assert_eq!(secret.len(), 32);
        let now = 1_800_000_000;
        let step = now / TOTP_STEP;
        let t = totp(&secret, "ann@example.org").unwrap();
        let code_at = |s: i64| t.generate(u64::try_from(s * TOTP_STEP).unwrap());
        assert_eq!(totp_step_of(&secret, &code_at(step), now), Some(step));
        assert_eq!(totp_step_of(&secret, &code_at(step + 1), now), Some(step + 1));
        assert_eq!(totp_step_of(&secret, &code_at(step - 1), now), Some(step - 1));
        let far = code_at(step + 5);
        if ![step - 1, step, step + 1].iter().any(|&s| code_at(s) == far) {
            assert_eq!(totp_step_of(&secret, &far, now), None);
        }
        assert_eq!(totp_step_of("not base32!", "123456", now), None);
        let uri = totp_uri(&secret, "ann@example.org").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/JET%20Desk:ann%40example.org?secret="),
            "{uri}"
        );
        assert!(qr_data_uri(&uri)
            .unwrap()
            .starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn recovery_codes_are_random_and_hash_alike_however_typed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_ne!(code, new_recovery_code());
        assert_eq!(
            recovery_code_hash(&code),
            recovery_code_hash(&code.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
