//! A campaign's daily metrics (impressions, clicks, ...): one value per campaign, day
//! and metric name. Recording a day again replaces its value, so a re-sent report
//! changes nothing (`spend` is the exception: `recordCampaignSpend` adds to it and to the
//! campaign's budget, so it cannot be set here).

use chrono::NaiveDate;
use sea_orm::prelude::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Statement};
use serde_json::json;
use uuid::Uuid;

use super::slug;
use crate::auth::{Role, Viewer};
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::error::{ApiError, ApiResult};
use entity::{campaign_metrics, campaigns};

/// The largest value recorded (well inside `NUMERIC(18, 4)`).
const MAX_VALUE: f64 = 1e13;

/// The metric kept by `recordCampaignSpend`.
const SPEND: &str = "spend";

/// A metric value as stored: finite, 0 to 10^13, rounded to four decimal places.
fn value(raw: f64) -> ApiResult<Decimal> {
    if !raw.is_finite() || !(0.0..=MAX_VALUE).contains(&raw) {
        return Err(ApiError::bad_input(
            "value",
            "the value must be a number from 0 to 10000000000000",
        ));
    }
    Decimal::try_from(raw)
        .map(|d| d.round_dp(4))
        .map_err(|_| ApiError::bad_input("value", "not a representable number"))
}

fn metric_name(name: &str) -> ApiResult<String> {
    let name = slug("metric", name)?;
    if name == SPEND {
        return Err(ApiError::bad_input(
            "metric",
            "spend is recorded with recordCampaignSpend (it counts against the budget)",
        ));
    }
    Ok(name)
}

/// Sets `metric` of `date` for the campaign to `value` (managers and above).
pub async fn record(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    campaign_id: Uuid,
    date: NaiveDate,
    metric: &str,
    raw_value: f64,
) -> ApiResult<campaign_metrics::Model> {
    let metric = metric_name(metric)?;
    let value = value(raw_value)?;
    let campaign = lock_visible_with_role(
        db,
        viewer,
        campaigns::Entity::find_by_id(campaign_id),
        campaigns::Column::BrandId,
        "campaign",
        Role::Manager,
    )
    .await?;
    let row = campaign_metrics::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO campaign_metrics (brand_id, campaign_id, date, metric, value)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, date, metric) DO UPDATE SET value = EXCLUDED.value
         RETURNING *",
        [
            campaign.brand_id.into(),
            campaign.id.into(),
            date.into(),
            metric.clone().into(),
            value.into(),
        ],
    ))
    .one(db)
    .await?
    .ok_or_else(|| ApiError::unexpected("campaign metric", "no row returned"))?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(campaign.brand_id),
            action: "campaign.record_metric",
            resource_type: "campaign",
            resource_id: campaign.id.to_string(),
            metadata: json!({ "date": date, "metric": metric, "value": value.to_string() }),
        },
    )
    .await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_finite_bounded_and_rounded() {
        assert_eq!(value(12.5).unwrap().to_string(), "12.5");
        assert_eq!(value(0.123456).unwrap().to_string(), "0.1235");
        assert!(value(-1.0).is_err());
        assert!(value(f64::NAN).is_err());
        assert!(value(f64::INFINITY).is_err());
        assert!(value(2e13).is_err());
    }

    #[test]
    fn spend_and_bad_names_are_refused() {
        assert_eq!(metric_name("impressions").unwrap(), "impressions");
        assert!(metric_name("spend").is_err());
        assert!(metric_name("Clicks").is_err());
    }
}
