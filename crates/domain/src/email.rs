//! An e-mail address as jetdesk accepts it: trimmed, lower-cased, plausibly deliverable.

use std::fmt;

/// A checked, normalised e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why an e-mail address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Enter an email address")]
    Empty,
    /// Longer than RFC 5321 allows.
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
    /// Not of the form name@domain.tld.
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
}

impl Email {
    /// Checks and normalises an address typed by a person.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        // Lower-cased before the length checks: lower-casing can lengthen text ("İ" is 2 bytes, its
        // lower case "i̇" 3), and the stored, normalised form is what must fit.
        let s = input.trim().to_lowercase();
        let s = s.as_str();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Format)?;
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\@".contains(c);
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(bad_char)
            || domain.chars().any(bad_char)
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(EmailError::Format);
        }
        Ok(Email(s.to_owned()))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ann.Lee@Example.AC.uk ").unwrap().as_str(),
            "ann.lee@example.ac.uk"
        );
    }

    #[test]
    fn an_empty_address_asks_for_one() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn an_address_without_a_dotted_domain_is_refused() {
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@localhost",
            "ann@example..com",
            "a b@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Format), "{bad}");
        }
    }

    #[test]
    fn markup_in_an_address_is_refused() {
        assert_eq!(Email::parse("<script>@example.com"), Err(EmailError::Format));
    }

    #[test]
    fn an_overlong_address_is_refused() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    /// Found by the `domain_parsers` fuzz target's property (a normalised address must be accepted
    /// as it is): "İ" lower-cases to two characters, so a 245-byte address became 365 bytes.
    #[test]
    fn the_length_limit_applies_to_the_lower_cased_address() {
        let dotted = format!("a@{}.uk", "\u{130}".repeat(120));
        assert_eq!(dotted.len(), 245);
        assert_eq!(Email::parse(&dotted), Err(EmailError::TooLong));
        let fits = format!("a@{}.uk", "\u{130}".repeat(80));
        let email = Email::parse(&fits).unwrap();
        assert!(email.as_str().len() <= 254);
        assert_eq!(Email::parse(email.as_str()), Ok(email));
    }
}
