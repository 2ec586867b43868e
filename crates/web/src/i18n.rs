//! The site's own words (menus, buttons, messages, errors) in English and Japanese, through Fluent.
//! The files live in `locales/<lang>/*.ftl` (`main.ftl` for the site's chrome, one file per
//! capability) and are compiled into the binary.
//!
//! The language of a request comes from, in order: the `lang` cookie set by the switcher, the
//! signed-in user's saved choice, the browser's `Accept-Language`, and English.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the interface is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// The BCP 47 tag used in `<html lang>`, the cookie and the database.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// Parses a tag such as `ja`, `ja-JP` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its q-values.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok()))
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::En => fluent_templates::langid!("en-US"),
            Lang::Ja => fluent_templates::langid!("ja"),
        }
    }

    /// The text for `key` in this language (English if the key is missing in Japanese).
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(&self.langid(), key)
    }

    /// The text for `key` with one named argument.
    pub fn t1(self, key: &str, name: &'static str, value: impl Into<FluentValue<'static>>) -> String {
        self.ta(key, vec![(name, value.into())])
    }

    /// The text for `key` with named arguments.
    pub fn ta(self, key: &str, args: Vec<(&'static str, FluentValue<'static>)>) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            args.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect();
        LOCALES.lookup_with_args(&self.langid(), key, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_is_chosen_when_the_browser_prefers_it() {
        assert_eq!(Lang::negotiate("ja,en-GB;q=0.8"), Some(Lang::Ja));
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,ja;q=0.5"), Some(Lang::En));
        assert_eq!(Lang::negotiate("fr-FR, de;q=0.5"), None);
        assert_eq!(Lang::negotiate("fr;q=1, ja-JP;q=0.7"), Some(Lang::Ja));
    }

    /// Every Fluent file (`main.ftl` and one per capability) has the same keys in both languages,
    /// so no page shows a key's name instead of its words.
    #[test]
    fn every_english_message_has_a_japanese_translation_and_back() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let keys = |src: &str| -> std::collections::BTreeSet<String> {
            src.lines()
                .filter(|l| !l.starts_with([' ', '#', '.', '*', '[']) && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_string()))
                .collect()
        };
        let mut files = 0;
        for entry in std::fs::read_dir(dir.join("en-US")).unwrap() {
            let name = entry.unwrap().file_name();
            let en = std::fs::read_to_string(dir.join("en-US").join(&name)).unwrap();
            let ja = std::fs::read_to_string(dir.join("ja").join(&name))
                .unwrap_or_else(|_| panic!("{name:?} has no Japanese file"));
            let (en, ja) = (keys(&en), keys(&ja));
            let missing: Vec<_> = en.difference(&ja).collect();
            assert!(missing.is_empty(), "{name:?}: missing in ja: {missing:?}");
            let extra: Vec<_> = ja.difference(&en).collect();
            assert!(extra.is_empty(), "{name:?}: only in ja: {extra:?}");
            files += 1;
        }
        assert!(files >= 8, "found only {files} Fluent files");
        assert_eq!(std::fs::read_dir(dir.join("ja")).unwrap().count(), files);
        assert_eq!(Lang::Ja.t("nav-sign-in"), "ログイン");
    }
}
