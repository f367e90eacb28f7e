//! Workflow instances: a template walked step by step, optionally for one content item.
//! Every step change notifies the people who act next.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, Set, Statement,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::templates::{Step, steps_of};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::{lock_visible, scoped};
use crate::error::{ApiError, ApiResult};
use entity::{content_items, workflow_instances, workflow_templates};

/// Starts `template` (members and above), for `content_item` if given, with `context`.
pub async fn start(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    template: Uuid,
    content_item: Option<Uuid>,
    context: Option<Value>,
) -> ApiResult<workflow_instances::Model> {
    let scope = viewer.brand_scope().await?;
    let template = scoped(
        workflow_templates::Entity::find_by_id(template),
        &scope,
        workflow_templates::Column::BrandId,
    )
    .one(db)
    .await?
    .ok_or(ApiError::NotFound("workflow template"))?;
    require_role(viewer, template.brand_id, Role::Member).await?;
    if let Some(item) = content_item {
        content_items::Entity::find_by_id(item)
            .filter(content_items::Column::BrandId.eq(template.brand_id))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("content item"))?;
    }
    let context = object(context)?;
    let steps = steps_of(&template);
    let first = steps
        .first()
        .ok_or_else(|| ApiError::Conflict("the template has no valid steps".into()))?;
    let row = workflow_instances::ActiveModel {
        id: Set(Uuid::new_v4()),
        template_id: Set(Some(template.id)),
        brand_id: Set(template.brand_id),
        status: Set("active".into()),
        current_step: Set(0),
        context: Set(Value::Object(context)),
        content_item_id: Set(content_item),
        started_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    notify_role(db, &row, first, &template.name).await?;
    record(
        db,
        audit_ctx,
        &row,
        "workflow.start",
        json!({ "template": template.id }),
    )
    .await?;
    Ok(row)
}

/// Completes the current step (the step's role or higher). The last step completes the
/// workflow and notifies whoever started it; any other moves on and notifies the next
/// step's role. `context` is merged into the instance's context.
pub async fn advance(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    context: Option<Value>,
    note: Option<String>,
) -> ApiResult<workflow_instances::Model> {
    let (row, template) = lock_active(db, viewer, id).await?;
    let steps = steps_of(&template);
    let index = row.current_step as usize;
    let step = steps
        .get(index)
        .ok_or_else(|| ApiError::Conflict("the template no longer has the current step".into()))?;
    require_role(viewer, row.brand_id, step.role).await?;
    let mut merged = match &row.context {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    merged.extend(object(context)?);
    let mut history = merged
        .remove("history")
        .and_then(|h| h.as_array().cloned())
        .unwrap_or_default();
    history.push(json!({
        "step": index,
        "name": step.name,
        "by": viewer.user_id(),
        "at": chrono::Utc::now(),
        "note": note,
    }));
    merged.insert("history".into(), Value::Array(history));
    let next = steps.get(index + 1).cloned();
    let started_by = row.started_by;
    let mut active = row.into_active_model();
    active.context = Set(Value::Object(merged));
    match &next {
        Some(_) => active.current_step = Set(index as i32 + 1),
        None => {
            active.status = Set("completed".into());
            active.finished_at = Set(Some(chrono::Utc::now().into()));
        }
    }
    let row = active.update(db).await?;
    match next {
        Some(step) => notify_role(db, &row, &step, &template.name).await?,
        None => {
            if let Some(user) = started_by {
                notify_users(
                    db,
                    &row,
                    &[user],
                    "workflow_completed",
                    &format!("Workflow \"{}\" is complete", template.name),
                )
                .await?;
            }
        }
    }
    let action = if row.status == "completed" {
        "workflow.complete"
    } else {
        "workflow.advance"
    };
    record(
        db,
        audit_ctx,
        &row,
        action,
        json!({ "step": index, "note": note }),
    )
    .await?;
    Ok(row)
}

/// Cancels an active workflow (managers and above, or whoever started it).
pub async fn cancel(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    reason: Option<String>,
) -> ApiResult<workflow_instances::Model> {
    let (row, template) = lock_active(db, viewer, id).await?;
    let is_starter = row.started_by.is_some() && row.started_by == viewer.user_id();
    if !is_starter {
        require_role(viewer, row.brand_id, Role::Manager).await?;
    }
    let mut active = row.into_active_model();
    active.status = Set("cancelled".into());
    active.finished_at = Set(Some(chrono::Utc::now().into()));
    let row = active.update(db).await?;
    if let Some(user) = row.started_by.filter(|_| !is_starter) {
        notify_users(
            db,
            &row,
            &[user],
            "workflow_cancelled",
            &format!("Workflow \"{}\" was cancelled", template.name),
        )
        .await?;
    }
    record(
        db,
        audit_ctx,
        &row,
        "workflow.cancel",
        json!({ "reason": reason }),
    )
    .await?;
    Ok(row)
}

async fn lock_active(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<(workflow_instances::Model, workflow_templates::Model)> {
    let row = lock_visible(
        db,
        viewer,
        workflow_instances::Entity::find_by_id(id),
        workflow_instances::Column::BrandId,
        "workflow",
    )
    .await?;
    if row.status != "active" {
        return Err(ApiError::Conflict(format!(
            "the workflow is {}",
            row.status
        )));
    }
    let template = match row.template_id {
        Some(template) => {
            workflow_templates::Entity::find_by_id(template)
                .one(db)
                .await?
        }
        None => None,
    }
    .ok_or_else(|| ApiError::Conflict("the workflow's template was deleted".into()))?;
    Ok((row, template))
}

fn object(context: Option<Value>) -> ApiResult<Map<String, Value>> {
    match context {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) if map.contains_key("history") => Err(ApiError::bad_input(
            "context",
            "`history` is kept by the workflow itself",
        )),
        Some(Value::Object(map)) if Value::Object(map.clone()).to_string().len() > 64 * 1024 => {
            Err(ApiError::bad_input("context", "context is at most 64 KiB"))
        }
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ApiError::bad_input("context", "context must be an object")),
    }
}

/// Notifies the brand's members holding exactly the step's role.
async fn notify_role(
    db: &impl ConnectionTrait,
    instance: &workflow_instances::Model,
    step: &Step,
    template: &str,
) -> ApiResult<()> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO workflow_notifications (instance_id, brand_id, user_id, type, message)
         SELECT $1, $2, user_id, 'step_assigned', $4 FROM brand_members
          WHERE brand_id = $2 AND role = $3",
        [
            instance.id.into(),
            instance.brand_id.into(),
            step.role.as_str().into(),
            format!(
                "\"{}\" in workflow \"{template}\" is yours to act on",
                step.name
            )
            .into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn notify_users(
    db: &impl ConnectionTrait,
    instance: &workflow_instances::Model,
    users: &[Uuid],
    kind: &str,
    message: &str,
) -> ApiResult<()> {
    for user in users {
        entity::workflow_notifications::ActiveModel {
            id: Set(Uuid::new_v4()),
            instance_id: Set(Some(instance.id)),
            brand_id: Set(instance.brand_id),
            user_id: Set(*user),
            r#type: Set(kind.to_string()),
            message: Set(message.to_string()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn record(
    db: &impl ConnectionTrait,
    audit_ctx: &AuditContext,
    row: &workflow_instances::Model,
    action: &str,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "workflow_instance",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}
