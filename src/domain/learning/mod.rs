//! The learning loop and agent orchestration (seed 002 §5, §8): strategy briefs, content
//! packages, append-only agent activity, advisor feedback and auto plans. Agents write
//! with the service role; members write where a person would.

pub mod activity;
pub mod feedback;
pub mod packages;

use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// A short identifier (cycle, request, agent, entry, ...): 1 to 200 characters.
pub(crate) fn ident<'a>(field: &'static str, value: &'a str) -> ApiResult<&'a str> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be 1 to 200 characters"),
        ));
    }
    Ok(value)
}

/// A JSON document of at most 256 KiB.
pub(crate) fn document(field: &'static str, value: Value) -> ApiResult<Value> {
    if value.to_string().len() > 256 * 1024 {
        return Err(ApiError::bad_input(
            field,
            format!("{field} is at most 256 KiB"),
        ));
    }
    Ok(value)
}
