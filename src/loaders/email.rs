//! The email relations (a brand's templates, email campaigns, contacts and automation
//! rules; a campaign's email campaigns; an email campaign's publish jobs), served by the
//! generic page and group loaders, and each email campaign's delivery counts.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, Order, QueryFilter, Select, Statement};
use uuid::Uuid;

use super::LoadError;
use super::group::GroupedRelation;
use super::page::PagedRelation;
use super::relations::{grouped, paged};
use entity::{
    email_automation_rules, email_campaigns, email_contacts, email_templates, publish_jobs,
};

paged!(
    BrandEmailTemplates, email_templates, BrandId, |m| m.brand_id,
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

/// Narrows a brand's email campaigns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EmailCampaignFilter {
    pub status: Option<String>,
    pub campaign_id: Option<Uuid>,
}

paged!(
    BrandEmailCampaigns, email_campaigns, BrandId, |m| m.brand_id,
    filter: EmailCampaignFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use email_campaigns::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(campaign) = filter.campaign_id {
            select = select.filter(Column::CampaignId.eq(campaign));
        }
        select
    },
);

paged!(
    CampaignEmailCampaigns, email_campaigns, CampaignId, |m| m.campaign_id.unwrap_or_default(),
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

/// Narrows a brand's contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EmailContactFilter {
    pub subscription_status: Option<String>,
    pub tag: Option<String>,
}

paged!(
    BrandEmailContacts, email_contacts, BrandId, |m| m.brand_id,
    filter: EmailContactFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use email_contacts::Column;
        if let Some(status) = &filter.subscription_status {
            select = select.filter(Column::SubscriptionStatus.eq(status.as_str()));
        }
        if let Some(tag) = &filter.tag {
            // `@>` so the GIN index on tags serves it (bound as a one-element text[]).
            select = select.filter(Expr::cust_with_values(
                "\"email_contacts\".\"tags\" @> $1",
                [sea_orm::Value::from(vec![tag.clone()])],
            ));
        }
        select
    },
);

paged!(
    BrandEmailAutomationRules, email_automation_rules, BrandId, |m| m.brand_id,
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

grouped!(
    EmailCampaignJobs,
    publish_jobs,
    EmailCampaignId,
    |m| m.email_campaign_id.unwrap_or_default(),
    CreatedAt,
    Order::Desc
);

/// What happened to one email campaign's recipients (each counted once per kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub delivered: i64,
    pub opened: i64,
    pub clicked: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
}

/// Delivery counts of email campaigns: one grouped statement per batch.
pub struct DeliveryCountsLoader {
    db: OperationDb,
}

impl DeliveryCountsLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for DeliveryCountsLoader {
    type Value = DeliveryCounts;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, DeliveryCounts>, LoadError> {
        let mut out: HashMap<Uuid, DeliveryCounts> = keys
            .iter()
            .map(|id| (*id, DeliveryCounts::default()))
            .collect();
        if keys.is_empty() {
            return Ok(out);
        }
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT email_campaign_id, count(delivered_at), count(opened_at), count(clicked_at),
                        count(bounced_at), count(unsubscribed_at)
                   FROM email_campaign_recipients WHERE email_campaign_id = ANY($1)
                  GROUP BY email_campaign_id",
                [sea_orm::Value::from(keys.to_vec())],
            ))
            .await
            .map_err(Arc::new)?;
        for row in rows {
            let id: Uuid = row.try_get_by_index(0).map_err(Arc::new)?;
            out.insert(
                id,
                DeliveryCounts {
                    delivered: row.try_get_by_index(1).map_err(Arc::new)?,
                    opened: row.try_get_by_index(2).map_err(Arc::new)?,
                    clicked: row.try_get_by_index(3).map_err(Arc::new)?,
                    bounced: row.try_get_by_index(4).map_err(Arc::new)?,
                    unsubscribed: row.try_get_by_index(5).map_err(Arc::new)?,
                },
            );
        }
        Ok(out)
    }
}
