//! Agent activity: brand history entries and collaboration logs. Append-only (the
//! database refuses updates and deletes); written by agents (the service role) and
//! members.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;
use uuid::Uuid;

use super::{document, ident};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};
use entity::{brand_history, collaboration_logs};

/// One brand history entry.
pub struct HistoryInput {
    pub entry_id: String,
    pub timestamp: Option<DateTime<FixedOffset>>,
    pub agent: String,
    pub action: String,
    pub content_id: Option<String>,
    pub details: Option<Value>,
    pub rationale: Option<String>,
    pub performance: Option<Value>,
    pub tags: Vec<String>,
}

pub async fn record_history(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    input: HistoryInput,
) -> ApiResult<brand_history::Model> {
    require_role(viewer, brand, Role::Member).await?;
    if input.tags.len() > 50 || input.tags.iter().any(|t| t.is_empty() || t.len() > 100) {
        return Err(ApiError::bad_input(
            "tags",
            "at most 50 tags of 1 to 100 characters",
        ));
    }
    Ok(brand_history::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        entry_id: Set(ident("entryId", &input.entry_id)?.to_string()),
        timestamp: Set(input.timestamp.unwrap_or_else(|| chrono::Utc::now().into())),
        agent: Set(ident("agent", &input.agent)?.to_string()),
        action: Set(ident("action", &input.action)?.to_string()),
        content_id: Set(input.content_id),
        details: Set(input.details.map(|d| document("details", d)).transpose()?),
        rationale: Set(input.rationale),
        performance: Set(input
            .performance
            .map(|p| document("performance", p))
            .transpose()?),
        tags: Set(input.tags),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// One collaboration step of an agent in a cycle.
pub struct CollaborationInput {
    pub cycle_id: String,
    pub request_id: String,
    pub agent: String,
    pub action: String,
    pub timestamp: Option<DateTime<FixedOffset>>,
    pub content_id: Option<String>,
    pub notes: Option<String>,
    pub metadata: Option<Value>,
}

pub async fn log_collaboration(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    input: CollaborationInput,
) -> ApiResult<collaboration_logs::Model> {
    require_role(viewer, brand, Role::Member).await?;
    Ok(collaboration_logs::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        cycle_id: Set(ident("cycleId", &input.cycle_id)?.to_string()),
        request_id: Set(ident("requestId", &input.request_id)?.to_string()),
        agent: Set(ident("agent", &input.agent)?.to_string()),
        action: Set(ident("action", &input.action)?.to_string()),
        timestamp: Set(input.timestamp.unwrap_or_else(|| chrono::Utc::now().into())),
        content_id: Set(input.content_id),
        notes: Set(input.notes),
        metadata: Set(input
            .metadata
            .map(|m| document("metadata", m))
            .transpose()?),
        ..Default::default()
    }
    .insert(db)
    .await?)
}
