//! Email templates: reusable subject and body, written by members. Deleting a template
//! keeps the email campaigns made from it (they hold their own copy of subject and body).

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{WRITE_ROLE, tags};
use crate::auth::Viewer;
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::domain::marketing::{optional_text, required_text};
use crate::error::ApiResult;
use entity::email_templates;

/// The largest HTML body a template (or an email campaign) holds.
pub const MAX_HTML: usize = 200_000;

/// A new template.
pub struct NewTemplate {
    pub brand_id: Uuid,
    pub name: String,
    pub subject: String,
    pub html_content: String,
    pub plain_text: Option<String>,
    pub variables: Vec<String>,
}

/// Changes to a template; `None` leaves a field as it is.
#[derive(Default)]
pub struct TemplateChanges {
    pub name: Option<String>,
    pub subject: Option<String>,
    pub html_content: Option<String>,
    pub plain_text: Option<String>,
    pub variables: Option<Vec<String>>,
}

pub(crate) fn html(text: &str) -> ApiResult<String> {
    required_text("htmlContent", text, MAX_HTML)
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &email_templates::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "email_template",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

async fn lock_for_writer(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<email_templates::Model> {
    lock_visible_with_role(
        db,
        viewer,
        email_templates::Entity::find_by_id(id),
        email_templates::Column::BrandId,
        "email template",
        WRITE_ROLE,
    )
    .await
}

/// Creates a template (members and above); a second one of the same name in the brand
/// is `CONFLICT`.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    new: NewTemplate,
) -> ApiResult<email_templates::Model> {
    require_role(viewer, new.brand_id, WRITE_ROLE).await?;
    let row = email_templates::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        name: Set(required_text("name", &new.name, 200)?),
        subject: Set(required_text("subject", &new.subject, 500)?),
        html_content: Set(html(&new.html_content)?),
        plain_text: Set(optional_text("plainText", new.plain_text, MAX_HTML)?),
        variables: Set(tags("variables", new.variables)?),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(
        db,
        ctx,
        "email_template.create",
        &row,
        json!({ "name": row.name }),
    )
    .await?;
    Ok(row)
}

/// Changes a template (members and above).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    changes: TemplateChanges,
) -> ApiResult<email_templates::Model> {
    let row = lock_for_writer(db, viewer, id).await?;
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 200)?);
    }
    if let Some(subject) = changes.subject {
        active.subject = Set(required_text("subject", &subject, 500)?);
    }
    if let Some(body) = changes.html_content {
        active.html_content = Set(html(&body)?);
    }
    if let Some(plain) = changes.plain_text {
        active.plain_text = Set(optional_text("plainText", Some(plain), MAX_HTML)?);
    }
    if let Some(list) = changes.variables {
        active.variables = Set(tags("variables", list)?);
    }
    let row = active.update(db).await?;
    audit_change(
        db,
        ctx,
        "email_template.update",
        &row,
        json!({ "name": row.name }),
    )
    .await?;
    Ok(row)
}

/// Deletes a template (members and above); campaigns made from it keep their copy.
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<Uuid> {
    let row = lock_for_writer(db, viewer, id).await?;
    audit_change(
        db,
        ctx,
        "email_template.delete",
        &row,
        json!({ "name": row.name }),
    )
    .await?;
    email_templates::Entity::delete_by_id(id).exec(db).await?;
    Ok(id)
}

/// The template, if it exists in `brand` (an email campaign may only use its brand's).
pub async fn find_in_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
    id: Uuid,
) -> ApiResult<Option<email_templates::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(email_templates::Entity::find_by_id(id)
        .filter(email_templates::Column::BrandId.eq(brand))
        .one(db)
        .await?)
}
