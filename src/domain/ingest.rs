//! Analytics ingest: a validated batch upserted in one statement, idempotently.
//!
//! The batch goes to PostgreSQL as one JSON parameter expanded by `jsonb_to_recordset`,
//! and `ON CONFLICT ... DO UPDATE ... WHERE (metrics, metadata) IS DISTINCT FROM ...`
//! leaves identical rows untouched, so re-sending a batch writes nothing. Any invalid row
//! rejects the whole batch before anything is written.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::access::require_role;
use super::analytics::Platform;
use super::audit::{self, AuditContext, AuditEntry};
use super::goals;
use crate::auth::{Role, Viewer};
use crate::error::{ApiError, ApiResult};

/// One incoming row.
pub struct MetricRow {
    pub platform: String,
    pub post_id: Option<String>,
    pub date: NaiveDate,
    pub metrics: Value,
    pub metadata: Option<Value>,
}

/// What an ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Rows received.
    pub received: u64,
    /// Rows inserted or changed.
    pub written: u64,
}

fn row_error(index: usize, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_input("rows", format!("rows[{index}]: {message}"))
}

/// Checks every row; the first bad one rejects the batch, naming its index.
fn validate(rows: &[MetricRow], max_batch: usize) -> ApiResult<Vec<Value>> {
    if rows.is_empty() {
        return Err(ApiError::bad_input("rows", "the batch is empty"));
    }
    if rows.len() > max_batch {
        return Err(ApiError::bad_input(
            "rows",
            format!(
                "a batch holds at most {max_batch} rows, this one has {}",
                rows.len()
            ),
        ));
    }
    let tomorrow = Utc::now().date_naive().succ_opt().unwrap_or(NaiveDate::MAX);
    let mut keys = HashSet::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let platform = Platform::parse(&row.platform)
            .map_err(|err| row_error(index, err.message()))?
            .into_inner();
        if row.date > tomorrow {
            return Err(row_error(
                index,
                format!("date {} is in the future", row.date),
            ));
        }
        if let Some(post_id) = &row.post_id
            && (post_id.is_empty() || post_id.len() > 255)
        {
            return Err(row_error(index, "postId must be 1 to 255 characters"));
        }
        let Some(metrics) = row.metrics.as_object() else {
            return Err(row_error(index, "metrics must be an object"));
        };
        for (name, value) in metrics {
            if !value.as_f64().is_some_and(|v| v >= 0.0 && v.is_finite()) {
                return Err(row_error(
                    index,
                    format!("metrics.{name} must be a non-negative number"),
                ));
            }
        }
        if row.metadata.as_ref().is_some_and(|m| !m.is_object()) {
            return Err(row_error(index, "metadata must be an object"));
        }
        if !keys.insert((platform.clone(), row.post_id.clone(), row.date)) {
            return Err(row_error(
                index,
                "duplicates an earlier row (same platform, postId and date)",
            ));
        }
        records.push(json!({
            "platform": platform,
            "post_id": row.post_id,
            "date": row.date,
            "metrics": metrics,
            "metadata": row.metadata.clone().unwrap_or_else(|| Value::Object(Map::new())),
        }));
    }
    Ok(records)
}

/// Upserts a brand's metric rows (service role or brand admin and above).
pub async fn ingest(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand_id: Uuid,
    rows: Vec<MetricRow>,
    max_batch: usize,
) -> ApiResult<IngestOutcome> {
    require_role(viewer, brand_id, Role::Admin).await?;
    let records = validate(&rows, max_batch)?;
    let platforms: Vec<String> = {
        let mut set: Vec<String> = records
            .iter()
            .filter_map(|r| r["platform"].as_str().map(String::from))
            .collect();
        set.sort();
        set.dedup();
        set
    };
    let started = Utc::now();
    let written = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO analytics_metrics (brand_id, tenant_id, platform, post_id, date, metrics, metadata)
             SELECT $1, b.tenant_id, r.platform, r.post_id, r.date, r.metrics, r.metadata
               FROM jsonb_to_recordset($2::jsonb)
                    AS r(platform text, post_id text, date date, metrics jsonb, metadata jsonb)
               JOIN brands b ON b.id = $1
             ON CONFLICT (brand_id, platform, post_id, date) DO UPDATE
                SET metrics = EXCLUDED.metrics, metadata = EXCLUDED.metadata
              WHERE (analytics_metrics.metrics, analytics_metrics.metadata)
                    IS DISTINCT FROM (EXCLUDED.metrics, EXCLUDED.metadata)",
            [brand_id.into(), Value::Array(records).into()],
        ))
        .await?
        .rows_affected();
    let received = rows.len() as u64;
    let duration_ms = (Utc::now() - started)
        .num_milliseconds()
        .clamp(0, i32::MAX as i64) as i32;
    for platform in &platforms {
        let synced = rows.iter().filter(|r| &r.platform == platform).count() as i32;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO analytics_sync_logs (brand_id, tenant_id, platform, sync_type, status,
                                              items_synced, items_failed, started_at, completed_at, duration_ms)
             SELECT $1, tenant_id, $2, 'ingest', 'completed', $3, 0, $4, now(), $5 FROM brands WHERE id = $1",
            [
                brand_id.into(),
                platform.clone().into(),
                synced.into(),
                started.into(),
                duration_ms.into(),
            ],
        ))
        .await?;
    }
    goals::recompute_for_brand(db, brand_id).await?;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand_id),
            action: "analytics.ingest",
            resource_type: "analytics_metrics",
            resource_id: brand_id.to_string(),
            metadata: json!({ "received": received, "written": written, "platforms": platforms }),
        },
    )
    .await?;
    Ok(IngestOutcome { received, written })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metrics: Value) -> MetricRow {
        MetricRow {
            platform: "instagram".into(),
            post_id: None,
            date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            metrics,
            metadata: None,
        }
    }

    #[test]
    fn a_bad_row_is_named_by_its_index() {
        let rows = vec![row(json!({ "reach": 1 })), row(json!({ "reach": -1 }))];
        let err = validate(&rows, 10).unwrap_err();
        assert!(
            err.message().starts_with("rows[1]: metrics.reach"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn duplicates_and_oversized_batches_are_refused() {
        let dupes = vec![row(json!({})), row(json!({}))];
        assert!(
            validate(&dupes, 10)
                .unwrap_err()
                .message()
                .contains("duplicates")
        );
        assert!(validate(&[row(json!({})), row(json!({}))], 1).is_err());
        assert!(validate(&[row(json!("text"))], 10).is_err());
        assert!(validate(&[row(json!({ "reach": "12" }))], 10).is_err());
    }
}
