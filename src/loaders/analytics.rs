//! Analytics lookups: metric rows over a date range, and summaries aggregated in SQL.
//!
//! Metric values live in the `metrics` JSONB column; aggregates read them with a guarded
//! cast (a non-numeric value counts as missing, never as an error). Summaries read the
//! daily rollups the ingest maintains and are summed in PostgreSQL, so a summary never
//! ships rows to Rust.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
    Statement,
};
use uuid::Uuid;

use super::LoadError;
use entity::analytics_metrics;

/// The summed metrics, in the order of [`MetricTotals::sums`].
pub const SUMMED_METRICS: [&str; 7] = [
    "reach",
    "impressions",
    "engagement",
    "likes",
    "comments",
    "shares",
    "clicks",
];

/// The keys of a metric row's `metrics` object that have a field of their own (named as
/// the key) besides [`SUMMED_METRICS`].
pub const UNSUMMED_METRICS: [&str; 3] = ["followers", "ctr", "engagementRate"];

/// The key of `metrics` the field `name` of a metric row reads, if it reads one.
pub fn metric_key(name: &str) -> Option<&'static str> {
    SUMMED_METRICS
        .iter()
        .chain(&UNSUMMED_METRICS)
        .find(|key| **key == name)
        .copied()
}

/// The column a narrowed metric row carries the value of metric `key` in (null when the
/// row's `metrics` lacks it, which reads as a missing key does).
fn metric_column(key: &str) -> String {
    format!("metrics__{key}")
}

/// What of a metric row a selection reads: every other part is not fetched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricColumns {
    /// The [`metric_key`]s read (sorted), or `None` for the whole `metrics` object.
    pub keys: Option<Vec<&'static str>>,
    pub metadata: bool,
    /// The row's own id (its global id); a nil UUID in its place otherwise.
    pub id: bool,
}

impl MetricColumns {
    /// The whole row.
    pub const ALL: MetricColumns = MetricColumns {
        keys: None,
        metadata: true,
        id: true,
    };

    /// `select` with `metrics` narrowed to the keys read, each in a column of its own
    /// ([`metric_column`]; PostgreSQL builds no JSON object per row for it), `metadata` and
    /// the row's id only when read, and none of the columns no field of a metric row reads
    /// (tenant, timestamps); [`Self::decode`] reads such a row.
    fn narrow(
        &self,
        select: sea_orm::Select<analytics_metrics::Entity>,
    ) -> sea_orm::Select<analytics_metrics::Entity> {
        use analytics_metrics::Column;
        use sea_orm::QuerySelect;
        if *self == Self::ALL {
            return select;
        }
        let mut select = select.select_only();
        if self.id {
            select = select.column(Column::Id);
        }
        select = select.columns([
            Column::BrandId,
            Column::Platform,
            Column::PostId,
            Column::Date,
        ]);
        match &self.keys {
            None => select = select.column(Column::Metrics),
            Some(keys) => {
                for key in keys {
                    // Keys come from the constant lists only, never from the request's text.
                    let value = format!("\"analytics_metrics\".\"metrics\" -> '{key}'");
                    select = select.column_as(Expr::cust(value), metric_column(key));
                }
            }
        }
        if self.metadata {
            select = select.column(Column::Metadata);
        }
        select
    }

    /// A row selected by [`Self::narrow`]; what was not fetched holds its default (a nil
    /// id, no tenant, the epoch) and is never read.
    pub fn decode(
        &self,
        row: &sea_orm::QueryResult,
    ) -> Result<analytics_metrics::Model, sea_orm::DbErr> {
        use sea_orm::FromQueryResult;
        if *self == Self::ALL {
            return analytics_metrics::Model::from_query_result(row, "");
        }
        Ok(analytics_metrics::Model {
            id: if self.id {
                row.try_get("", "id")?
            } else {
                Uuid::nil()
            },
            brand_id: row.try_get("", "brand_id")?,
            tenant_id: None,
            platform: row.try_get("", "platform")?,
            post_id: row.try_get("", "post_id")?,
            date: row.try_get("", "date")?,
            metrics: match &self.keys {
                None => row.try_get("", "metrics")?,
                Some(keys) => {
                    let mut metrics = serde_json::Map::with_capacity(keys.len());
                    for key in keys {
                        let value: Option<serde_json::Value> =
                            row.try_get("", &metric_column(key))?;
                        metrics.insert(key.to_string(), value.unwrap_or_default());
                    }
                    serde_json::Value::Object(metrics)
                }
            },
            metadata: if self.metadata {
                row.try_get("", "metadata")?
            } else {
                None
            },
            created_at: Default::default(),
            updated_at: Default::default(),
        })
    }
}

