//! Workflow templates: a brand's named, ordered steps, each acted on by one role.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::error::{ApiError, ApiResult};
use entity::workflow_templates;

pub const MAX_STEPS: usize = 20;

/// One step of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    /// The least role that may act on the step; members with exactly this role are
    /// notified when the step begins.
    pub role: Role,
}

/// Reads the stored steps (`[{"name": ..., "role": ...}]`); rows the API did not write
/// are read as far as they are valid.
pub fn steps_of(template: &workflow_templates::Model) -> Vec<Step> {
    template
        .steps
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter_map(|step| {
                    Some(Step {
                        name: step["name"].as_str()?.to_string(),
                        role: step["role"].as_str()?.parse().ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn validate(name: &str, steps: &[Step]) -> ApiResult<Value> {
    if name.trim().is_empty() || name.len() > 200 {
        return Err(ApiError::bad_input(
            "name",
            "name must be 1 to 200 characters",
        ));
    }
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(ApiError::bad_input(
            "steps",
            format!("a workflow has 1 to {MAX_STEPS} steps"),
        ));
    }
    if let Some(bad) = steps
        .iter()
        .find(|s| s.name.trim().is_empty() || s.name.len() > 200)
    {
        return Err(ApiError::bad_input(
            "steps",
            format!("step name {:?} must be 1 to 200 characters", bad.name),
        ));
    }
    Ok(Value::Array(
        steps
            .iter()
            .map(|s| json!({ "name": s.name.trim(), "role": s.role.as_str() }))
            .collect(),
    ))
}

/// Creates a template (admins and above).
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    brand: Uuid,
    name: &str,
    steps: &[Step],
) -> ApiResult<workflow_templates::Model> {
    require_role(viewer, brand, Role::Admin).await?;
    let steps = validate(name, steps)?;
    let row = workflow_templates::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        name: Set(name.trim().to_string()),
        steps: Set(steps),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(brand),
            action: "workflow_template.create",
            resource_type: "workflow_template",
            resource_id: row.id.to_string(),
            metadata: json!({ "name": row.name, "steps": row.steps }),
        },
    )
    .await?;
    Ok(row)
}

/// Renames a template or replaces its steps (admins and above). Running instances keep
/// walking the steps by index, so replacing steps affects them from their next step on.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    name: Option<&str>,
    steps: Option<&[Step]>,
) -> ApiResult<workflow_templates::Model> {
    let row = lock_visible(
        db,
        viewer,
        workflow_templates::Entity::find_by_id(id),
        workflow_templates::Column::BrandId,
        "workflow template",
    )
    .await?;
    require_role(viewer, row.brand_id, Role::Admin).await?;
    let current = steps_of(&row);
    let steps = validate(name.unwrap_or(&row.name), steps.unwrap_or(&current))?;
    let before = json!({ "name": row.name, "steps": row.steps });
    let mut active = row.into_active_model();
    if let Some(name) = name {
        active.name = Set(name.trim().to_string());
    }
    active.steps = Set(steps);
    let row = active.update(db).await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action: "workflow_template.update",
            resource_type: "workflow_template",
            resource_id: id.to_string(),
            metadata: json!({ "before": before, "after": { "name": row.name, "steps": row.steps } }),
        },
    )
    .await?;
    Ok(row)
}
