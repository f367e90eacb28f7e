//! Content lifecycle operations. Each runs inside the caller's transaction, locks the
//! content row first (so concurrent decisions on one post serialise), checks the role and
//! the state machine, changes the rows and writes the audit entry.
//!
//! Rules chosen here (see docs/rules.md):
//! - members and above create, edit and submit; managers and above approve, reject and
//!   schedule; the service role may do everything;
//! - only `draft` and `rejected` content can be edited; editing rejected content returns
//!   it to `draft`;
//! - an author may not approve or reject their own post unless they are the brand's owner
//!   (a one-person brand can still publish); the service role is never an author.

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::prelude::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::require_role;
use super::analytics::Platform;
use super::audit::{self, AuditContext, AuditEntry};
use super::lifecycle;
use super::status::{ApprovalStatus, ContentStatus};
use crate::auth::{Role, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::{approval_requests, brand_members, content_items, post_approvals, scheduled_content};

const CONTENT_TYPES: [&str; 5] = ["post", "blog", "caption", "email", "story"];

/// A new content item.
pub struct NewContent {
    pub brand_id: Uuid,
    pub content_type: String,
    pub title: Option<String>,
    pub content: Value,
    pub platform: Option<String>,
    pub approval_required: bool,
    pub media_urls: Vec<String>,
}

/// Changes to a content item; `None` leaves a field as it is.
#[derive(Default)]
pub struct ContentChanges {
    pub content_type: Option<String>,
    pub title: Option<String>,
    pub content: Option<Value>,
    pub platform: Option<String>,
    pub media_urls: Option<Vec<String>>,
}

/// Optional details of a review request.
#[derive(Default)]
pub struct ReviewRequest {
    pub assigned_to: Option<Uuid>,
    pub deadline: Option<DateTime<FixedOffset>>,
    pub priority: Option<String>,
}

/// A reviewer's decision.
pub enum Decision {
    Approve,
    Reject { reason: String },
}

fn content_type(text: String) -> ApiResult<String> {
    if CONTENT_TYPES.contains(&text.as_str()) {
        Ok(text)
    } else {
        Err(ApiError::bad_input(
            "type",
            format!("type must be one of {}", CONTENT_TYPES.join(", ")),
        ))
    }
}

fn platform(text: Option<String>) -> ApiResult<Option<String>> {
    text.map(|p| Platform::parse(&p).map(Platform::into_inner))
        .transpose()
}

fn status_of(item: &content_items::Model) -> ApiResult<ContentStatus> {
    ContentStatus::parse(&item.status)
        .ok_or_else(|| ApiError::unexpected("content status", &item.status))
}

/// The content item, locked for this transaction, if the viewer may see its brand.
pub async fn lock_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<content_items::Model> {
    super::brands::lock_visible(
        db,
        viewer,
        content_items::Entity::find_by_id(id),
        content_items::Column::BrandId,
        "content item",
    )
    .await
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    item: &content_items::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(item.brand_id),
            action,
            resource_type: "content_item",
            resource_id: item.id.to_string(),
            metadata,
        },
    )
    .await
}

pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    new: NewContent,
) -> ApiResult<content_items::Model> {
    require_role(viewer, new.brand_id, Role::Member).await?;
    let item = content_items::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        r#type: Set(content_type(new.content_type)?),
        title: Set(new.title),
        content: Set(new.content),
        status: Set(ContentStatus::Draft.as_str().into()),
        platform: Set(platform(new.platform)?),
        approval_required: Set(Some(new.approval_required)),
        media_urls: Set(Some(new.media_urls)),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(
        db,
        ctx,
        "content.create",
        &item,
        json!({ "after": { "status": item.status } }),
    )
    .await?;
    Ok(item)
}

pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    changes: ContentChanges,
) -> ApiResult<content_items::Model> {
    let item = lock_visible(db, viewer, id).await?;
    require_role(viewer, item.brand_id, Role::Member).await?;
    let status = status_of(&item)?;
    let next = match status {
        ContentStatus::Draft => ContentStatus::Draft,
        ContentStatus::Rejected => ContentStatus::Draft,
        other => {
            return Err(ApiError::bad_input(
                "status",
                format!("content in status {} cannot be edited", other.as_str()),
            ));
        }
    };
    let before = json!({ "status": item.status, "title": item.title, "content": item.content });
    let mut active: content_items::ActiveModel = item.into();
    if let Some(kind) = changes.content_type {
        active.r#type = Set(content_type(kind)?);
    }
    if let Some(title) = changes.title {
        active.title = Set(Some(title));
    }
    if let Some(content) = changes.content {
        active.content = Set(content);
    }
    if changes.platform.is_some() {
        active.platform = Set(platform(changes.platform)?);
    }
    if let Some(urls) = changes.media_urls {
        active.media_urls = Set(Some(urls));
    }
    active.status = Set(next.as_str().into());
    let item = active.update(db).await?;
    let after = json!({ "status": item.status, "title": item.title, "content": item.content });
    audit_change(
        db,
        ctx,
        "content.update",
        &item,
        json!({ "before": before, "after": after }),
    )
    .await?;
    Ok(item)
}

async fn set_status(
    db: &impl ConnectionTrait,
    item: content_items::Model,
    next: ContentStatus,
    edit: impl FnOnce(&mut content_items::ActiveModel),
) -> ApiResult<content_items::Model> {
    let mut active: content_items::ActiveModel = item.into();
    active.status = Set(next.as_str().into());
    edit(&mut active);
    Ok(active.update(db).await?)
}

