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

/// A connection field's Relay arguments as the client gave them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// A connection field's four page arguments, as the resolver received them.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }
}

/// Validated `first`/`after`/`last`/`before` of a page (Relay's cursor connections spec):
/// the rows after `after` and before `before`, the first `limit` of them, or with `last`
/// the last `limit`. `first` and `last` together are refused (the spec discourages them;
/// schema decision 90).
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    /// Rows wanted (0..=100).
    pub limit: u64,
    /// Sort key to continue after.
    pub after: Option<K>,
    /// Sort key to stop before.
    pub before: Option<K>,
    /// `last` was given: the page is the range's last `limit` rows, read in reverse.
    pub backward: bool,
}

impl<K: DeserializeOwned> PageRequest<K> {
    pub fn parse(args: &PageArgs) -> ApiResult<Self> {
        let (field, size, backward) = match (args.first, args.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "last",
                    "first and last cannot be used together",
                ));
            }
            (None, Some(last)) => ("last", last, true),
            (first, None) => ("first", first.unwrap_or(DEFAULT_PAGE_SIZE), false),
        };
        if !(0..=MAX_PAGE_SIZE).contains(&size) {
            return Err(ApiError::bad_input(
                field,
                format!("{field} must be between 0 and {MAX_PAGE_SIZE}"),
            ));
        }
        let cursor = |field, cursor: &Option<String>| {
            cursor
                .as_deref()
                .map(|cursor| decode_cursor_of(field, cursor))
                .transpose()
        };
        Ok(Self {
            limit: size as u64,
            after: cursor("after", &args.after)?,
            before: cursor("before", &args.before)?,
            backward,
        })
    }
}

/// `hasPreviousPage` and `hasNextPage` of a page read `backward` or not, given the
/// cursors it had and whether rows beyond its size came back: the side it was read
/// towards says whether more rows follow; the other side says whether a cursor was given
/// (the executor never looks past a cursor).
pub fn page_info(backward: bool, after: bool, before: bool, more: bool) -> (bool, bool) {
    if backward {
        (more, before)
    } else {
        (after, more)
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> ApiResult<K> {
    decode_cursor_of("after", cursor)
}

/// [`decode_cursor`] of the argument `field` (`after` or `before`).
pub fn decode_cursor_of<K: DeserializeOwned>(field: &'static str, cursor: &str) -> ApiResult<K> {
    let bad = || ApiError::bad_input(field, "not a valid cursor");
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

    fn parse(first: Option<i32>, last: Option<i32>) -> ApiResult<PageRequest<Uuid>> {
        PageRequest::parse(&PageArgs {
            first,
            last,
            ..PageArgs::default()
        })
    }

    #[test]
    fn page_size_is_capped() {
        assert_eq!(parse(None, None).unwrap().limit, 20);
        assert!(parse(Some(101), None).is_err());
        assert!(parse(Some(-1), None).is_err());
        assert_eq!(parse(Some(100), None).unwrap().limit, 100);
        assert!(parse(None, Some(101)).is_err());
        assert!(parse(None, Some(-1)).is_err());
    }

    #[test]
    fn last_reads_backward_and_first_with_last_is_refused() {
        let page = parse(None, Some(3)).unwrap();
        assert!(page.backward && page.limit == 3);
        assert!(!parse(Some(3), None).unwrap().backward);
        assert!(matches!(
            parse(Some(1), Some(1)),
            Err(ApiError::BadUserInput {
                field: Some("last"),
                ..
            })
        ));
    }

    #[test]
    fn page_info_looks_past_the_side_read_towards() {
        // forward: previous = after given, next = more rows
        assert_eq!(page_info(false, true, false, false), (true, false));
        assert_eq!(page_info(false, false, true, true), (false, true));
        // backward: previous = more rows, next = before given
        assert_eq!(page_info(true, true, false, false), (false, false));
        assert_eq!(page_info(true, false, true, true), (true, true));
    }
}
