//! Email campaigns: drafted by members, scheduled, sent and cancelled by managers.
//!
//! ```text
//! draft ──schedule──► scheduled ──(due)──► sending ──► sent
//!   │  └────send─────────┴──send──────────►   │  └──► failed ──retryPublishJob──► sending
//!   └──cancel──► cancelled ◄──cancel──────────┘ (not while a worker holds it)
//! ```
//! Scheduling and sending queue one publish job on the brand's `mailchimp` connection
//! ([`super::sending`]); from then on the campaign follows its job (a trigger of
//! migration 021), whoever moves the job.

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::templates::{self, MAX_HTML, html};
use super::{EmailCampaignStatus, SEND_ROLE, WRITE_ROLE, address, sending, tags};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::domain::marketing::{campaigns as marketing_campaigns, optional_text, required_text};
use crate::error::{ApiError, ApiResult};
use entity::email_campaigns;

type Timestamp = DateTime<FixedOffset>;

/// A new email campaign (a draft). Subject and body default to the template's.
pub struct NewEmailCampaign {
    pub brand_id: Uuid,
    pub name: String,
    pub campaign_id: Option<Uuid>,
    pub template_id: Option<Uuid>,
    pub subject: Option<String>,
    pub html_content: Option<String>,
    pub plain_text: Option<String>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub audience_tags: Vec<String>,
}

/// Changes to a draft or scheduled email campaign; `None` leaves a field as it is.
#[derive(Default)]
pub struct EmailCampaignChanges {
    pub name: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub subject: Option<String>,
    pub html_content: Option<String>,
    pub plain_text: Option<String>,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub audience_tags: Option<Vec<String>>,
}

pub(crate) fn status_of(row: &email_campaigns::Model) -> ApiResult<EmailCampaignStatus> {
    EmailCampaignStatus::parse(&row.status)
        .ok_or_else(|| ApiError::unexpected("email campaign status", &row.status))
}

fn from_address(value: Option<String>) -> ApiResult<Option<String>> {
    match optional_text("fromAddress", value, 254)? {
        Some(text) => Ok(Some(address("fromAddress", &text)?)),
        None => Ok(None),
    }
}

async fn campaign_of_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
    campaign: Option<Uuid>,
) -> ApiResult<Option<Uuid>> {
    match campaign {
        Some(id) if !marketing_campaigns::exists_in_brand(db, brand, id).await? => Err(
            ApiError::bad_input("campaignId", "no such campaign in the brand"),
        ),
        other => Ok(other),
    }
}

fn summary(row: &email_campaigns::Model) -> Value {
    json!({
        "name": row.name,
        "status": row.status,
        "campaign_id": row.campaign_id,
        "template_id": row.template_id,
        "scheduled_for": row.scheduled_for,
        "audience_tags": row.audience_tags,
    })
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &email_campaigns::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "email_campaign",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

/// The email campaign, locked for this transaction, if the viewer may see its brand;
/// then `role` is required.
async fn lock(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    role: Role,
) -> ApiResult<email_campaigns::Model> {
    let row = lock_visible(
        db,
        viewer,
        email_campaigns::Entity::find_by_id(id),
        email_campaigns::Column::BrandId,
        "email campaign",
    )
    .await?;
    require_role(viewer, row.brand_id, role).await?;
    Ok(row)
}

async fn reload(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<email_campaigns::Model> {
    email_campaigns::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("email campaign"))
}

fn require_open(status: EmailCampaignStatus, doing: &str) -> ApiResult<()> {
    if matches!(
        status,
        EmailCampaignStatus::Draft | EmailCampaignStatus::Scheduled
    ) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            "id",
            format!("a {} email campaign cannot be {doing}", status.as_str()),
        ))
    }
}

/// Creates a draft (members and above). A second email campaign of the same name in the
/// brand is `CONFLICT`.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    new: NewEmailCampaign,
) -> ApiResult<email_campaigns::Model> {
    require_role(viewer, new.brand_id, WRITE_ROLE).await?;
    let campaign = campaign_of_brand(db, new.brand_id, new.campaign_id).await?;
    let template = match new.template_id {
        Some(id) => Some(
            templates::find_in_brand(db, new.brand_id, id)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input("templateId", "no such email template in the brand")
                })?,
        ),
        None => None,
    };
    let subject = new
        .subject
        .or_else(|| template.as_ref().map(|t| t.subject.clone()))
        .ok_or_else(|| ApiError::bad_input("subject", "a subject (or a template) is required"))?;
    let body = new
        .html_content
        .or_else(|| template.as_ref().map(|t| t.html_content.clone()))
        .ok_or_else(|| ApiError::bad_input("htmlContent", "a body (or a template) is required"))?;
    let plain = new
        .plain_text
        .or_else(|| template.as_ref().and_then(|t| t.plain_text.clone()));
    let row = email_campaigns::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        campaign_id: Set(campaign),
        template_id: Set(template.map(|t| t.id)),
        name: Set(required_text("name", &new.name, 200)?),
        subject: Set(required_text("subject", &subject, 500)?),
        from_name: Set(optional_text("fromName", new.from_name, 200)?),
        from_address: Set(from_address(new.from_address)?),
        html_content: Set(html(&body)?),
        plain_text: Set(optional_text("plainText", plain, MAX_HTML)?),
        audience_tags: Set(tags("audienceTags", new.audience_tags)?),
        status: Set(EmailCampaignStatus::Draft.as_str().to_string()),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(db, ctx, "email_campaign.create", &row, summary(&row)).await?;
    Ok(row)
}

