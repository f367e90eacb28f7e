//! Storing a verified delivery: once per (provider, delivery id).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A verified delivery, parsed.
#[derive(Debug)]
pub struct Delivery {
    pub provider: String,
    pub delivery_id: String,
    pub event_type: String,
    pub brand_id: Uuid,
    pub payload: Value,
}

/// Reads the body of a verified delivery.
pub fn parse(provider: &str, delivery_id: &str, body: &[u8]) -> ApiResult<Delivery> {
    if delivery_id.is_empty() || delivery_id.len() > 200 {
        return Err(ApiError::bad_input(
            "X-Webhook-Id",
            "X-Webhook-Id must be 1 to 200 characters",
        ));
    }
    let payload: Value = serde_json::from_slice(body)
        .map_err(|err| ApiError::bad_input("body", format!("the body is not JSON: {err}")))?;
    let event_type = payload["type"]
        .as_str()
        .filter(|t| (1..=100).contains(&t.len()))
        .ok_or_else(|| {
            ApiError::bad_input("type", "`type` must be a string of 1 to 100 characters")
        })?
        .to_string();
    let brand_id = payload["brandId"]
        .as_str()
        .ok_or_else(|| ApiError::bad_input("brandId", "`brandId` is required"))?;
    let brand_id = Uuid::parse_str(brand_id)
        .map_err(|_| ApiError::bad_input("brandId", "`brandId` must be a UUID"))?;
    Ok(Delivery {
        provider: provider.to_string(),
        delivery_id: delivery_id.to_string(),
        event_type,
        brand_id,
        payload,
    })
}

/// What storing found.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    New(Uuid),
    /// The same delivery was stored before: acknowledged, not stored or processed again.
    Duplicate,
}

/// Stores the delivery unless its id was seen; an unknown or archived brand is refused.
pub async fn store(
    db: &impl ConnectionTrait,
    delivery: &Delivery,
    max_attempts: i32,
) -> ApiResult<Stored> {
    let key = format!("{}:{}", delivery.provider, delivery.delivery_id);
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH brand AS (SELECT id FROM brands WHERE id = $1 AND archived_at IS NULL),
                  stored AS (
               INSERT INTO webhook_events (brand_id, provider, event_type, payload, idempotency_key, max_attempts)
               SELECT id, $2, $3, $4, $5, $6 FROM brand
               ON CONFLICT (idempotency_key) DO NOTHING
               RETURNING id)
             SELECT (SELECT id FROM brand), (SELECT id FROM stored)",
            [
                delivery.brand_id.into(),
                delivery.provider.clone().into(),
                delivery.event_type.clone().into(),
                delivery.payload.clone().into(),
                key.into(),
                max_attempts.into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("webhook insert", "no row"))?;
    let brand: Option<Uuid> = row.try_get_by_index(0)?;
    let stored: Option<Uuid> = row.try_get_by_index(1)?;
    match (brand, stored) {
        (None, _) => Err(ApiError::bad_input("brandId", "no such brand")),
        (Some(_), Some(id)) => Ok(Stored::New(id)),
        (Some(_), None) => Ok(Stored::Duplicate),
    }
}
