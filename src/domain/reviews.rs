//! Responses to platform reviews: recorded here, sent by the platform worker.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::error::{ApiError, ApiResult};
use entity::platform_reviews;

/// Records a response to a review (members and above); it is `pending` until sent.
/// Responding again replaces a response not yet sent.
pub async fn respond(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    response: &str,
) -> ApiResult<platform_reviews::Model> {
    let row = lock_visible(
        db,
        viewer,
        platform_reviews::Entity::find_by_id(id),
        platform_reviews::Column::BrandId,
        "platform review",
    )
    .await?;
    require_role(viewer, row.brand_id, Role::Member).await?;
    let response = response.trim();
    if response.is_empty() || response.chars().count() > 4000 {
        return Err(ApiError::bad_input(
            "response",
            "a response is 1 to 4000 characters",
        ));
    }
    if row.response_status.as_deref() == Some("sent") {
        return Err(ApiError::Conflict(
            "a response was already sent to this review".into(),
        ));
    }
    let brand = row.brand_id;
    let mut active = row.into_active_model();
    active.response_text = Set(Some(response.to_string()));
    active.response_status = Set(Some("pending".into()));
    active.responded_by = Set(viewer.user_id());
    active.responded_at = Set(Some(chrono::Utc::now().into()));
    let row = active.update(db).await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(brand),
            action: "platform_review.respond",
            resource_type: "platform_review",
            resource_id: id.to_string(),
            metadata: json!({ "response": response }),
        },
    )
    .await?;
    Ok(row)
}
