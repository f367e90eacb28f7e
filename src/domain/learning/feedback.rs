//! Advisor feedback and the weights learned from it (seed 004 `logFeedback`,
//! `getAverageWeights`), and generated monthly plans.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, Set, Statement};
use serde_json::Value;
use uuid::Uuid;

use super::{document, ident};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};
use entity::{advisor_feedback, auto_plans};

/// What a person thought of an insight.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum FeedbackKind {
    /// Useful.
    Positive,
    /// Not useful.
    Negative,
    /// Neither.
    Neutral,
}

impl FeedbackKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Negative => "negative",
            Self::Neutral => "neutral",
        }
    }
}

pub struct FeedbackInput {
    pub insight_id: String,
    pub category: String,
    pub kind: String,
    pub feedback: FeedbackKind,
    pub previous_weight: Option<f64>,
    pub new_weight: Option<f64>,
}

fn weight(field: &'static str, value: Option<f64>) -> ApiResult<f64> {
    match value {
        None => Ok(1.0),
        Some(w) if w.is_finite() && (0.0..=100.0).contains(&w) => Ok(w),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("{field} must be 0 to 100"),
        )),
    }
}

/// Records feedback on an insight (members and above, and the service role).
pub async fn log_feedback(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    tenant: Option<Uuid>,
    input: FeedbackInput,
) -> ApiResult<advisor_feedback::Model> {
    require_role(viewer, brand, Role::Member).await?;
    Ok(advisor_feedback::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        tenant_id: Set(tenant),
        insight_id: Set(ident("insightId", &input.insight_id)?.to_string()),
        category: Set(ident("category", &input.category)?
            .chars()
            .take(100)
            .collect()),
        r#type: Set(ident("type", &input.kind)?.chars().take(100).collect()),
        feedback: Set(input.feedback.as_str().into()),
        previous_weight: Set(Some(weight("previousWeight", input.previous_weight)?)),
        new_weight: Set(Some(weight("newWeight", input.new_weight)?)),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The mean learned weight of one (category, type).
#[derive(Debug, Clone, PartialEq, async_graphql::SimpleObject)]
pub struct AverageWeight {
    /// Insight category.
    pub category: String,
    /// Insight type.
    #[graphql(name = "type")]
    pub kind: String,
    /// Mean of `newWeight` over the feedback.
    pub average_weight: f64,
    /// Feedback rows counted.
    pub feedback_count: i64,
}

/// Mean new weight per (category, type) of the brand, computed in SQL.
pub async fn average_weights(
    db: &impl ConnectionTrait,
    brand: Uuid,
) -> ApiResult<Vec<AverageWeight>> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT category, type, avg(coalesce(new_weight, 1.0))::float8, count(*)
               FROM advisor_feedback WHERE brand_id = $1
              GROUP BY category, type ORDER BY category, type",
            [brand.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(AverageWeight {
                category: row.try_get_by_index(0)?,
                kind: row.try_get_by_index(1)?,
                average_weight: row.try_get_by_index(2)?,
                feedback_count: row.try_get_by_index(3)?,
            })
        })
        .collect()
}

/// Stores the generated plan of a month (admins and above, and the service role);
/// generating it again replaces it.
pub async fn upsert_plan(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    tenant: Option<Uuid>,
    month: NaiveDate,
    plan: Value,
    confidence: f64,
) -> ApiResult<auto_plans::Model> {
    require_role(viewer, brand, Role::Admin).await?;
    if !(0.0..=1.0).contains(&confidence) {
        return Err(ApiError::bad_input(
            "confidence",
            "confidence must be 0 to 1",
        ));
    }
    if !plan.is_object() {
        return Err(ApiError::bad_input(
            "planData",
            "planData must be an object",
        ));
    }
    let month = month.with_day0(0).unwrap_or(month);
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO auto_plans (brand_id, tenant_id, month, plan_data, confidence)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (brand_id, month)
             DO UPDATE SET plan_data = EXCLUDED.plan_data, confidence = EXCLUDED.confidence
             RETURNING id",
            [
                brand.into(),
                tenant.into(),
                month.into(),
                document("planData", plan)?.into(),
                confidence.into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("auto plan upsert", "no row"))?;
    let id: Uuid = row.try_get_by_index(0)?;
    use sea_orm::EntityTrait;
    auto_plans::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("auto plan"))
}