pub async fn submit_for_review(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    request: ReviewRequest,
) -> ApiResult<(content_items::Model, post_approvals::Model)> {
    let item = lock_visible(db, viewer, id).await?;
    require_role(viewer, item.brand_id, Role::Member).await?;
    let status = status_of(&item)?;
    lifecycle::check(status, ContentStatus::PendingReview)?;
    if let Some(assignee) = request.assigned_to {
        // Same answer whether the user exists elsewhere or not at all: nothing leaks.
        let is_member = brand_members::Entity::find()
            .filter(brand_members::Column::BrandId.eq(item.brand_id))
            .filter(brand_members::Column::UserId.eq(assignee))
            .one(db)
            .await?
            .is_some();
        if !is_member {
            return Err(ApiError::bad_input(
                "assignedTo",
                "the reviewer must be a member of the brand",
            ));
        }
    }
    let approval = post_approvals::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(item.brand_id),
        post_id: Set(Some(item.id)),
        status: Set(ApprovalStatus::Pending.as_str().into()),
        locked: Set(Some(false)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    approval_requests::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(item.brand_id),
        post_id: Set(item.id),
        requested_by: Set(viewer.user_id()),
        assigned_to: Set(request.assigned_to),
        priority: Set(request.priority.unwrap_or_else(|| "normal".into())),
        deadline: Set(request.deadline),
        status: Set("pending".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let item = set_status(db, item, ContentStatus::PendingReview, |_| {}).await?;
    audit_change(
        db,
        ctx,
        "content.submit_for_review",
        &item,
        json!({ "before": { "status": status.as_str() }, "after": { "status": item.status }, "approval_id": approval.id }),
    )
    .await?;
    Ok((item, approval))
}

/// Approves or rejects the pending approval of a post.
pub async fn decide(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    decision: Decision,
) -> ApiResult<(content_items::Model, post_approvals::Model)> {
    let item = lock_visible(db, viewer, id).await?;
    let role = require_role(viewer, item.brand_id, Role::Manager).await?;
    let status = status_of(&item)?;
    let (target, action) = match &decision {
        Decision::Approve => (ContentStatus::Approved, "content.approve"),
        Decision::Reject { .. } => (ContentStatus::Rejected, "content.reject"),
    };
    if let Decision::Reject { reason } = &decision
        && reason.trim().is_empty()
    {
        return Err(ApiError::bad_input("reason", "a rejection needs a reason"));
    }
    let approval = post_approvals::Entity::find()
        .filter(post_approvals::Column::PostId.eq(item.id))
        .order_by_desc(post_approvals::Column::CreatedAt)
        .order_by_desc(post_approvals::Column::Id)
        .lock_exclusive()
        .one(db)
        .await?;
    if approval.as_ref().is_some_and(|a| a.locked == Some(true)) {
        return Err(ApiError::Conflict(
            "the approval is locked and cannot change".into(),
        ));
    }
    if status != ContentStatus::PendingReview {
        let decided = approval
            .as_ref()
            .is_some_and(|a| a.status != ApprovalStatus::Pending.as_str());
        if decided && status != ContentStatus::Draft {
            return Err(ApiError::Conflict(format!(
                "the post was already decided (it is {})",
                status.as_str()
            )));
        }
        lifecycle::check(status, target)?;
    }
    let approval =
        approval.ok_or_else(|| ApiError::Conflict("the post has no pending approval".into()))?;
    if viewer.user_id().is_some() && item.created_by == viewer.user_id() && role < Role::Owner {
        return Err(ApiError::Forbidden(
            "authors cannot decide on their own posts (only the brand owner may)".into(),
        ));
    }

    let now = Utc::now().fixed_offset();
    let mut active: post_approvals::ActiveModel = approval.into();
    let reason = match decision {
        Decision::Approve => {
            active.status = Set(ApprovalStatus::Approved.as_str().into());
            active.approved_at = Set(Some(now));
            active.approved_by = Set(viewer.user_id());
            None
        }
        Decision::Reject { reason } => {
            active.status = Set(ApprovalStatus::Rejected.as_str().into());
            active.rejected_at = Set(Some(now));
            active.rejected_by = Set(viewer.user_id());
            active.rejection_reason = Set(Some(reason.clone()));
            Some(reason)
        }
    };
    let approval = active.update(db).await?;
    approval_requests::Entity::update_many()
        .col_expr(approval_requests::Column::Status, Expr::value("completed"))
        .filter(approval_requests::Column::PostId.eq(item.id))
        .filter(approval_requests::Column::Status.eq("pending"))
        .exec(db)
        .await?;
    let approved = target == ContentStatus::Approved;
    let approver = viewer.user_id();
    let item = set_status(db, item, target, |active| {
        if approved {
            active.approved_at = Set(Some(now));
            active.approved_by = Set(approver);
        }
    })
    .await?;
    audit_change(
        db,
        ctx,
        action,
        &item,
        json!({ "before": { "status": status.as_str() }, "after": { "status": item.status },
                "approval_id": approval.id, "reason": reason }),
    )
    .await?;
    Ok((item, approval))
}

/// Schedules approved content (or content that needs no approval) on platforms.
pub async fn schedule(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    at: DateTime<FixedOffset>,
    platforms: Vec<String>,
) -> ApiResult<(content_items::Model, scheduled_content::Model)> {
    let item = lock_visible(db, viewer, id).await?;
    require_role(viewer, item.brand_id, Role::Manager).await?;
    if at <= Utc::now() {
        return Err(ApiError::bad_input(
            "scheduledAt",
            "the time must be in the future",
        ));
    }
    if platforms.is_empty() {
        return Err(ApiError::bad_input(
            "platforms",
            "name at least one platform",
        ));
    }
    let platforms = platforms
        .iter()
        .map(|p| Platform::parse(p).map(Platform::into_inner))
        .collect::<ApiResult<Vec<_>>>()?;
    let status = status_of(&item)?;
    let needs_approval = item.approval_required.unwrap_or(true);
    let skips_approval = status == ContentStatus::Draft && !needs_approval;
    if !skips_approval {
        lifecycle::check(status, ContentStatus::Scheduled)?;
    }
    let existing = scheduled_content::Entity::find()
        .filter(scheduled_content::Column::ContentId.eq(item.id))
        .filter(scheduled_content::Column::Status.eq("scheduled"))
        .one(db)
        .await?;
    let entry = match existing {
        Some(entry) => {
            let mut active: scheduled_content::ActiveModel = entry.into();
            active.scheduled_at = Set(at);
            active.platforms = Set(platforms);
            active.update(db).await?
        }
        None => {
            scheduled_content::ActiveModel {
                id: Set(Uuid::new_v4()),
                brand_id: Set(item.brand_id),
                content_id: Set(item.id),
                scheduled_at: Set(at),
                platforms: Set(platforms),
                status: Set("scheduled".into()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let item = set_status(db, item, ContentStatus::Scheduled, |active| {
        active.scheduled_for = Set(Some(at));
    })
    .await?;
    // One publish job per connection of the brand that publishes to these platforms.
    super::publishing::jobs::upsert_for_item(
        db,
        &item,
        &entry.platforms,
        None,
        at,
        viewer.user_id(),
    )
    .await?;
    audit_change(
        db,
        ctx,
        "content.schedule",
        &item,
        json!({ "before": { "status": status.as_str() }, "after": { "status": item.status, "scheduled_for": at, "platforms": entry.platforms } }),
    )
    .await?;
    Ok((item, entry))
}
