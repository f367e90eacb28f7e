//! Publish job counts per connector platform over a brand's last N days (seed 004's
//! `getPlatformStats`), one statement for every brand of a request.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::LoadError;

/// A brand and a window in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatsKey {
    pub brand: Uuid,
    pub days: i32,
}

/// Counts of one platform.
#[derive(Clone, Debug, Default)]
pub struct PlatformCounts {
    pub platform: String,
    pub published: i64,
    pub in_flight: i64,
    pub dead: i64,
    pub cancelled: i64,
}

pub struct PublishingStatsLoader {
    db: OperationDb,
}

impl PublishingStatsLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<StatsKey> for PublishingStatsLoader {
    type Value = Vec<PlatformCounts>;
    type Error = LoadError;

    async fn load(&self, keys: &[StatsKey]) -> Result<HashMap<StatsKey, Self::Value>, Self::Error> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let brands: Vec<Uuid> = keys.iter().map(|k| k.brand).collect();
        let days: Vec<i32> = keys.iter().map(|k| k.days).collect();
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT k.brand, k.days, cp.platform_name,
                    count(*) FILTER (WHERE j.status = 'published'),
                    count(*) FILTER (WHERE j.status IN ('pending', 'processing', 'retrying')),
                    count(*) FILTER (WHERE j.status = 'dead'),
                    count(*) FILTER (WHERE j.status = 'cancelled')
               FROM unnest($1::uuid[], $2::int[]) AS k(brand, days)
               JOIN publish_jobs j ON j.brand_id = k.brand
                                  AND j.created_at > now() - make_interval(days => k.days)
               JOIN connections c ON c.id = j.connection_id
               JOIN connector_platforms cp ON cp.id = c.platform_id
              GROUP BY k.brand, k.days, cp.platform_name
              ORDER BY cp.platform_name",
            [brands.into(), days.into()],
        );
        let rows = self.db.query_all_raw(statement).await.map_err(Arc::new)?;
        let mut result: HashMap<StatsKey, Self::Value> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for row in rows {
            let key = StatsKey {
                brand: row.try_get_by_index(0).map_err(Arc::new)?,
                days: row.try_get_by_index(1).map_err(Arc::new)?,
            };
            result.entry(key).or_default().push(PlatformCounts {
                platform: row.try_get_by_index(2).map_err(Arc::new)?,
                published: row.try_get_by_index(3).map_err(Arc::new)?,
                in_flight: row.try_get_by_index(4).map_err(Arc::new)?,
                dead: row.try_get_by_index(5).map_err(Arc::new)?,
                cancelled: row.try_get_by_index(6).map_err(Arc::new)?,
            });
        }
        Ok(result)
    }
}
