//! `approval_requests`: who must review what, by when and how urgently.

use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::{lock_visible, scoped};
use crate::error::{ApiError, ApiResult};
use entity::{approval_requests, brand_members};

/// How urgent a review is.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReviewPriority {
    /// Whenever convenient.
    Low,
    /// The default.
    Normal,
    /// Before normal ones.
    High,
    /// First.
    Urgent,
}

impl ReviewPriority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Low, Self::Normal, Self::High, Self::Urgent]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// The viewer's pending reviews: earliest deadline first (none last), then most urgent,
/// then oldest. The service role has no queue.
pub async fn queue(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Option<Uuid>,
    overdue_only: bool,
    first: u64,
) -> ApiResult<Vec<approval_requests::Model>> {
    use approval_requests::Column;
    let Some(user) = viewer.user_id() else {
        return Ok(Vec::new());
    };
    let scope = viewer.brand_scope().await?;
    let mut select = scoped(approval_requests::Entity::find(), &scope, Column::BrandId)
        .filter(Column::AssignedTo.eq(user))
        .filter(Column::Status.eq("pending"));
    if let Some(brand) = brand {
        select = select.filter(Column::BrandId.eq(brand));
    }
    if overdue_only {
        select = select.filter(Expr::cust("\"approval_requests\".\"deadline\" < now()"));
    }
    Ok(select
        .order_by_asc(Expr::cust(
            "\"approval_requests\".\"deadline\" IS NULL, \"approval_requests\".\"deadline\"",
        ))
        .order_by_desc(Expr::cust(
            "array_position(ARRAY['low','normal','high','urgent']::varchar[], \"approval_requests\".\"priority\")",
        ))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .limit(first)
        .all(db)
        .await?)
}

/// What `update` changes; `None` leaves a field as it is.
#[derive(Default)]
pub struct RequestChange {
    pub assigned_to: Option<Uuid>,
    pub deadline: Option<Option<DateTime<FixedOffset>>>,
    pub priority: Option<ReviewPriority>,
}

/// Reassigns a pending request or changes its deadline or priority (managers and above).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    change: RequestChange,
) -> ApiResult<approval_requests::Model> {
    let row = lock_visible(
        db,
        viewer,
        approval_requests::Entity::find_by_id(id),
        approval_requests::Column::BrandId,
        "approval request",
    )
    .await?;
    require_role(viewer, row.brand_id, Role::Manager).await?;
    if row.status != "pending" {
        return Err(ApiError::Conflict(format!(
            "the request is {}; only pending requests change",
            row.status
        )));
    }
    if let Some(user) = change.assigned_to {
        let member = brand_members::Entity::find()
            .filter(brand_members::Column::BrandId.eq(row.brand_id))
            .filter(brand_members::Column::UserId.eq(user))
            .count(db)
            .await?;
        if member == 0 {
            return Err(ApiError::bad_input(
                "assignedTo",
                "assignedTo must be a member of the brand",
            ));
        }
    }
    let before = json!({ "assigned_to": row.assigned_to, "deadline": row.deadline, "priority": row.priority });
    let brand = row.brand_id;
    let mut active = row.into_active_model();
    if let Some(user) = change.assigned_to {
        active.assigned_to = Set(Some(user));
    }
    if let Some(deadline) = change.deadline {
        active.deadline = Set(deadline);
    }
    if let Some(priority) = change.priority {
        active.priority = Set(priority.as_str().to_string());
    }
    let row = active.update(db).await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(brand),
            action: "approval_request.update",
            resource_type: "approval_request",
            resource_id: id.to_string(),
            metadata: json!({
                "before": before,
                "after": { "assigned_to": row.assigned_to, "deadline": row.deadline, "priority": row.priority },
            }),
        },
    )
    .await?;
    Ok(row)
}
