//! Live campaigns and leads of one brand: new leads, lead status and score changes,
//! campaign changes (each resumable with `after`, like every event stream), and a
//! campaign's live summary (shared per campaign, like `analyticsSummary`).
//!
//! Lead events carry the lead itself, whose email and phone follow the same rule as in
//! queries (members and above; viewers get null): what a subscriber receives depends on
//! its role, so lead subscribers share one compiled rendering per role in the brand
//! (`describe::LEAD_EVENT`), or render their own where the operation has no plan.
//! Campaign events hold nothing viewer-dependent and are rendered once per audience.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, QueryFilter};

use super::describe::LEAD_EVENT_ROOTS;
use super::{CampaignSummary, Lead};
use crate::compile::describe::EventRoot;
use crate::domain::marketing::{CampaignStatus, LeadStatus, Money, campaigns};
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::subscription::{
    AggregateAdmission, ChangeOp, Visibility, brand_events, op_of, text_in, uuid_in,
};
use crate::realtime::Realtime;
use crate::realtime::events::{ChangeEvent, Topic};
use crate::realtime::stream::EventFilter;
use crate::realtime::summary::CampaignSummaryKey;

/// A lead arrived, or its status, score or campaign changed.
pub struct LeadEvent(Arc<ChangeEvent>);

/// A lead arrived, or its status, score or campaign changed.
#[Object]
impl LeadEvent {
    /// Pass as `after` to resume after this event.
    async fn cursor(&self) -> String {
        cursor(&self.0)
    }
    /// `INSERT` for a new lead, `UPDATE` for a change.
    async fn op(&self) -> ChangeOp {
        op_of(&self.0)
    }
    /// The lead (global id).
    async fn lead_id(&self) -> ID {
        lead_id(&self.0)
    }
    /// Its status after the change.
    async fn status(&self) -> Option<LeadStatus> {
        lead_status(&self.0)
    }
    /// Its score after the change.
    async fn score(&self) -> Option<i32> {
        lead_score(&self.0)
    }
    /// Its campaign after the change (global id).
    async fn campaign_id(&self) -> Option<ID> {
        lead_campaign(&self.0)
    }
    /// When the change committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The lead as it is now (null once it is gone). Its email and phone are null for
    /// viewers, as in queries.
    async fn lead(&self, ctx: &Context<'_>) -> ApiResult<Option<Lead>> {
        let Some(id) = self.0.entity_id else {
            return Ok(None);
        };
        let row = ctx.loaders()?.leads().load_one(id).await?;
        Ok(row
            .filter(|lead| Some(lead.brand_id) == self.0.brand_id)
            .map(Lead))
    }
}

// `LeadEvent`'s fields read from the change event: its resolvers and the compiled
// renderer of its audiences (`describe::LEAD_EVENT`) call the same functions.

pub(super) fn cursor(event: &ChangeEvent) -> String {
    event.seq.to_string()
}

pub(super) fn lead_id(event: &ChangeEvent) -> ID {
    ids::encode(NodeKind::Lead, event.entity_id.unwrap_or_default())
}

pub(super) fn lead_status(event: &ChangeEvent) -> Option<LeadStatus> {
    text_in(event, "status").and_then(LeadStatus::parse)
}

pub(super) fn lead_score(event: &ChangeEvent) -> Option<i32> {
    event.payload["score"]
        .as_i64()
        .and_then(|s| i32::try_from(s).ok())
}

pub(super) fn lead_campaign(event: &ChangeEvent) -> Option<ID> {
    uuid_in(event, "campaign_id").map(|id| ids::encode(NodeKind::Campaign, id))
}

/// A campaign was created, or its status, budget, dates or name changed.
#[derive(SimpleObject)]
pub struct CampaignEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// `INSERT` for a new campaign, `UPDATE` for a change.
    op: ChangeOp,
    /// The campaign (global id).
    campaign_id: ID,
    /// Its status after the change.
    status: Option<CampaignStatus>,
    /// Its status before the change (null for new campaigns).
    previous_status: Option<CampaignStatus>,
    /// Its whole budget after the change.
    budget_total: Option<Money>,
    /// Its allocated budget after the change.
    budget_allocated: Option<Money>,
    /// What it had spent after the change.
    budget_spent: Option<Money>,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

impl From<&ChangeEvent> for CampaignEvent {
    fn from(event: &ChangeEvent) -> Self {
        let status = |field| text_in(event, field).and_then(CampaignStatus::parse);
        let money = |field| text_in(event, field).and_then(Money::parse);
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            campaign_id: ids::encode(NodeKind::Campaign, event.entity_id.unwrap_or_default()),
            status: status("status"),
            previous_status: status("previous_status"),
            budget_total: money("budget_total"),
            budget_allocated: money("budget_allocated"),
            budget_spent: money("budget_spent"),
            occurred_at: event.created_at,
        }
    }
}

/// The described lead subscription `field` (its events are the ones its audiences render).
fn lead_root(field: &str) -> &'static EventRoot {
    LEAD_EVENT_ROOTS
        .iter()
        .find(|root| root.field == field)
        .expect("every lead subscription is described")
}

fn only(op: &'static str) -> EventFilter {
    Box::new(move |event: &ChangeEvent| event.op == op)
}

#[derive(Default)]
pub struct MarketingSubscription;

#[Subscription]
impl MarketingSubscription {
    /// New leads of the brand, in commit order (from forms, imports, mutations or SQL).
    async fn lead_captured(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<LeadEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Lead,
            &brand_id,
            after,
            Some(only(lead_root("leadCaptured").op)),
            Visibility::PerRole(LEAD_EVENT_ROOTS),
        )
        .await?;
        Ok(stream.map(|item| item.map(LeadEvent)))
    }

    /// Status, score and campaign changes of the brand's leads, in commit order.
    async fn lead_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<LeadEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Lead,
            &brand_id,
            after,
            Some(only(lead_root("leadUpdated").op)),
            Visibility::PerRole(LEAD_EVENT_ROOTS),
        )
        .await?;
        Ok(stream.map(|item| item.map(LeadEvent)))
    }

    /// New campaigns of the brand and changes of their status, budget, dates or name.
    async fn campaign_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<CampaignEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Campaign,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| CampaignEvent::from(event.as_ref()))))
    }

    /// The campaign's `summary`, pushed now and after every change of its budget, leads or
    /// email counts (bursts coalesced). One computation per campaign is shared by all its
    /// subscribers.
    async fn campaign_summary(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
    ) -> Result<impl Stream<Item = ApiResult<CampaignSummary>> + use<>, ApiError> {
        let campaign = ids::decode_as(NodeKind::Campaign, &campaign_id)?;
        let db = ctx.db()?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let row = campaigns::visible(&scope)
            .filter(entity::campaigns::Column::Id.eq(campaign))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound("campaign"))?;
        let admitted = AggregateAdmission::check(ctx, row.brand_id).await?;
        let realtime = ctx.data::<Realtime>()?;
        let key = CampaignSummaryKey {
            brand: row.brand_id,
            campaign,
        };
        let updates = realtime
            .campaign_summaries
            .watch(&realtime.hub, ctx.service_db()?, key);
        Ok(admitted.stream(updates, |summary| CampaignSummary(summary.clone())))
    }
}
