//! Keys that recognise the same person behind two accounts (DOMAIN.md: one application per person
//! per year). Two applications with the same passport key, or the same identity key (name and date
//! of birth), are flagged to staff as possible duplicates; nothing is decided automatically, since
//! two people can share a name and a birthday.

/// The passport number without spaces, dashes or case: `" 12 345-678a "` → `"12345678A"`.
/// `None` when nothing is left.
pub fn passport_key(passport_number: &str) -> Option<String> {
    let key: String = passport_number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    (!key.is_empty()).then_some(key)
}

/// Given names, family name and date of birth, with case, accents' letters kept but spaces,
/// hyphens and apostrophes dropped: "Mary-Anne", "O'Neil", 1999-03-27 →
/// `"maryanne|oneil|1999-03-27"`. `None` unless all three are given.
pub fn identity_key(given_names: &str, family_name: &str, date_of_birth: &str) -> Option<String> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (given, family, dob) = (squash(given_names), squash(family_name), date_of_birth.trim());
    (!given.is_empty() && !family.is_empty() && !dob.is_empty()).then(|| format!("{given}|{family}|{dob}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passport_numbers_match_whatever_the_spacing_and_case() {
        assert_eq!(passport_key(" 12 345-678a "), Some("12345678A".into()));
        assert_eq!(passport_key("12345678A"), passport_key("12345678 a"));
        assert_eq!(passport_key(" - "), None);
    }

    #[test]
    fn names_match_whatever_the_punctuation_and_case() {
        assert_eq!(
            identity_key("Mary-Anne", "O'Neil", "1999-03-27"),
            Some("maryanne|oneil|1999-03-27".into())
        );
        assert_eq!(
            identity_key("mary anne", "ONEIL", "1999-03-27"),
            identity_key("Mary-Anne", "O'Neil", "1999-03-27")
        );
        assert_ne!(
            identity_key("Mary", "Smith", "1999-03-27"),
            identity_key("Mary", "Smith", "1999-03-28")
        );
        assert_eq!(identity_key("Mary", "", "1999-03-27"), None);
        assert_eq!(identity_key("Mary", "Smith", ""), None);
    }
}
