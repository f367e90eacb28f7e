//! A campaign's summary: the rollup row (`campaign_rollups`, migration 022) that triggers
//! keep in the same transaction as the campaign's budgets, its leads and its email counts,
//! and the figures derived from it (cost per lead, rates).
//!
//! The email side feeds the email columns by calling the SQL function
//! `campaign_rollup_add_emails(campaign, sent, opened, clicked)` in the transaction that
//! records them; everything else is kept by triggers on `campaigns` and `leads`.

use chrono::{DateTime, FixedOffset};
use sea_orm::prelude::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::{LeadStatus, Money};
use crate::error::ApiResult;
use entity::campaign_rollups;

/// A campaign's live figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignSummary {
    pub campaign: Uuid,
    pub budget_total: Money,
    pub budget_allocated: Money,
    pub budget_spent: Money,
    /// Leads per status, in [`LEAD_STATUSES`] order.
    pub leads_by_status: [i64; 5],
    pub emails_sent: i64,
    pub emails_opened: i64,
    pub emails_clicked: i64,
    pub updated_at: DateTime<FixedOffset>,
}

/// The order of [`CampaignSummary::leads_by_status`].
pub const LEAD_STATUSES: [LeadStatus; 5] = [
    LeadStatus::New,
    LeadStatus::Contacted,
    LeadStatus::Qualified,
    LeadStatus::Converted,
    LeadStatus::Lost,
];

impl From<campaign_rollups::Model> for CampaignSummary {
    fn from(row: campaign_rollups::Model) -> Self {
        Self {
            campaign: row.campaign_id,
            budget_total: Money::from_db(row.budget_total),
            budget_allocated: Money::from_db(row.budget_allocated),
            budget_spent: Money::from_db(row.budget_spent),
            leads_by_status: [
                row.leads_new,
                row.leads_contacted,
                row.leads_qualified,
                row.leads_converted,
                row.leads_lost,
            ],
            emails_sent: row.emails_sent,
            emails_opened: row.emails_opened,
            emails_clicked: row.emails_clicked,
            updated_at: row.updated_at,
        }
    }
}

/// `amount / count`, to the cent (half a cent rounds up, as PostgreSQL's `round`); `None`
/// when there is nothing to divide by.
fn per(amount: Money, count: i64) -> Option<Money> {
    (count > 0).then(|| {
        // Amounts are never negative: adding half a cent and cutting rounds half up.
        let cents =
            (amount.0 * Decimal::ONE_HUNDRED / Decimal::from(count) + Decimal::new(5, 1)).floor();
        Money::from_db(cents / Decimal::ONE_HUNDRED)
    })
}

/// `part / whole` as a fraction; `None` when the whole is zero.
fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

impl CampaignSummary {
    /// Every lead the campaign produced.
    pub fn leads(&self) -> i64 {
        self.leads_by_status.iter().sum()
    }

    /// Leads that became customers.
    pub fn conversions(&self) -> i64 {
        self.leads_by_status[3]
    }

    /// Spend per lead produced.
    pub fn cost_per_lead(&self) -> Option<Money> {
        per(self.budget_spent, self.leads())
    }

    /// Spend per converted lead.
    pub fn cost_per_conversion(&self) -> Option<Money> {
        per(self.budget_spent, self.conversions())
    }

    /// Converted leads among all leads.
    pub fn conversion_rate(&self) -> Option<f64> {
        share(self.conversions() as f64, self.leads() as f64)
    }

    /// Spent share of the allocated budget.
    pub fn budget_used(&self) -> Option<f64> {
        let spent: f64 = self.budget_spent.0.try_into().unwrap_or_default();
        let allocated: f64 = self.budget_allocated.0.try_into().unwrap_or_default();
        share(spent, allocated)
    }

    /// Opened emails among those sent.
    pub fn open_rate(&self) -> Option<f64> {
        share(self.emails_opened as f64, self.emails_sent as f64)
    }

    /// Clicked emails among those sent.
    pub fn click_rate(&self) -> Option<f64> {
        share(self.emails_clicked as f64, self.emails_sent as f64)
    }
}

/// The campaign's summary as committed now (`None` for an unknown campaign). The caller
/// has checked that the campaign is visible.
pub async fn load(db: &impl ConnectionTrait, campaign: Uuid) -> ApiResult<Option<CampaignSummary>> {
    Ok(campaign_rollups::Entity::find_by_id(campaign)
        .one(db)
        .await?
        .map(CampaignSummary::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(spent: &str, allocated: &str, leads: [i64; 5]) -> CampaignSummary {
        CampaignSummary {
            campaign: Uuid::nil(),
            budget_total: Money::parse("1000").unwrap(),
            budget_allocated: Money::parse(allocated).unwrap(),
            budget_spent: Money::parse(spent).unwrap(),
            leads_by_status: leads,
            emails_sent: 0,
            emails_opened: 0,
            emails_clicked: 0,
            updated_at: DateTime::default(),
        }
    }

    #[test]
    fn cost_per_lead_is_rounded_to_the_cent_and_absent_without_leads() {
        let s = summary("100", "500", [1, 1, 0, 1, 0]);
        assert_eq!(s.leads(), 3);
        assert_eq!(s.cost_per_lead().unwrap().to_string(), "33.33");
        assert_eq!(s.cost_per_conversion().unwrap().to_string(), "100.00");
        assert_eq!(s.conversion_rate(), Some(1.0 / 3.0));
        assert_eq!(s.budget_used(), Some(0.2));
        // Half a cent rounds away from zero: 0.25 / 2 = 0.125 -> 0.13.
        assert_eq!(
            summary("0.25", "1", [2, 0, 0, 0, 0])
                .cost_per_lead()
                .unwrap()
                .to_string(),
            "0.13"
        );
        let empty = summary("0", "0", [0; 5]);
        assert_eq!(empty.cost_per_lead(), None);
        assert_eq!(empty.conversion_rate(), None);
        assert_eq!(empty.budget_used(), None);
        assert_eq!(empty.open_rate(), None);
    }
}
