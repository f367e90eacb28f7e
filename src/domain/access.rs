//! Who may do what in a brand: one check used by every mutation.

use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::error::{ApiError, ApiResult};

/// Requires at least `needed` in `brand_id`. A brand the viewer cannot see at all is
/// `NOT_FOUND` (never a hint that it exists); a visible one with too small a role is
/// `FORBIDDEN`.
pub async fn require_role(viewer: &Viewer, brand_id: Uuid, needed: Role) -> ApiResult<Role> {
    match viewer.role_in(brand_id).await? {
        None => Err(ApiError::NotFound("brand")),
        Some(role) if role < needed => Err(ApiError::Forbidden(format!(
            "this needs the {} role or higher in the brand; you are {}",
            needed.as_str(),
            role.as_str()
        ))),
        Some(role) => Ok(role),
    }
}
