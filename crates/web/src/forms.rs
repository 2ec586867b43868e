//! Form handling shared by every capability: field errors in the GOV.UK pattern (a summary at the
//! top linking to each field, the message beside the field) and safe redirect targets.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Field errors of a submitted form, in the order the fields appear.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    /// Records `message` for the field with id `field`.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// Every (field, message), for the error summary.
    pub fn list(&self) -> &[(&'static str, String)] {
        &self.0
    }

    /// Whether the form had no errors.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Percent-encodes a string for a query parameter.
pub fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A `next` target is followed only if it is a path on this site: never `//host` or `https://…`.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    local.then(|| next.to_string())
}

/// `axum::Form`, but a body that does not decode is a 400 page in our style, not axum's plain text.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = crate::error::AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => Err(crate::error::AppError::BadRequest(rejection.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/account")), Some("/account".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn the_first_error_for_a_field_is_kept() {
        let mut e = FormErrors::default();
        e.add("email", "first");
        e.add("email", "second");
        assert_eq!(e.get("email"), Some("first"));
        assert_eq!(e.list().len(), 1);
    }
}
