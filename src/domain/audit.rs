//! Audit log writes. Every mutation calls [`record`] inside its own transaction, so the
//! change and its audit row commit or roll back together.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiResult;
use entity::audit_logs;

/// Who acted and from where, taken from the request.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub user_id: Option<Uuid>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// One audit entry.
pub struct AuditEntry<'a> {
    pub brand_id: Option<Uuid>,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: String,
    pub metadata: Value,
}

pub async fn record(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    entry: AuditEntry<'_>,
) -> ApiResult<()> {
    audit_logs::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(entry.brand_id),
        user_id: Set(ctx.user_id),
        action: Set(entry.action.to_string()),
        resource_type: Set(entry.resource_type.to_string()),
        resource_id: Set(Some(entry.resource_id)),
        metadata: Set(Some(entry.metadata)),
        ip_address: Set(ctx
            .ip_address
            .clone()
            .map(|ip| ip.chars().take(45).collect())),
        user_agent: Set(ctx.user_agent.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
