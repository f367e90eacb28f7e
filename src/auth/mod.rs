//! Authentication (bearer token -> [`Principal`]) and authorization (the request's
//! [`Viewer`] and its brand roles).

pub mod jwt;
pub mod membership_cache;
pub mod role;
pub mod viewer;

pub use jwt::{JwtVerifier, Principal};
pub use membership_cache::MembershipCache;
pub use role::Role;
pub use viewer::{BrandScope, Memberships, Viewer};

use crate::error::ApiError;

/// Reads `Authorization: Bearer <token>`. No header is anonymous (`Ok(None)`); a header that
/// is present but not a well-formed bearer token is an error, never silently anonymous.
pub fn bearer_token(header: Option<&str>) -> Result<Option<&str>, ApiError> {
    let Some(value) = header else {
        return Ok(None);
    };
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::unauthenticated("Authorization header must be `Bearer <token>`")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthenticated(
            "Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(Some(token.trim()))
}
