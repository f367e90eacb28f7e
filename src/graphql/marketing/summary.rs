//! `CampaignSummary`: a campaign's spend against its budget, its leads by status,
//! conversions, cost per lead and email counts, read from the rollup the database keeps
//! in the same transaction as those inputs (`Campaign.summary`, `campaignSummary`).

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};

use crate::domain::marketing::rollup::{self, LEAD_STATUSES};
use crate::domain::marketing::{LeadStatus, Money};
use crate::graphql::ids::{self, NodeKind};

/// How many of a campaign's leads are in one status.
#[derive(SimpleObject)]
pub struct LeadStatusCount {
    /// The status.
    pub status: LeadStatus,
    /// Leads in it.
    pub count: i64,
}

/// A campaign's figures as of its last committed change.
pub struct CampaignSummary(pub rollup::CampaignSummary);

/// A campaign's figures as of its last committed change: spend against budget, leads by
/// status, conversions, cost per lead and email counts.
#[Object]
impl CampaignSummary {
    /// The campaign (global id).
    async fn campaign_id(&self) -> ID {
        ids::encode(NodeKind::Campaign, self.0.campaign)
    }
    /// The whole budget.
    async fn budget_total(&self) -> Money {
        self.0.budget_total
    }
    /// The part of the budget released for spending.
    async fn budget_allocated(&self) -> Money {
        self.0.budget_allocated
    }
    /// What was spent so far.
    async fn budget_spent(&self) -> Money {
        self.0.budget_spent
    }
    /// The spent share of the allocated budget (0 to 1); null when nothing is allocated.
    async fn budget_used(&self) -> Option<f64> {
        self.0.budget_used()
    }
    /// Every lead the campaign produced.
    async fn leads(&self) -> i64 {
        self.0.leads()
    }
    /// Leads per status, one entry per status (zeros included).
    async fn leads_by_status(&self) -> Vec<LeadStatusCount> {
        LEAD_STATUSES
            .iter()
            .zip(self.0.leads_by_status)
            .map(|(status, count)| LeadStatusCount {
                status: *status,
                count,
            })
            .collect()
    }
    /// Leads converted to customers.
    async fn conversions(&self) -> i64 {
        self.0.conversions()
    }
    /// Converted leads among all leads (0 to 1); null without leads.
    async fn conversion_rate(&self) -> Option<f64> {
        self.0.conversion_rate()
    }
    /// Spend per lead, to the cent; null without leads.
    async fn cost_per_lead(&self) -> Option<Money> {
        self.0.cost_per_lead()
    }
    /// Spend per conversion, to the cent; null without conversions.
    async fn cost_per_conversion(&self) -> Option<Money> {
        self.0.cost_per_conversion()
    }
    /// Emails of the campaign sent.
    async fn emails_sent(&self) -> i64 {
        self.0.emails_sent
    }
    /// Emails of the campaign opened.
    async fn emails_opened(&self) -> i64 {
        self.0.emails_opened
    }
    /// Emails of the campaign with a link clicked.
    async fn emails_clicked(&self) -> i64 {
        self.0.emails_clicked
    }
    /// Opened among sent (0 to 1); null when none were sent.
    async fn open_rate(&self) -> Option<f64> {
        self.0.open_rate()
    }
    /// Clicked among sent (0 to 1); null when none were sent.
    async fn click_rate(&self) -> Option<f64> {
        self.0.click_rate()
    }
    /// When one of these figures last changed.
    async fn updated_at(&self) -> DateTime<FixedOffset> {
        self.0.updated_at
    }
}
