//! Writes of the learning loop: agents (the service role) and members.

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;
use uuid::Uuid;

use super::types::{
    AdvisorFeedback, AutoPlan, BrandHistory, CollaborationLog, ContentPackage, StrategyBrief,
};
use crate::domain::learning::activity::{self, CollaborationInput, HistoryInput};
use crate::domain::learning::feedback::{self, FeedbackInput, FeedbackKind};
use crate::domain::learning::packages::{self, BriefInput, PackageInput};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// A strategy brief.
#[derive(InputObject)]
pub struct StrategyBriefInput {
    /// The request that produced it.
    pub request_id: String,
    /// The planning cycle.
    pub cycle_id: String,
    /// Positioning.
    pub positioning: Json<Value>,
    /// Voice.
    pub voice: Json<Value>,
    /// Visual direction.
    pub visual: Json<Value>,
    /// Competitive analysis.
    pub competitive: Json<Value>,
}

/// A generated content package.
#[derive(InputObject)]
pub struct ContentPackageInput {
    /// The agents' content id (unique).
    pub content_id: String,
    /// The request that produced it.
    pub request_id: String,
    /// The planning cycle.
    pub cycle_id: String,
    /// The copy (an object; `title`/`headline`, `body`, `type`, `platform` are used when
    /// approving creates a content item).
    pub copy: Json<Value>,
    /// Design context.
    pub design_context: Option<Json<Value>>,
    /// How the agents arrived at it.
    pub collaboration_log: Json<Value>,
    /// Quality score, 0 to 10.
    pub quality_score: Option<f64>,
    /// Whether a person must approve it (default true).
    #[graphql(default = true)]
    pub requires_approval: bool,
}

/// A brand history entry.
#[derive(InputObject)]
pub struct BrandHistoryInput {
    /// The agent's entry id.
    pub entry_id: String,
    /// When it happened (default now).
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// Which agent.
    pub agent: String,
    /// What it did.
    pub action: String,
    /// The content it concerned.
    pub content_id: Option<String>,
    /// Details.
    pub details: Option<Json<Value>>,
    /// Why.
    pub rationale: Option<String>,
    /// How it performed.
    pub performance: Option<Json<Value>>,
    /// Tags (at most 50).
    #[graphql(default)]
    pub tags: Vec<String>,
}

/// A collaboration log entry.
#[derive(InputObject)]
pub struct CollaborationLogInput {
    /// The planning cycle.
    pub cycle_id: String,
    /// The request.
    pub request_id: String,
    /// Which agent.
    pub agent: String,
    /// What it did.
    pub action: String,
    /// When (default now).
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// The content it concerned.
    pub content_id: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Metadata.
    pub metadata: Option<Json<Value>>,
}

/// Feedback on an advisor insight.
#[derive(InputObject)]
pub struct AdvisorFeedbackInput {
    /// The insight.
    pub insight_id: String,
    /// Insight category.
    pub category: String,
    /// Insight type.
    #[graphql(name = "type")]
    pub kind: String,
    /// What the person thought.
    pub feedback: FeedbackKind,
    /// Weight before (default 1).
    pub previous_weight: Option<f64>,
    /// Weight after (default 1).
    pub new_weight: Option<f64>,
}

