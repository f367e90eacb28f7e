//! Email automation rules: what should happen when something happens (a trigger with
//! conditions, an action with its configuration). Managers and above keep them, since a
//! rule sends mail without a person looking. The rules are stored and validated here;
//! running them is a later step (README, "Email").

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{AutomationAction, AutomationTrigger, SEND_ROLE, object, templates};
use crate::auth::Viewer;
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::domain::marketing::required_text;
use crate::error::{ApiError, ApiResult};
use entity::email_automation_rules;

/// A new rule.
pub struct NewRule {
    pub brand_id: Uuid,
    pub name: String,
    pub trigger: AutomationTrigger,
    pub trigger_conditions: Option<Value>,
    pub action: AutomationAction,
    pub action_config: Option<Value>,
    pub is_active: Option<bool>,
}

/// Changes to a rule; `None` leaves a field as it is.
#[derive(Default)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub trigger: Option<AutomationTrigger>,
    pub trigger_conditions: Option<Value>,
    pub action: Option<AutomationAction>,
    pub action_config: Option<Value>,
    pub is_active: Option<bool>,
}

/// Checks an action's configuration: `send_template` needs the UUID of a template of the brand as `templateId`,
/// `add_tag` / `remove_tag` a `tag` of 1 to 50 characters.
async fn check_action(
    db: &impl ConnectionTrait,
    brand: Uuid,
    action: AutomationAction,
    config: &Value,
) -> ApiResult<()> {
    match action {
        AutomationAction::SendTemplate => {
            let template = config["templateId"]
                .as_str()
                .and_then(|id| Uuid::parse_str(id).ok())
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "actionConfig",
                        "send_template needs the UUID of an email template as templateId",
                    )
                })?;
            if templates::find_in_brand(db, brand, template)
                .await?
                .is_none()
            {
                return Err(ApiError::bad_input(
                    "actionConfig",
                    "no such email template in the brand",
                ));
            }
        }
        AutomationAction::AddTag | AutomationAction::RemoveTag => {
            let ok = config["tag"]
                .as_str()
                .is_some_and(|tag| !tag.trim().is_empty() && tag.chars().count() <= 50);
            if !ok {
                return Err(ApiError::bad_input(
                    "actionConfig",
                    "add_tag and remove_tag need a tag of 1 to 50 characters",
                ));
            }
        }
        AutomationAction::NotifyTeam => {}
    }
    Ok(())
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &email_automation_rules::Model,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "email_automation_rule",
            resource_id: row.id.to_string(),
            metadata: json!({ "name": row.name, "trigger_type": row.trigger_type,
                              "action_type": row.action_type, "is_active": row.is_active }),
        },
    )
    .await
}

async fn lock_for_manager(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<email_automation_rules::Model> {
    lock_visible_with_role(
        db,
        viewer,
        email_automation_rules::Entity::find_by_id(id),
        email_automation_rules::Column::BrandId,
        "email automation rule",
        SEND_ROLE,
    )
    .await
}

/// Creates a rule (managers and above); a second rule of the same name is `CONFLICT`.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    new: NewRule,
) -> ApiResult<email_automation_rules::Model> {
    require_role(viewer, new.brand_id, SEND_ROLE).await?;
    let conditions = object("triggerConditions", new.trigger_conditions)?;
    let config = object("actionConfig", new.action_config)?;
    check_action(db, new.brand_id, new.action, &config).await?;
    let row = email_automation_rules::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        name: Set(required_text("name", &new.name, 200)?),
        trigger_type: Set(new.trigger.as_str().to_string()),
        trigger_conditions: Set(conditions),
        action_type: Set(new.action.as_str().to_string()),
        action_config: Set(config),
        is_active: Set(new.is_active.unwrap_or(true)),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(db, ctx, "email_automation_rule.create", &row).await?;
    Ok(row)
}

/// Changes a rule (managers and above).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    changes: RuleChanges,
) -> ApiResult<email_automation_rules::Model> {
    let row = lock_for_manager(db, viewer, id).await?;
    let action = match changes.action {
        Some(action) => action,
        None => AutomationAction::parse(&row.action_type)
            .ok_or_else(|| ApiError::unexpected("automation action", &row.action_type))?,
    };
    let config = match changes.action_config {
        Some(config) => object("actionConfig", Some(config))?,
        None => row.action_config.clone(),
    };
    check_action(db, row.brand_id, action, &config).await?;
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 200)?);
    }
    if let Some(trigger) = changes.trigger {
        active.trigger_type = Set(trigger.as_str().to_string());
    }
    if let Some(conditions) = changes.trigger_conditions {
        active.trigger_conditions = Set(object("triggerConditions", Some(conditions))?);
    }
    active.action_type = Set(action.as_str().to_string());
    active.action_config = Set(config);
    if let Some(flag) = changes.is_active {
        active.is_active = Set(flag);
    }
    let row = active.update(db).await?;
    audit_change(db, ctx, "email_automation_rule.update", &row).await?;
    Ok(row)
}

/// Deletes a rule (managers and above).
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<Uuid> {
    let row = lock_for_manager(db, viewer, id).await?;
    audit_change(db, ctx, "email_automation_rule.delete", &row).await?;
    email_automation_rules::Entity::delete_by_id(id)
        .exec(db)
        .await?;
    Ok(id)
}