/// A date range (inclusive), optionally one platform, and what of each row is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub platform: Option<String>,
    pub columns: MetricColumns,
}

impl MetricRange {
    /// The rows of the range, any brand.
    fn select(&self) -> sea_orm::Select<analytics_metrics::Entity> {
        use analytics_metrics::Column;
        let mut select =
            analytics_metrics::Entity::find().filter(Column::Date.between(self.from, self.to));
        if let Some(platform) = &self.platform {
            select = select.filter(Column::Platform.eq(platform.as_str()));
        }
        self.columns.narrow(select)
    }

    /// The rows of the range for the brand selected as `parent`, as the children of
    /// [`super::parent::one_with_children`], ordered by [`METRIC_RANGE_ORDER`].
    pub fn of_parent(&self) -> Statement {
        self.select()
            .filter(Expr::cust("\"analytics_metrics\".\"brand_id\" = parent.id"))
            .build(DbBackend::Postgres)
    }
}

/// The loader's order of metric rows, over the children's alias.
pub const METRIC_RANGE_ORDER: &str = "child.date, child.platform, child.post_id";

/// One brand's rows of a range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricRangeKey {
    pub brand: Uuid,
    pub range: MetricRange,
}

pub struct MetricRangeLoader {
    db: OperationDb,
}

impl MetricRangeLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<MetricRangeKey> for MetricRangeLoader {
    type Value = Vec<analytics_metrics::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[MetricRangeKey],
    ) -> Result<HashMap<MetricRangeKey, Self::Value>, Self::Error> {
        use analytics_metrics::Column;
        let mut groups: HashMap<&MetricRange, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry(&key.range).or_default().push(key.brand);
        }
        let mut result = HashMap::with_capacity(keys.len());
        for (range, brands) in groups {
            let statement = range
                .select()
                .filter(super::any_of(Column::BrandId, &brands))
                .order_by_asc(Column::Date)
                .order_by_asc(Column::Platform)
                .order_by_asc(Column::PostId)
                .build(DbBackend::Postgres);
            let rows = self.db.query_all_raw(statement).await.map_err(Arc::new)?;
            let mut by_brand: HashMap<Uuid, Vec<analytics_metrics::Model>> = HashMap::new();
            for row in &rows {
                let row = range.columns.decode(row).map_err(Arc::new)?;
                by_brand.entry(row.brand_id).or_default().push(row);
            }
            for brand in brands {
                let key = MetricRangeKey {
                    brand,
                    range: range.clone(),
                };
                result.insert(key, by_brand.remove(&brand).unwrap_or_default());
            }
        }
        Ok(result)
    }
}

/// Aggregated metrics of some set of rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricTotals {
    /// Sums of [`SUMMED_METRICS`], in that order.
    pub sums: [f64; 7],
    /// Highest follower count seen.
    pub followers: Option<f64>,
    /// Rows aggregated.
    pub rows: i64,
}

/// A summary: totals over the window and the same per platform.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub totals: MetricTotals,
    pub by_platform: Vec<(String, MetricTotals)>,
}

/// One brand's summary over the last `days` days (today included), optionally one platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SummaryKey {
    pub brand: Uuid,
    pub days: u32,
    pub platform: Option<String>,
}

