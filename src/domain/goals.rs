//! Analytics goals and their progress, recomputed in SQL from the metrics.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::access::require_role;
use super::audit::{self, AuditContext, AuditEntry};
use crate::auth::{Role, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::analytics_goals;

/// Metrics whose progress is a ratio of sums rather than a sum.
const RATIOS: [(&str, &str, &str); 2] = [
    ("ctr", "clicks", "impressions"),
    ("engagementRate", "engagement", "reach"),
];

/// Recomputes `current` of every active goal of the brand: the sum of the metric over the
/// brand's rows from the goal's creation day up to its deadline (`followers`: the highest
/// value; `ctr` and `engagementRate`: ratio of the sums).
pub async fn recompute_for_brand(db: &impl ConnectionTrait, brand_id: Uuid) -> ApiResult<()> {
    let num = |m: &str| {
        format!(
            "CASE WHEN jsonb_typeof(m.metrics->'{m}') = 'number' THEN (m.metrics->>'{m}')::float8 END"
        )
    };
    let mut cases = vec![format!("WHEN 'followers' THEN max({})", num("followers"))];
    for (ratio, top, bottom) in RATIOS {
        cases.push(format!(
            "WHEN '{ratio}' THEN sum({}) / nullif(sum({}), 0)",
            num(top),
            num(bottom)
        ));
    }
    let sql = format!(
        "UPDATE analytics_goals g SET current = coalesce((
           SELECT CASE g.metric {} ELSE sum(CASE WHEN jsonb_typeof(m.metrics->g.metric) = 'number'
                                                THEN (m.metrics->>g.metric)::float8 END) END
             FROM analytics_metrics m
            WHERE m.brand_id = g.brand_id AND m.date BETWEEN g.created_at::date AND g.deadline::date), 0)
          WHERE g.brand_id = $1 AND g.status = 'active'",
        cases.join(" ")
    );
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [brand_id.into()],
    ))
    .await?;
    settle_statuses(db, Some(brand_id)).await
}

/// Moves active goals on: `achieved` once progress reaches the target, `missed` once the
/// deadline has passed without it. For one brand, or every brand (`None`); idempotent, so
/// any number of processes may run it.
pub async fn settle_statuses(db: &impl ConnectionTrait, brand_id: Option<Uuid>) -> ApiResult<()> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_goals SET status = CASE WHEN coalesce(current, 0) >= target THEN 'achieved' ELSE 'missed' END
          WHERE status = 'active' AND ($1::uuid IS NULL OR brand_id = $1)
            AND (coalesce(current, 0) >= target OR deadline < now())",
        [brand_id.into()],
    ))
    .await?;
    Ok(())
}

/// Sets a goal's progress from outside (seed 004's `updateGoalProgress`; the service
/// role), then settles its status.
pub async fn set_progress(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    goal_id: Uuid,
    current: f64,
) -> ApiResult<analytics_goals::Model> {
    viewer.require_authenticated()?;
    if !viewer.is_service() {
        return Err(ApiError::Forbidden(
            "only the service role sets goal progress; it is computed from the metrics".into(),
        ));
    }
    if !current.is_finite() || current < 0.0 {
        return Err(ApiError::bad_input(
            "current",
            "current must be a non-negative number",
        ));
    }
    let goal = analytics_goals::Entity::find_by_id(goal_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("goal"))?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_goals SET current = $2 WHERE id = $1",
        [goal_id.into(), current.into()],
    ))
    .await?;
    settle_statuses(db, Some(goal.brand_id)).await?;
    let goal = analytics_goals::Entity::find_by_id(goal_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("goal"))?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(goal.brand_id),
            action: "goal.progress",
            resource_type: "analytics_goal",
            resource_id: goal.id.to_string(),
            metadata: json!({ "current": goal.current, "status": goal.status }),
        },
    )
    .await?;
    Ok(goal)
}

/// A goal as a client states it.
pub struct GoalInput {
    pub brand_id: Uuid,
    pub metric: String,
    pub target: f64,
    pub deadline: DateTime<FixedOffset>,
    pub notes: Option<String>,
}

/// Creates or updates the brand's active goal for `metric` (admins and above).
pub async fn upsert(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    input: GoalInput,
) -> ApiResult<analytics_goals::Model> {
    let GoalInput {
        brand_id,
        metric,
        target,
        deadline,
        notes,
    } = input;
    require_role(viewer, brand_id, Role::Admin).await?;
    let valid_metric = !metric.is_empty()
        && metric.len() <= 100
        && metric
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_metric {
        return Err(ApiError::bad_input(
            "metric",
            "metric must be a metric name such as reach",
        ));
    }
    if !(target.is_finite() && target > 0.0) {
        return Err(ApiError::bad_input(
            "target",
            "target must be a positive number",
        ));
    }
    // One statement, so two concurrent calls cannot both insert: the partial unique index
    // (one active goal per brand and metric) turns the second into an update.
    let goal_id: Uuid = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO analytics_goals (brand_id, tenant_id, metric, target, current, deadline, status, notes)
             SELECT b.id, b.tenant_id, $2, $3, 0, $4, 'active', $5 FROM brands b WHERE b.id = $1
             ON CONFLICT (brand_id, metric) WHERE status = 'active'
             DO UPDATE SET target = EXCLUDED.target, deadline = EXCLUDED.deadline, notes = EXCLUDED.notes
             RETURNING id",
            [
                brand_id.into(),
                metric.into(),
                target.into(),
                deadline.into(),
                notes.into(),
            ],
        ))
        .await?
        .ok_or(ApiError::NotFound("brand"))?
        .try_get_by_index(0)?;
    recompute_for_brand(db, brand_id).await?;
    let goal = analytics_goals::Entity::find_by_id(goal_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("goal"))?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand_id),
            action: "goal.upsert",
            resource_type: "analytics_goal",
            resource_id: goal.id.to_string(),
            metadata: json!({ "metric": goal.metric, "target": goal.target, "current": goal.current }),
        },
    )
    .await?;
    Ok(goal)
}
