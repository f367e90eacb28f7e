//! Learning-loop objects as the API shows them.

use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, FixedOffset, NaiveDate};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use entity::{
    advisor_feedback, auto_plans, brand_history, collaboration_logs, content_packages,
    strategy_briefs,
};

type Timestamp = DateTime<FixedOffset>;

/// The brand's strategy for one cycle, one version.
pub struct StrategyBrief(pub strategy_briefs::Model);

/// The brand's strategy for one cycle, one version.
#[Object]
impl StrategyBrief {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::StrategyBrief, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The request that produced it.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// The planning cycle.
    async fn cycle_id(&self) -> &str {
        &self.0.cycle_id
    }
    /// `v1`, `v2`, ... within the cycle.
    async fn version(&self) -> &str {
        &self.0.version
    }
    /// Positioning.
    async fn positioning(&self) -> Json<serde_json::Value> {
        Json(self.0.positioning.clone())
    }
    /// Voice.
    async fn voice(&self) -> Json<serde_json::Value> {
        Json(self.0.voice.clone())
    }
    /// Visual direction.
    async fn visual(&self) -> Json<serde_json::Value> {
        Json(self.0.visual.clone())
    }
    /// Competitive analysis.
    async fn competitive(&self) -> Json<serde_json::Value> {
        Json(self.0.competitive.clone())
    }
    /// When it was written.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// Generated copy and design context, waiting for approval.
pub struct ContentPackage(pub content_packages::Model);

/// Generated copy and design context, waiting for approval.
#[Object]
impl ContentPackage {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::ContentPackage, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The agents' content id.
    async fn content_id(&self) -> &str {
        &self.0.content_id
    }
    /// The request that produced it.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// The planning cycle.
    async fn cycle_id(&self) -> &str {
        &self.0.cycle_id
    }
    /// The copy.
    async fn copy(&self) -> Json<serde_json::Value> {
        Json(self.0.copy.clone())
    }
    /// Design context.
    async fn design_context(&self) -> Option<Json<serde_json::Value>> {
        self.0.design_context.clone().map(Json)
    }
    /// How the agents arrived at it.
    async fn collaboration_log(&self) -> Json<serde_json::Value> {
        Json(self.0.collaboration_log.clone())
    }
    /// `draft`, `pending_approval`, `approved`, `rejected` or `published`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Quality score, 0 to 10.
    async fn quality_score(&self) -> Option<f64> {
        use sea_orm::prelude::Decimal;
        self.0
            .quality_score
            .and_then(|s: Decimal| s.to_string().parse().ok())
    }
    /// Whether a person must approve it.
    async fn requires_approval(&self) -> bool {
        self.0.requires_approval.unwrap_or(true)
    }
    /// The content item approving it created.
    async fn content_item(&self, ctx: &Context<'_>) -> ApiResult<Option<ContentItem>> {
        match self.0.content_item_id {
            Some(id) => Ok(ctx
                .loaders()?
                .content_items()
                .load_one(id)
                .await?
                .map(ContentItem)),
            None => Ok(None),
        }
    }
    /// When it was generated.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// One thing an agent did for the brand, and why.
pub struct BrandHistory(pub brand_history::Model);

/// One thing an agent did for the brand, and why.
#[Object]
impl BrandHistory {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::BrandHistory, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The agent's entry id.
    async fn entry_id(&self) -> &str {
        &self.0.entry_id
    }
    /// When it happened.
    async fn timestamp(&self) -> Timestamp {
        self.0.timestamp
    }
    /// Which agent.
    async fn agent(&self) -> &str {
        &self.0.agent
    }
    /// What it did.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The content it concerned.
    async fn content_id(&self) -> Option<&str> {
        self.0.content_id.as_deref()
    }
    /// Details.
    async fn details(&self) -> Option<Json<serde_json::Value>> {
        self.0.details.clone().map(Json)
    }
    /// Why.
    async fn rationale(&self) -> Option<&str> {
        self.0.rationale.as_deref()
    }
    /// How it performed.
    async fn performance(&self) -> Option<Json<serde_json::Value>> {
        self.0.performance.clone().map(Json)
    }
    /// Tags.
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
}

/// One agent step in a planning cycle.
pub struct CollaborationLog(pub collaboration_logs::Model);

/// One agent step in a planning cycle.
#[Object]
impl CollaborationLog {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::CollaborationLog, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The planning cycle.
    async fn cycle_id(&self) -> &str {
        &self.0.cycle_id
    }
    /// The request.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// Which agent.
    async fn agent(&self) -> &str {
        &self.0.agent
    }
    /// What it did.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// When.
    async fn timestamp(&self) -> Timestamp {
        self.0.timestamp
    }
    /// The content it concerned.
    async fn content_id(&self) -> Option<&str> {
        self.0.content_id.as_deref()
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Metadata.
    async fn metadata(&self) -> Option<Json<serde_json::Value>> {
        self.0.metadata.clone().map(Json)
    }
}

/// What a person thought of an advisor insight, and the weight it led to.
pub struct AdvisorFeedback(pub advisor_feedback::Model);

/// What a person thought of an advisor insight, and the weight it led to.
#[Object]
impl AdvisorFeedback {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::AdvisorFeedback, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The insight.
    async fn insight_id(&self) -> &str {
        &self.0.insight_id
    }
    /// Insight category.
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// Insight type.
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        &self.0.r#type
    }
    /// `positive`, `negative` or `neutral`.
    async fn feedback(&self) -> &str {
        &self.0.feedback
    }
    /// Weight before.
    async fn previous_weight(&self) -> Option<f64> {
        self.0.previous_weight
    }
    /// Weight after.
    async fn new_weight(&self) -> Option<f64> {
        self.0.new_weight
    }
    /// When it was given.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// A generated content plan for one month.
pub struct AutoPlan(pub auto_plans::Model);

/// A generated content plan for one month.
#[Object]
impl AutoPlan {
    /// Global id.
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::AutoPlan, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// First day of the month planned.
    async fn month(&self) -> NaiveDate {
        self.0.month
    }
    /// The plan.
    async fn plan_data(&self) -> Json<serde_json::Value> {
        Json(self.0.plan_data.clone())
    }
    /// How confident the planner was, 0 to 1.
    async fn confidence(&self) -> Option<f64> {
        self.0.confidence
    }
    /// When it was (re)generated.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}
