//! Campaign tasks: the team's to-do list of a campaign. Members and above create, edit
//! and move tasks (they do the work); deleting one is for managers and above (they run
//! the campaign). Each operation locks its row first and writes its audit entry.

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{TaskPriority, TaskStatus, optional_text, required_text};
use crate::auth::{Role, Viewer};
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::error::{ApiError, ApiResult};
use entity::{campaign_tasks, campaigns};

type Timestamp = DateTime<FixedOffset>;

/// A new task of a campaign.
pub struct NewTask {
    pub campaign_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub due_date: Option<Timestamp>,
}

/// Changes to a task; `None` leaves a field as it is.
#[derive(Default)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub due_date: Option<Timestamp>,
    pub status: Option<TaskStatus>,
}

/// Whether a task may move from `from` to `to`: open tasks (pending, in progress) move
/// between each other, complete or are cancelled; a completed task may be reopened
/// (back in progress), a cancelled one restored (pending).
pub fn allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    matches!(
        (from, to),
        (Pending, InProgress | Completed | Cancelled)
            | (InProgress, Pending | Completed | Cancelled)
            | (Completed, InProgress)
            | (Cancelled, Pending)
    )
}

fn status_of(row: &campaign_tasks::Model) -> ApiResult<TaskStatus> {
    TaskStatus::parse(&row.status).ok_or_else(|| ApiError::unexpected("task status", &row.status))
}

fn summary(row: &campaign_tasks::Model) -> Value {
    json!({
        "campaign_id": row.campaign_id,
        "title": row.title,
        "status": row.status,
        "priority": row.priority,
        "due_date": row.due_date,
    })
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &campaign_tasks::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "campaign_task",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

async fn lock_task(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    role: Role,
) -> ApiResult<campaign_tasks::Model> {
    lock_visible_with_role(
        db,
        viewer,
        campaign_tasks::Entity::find_by_id(id),
        campaign_tasks::Column::BrandId,
        "campaign task",
        role,
    )
    .await
}

/// Adds a pending task to a campaign (members and above).
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    new: NewTask,
) -> ApiResult<campaign_tasks::Model> {
    let campaign = lock_visible_with_role(
        db,
        viewer,
        campaigns::Entity::find_by_id(new.campaign_id),
        campaigns::Column::BrandId,
        "campaign",
        Role::Member,
    )
    .await?;
    let row = campaign_tasks::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(campaign.brand_id),
        campaign_id: Set(campaign.id),
        title: Set(required_text("title", &new.title, 200)?),
        description: Set(optional_text("description", new.description, 5000)?),
        status: Set(TaskStatus::Pending.as_str().to_string()),
        priority: Set(new
            .priority
            .unwrap_or(TaskPriority::Medium)
            .as_str()
            .to_string()),
        due_date: Set(new.due_date),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(db, audit_ctx, "campaign_task.create", &row, summary(&row)).await?;
    Ok(row)
}

/// Changes a task and moves it along its status machine (members and above); an
/// illegal step is `BAD_USER_INPUT`. Completing stamps `completed_at`; reopening clears it.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    changes: TaskChanges,
) -> ApiResult<campaign_tasks::Model> {
    let row = lock_task(db, viewer, id, Role::Member).await?;
    let from = status_of(&row)?;
    let to = changes.status.filter(|to| *to != from);
    if let Some(to) = to
        && !allowed(from, to)
    {
        return Err(ApiError::bad_input(
            "status",
            format!(
                "a task in status {} cannot move to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(title) = changes.title {
        active.title = Set(required_text("title", &title, 200)?);
    }
    if let Some(description) = changes.description {
        active.description = Set(optional_text("description", Some(description), 5000)?);
    }
    if let Some(priority) = changes.priority {
        active.priority = Set(priority.as_str().to_string());
    }
    if let Some(due) = changes.due_date {
        active.due_date = Set(Some(due));
    }
    if let Some(to) = to {
        active.status = Set(to.as_str().to_string());
        active.completed_at = Set((to == TaskStatus::Completed).then(|| Utc::now().fixed_offset()));
    }
    let row = active.update(db).await?;
    let action = match to {
        Some(TaskStatus::Completed) => "campaign_task.complete",
        _ => "campaign_task.update",
    };
    audit_change(
        db,
        audit_ctx,
        action,
        &row,
        json!({ "before": before, "after": summary(&row) }),
    )
    .await?;
    Ok(row)
}

/// Deletes a task (managers and above) and returns it as it was.
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<campaign_tasks::Model> {
    let row = lock_task(db, viewer, id, Role::Manager).await?;
    row.clone().delete(db).await?;
    audit_change(db, audit_ctx, "campaign_task.delete", &row, summary(&row)).await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_task_status_machine_allows_exactly_these_steps() {
        use TaskStatus::*;
        let all = [Pending, InProgress, Completed, Cancelled];
        let legal = [
            (Pending, InProgress),
            (Pending, Completed),
            (Pending, Cancelled),
            (InProgress, Pending),
            (InProgress, Completed),
            (InProgress, Cancelled),
            (Completed, InProgress),
            (Cancelled, Pending),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    allowed(from, to),
                    legal.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}
