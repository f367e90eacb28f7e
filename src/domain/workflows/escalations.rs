//! Escalation rules and the evaluation that raises escalation events.
//!
//! A rule `approval_overdue` with `trigger_hours = h` raises level `n` for an approval
//! still pending `n * h` hours after it was requested, and notifies the members holding
//! the rule's role. Levels are unique per (approval, rule), so evaluating again, in
//! another process or after a restart, raises each level exactly once; levels missed
//! while no evaluator ran are raised on the next pass. Deciding the approval resolves its
//! events (a trigger on `post_approvals`, in the deciding transaction).

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Set, Statement,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::error::{ApiError, ApiResult};
use entity::escalation_rules;

/// What a rule watches.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum EscalationRuleType {
    /// An approval pending longer than `triggerHours`.
    ApprovalOverdue,
}

impl EscalationRuleType {
    pub fn as_str(self) -> &'static str {
        "approval_overdue"
    }
}

fn check_hours(hours: i32) -> ApiResult<()> {
    if (1..=8760).contains(&hours) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            "triggerHours",
            "triggerHours must be 1 to 8760",
        ))
    }
}

/// Adds a rule (admins and above).
pub async fn create_rule(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    brand: Uuid,
    rule_type: EscalationRuleType,
    trigger_hours: i32,
    escalate_to: Role,
) -> ApiResult<escalation_rules::Model> {
    require_role(viewer, brand, Role::Admin).await?;
    check_hours(trigger_hours)?;
    let row = escalation_rules::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        rule_type: Set(rule_type.as_str().into()),
        trigger_hours: Set(trigger_hours),
        escalate_to_role: Set(escalate_to.as_str().into()),
        enabled: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    record(db, audit_ctx, &row, "escalation_rule.create").await?;
    Ok(row)
}

/// Changes a rule's hours, role or whether it is enabled (admins and above).
pub async fn update_rule(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    trigger_hours: Option<i32>,
    escalate_to: Option<Role>,
    enabled: Option<bool>,
) -> ApiResult<escalation_rules::Model> {
    let row = lock_visible(
        db,
        viewer,
        escalation_rules::Entity::find_by_id(id),
        escalation_rules::Column::BrandId,
        "escalation rule",
    )
    .await?;
    require_role(viewer, row.brand_id, Role::Admin).await?;
    let mut active = row.into_active_model();
    if let Some(hours) = trigger_hours {
        check_hours(hours)?;
        active.trigger_hours = Set(hours);
    }
    if let Some(role) = escalate_to {
        active.escalate_to_role = Set(role.as_str().into());
    }
    if let Some(enabled) = enabled {
        active.enabled = Set(enabled);
    }
    let row = active.update(db).await?;
    record(db, audit_ctx, &row, "escalation_rule.update").await?;
    Ok(row)
}

async fn record(
    db: &impl ConnectionTrait,
    audit_ctx: &AuditContext,
    row: &escalation_rules::Model,
    action: &str,
) -> ApiResult<()> {
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "escalation_rule",
            resource_id: row.id.to_string(),
            metadata: json!({
                "rule_type": row.rule_type,
                "trigger_hours": row.trigger_hours,
                "escalate_to_role": row.escalate_to_role,
                "enabled": row.enabled,
            }),
        },
    )
    .await
}

/// Levels beyond this are not raised (an approval forgotten for years).
const MAX_LEVEL: i32 = 10;

/// One evaluation pass over every brand: raises the levels reached and not yet raised,
/// with their notifications, in one statement. Returns how many events it raised.
pub async fn evaluate(db: &impl ConnectionTrait) -> ApiResult<u64> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH due AS (
               SELECT r.id AS rule_id, r.brand_id, a.id AS approval_id,
                      least($1, floor(extract(epoch FROM now() - a.created_at)
                                      / (r.trigger_hours * 3600.0))::int) AS reached
                 FROM escalation_rules r
                 JOIN brands b ON b.id = r.brand_id AND b.archived_at IS NULL
                 JOIN post_approvals a ON a.brand_id = r.brand_id AND a.status = 'pending'
                WHERE r.enabled AND r.rule_type = 'approval_overdue'
                  AND a.created_at <= now() - make_interval(hours => r.trigger_hours)
             ), raised AS (
               INSERT INTO escalation_events (brand_id, approval_id, rule_id, level, status)
               SELECT due.brand_id, due.approval_id, due.rule_id, level, 'pending'
                 FROM due, generate_series(1, due.reached) AS level
               ON CONFLICT (approval_id, rule_id, level) DO NOTHING
               RETURNING id, brand_id, approval_id, rule_id, level
             ), notified AS (
               INSERT INTO workflow_notifications (brand_id, user_id, escalation_event_id, type, message)
               SELECT raised.brand_id, m.user_id, raised.id, 'escalation',
                      format('Approval of \"%s\" is overdue (escalation level %s)',
                             coalesce(c.title, 'untitled content'), raised.level)
                 FROM raised
                 JOIN escalation_rules r ON r.id = raised.rule_id
                 JOIN post_approvals a ON a.id = raised.approval_id
                 LEFT JOIN content_items c ON c.id = a.post_id
                 JOIN brand_members m ON m.brand_id = raised.brand_id AND m.role = r.escalate_to_role
               RETURNING 1
             )
             SELECT (SELECT count(*) FROM raised), (SELECT count(*) FROM notified)",
            [MAX_LEVEL.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("escalation pass", "no row"))?;
    let raised: i64 = row.try_get_by_index(0)?;
    Ok(raised as u64)
}
