//! Campaigns: create, change, walk the status machine and record spend. Each operation
//! runs in the caller's transaction, locks the campaign first (so concurrent spends
//! serialise and the budget check sees the latest total) and writes its audit entry.

use chrono::{DateTime, FixedOffset, NaiveDate};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    Select, Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CampaignStatus, CampaignType, Money, optional_text, required_text};
use crate::auth::{BrandScope, Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::{lock_visible_with_role, scoped};
use crate::error::{ApiError, ApiResult};
use entity::campaigns;

type Timestamp = DateTime<FixedOffset>;

/// The campaigns the scope may see: those of its brands that are not archived.
pub fn visible(scope: &BrandScope) -> Select<campaigns::Entity> {
    scoped(campaigns::Entity::find(), scope, campaigns::Column::BrandId).filter(Expr::cust(
        "EXISTS (SELECT 1 FROM brands b WHERE b.id = campaigns.brand_id AND b.archived_at IS NULL)",
    ))
}

/// Whether `campaign` exists in `brand` (a lead or content item may only point at a
/// campaign of its own brand).
pub async fn exists_in_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
    campaign: Uuid,
) -> ApiResult<bool> {
    let found = campaigns::Entity::find_by_id(campaign)
        .filter(campaigns::Column::BrandId.eq(brand))
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// A new campaign.
pub struct NewCampaign {
    pub brand_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub campaign_type: CampaignType,
    pub channel: Option<String>,
    pub budget_total: Option<Money>,
    pub budget_allocated: Option<Money>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    pub objective: Option<String>,
    pub target_audience: Option<Value>,
    pub channels: Vec<String>,
    pub kpi_targets: Option<Value>,
}

/// Changes to a campaign; `None` leaves a field as it is.
#[derive(Default)]
pub struct CampaignChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub campaign_type: Option<CampaignType>,
    pub channel: Option<String>,
    pub budget_total: Option<Money>,
    pub budget_allocated: Option<Money>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    pub objective: Option<String>,
    pub target_audience: Option<Value>,
    pub channels: Option<Vec<String>>,
    pub kpi_targets: Option<Value>,
}

fn object(field: &'static str, value: Option<Value>) -> ApiResult<Option<Value>> {
    match value {
        Some(value) if !value.is_object() => Err(ApiError::bad_input(
            field,
            format!("{field} must be an object"),
        )),
        other => Ok(other),
    }
}

