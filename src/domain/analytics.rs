//! Analytics input rules.

use crate::error::{ApiError, ApiResult};

/// A platform name: lowercase ASCII letters, digits and `_`, 1 to 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform(String);

impl Platform {
    pub fn parse(text: &str) -> ApiResult<Self> {
        let valid = !text.is_empty()
            && text.len() <= 50
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(Self(text.to_string()))
        } else {
            Err(ApiError::bad_input(
                "platform",
                format!("{text:?} is not a platform name (lowercase letters, digits, `_`)"),
            ))
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Summary windows are 1 to 366 days.
pub fn summary_days(days: i32) -> ApiResult<u32> {
    if (1..=366).contains(&days) {
        Ok(days as u32)
    } else {
        Err(ApiError::bad_input(
            "days",
            "days must be between 1 and 366",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_are_validated() {
        assert!(Platform::parse("instagram").is_ok());
        assert!(Platform::parse("google_business").is_ok());
        assert!(Platform::parse("").is_err());
        assert!(Platform::parse("Insta gram").is_err());
        assert!(Platform::parse("x'; drop table").is_err());
    }

    #[test]
    fn summary_windows_are_bounded() {
        assert_eq!(summary_days(30).unwrap(), 30);
        assert!(summary_days(0).is_err());
        assert!(summary_days(367).is_err());
    }
}