/// The summary statement for many brands sharing one window and platform filter:
/// per (brand, platform) and per brand, in one pass with GROUPING SETS, over the daily
/// rollups the ingest keeps (migration 016), not the raw rows: at most one row per
/// (brand, platform, day) instead of every post's.
pub fn summary_statement(brands: &[Uuid], days: u32, platform: Option<&str>) -> Statement {
    let mut statement = summary_where("brand_id = ANY($3)", days, platform);
    if let Some(values) = statement.values.as_mut() {
        values.0.push(sea_orm::Value::from(brands.to_vec()));
    }
    statement
}

/// [`summary_statement`] for the brand selected as `parent`, as the children of
/// [`super::parent::one_with_children`], ordered by [`SUMMARY_ORDER`].
pub fn summary_of_parent(days: u32, platform: Option<&str>) -> Statement {
    summary_where("brand_id = parent.id", days, platform)
}

/// The order of a summary's rows over the children's alias: platforms, then the total.
pub const SUMMARY_ORDER: &str = "child.platform";

/// The summary statement for the brands `brands_sql` picks; its `$1` is the window in
/// days and `$2` the platform filter.
fn summary_where(brands_sql: &str, days: u32, platform: Option<&str>) -> Statement {
    let sums: Vec<String> = SUMMED_METRICS
        .iter()
        .map(|m| format!("coalesce(sum({m}), 0) AS {m}"))
        .collect();
    let sql = format!(
        "SELECT brand_id, platform, grouping(platform) AS is_total, {}, max(followers) AS followers,
                sum(row_count)::int8 AS row_count
           FROM analytics_daily_rollups
          WHERE {brands_sql} AND date > current_date - $1::int AND date <= current_date
            AND ($2::text IS NULL OR platform = $2)
          GROUP BY GROUPING SETS ((brand_id, platform), (brand_id))
          ORDER BY brand_id, platform",
        sums.join(", "),
    );
    Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [
            sea_orm::Value::from(days as i32),
            sea_orm::Value::from(platform.map(str::to_string)),
        ],
    )
}

pub struct SummaryLoader {
    db: OperationDb,
}

impl SummaryLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<SummaryKey> for SummaryLoader {
    type Value = Summary;
    type Error = LoadError;

    async fn load(&self, keys: &[SummaryKey]) -> Result<HashMap<SummaryKey, Summary>, Self::Error> {
        let mut groups: HashMap<(u32, Option<String>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.days, key.platform.clone()))
                .or_default()
                .push(key.brand);
        }
        let mut result = HashMap::with_capacity(keys.len());
        for ((days, platform), brands) in groups {
            let rows = self
                .db
                .query_all_raw(summary_statement(&brands, days, platform.as_deref()))
                .await
                .map_err(Arc::new)?;
            let mut summaries = summaries_from_rows(rows).map_err(Arc::new)?;
            for brand in brands {
                let key = SummaryKey {
                    brand,
                    days,
                    platform: platform.clone(),
                };
                result.insert(key, summaries.remove(&brand).unwrap_or_default());
            }
        }
        Ok(result)
    }
}

/// Reads the rows of [`summary_statement`] into one summary per brand.
pub fn summaries_from_rows(
    rows: Vec<sea_orm::QueryResult>,
) -> Result<HashMap<Uuid, Summary>, sea_orm::DbErr> {
    let mut summaries: HashMap<Uuid, Summary> = HashMap::new();
    for row in rows {
        let brand: Uuid = row.try_get("", "brand_id")?;
        let mut totals = MetricTotals {
            followers: row.try_get("", "followers")?,
            rows: row.try_get("", "row_count")?,
            ..MetricTotals::default()
        };
        for (slot, name) in totals.sums.iter_mut().zip(SUMMED_METRICS) {
            *slot = row.try_get("", name)?;
        }
        let is_total: i32 = row.try_get("", "is_total")?;
        let summary = summaries.entry(brand).or_default();
        if is_total == 1 {
            summary.totals = totals;
        } else {
            let platform: String = row.try_get("", "platform")?;
            summary.by_platform.push((platform, totals));
        }
    }
    Ok(summaries)
}