fn channels(list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.len() > 20 {
        return Err(ApiError::bad_input("channels", "at most 20 channels"));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for channel in list {
        let channel = required_text("channels", &channel, 50)?;
        if !out.contains(&channel) {
            out.push(channel);
        }
    }
    Ok(out)
}

/// The budget rule of the `campaigns_budget_check` constraint, with a message that says
/// which part is broken.
fn check_budget(total: Money, allocated: Money, spent: Money) -> ApiResult<()> {
    if allocated > total {
        return Err(ApiError::bad_input(
            "budgetAllocated",
            format!("the allocated budget {allocated} exceeds the total budget {total}"),
        ));
    }
    if spent > allocated {
        return Err(ApiError::bad_input(
            "amount",
            format!("spending {spent} in all would exceed the allocated budget {allocated}"),
        ));
    }
    Ok(())
}

fn check_dates(start: Option<Timestamp>, end: Option<Timestamp>) -> ApiResult<()> {
    match (start, end) {
        (Some(start), Some(end)) if start > end => Err(ApiError::bad_input(
            "endDate",
            "the end date is before the start date",
        )),
        _ => Ok(()),
    }
}

fn status_of(row: &campaigns::Model) -> ApiResult<CampaignStatus> {
    CampaignStatus::parse(&row.status)
        .ok_or_else(|| ApiError::unexpected("campaign status", &row.status))
}

fn summary(row: &campaigns::Model) -> Value {
    json!({
        "name": row.name,
        "type": row.r#type,
        "status": row.status,
        "budget_total": Money::from_db(row.budget_total).to_string(),
        "budget_allocated": Money::from_db(row.budget_allocated).to_string(),
        "budget_spent": Money::from_db(row.budget_spent).to_string(),
        "start_date": row.start_date,
        "end_date": row.end_date,
    })
}

async fn audit_change(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &campaigns::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "campaign",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

/// The campaign, locked for this transaction, if the viewer may see its brand; then the
/// manager role is required.
async fn lock_for_manager(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<campaigns::Model> {
    lock_visible_with_role(
        db,
        viewer,
        campaigns::Entity::find_by_id(id),
        campaigns::Column::BrandId,
        "campaign",
        Role::Manager,
    )
    .await
}

/// Creates a campaign in `draft` (managers and above).
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    new: NewCampaign,
) -> ApiResult<campaigns::Model> {
    require_role(viewer, new.brand_id, Role::Manager).await?;
    let name = required_text("name", &new.name, 200)?;
    let total = new.budget_total.unwrap_or_default();
    let allocated = new.budget_allocated.unwrap_or_default();
    check_budget(total, allocated, Money::default())?;
    check_dates(new.start_date, new.end_date)?;
    let row = campaigns::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        name: Set(name),
        description: Set(optional_text("description", new.description, 5000)?),
        r#type: Set(new.campaign_type.as_str().to_string()),
        channel: Set(optional_text("channel", new.channel, 50)?),
        status: Set(CampaignStatus::Draft.as_str().to_string()),
        budget_total: Set(total.to_db()),
        budget_allocated: Set(allocated.to_db()),
        start_date: Set(new.start_date),
        end_date: Set(new.end_date),
        objective: Set(optional_text("objective", new.objective, 1000)?),
        target_audience: Set(object("targetAudience", new.target_audience)?.unwrap_or(json!({}))),
        channels: Set(channels(new.channels)?),
        kpi_targets: Set(object("kpiTargets", new.kpi_targets)?.unwrap_or(json!({}))),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_change(db, audit_ctx, "campaign.create", &row, summary(&row)).await?;
    Ok(row)
}

/// Changes a campaign's plan (managers and above). Completed campaigns are final.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    changes: CampaignChanges,
) -> ApiResult<campaigns::Model> {
    let row = lock_for_manager(db, viewer, id).await?;
    if status_of(&row)? == CampaignStatus::Completed {
        return Err(ApiError::bad_input(
            "id",
            "a completed campaign cannot be changed",
        ));
    }
    let total = changes
        .budget_total
        .unwrap_or(Money::from_db(row.budget_total));
    let allocated = changes
        .budget_allocated
        .unwrap_or(Money::from_db(row.budget_allocated));
    let spent = Money::from_db(row.budget_spent);
    if allocated < spent {
        return Err(ApiError::bad_input(
            "budgetAllocated",
            format!("the allocated budget {allocated} is below what was already spent ({spent})"),
        ));
    }
    check_budget(total, allocated, spent)?;
    let start = changes.start_date.or(row.start_date);
    let end = changes.end_date.or(row.end_date);
    check_dates(start, end)?;

    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 200)?);
    }
    if let Some(description) = changes.description {
        active.description = Set(optional_text("description", Some(description), 5000)?);
    }
    if let Some(kind) = changes.campaign_type {
        active.r#type = Set(kind.as_str().to_string());
    }
    if let Some(channel) = changes.channel {
        active.channel = Set(optional_text("channel", Some(channel), 50)?);
    }
    active.budget_total = Set(total.to_db());
    active.budget_allocated = Set(allocated.to_db());
    active.start_date = Set(start);
    active.end_date = Set(end);
    if let Some(objective) = changes.objective {
        active.objective = Set(optional_text("objective", Some(objective), 1000)?);
    }
    if let Some(audience) = object("targetAudience", changes.target_audience)? {
        active.target_audience = Set(audience);
    }
    if let Some(list) = changes.channels {
        active.channels = Set(channels(list)?);
    }
    if let Some(kpis) = object("kpiTargets", changes.kpi_targets)? {
        active.kpi_targets = Set(kpis);
    }
    let row = active.update(db).await?;
    let after = summary(&row);
    audit_change(
        db,
        audit_ctx,
        "campaign.update",
        &row,
        json!({ "before": before, "after": after }),
    )
    .await?;
    Ok(row)
}

