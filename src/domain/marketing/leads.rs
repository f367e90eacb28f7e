//! Leads and their activities (members and above write; see the module above for who
//! reads what). A status change is logged as a `status_changed` activity in the same
//! transaction, so a lead's history shows how it moved through the funnel.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    CompanySize, LeadActivityType, LeadStatus, campaigns, optional_text, required_text, scoring,
    slug,
};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::error::{ApiError, ApiResult};
use entity::{lead_activities, leads};

pub const MAX_TAGS: usize = 20;

/// A new lead.
pub struct NewLead {
    pub brand_id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<CompanySize>,
    pub source: Option<String>,
    pub score: Option<i32>,
    pub tags: Vec<String>,
    pub campaign_id: Option<Uuid>,
    pub notes: Option<String>,
}

/// Changes to a lead; `None` leaves a field as it is.
#[derive(Default)]
pub struct LeadChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<CompanySize>,
    pub source: Option<String>,
    /// Only the open statuses (`new`, `contacted`, `qualified`); converting and losing
    /// have their own mutations.
    pub status: Option<LeadStatus>,
    pub score: Option<i32>,
    pub tags: Option<Vec<String>>,
    pub campaign_id: Option<Uuid>,
    pub notes: Option<String>,
}

/// An address as stored: trimmed, with one `@` and a dot in its domain (the CHECK's
/// rule). Uniqueness ignores case (`lower(email)` per brand).
pub(crate) fn email(text: &str) -> ApiResult<String> {
    let text = text.trim();
    let valid = text.len() <= 254
        && !text.chars().any(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(ApiError::bad_input("email", "not a valid email address"))
    }
}

/// A score set by hand: only where the brand has no scoring rules (then the database
/// computes every score, see [`scoring`]).
async fn manual_score(db: &impl ConnectionTrait, brand: Uuid, value: i32) -> ApiResult<i32> {
    if scoring::brand_has_rules(db, brand).await? {
        return Err(ApiError::bad_input(
            "score",
            "this brand's scores are computed by its lead scoring rules",
        ));
    }
    score(value)
}

fn score(value: i32) -> ApiResult<i32> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input("score", "score must be 0 to 100"))
    }
}

