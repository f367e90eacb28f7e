//! Onboarding milestones of a brand (seed 002 §1): unlocked once, acknowledged by a person.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};
use entity::milestones;

/// Records that the brand reached milestone `key` (members and above). Recording it
/// again keeps the first unlock time; `acknowledge` marks it seen.
pub async fn record(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    key: &str,
    acknowledge: bool,
) -> ApiResult<milestones::Model> {
    require_role(viewer, brand, Role::Member).await?;
    let valid = (1..=100).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if !valid {
        return Err(ApiError::bad_input(
            "key",
            "key must be 1 to 100 letters, digits, dots, dashes or underscores",
        ));
    }
    // workspace_id (the seed's key, NOT NULL and unique with key): the brand's id, since
    // legacy aliases are shared between brands (docs/schema-decisions.md #17).
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO milestones (brand_id, workspace_id, key, acknowledged_at)
             SELECT id, id::text, $2, CASE WHEN $3 THEN now() END
               FROM brands WHERE id = $1
             ON CONFLICT (brand_id, key) DO UPDATE SET acknowledged_at =
               coalesce(milestones.acknowledged_at, EXCLUDED.acknowledged_at)
             RETURNING id",
            [brand.into(), key.into(), acknowledge.into()],
        ))
        .await?
        .ok_or(ApiError::NotFound("brand"))?;
    let id: Uuid = row.try_get_by_index(0)?;
    milestones::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("milestone"))
}
