//! Single-line text fields (names, titles): trimmed, bounded, free of control characters.

/// Why a line of text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Nothing was entered.
    #[error("This field is required")]
    Empty,
    /// Over the field's limit, counted in characters.
    #[error("Must be {0} characters or fewer")]
    TooLong(usize),
    /// Contains a control character (for example a pasted tab or escape code).
    #[error("Must not contain control characters")]
    Control,
}

/// Trims `input` and checks it is non-empty, at most `max` characters, and has no control characters.
pub fn clean_line(input: &str, max: usize) -> Result<String, LineError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(LineError::Empty);
    }
    if s.chars().count() > max {
        return Err(LineError::TooLong(max));
    }
    if s.chars().any(char::is_control) {
        return Err(LineError::Control);
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(clean_line("  Ann Lee ", 10).unwrap(), "Ann Lee");
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(clean_line("山田太郎", 4).is_ok());
        assert_eq!(clean_line("山田太郎です", 4), Err(LineError::TooLong(4)));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(clean_line("Ann\u{1b}[31m", 50), Err(LineError::Control));
    }

    #[test]
    fn blank_is_required() {
        assert_eq!(clean_line(" \t ", 50), Err(LineError::Empty));
    }
}