/// Changes a draft or scheduled email campaign (members and above); a scheduled one's
/// queued job gets the new subject and body in the same transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    changes: EmailCampaignChanges,
) -> ApiResult<email_campaigns::Model> {
    let row = lock(db, viewer, id, WRITE_ROLE).await?;
    require_open(status_of(&row)?, "changed")?;
    let campaign = match changes.campaign_id {
        Some(campaign) => Some(campaign_of_brand(db, row.brand_id, Some(campaign)).await?),
        None => None,
    };
    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 200)?);
    }
    if let Some(campaign) = campaign {
        active.campaign_id = Set(campaign);
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
    if let Some(name) = changes.from_name {
        active.from_name = Set(optional_text("fromName", Some(name), 200)?);
    }
    if let Some(from) = changes.from_address {
        active.from_address = Set(from_address(Some(from))?);
    }
    if let Some(list) = changes.audience_tags {
        active.audience_tags = Set(tags("audienceTags", list)?);
    }
    let row = active.update(db).await?;
    sending::refresh_queued(db, &row).await?;
    audit_change(
        db,
        ctx,
        "email_campaign.update",
        &row,
        json!({ "before": before, "after": summary(&row) }),
    )
    .await?;
    Ok(row)
}

/// Queues a draft or scheduled email campaign to go out at `at` (managers and above).
/// `at` must be in the future; without an active `mailchimp` connection it is
/// `BAD_USER_INPUT` on `connection`.
pub async fn schedule(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    at: Timestamp,
) -> ApiResult<email_campaigns::Model> {
    if at <= Utc::now() {
        return Err(ApiError::bad_input(
            "scheduledFor",
            "the time to send must be in the future",
        ));
    }
    let row = lock(db, viewer, id, SEND_ROLE).await?;
    require_open(status_of(&row)?, "scheduled")?;
    let job = sending::queue(db, &row, at, viewer.user_id()).await?;
    let mut active = row.into_active_model();
    active.status = Set(EmailCampaignStatus::Scheduled.as_str().to_string());
    active.scheduled_for = Set(Some(at));
    let row = active.update(db).await?;
    audit_change(
        db,
        ctx,
        "email_campaign.schedule",
        &row,
        json!({ "scheduled_for": at, "publish_job_id": job.id }),
    )
    .await?;
    Ok(row)
}

/// Sends a draft or scheduled email campaign now (managers and above): its job is due at
/// once. Without an active `mailchimp` connection it is `BAD_USER_INPUT` on
/// `connection`.
pub async fn send(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<email_campaigns::Model> {
    let row = lock(db, viewer, id, SEND_ROLE).await?;
    require_open(status_of(&row)?, "sent")?;
    let now = Utc::now().fixed_offset();
    let job = sending::queue(db, &row, now, viewer.user_id()).await?;
    let mut active = row.into_active_model();
    active.status = Set(EmailCampaignStatus::Sending.as_str().to_string());
    let row = active.update(db).await?;
    audit_change(
        db,
        ctx,
        "email_campaign.send",
        &row,
        json!({ "publish_job_id": job.id }),
    )
    .await?;
    Ok(row)
}

/// Cancels a draft, scheduled or failed email campaign and its job (managers and above).
/// One a worker holds right now, or one already sent, cannot be cancelled.
pub async fn cancel(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<email_campaigns::Model> {
    let row = lock(db, viewer, id, SEND_ROLE).await?;
    let from = status_of(&row)?;
    if !matches!(
        from,
        EmailCampaignStatus::Draft | EmailCampaignStatus::Scheduled | EmailCampaignStatus::Failed
    ) {
        return Err(ApiError::bad_input(
            "id",
            format!("a {} email campaign cannot be cancelled", from.as_str()),
        ));
    }
    sending::cancel_jobs(db, &row, ctx).await?;
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "UPDATE email_campaigns SET status = 'cancelled' WHERE id = $1 AND status <> 'cancelled'",
        [id.into()],
    ))
    .await?;
    let row = reload(db, id).await?;
    audit_change(
        db,
        ctx,
        "email_campaign.cancel",
        &row,
        json!({ "from": from.as_str() }),
    )
    .await?;
    Ok(row)
}
