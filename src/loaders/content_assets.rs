//! The media assets a content item uses: those with a usage log `used_in = 'post:<id>'`
//! in the item's own brand.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::LoadError;
use entity::media_assets;

pub struct ContentAssetsLoader {
    db: OperationDb,
}

impl ContentAssetsLoader {
    pub fn new(db: OperationDb) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for ContentAssetsLoader {
    type Value = Vec<media_assets::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let usage_keys: Vec<String> = keys.iter().map(|id| format!("post:{id}")).collect();
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT DISTINCT ON (l.used_in, a.created_at, a.id) a.*, l.used_in AS usage_key
               FROM media_usage_logs l
               JOIN media_assets a ON a.id = l.asset_id AND a.brand_id = l.brand_id
              WHERE l.used_in = ANY($1)
              ORDER BY l.used_in, a.created_at, a.id",
            [sea_orm::Value::from(usage_keys)],
        );
        let rows = self.db.query_all_raw(statement).await.map_err(Arc::new)?;
        let mut result: HashMap<Uuid, Self::Value> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for row in rows {
            let usage_key: String = row.try_get("", "usage_key").map_err(Arc::new)?;
            let Some(content_id) = usage_key
                .strip_prefix("post:")
                .and_then(|id| Uuid::parse_str(id).ok())
            else {
                continue;
            };
            let asset = media_assets::Model::from_query_result(&row, "").map_err(Arc::new)?;
            result.entry(content_id).or_default().push(asset);
        }
        Ok(result)
    }
}