async fn tenant_of(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Option<Uuid>> {
    Ok(ctx
        .loaders()?
        .brands()
        .load_one(brand)
        .await?
        .and_then(|b| b.tenant_id))
}

#[derive(Default)]
pub struct LearningMutation;

#[Object]
impl LearningMutation {
    /// Adds the next version of the brand's brief for a cycle (admins and above).
    async fn create_strategy_brief(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: StrategyBriefInput,
    ) -> ApiResult<StrategyBrief> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let input = BriefInput {
            request_id: input.request_id,
            cycle_id: input.cycle_id,
            positioning: input.positioning.0,
            voice: input.voice.0,
            visual: input.visual.0,
            competitive: input.competitive.0,
        };
        let row = write(ctx, async |txn| {
            packages::create_brief(txn, ctx.viewer()?, ctx.audit()?, brand, input).await
        })
        .await?;
        Ok(StrategyBrief(row))
    }

    /// Stores a generated content package (members and above).
    async fn create_content_package(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: ContentPackageInput,
    ) -> ApiResult<ContentPackage> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let input = PackageInput {
            content_id: input.content_id,
            request_id: input.request_id,
            cycle_id: input.cycle_id,
            copy: input.copy.0,
            design_context: input.design_context.map(|d| d.0),
            collaboration_log: input.collaboration_log.0,
            quality_score: input.quality_score,
            requires_approval: input.requires_approval,
        };
        let row = write(ctx, async |txn| {
            packages::create_package(txn, ctx.viewer()?, ctx.audit()?, brand, input).await
        })
        .await?;
        Ok(ContentPackage(row))
    }

    /// Approves (creating a draft content item from its copy) or rejects a package
    /// (managers and above).
    async fn decide_content_package(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "true to approve, false to reject.")] approve: bool,
    ) -> ApiResult<ContentPackage> {
        let id = decode_as(NodeKind::ContentPackage, &id)?;
        let row = write(ctx, async |txn| {
            packages::decide_package(txn, ctx.viewer()?, ctx.audit()?, id, approve).await
        })
        .await?;
        Ok(ContentPackage(row))
    }

    /// Appends a brand history entry (members and above; append-only).
    async fn record_brand_history(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: BrandHistoryInput,
    ) -> ApiResult<BrandHistory> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let input = HistoryInput {
            entry_id: input.entry_id,
            timestamp: input.timestamp,
            agent: input.agent,
            action: input.action,
            content_id: input.content_id,
            details: input.details.map(|d| d.0),
            rationale: input.rationale,
            performance: input.performance.map(|p| p.0),
            tags: input.tags,
        };
        let row = write(ctx, async |txn| {
            activity::record_history(txn, ctx.viewer()?, brand, input).await
        })
        .await?;
        Ok(BrandHistory(row))
    }

    /// Appends a collaboration log entry (members and above; append-only).
    async fn log_collaboration(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: CollaborationLogInput,
    ) -> ApiResult<CollaborationLog> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let input = CollaborationInput {
            cycle_id: input.cycle_id,
            request_id: input.request_id,
            agent: input.agent,
            action: input.action,
            timestamp: input.timestamp,
            content_id: input.content_id,
            notes: input.notes,
            metadata: input.metadata.map(|m| m.0),
        };
        let row = write(ctx, async |txn| {
            activity::log_collaboration(txn, ctx.viewer()?, brand, input).await
        })
        .await?;
        Ok(CollaborationLog(row))
    }

    /// Records feedback on an advisor insight (members and above; seed 004 `logFeedback`).
    async fn log_feedback(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: AdvisorFeedbackInput,
    ) -> ApiResult<AdvisorFeedback> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let tenant = tenant_of(ctx, brand).await?;
        let input = FeedbackInput {
            insight_id: input.insight_id,
            category: input.category,
            kind: input.kind,
            feedback: input.feedback,
            previous_weight: input.previous_weight,
            new_weight: input.new_weight,
        };
        let row = write(ctx, async |txn| {
            feedback::log_feedback(txn, ctx.viewer()?, brand, tenant, input).await
        })
        .await?;
        Ok(AdvisorFeedback(row))
    }

    /// Stores the generated plan of a month, replacing an earlier one (admins and above).
    async fn upsert_auto_plan(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Any day of the month planned.")] month: NaiveDate,
        #[graphql(desc = "The plan (an object).")] plan_data: Json<Value>,
        #[graphql(default = 0.75, desc = "0 to 1.")] confidence: f64,
    ) -> ApiResult<AutoPlan> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let tenant = tenant_of(ctx, brand).await?;
        let row = write(ctx, async |txn| {
            feedback::upsert_plan(
                txn,
                ctx.viewer()?,
                brand,
                tenant,
                month,
                plan_data.0,
                confidence,
            )
            .await
        })
        .await?;
        Ok(AutoPlan(row))
    }
}