fn tags(list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.len() > MAX_TAGS {
        return Err(ApiError::bad_input(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for tag in list {
        let tag = required_text("tags", &tag, 50)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

async fn campaign_of_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
    campaign: Option<Uuid>,
) -> ApiResult<Option<Uuid>> {
    match campaign {
        Some(id) if !campaigns::exists_in_brand(db, brand, id).await? => Err(ApiError::bad_input(
            "campaignId",
            "no such campaign in the lead's brand",
        )),
        other => Ok(other),
    }
}

fn status_of(row: &leads::Model) -> ApiResult<LeadStatus> {
    LeadStatus::parse(&row.status).ok_or_else(|| ApiError::unexpected("lead status", &row.status))
}

fn is_open(status: LeadStatus) -> bool {
    matches!(
        status,
        LeadStatus::New | LeadStatus::Contacted | LeadStatus::Qualified
    )
}

/// The audit metadata of a lead: never its email, phone or name (the audit trail
/// outlives an erasure of the person).
fn summary(row: &leads::Model) -> Value {
    json!({
        "status": row.status,
        "score": row.score,
        "source": row.source,
        "campaign_id": row.campaign_id,
        "tags": row.tags,
    })
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &leads::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "lead",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

/// The lead, locked for this transaction, if the viewer may see its brand; then the
/// member role is required.
async fn lock_for_member(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<leads::Model> {
    lock_visible_with_role(
        db,
        viewer,
        leads::Entity::find_by_id(id),
        leads::Column::BrandId,
        "lead",
        Role::Member,
    )
    .await
}

async fn insert_activity(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    lead: &leads::Model,
    kind: LeadActivityType,
    description: Option<String>,
    metadata: Value,
) -> ApiResult<lead_activities::Model> {
    Ok(lead_activities::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(lead.brand_id),
        lead_id: Set(lead.id),
        r#type: Set(kind.as_str().to_string()),
        description: Set(description),
        metadata: Set(metadata),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

async fn status_changed(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    lead: &leads::Model,
    from: LeadStatus,
    reason: Option<String>,
) -> ApiResult<()> {
    insert_activity(
        db,
        viewer,
        lead,
        LeadActivityType::StatusChanged,
        reason,
        json!({ "from": from.as_str(), "to": lead.status }),
    )
    .await?;
    Ok(())
}

/// Creates a lead (members and above). A second lead with the same email in the brand,
/// whatever its case, is `CONFLICT`.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    new: NewLead,
) -> ApiResult<leads::Model> {
    require_role(viewer, new.brand_id, Role::Member).await?;
    let campaign = campaign_of_brand(db, new.brand_id, new.campaign_id).await?;
    let row = leads::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        name: Set(required_text("name", &new.name, 200)?),
        email: Set(email(&new.email)?),
        phone: Set(optional_text("phone", new.phone, 50)?),
        company: Set(optional_text("company", new.company, 200)?),
        job_title: Set(optional_text("jobTitle", new.job_title, 200)?),
        industry: Set(optional_text("industry", new.industry, 200)?),
        company_size: Set(new.company_size.map(|size| size.as_str().to_string())),
        source: Set(slug("source", new.source.as_deref().unwrap_or("manual"))?),
        status: Set(LeadStatus::New.as_str().to_string()),
        score: Set(match new.score {
            Some(value) => manual_score(db, new.brand_id, value).await?,
            None => 0,
        }),
        tags: Set(tags(new.tags)?),
        campaign_id: Set(campaign),
        notes: Set(optional_text("notes", new.notes, 5000)?),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(db, audit_ctx, "lead.create", &row, summary(&row)).await?;
    Ok(row)
}

/// Changes a lead (members and above). Converted and lost leads are final; their notes
/// and tags can still change.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    changes: LeadChanges,
) -> ApiResult<leads::Model> {
    let row = lock_for_member(db, viewer, id).await?;
    let from = status_of(&row)?;
    if let Some(to) = changes.status {
        if !is_open(to) {
            return Err(ApiError::bad_input(
                "status",
                "use convertLead or loseLead to close a lead",
            ));
        }
        if !is_open(from) && to != from {
            return Err(ApiError::bad_input(
                "status",
                format!("a {} lead cannot be reopened", from.as_str()),
            ));
        }
    }
    let campaign = match changes.campaign_id {
        Some(id) => Some(campaign_of_brand(db, row.brand_id, Some(id)).await?),
        None => None,
    };
    let manual = match changes.score {
        Some(value) => Some(manual_score(db, row.brand_id, value).await?),
        None => None,
    };
    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 200)?);
    }
    if let Some(address) = changes.email {
        active.email = Set(email(&address)?);
    }
    if let Some(phone) = changes.phone {
        active.phone = Set(optional_text("phone", Some(phone), 50)?);
    }
    if let Some(company) = changes.company {
        active.company = Set(optional_text("company", Some(company), 200)?);
    }
    if let Some(source) = changes.source {
        active.source = Set(slug("source", &source)?);
    }
    if let Some(status) = changes.status {
        active.status = Set(status.as_str().to_string());
    }
    if let Some(value) = manual {
        active.score = Set(value);
    }
    if let Some(title) = changes.job_title {
        active.job_title = Set(optional_text("jobTitle", Some(title), 200)?);
    }
    if let Some(industry) = changes.industry {
        active.industry = Set(optional_text("industry", Some(industry), 200)?);
    }
    if let Some(size) = changes.company_size {
        active.company_size = Set(Some(size.as_str().to_string()));
    }
    if let Some(list) = changes.tags {
        active.tags = Set(tags(list)?);
    }
    if let Some(campaign) = campaign {
        active.campaign_id = Set(campaign);
    }
    if let Some(notes) = changes.notes {
        active.notes = Set(optional_text("notes", Some(notes), 5000)?);
    }
    let row = active.update(db).await?;
    if changes.status.is_some_and(|to| to != from) {
        status_changed(db, viewer, &row, from, None).await?;
    }
    let after = summary(&row);
    audit_change(
        db,
        audit_ctx,
        "lead.update",
        &row,
        json!({ "before": before, "after": after }),
    )
    .await?;
    Ok(row)
}

/// Closes an open lead as `converted` or `lost` (members and above); closing a closed
/// lead is `BAD_USER_INPUT`.
pub async fn close(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    to: LeadStatus,
    reason: Option<String>,
) -> ApiResult<leads::Model> {
    let reason = optional_text("reason", reason, 1000)?;
    let row = lock_for_member(db, viewer, id).await?;
    let from = status_of(&row)?;
    if !is_open(from) {
        return Err(ApiError::bad_input(
            "id",
            format!("the lead is already {}", from.as_str()),
        ));
    }
    let mut active = row.into_active_model();
    active.status = Set(to.as_str().to_string());
    let action = match to {
        LeadStatus::Converted => {
            active.converted_at = Set(Some(chrono::Utc::now().fixed_offset()));
            "lead.convert"
        }
        _ => {
            active.lost_reason = Set(reason.clone());
            "lead.lose"
        }
    };
    let row = active.update(db).await?;
    status_changed(db, viewer, &row, from, reason.clone()).await?;
    audit_change(
        db,
        audit_ctx,
        action,
        &row,
        json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
    )
    .await?;
    Ok(row)
}

/// Logs something that happened with a lead (members and above).
pub async fn log_activity(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    lead_id: Uuid,
    kind: LeadActivityType,
    description: Option<String>,
    metadata: Option<Value>,
) -> ApiResult<lead_activities::Model> {
    if kind == LeadActivityType::StatusChanged {
        return Err(ApiError::bad_input(
            "type",
            "status changes are logged by updateLead, convertLead and loseLead",
        ));
    }
    let metadata = metadata.unwrap_or_else(|| json!({}));
    if !metadata.is_object() || metadata.to_string().len() > 10_000 {
        return Err(ApiError::bad_input(
            "metadata",
            "metadata must be an object of at most 10 kB",
        ));
    }
    let description = optional_text("description", description, 5000)?;
    let lead = lock_for_member(db, viewer, lead_id).await?;
    let row = insert_activity(db, viewer, &lead, kind, description, metadata).await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action: "lead.log_activity",
            resource_type: "lead_activity",
            resource_id: row.id.to_string(),
            metadata: json!({ "lead_id": lead.id, "type": row.r#type }),
        },
    )
    .await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_like_the_constraint() {
        assert_eq!(email("  Ana@Example.com ").unwrap(), "Ana@Example.com");
        for bad in [
            "", "ana", "ana@", "@x.io", "ana@x", "a b@x.io", "a@b@x.io", "a@x.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(
            tags(vec![" vip ".into(), "vip".into(), "b2b".into()]).unwrap(),
            vec!["vip".to_string(), "b2b".to_string()]
        );
        assert!(tags(vec!["x".into(); MAX_TAGS + 1]).is_err());
    }
}
