//! Change events as the realtime side sees them.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// What a change event is about; the `topic` column of `change_events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Approval,
    ContentStatus,
    Analytics,
    PublishJob,
    Connection,
    Brand,
    Membership,
    Escalation,
    Notification,
    /// A lead was created or its status, score or campaign changed (no personal data).
    Lead,
    /// A campaign was created or its status, budget, dates or name changed.
    Campaign,
    /// A campaign's rollup (`campaign_rollups`) changed.
    CampaignSummary,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::ContentStatus => "content_status",
            Self::Analytics => "analytics",
            Self::PublishJob => "publish_job",
            Self::Connection => "connection",
            Self::Brand => "brand",
            Self::Membership => "membership",
            Self::Escalation => "escalation",
            Self::Notification => "notification",
            Self::Lead => "lead",
            Self::Campaign => "campaign",
            Self::CampaignSummary => "campaign_summary",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Approval,
            Self::ContentStatus,
            Self::Analytics,
            Self::PublishJob,
            Self::Connection,
            Self::Brand,
            Self::Membership,
            Self::Escalation,
            Self::Notification,
            Self::Lead,
            Self::Campaign,
            Self::CampaignSummary,
        ]
        .into_iter()
        .find(|topic| topic.as_str() == text)
    }
}

/// One row of `change_events`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEvent {
    pub seq: i64,
    pub topic: Topic,
    pub brand_id: Option<Uuid>,
    pub entity_id: Option<Uuid>,
    pub op: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

/// The columns every reader selects, in [`ChangeEvent::from_row`] order.
pub const COLUMNS: &str = "seq, topic, brand_id, entity_id, op, payload, created_at";

impl ChangeEvent {
    /// Reads a row selected with [`COLUMNS`]; unknown topics are skipped (`None`).
    pub fn from_row(row: &tokio_postgres::Row) -> Result<Option<Self>, tokio_postgres::Error> {
        let topic: String = row.try_get(1)?;
        let Some(topic) = Topic::parse(&topic) else {
            return Ok(None);
        };
        Ok(Some(Self {
            seq: row.try_get(0)?,
            topic,
            brand_id: row.try_get(2)?,
            entity_id: row.try_get(3)?,
            op: row.try_get(4)?,
            payload: row.try_get(5)?,
            created_at: row.try_get(6)?,
        }))
    }
}

impl ChangeEvent {
    /// The same as [`from_row`](Self::from_row), for rows read through the SeaORM pool.
    pub fn from_query_result(row: &sea_orm::QueryResult) -> Result<Option<Self>, sea_orm::DbErr> {
        let topic: String = row.try_get("", "topic")?;
        let Some(topic) = Topic::parse(&topic) else {
            return Ok(None);
        };
        Ok(Some(Self {
            seq: row.try_get("", "seq")?,
            topic,
            brand_id: row.try_get("", "brand_id")?,
            entity_id: row.try_get("", "entity_id")?,
            op: row.try_get("", "op")?,
            payload: row.try_get("", "payload")?,
            created_at: row.try_get("", "created_at")?,
        }))
    }
}