/// Whether a campaign may move from `from` to `to`: draft and paused campaigns start (or
/// resume), active ones pause, any unfinished one completes; completed is final.
pub fn allowed(from: CampaignStatus, to: CampaignStatus) -> bool {
    use CampaignStatus::*;
    matches!(
        (from, to),
        (Draft | Paused, Active) | (Active, Paused) | (Draft | Active | Paused, Completed)
    )
}

/// Moves a campaign to `to` (managers and above); an illegal step is `BAD_USER_INPUT`.
pub async fn transition(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    to: CampaignStatus,
) -> ApiResult<campaigns::Model> {
    let row = lock_for_manager(db, viewer, id).await?;
    let from = status_of(&row)?;
    if !allowed(from, to) {
        return Err(ApiError::bad_input(
            "id",
            format!(
                "a campaign in status {} cannot move to {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    let mut active = row.into_active_model();
    active.status = Set(to.as_str().to_string());
    let row = active.update(db).await?;
    let action = match to {
        CampaignStatus::Active => "campaign.activate",
        CampaignStatus::Paused => "campaign.pause",
        CampaignStatus::Completed => "campaign.complete",
        CampaignStatus::Draft => "campaign.draft",
    };
    audit_change(
        db,
        audit_ctx,
        action,
        &row,
        json!({ "from": from.as_str(), "to": to.as_str() }),
    )
    .await?;
    Ok(row)
}

/// Adds `amount` to a campaign's spend (managers and above) and to its daily `spend`
/// metric of `date`. Spend may never exceed the allocated budget: that is
/// `BAD_USER_INPUT`, checked on the locked row (and by the table's CHECK behind it).
pub async fn record_spend(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    amount: Money,
    date: NaiveDate,
) -> ApiResult<campaigns::Model> {
    if amount.0.is_zero() {
        return Err(ApiError::bad_input("amount", "the amount must be positive"));
    }
    let row = lock_for_manager(db, viewer, id).await?;
    let spent = Money(row.budget_spent + amount.to_db());
    check_budget(
        Money::from_db(row.budget_total),
        Money::from_db(row.budget_allocated),
        spent,
    )?;
    let brand = row.brand_id;
    let mut active = row.into_active_model();
    active.budget_spent = Set(spent.to_db());
    let row = active.update(db).await?;
    db.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "INSERT INTO campaign_metrics (brand_id, campaign_id, date, metric, value)
         VALUES ($1, $2, $3, 'spend', $4)
         ON CONFLICT (campaign_id, date, metric)
         DO UPDATE SET value = campaign_metrics.value + EXCLUDED.value",
        [brand.into(), id.into(), date.into(), amount.to_db().into()],
    ))
    .await?;
    audit_change(
        db,
        audit_ctx,
        "campaign.record_spend",
        &row,
        json!({ "amount": amount.to_string(), "date": date, "budget_spent": spent.to_string() }),
    )
    .await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_machine_allows_exactly_these_steps() {
        use CampaignStatus::*;
        let all = [Draft, Active, Paused, Completed];
        let legal = [
            (Draft, Active),
            (Paused, Active),
            (Active, Paused),
            (Draft, Completed),
            (Active, Completed),
            (Paused, Completed),
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

    #[test]
    fn the_budget_rule_names_the_broken_part() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert!(check_budget(m("100"), m("50"), m("50")).is_ok());
        let over = check_budget(m("100"), m("150"), m("0")).unwrap_err();
        assert!(over.message().contains("exceeds the total"));
        let spent = check_budget(m("100"), m("50"), m("50.01")).unwrap_err();
        assert!(spent.message().contains("allocated budget 50.00"));
    }
}
