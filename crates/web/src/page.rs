//! What every page's layout needs: language, title, the signed-in user, the CSRF token for the
//! sign-out button, and the current path for the language switcher. Each page template embeds a
//! `Page` and extends `base.html`.

use crate::forms::url_encode;
use crate::i18n::Lang;
use crate::session::{Ctx, SignedIn};
use jetdesk_domain::Role;

/// The layout's data.
pub struct Page {
    /// Interface language.
    pub lang: Lang,
    /// The page title (without the site name).
    pub title: String,
    /// The signed-in user, if any.
    pub user: Option<SignedIn>,
    /// CSRF token for the header's sign-out form (empty when signed out).
    pub csrf: String,
    /// The current path and query, for "switch language and come back".
    pub path: String,
    /// A one-off notice for the top of the page (already translated).
    pub notice: Option<String>,
}

impl Page {
    /// The layout data for this request with `title`.
    pub fn new(ctx: &Ctx, title: impl Into<String>) -> Page {
        Page {
            lang: ctx.lang(),
            title: title.into(),
            user: ctx.user().cloned(),
            csrf: ctx.csrf_if_any(),
            path: ctx.path().to_string(),
            notice: None,
        }
    }

    /// Adds a notice, looked up by its Fluent key.
    pub fn with_notice(mut self, key: Option<&str>) -> Page {
        self.notice = key.map(|k| self.lang.t(k));
        self
    }

    /// Translates `key` into the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The link that switches to `code` and comes back here.
    pub fn switch_to(&self, code: &str) -> String {
        format!("/language?lang={code}&next={}", url_encode(&self.path))
    }

    /// Whether the current user holds a role, by name (templates cannot name enum variants easily).
    pub fn has_role(&self, role: &str) -> bool {
        let Ok(role) = role.parse::<Role>() else {
            return false;
        };
        self.user.as_ref().is_some_and(|u| u.has(role))
    }

    /// `aria-current` for a nav link to `href`.
    pub fn current(&self, href: &str) -> &'static str {
        let path = self.path.split('?').next().unwrap_or("");
        if path == href || (href != "/" && path.starts_with(href)) {
            "page"
        } else {
            "false"
        }
    }
}

/// A Unix time as London wall-clock time, as staff read it (`2026-11-27 18:00 GMT`).
pub fn format_time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .ok()
        .and_then(|ts| ts.in_tz("Europe/London").ok())
        .map(|zoned| zoned.strftime("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_else(|| unix.to_string())
}

impl Page {
    /// Translates `key` with one numeric argument.
    pub fn t1(&self, key: &str, name: &'static str, value: i64) -> String {
        self.lang.t1(key, name, value)
    }
}
