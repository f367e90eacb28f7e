//! Relay pagination arguments and opaque keyset cursors.
//!
//! A cursor is the sort key of the row it points at (e.g. `(name, id)` or
//! `(created_at, id)`), serialised to JSON and base64-encoded. Pages continue with
//! `WHERE (key) > (cursor)`, never OFFSET, so concurrent inserts neither repeat nor skip
//! rows that already existed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// Query cost of a connection: its page size times the cost of what each edge selects,
/// plus one for the field itself. Out-of-range sizes are costed at the cap (they fail
/// validation when resolved anyway).
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(0, MAX_PAGE_SIZE) as usize;
    1 + rows.saturating_mul(child_complexity)
}

/// Query cost of a daily series: the days it spans (at most 366) times what each row selects.
pub fn range_cost(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    child_complexity: usize,
) -> usize {
    let days = ((to - from).num_days() + 1).clamp(1, 367) as usize;
    1 + days.saturating_mul(child_complexity)
}

/// Validated `first` / `after` of a forward page.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    /// Rows wanted (1..=100).
    pub limit: u64,
    /// Sort key to continue after.
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    pub fn parse(first: Option<i32>, after: Option<&str>) -> ApiResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("first must be between 0 and {MAX_PAGE_SIZE}"),
            ));
        }
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self {
            limit: first as u64,
            after,
        })
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> ApiResult<K> {
    let bad = || ApiError::bad_input("after", "not a valid cursor");
    let json = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    serde_json::from_slice(&json).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn cursors_round_trip_and_garbage_is_bad_input() {
        let key = ("Acme".to_string(), Uuid::new_v4());
        let cursor = encode_cursor(&key);
        assert_eq!(decode_cursor::<(String, Uuid)>(&cursor).unwrap(), key);
        assert!(decode_cursor::<(String, Uuid)>("nope!").is_err());
    }

    #[test]
    fn page_size_is_capped() {
        assert_eq!(PageRequest::<Uuid>::parse(None, None).unwrap().limit, 20);
        assert!(PageRequest::<Uuid>::parse(Some(101), None).is_err());
        assert!(PageRequest::<Uuid>::parse(Some(-1), None).is_err());
        assert_eq!(
            PageRequest::<Uuid>::parse(Some(100), None).unwrap().limit,
            100
        );
    }
}
