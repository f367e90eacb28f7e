//! Lead scoring rules as the API shows them, and their mutations (admins and owners).

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::campaign::user;
use crate::domain::marketing::scoring::{self, NewRule, RuleChanges};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::identity::User;
use crate::graphql::ids::{NodeKind, decode_as};
use entity::lead_scoring_rules;

type Timestamp = DateTime<FixedOffset>;

/// A rule of a brand's lead scoring: leads matching its condition get its weight. A
/// lead's score is the sum of the weights of the active rules it matches, clamped to 0 to
/// 100, kept by the database as activities and lead changes arrive.
pub struct LeadScoringRule(pub lead_scoring_rules::Model);

/// A rule of a brand's lead scoring: leads matching its condition get its weight.
#[Object]
impl LeadScoringRule {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// Its name, unique within the brand.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What a lead must match, e.g. `{"activity": "email_clicked"}`,
    /// `{"field": "company_size", "in": ["enterprise"]}`, `{"all": [...]}` (the language
    /// is described in docs/lead-scoring.md).
    async fn condition(&self) -> Json<&serde_json::Value> {
        Json(&self.0.condition)
    }
    /// Points a matching lead gets (-100 to 100).
    async fn weight(&self) -> i32 {
        self.0.weight
    }
    /// Whether the rule counts.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
    }
    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}

/// A new scoring rule.
#[derive(InputObject)]
pub struct CreateLeadScoringRuleInput {
    /// The brand it scores.
    pub brand_id: ID,
    /// Its name, unique within the brand (1 to 100 characters).
    pub name: String,
    /// What a lead must match (see `LeadScoringRule.condition`).
    pub condition: Json<serde_json::Value>,
    /// Points a matching lead gets (-100 to 100).
    pub weight: i32,
    /// Whether it counts (default true).
    #[graphql(default = true)]
    pub active: bool,
}

/// Changes to a scoring rule; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateLeadScoringRuleInput {
    /// New name.
    pub name: Option<String>,
    /// New condition.
    pub condition: Option<Json<serde_json::Value>>,
    /// New weight.
    pub weight: Option<i32>,
    /// Switches the rule on or off.
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct LeadScoringMutation;

#[Object]
impl LeadScoringMutation {
    /// Adds a scoring rule (admins and owners). From then on the brand's scores are
    /// computed by its rules; its leads are rescored in the background. A condition
    /// outside the language is `BAD_USER_INPUT`; a second rule of the same name is
    /// `CONFLICT`.
    async fn create_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadScoringRuleInput,
    ) -> ApiResult<LeadScoringRule> {
        let new = NewRule {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            condition: input.condition.0,
            weight: input.weight,
            active: input.active,
        };
        let row = write(ctx, async |txn| {
            scoring::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(LeadScoringRule(row))
    }

    /// Changes a scoring rule (admins and owners); the brand's leads are rescored in the
    /// background.
    async fn update_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateLeadScoringRuleInput,
    ) -> ApiResult<LeadScoringRule> {
        let changes = RuleChanges {
            name: input.name,
            condition: input.condition.map(|c| c.0),
            weight: input.weight,
            active: input.active,
        };
        let row = write(ctx, async |txn| {
            scoring::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(LeadScoringRule(row))
    }

    /// Deletes a scoring rule (admins and owners) and returns it as it was.
    async fn delete_lead_scoring_rule(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> ApiResult<LeadScoringRule> {
        let row = write(ctx, async |txn| {
            scoring::delete(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(LeadScoringRule(row))
    }
}
