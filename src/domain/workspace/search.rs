//! Full-text search over the brands a viewer may see: content items (title and body) and
//! media assets (filename, category, tags), from the `search_documents` index the
//! database keeps (migration 014). Query syntax is `websearch_to_tsquery`'s (quotes,
//! `or`, `-word`); titles weigh more than bodies, so an exact title match ranks first.
//! Leads share the index but not this search: they are personal data that only
//! `Brand.leads(filter: {search})` finds, with the viewer's right to read addresses.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::auth::BrandScope;
use crate::error::{ApiError, ApiResult};

/// One hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: String,
    pub id: Uuid,
    pub brand_id: Uuid,
    pub title: Option<String>,
    pub snippet: String,
    pub rank: f32,
}

/// Searches `query` in the scope (narrowed to `brand` when given), best first.
pub async fn search(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    brand: Option<Uuid>,
    query: &str,
    limit: u64,
) -> ApiResult<Vec<Hit>> {
    let query = query.trim();
    if query.is_empty() || query.len() > 500 {
        return Err(ApiError::bad_input(
            "query",
            "query must be 1 to 500 characters",
        ));
    }
    let brands: Option<Vec<Uuid>> = match (scope, brand) {
        (BrandScope::All, None) => None,
        (BrandScope::All, Some(b)) => Some(vec![b]),
        (BrandScope::Only(ids), None) => Some(ids.clone()),
        (BrandScope::Only(ids), Some(b)) => {
            Some(ids.iter().copied().filter(|id| *id == b).collect())
        }
    };
    if brands.as_ref().is_some_and(|b| b.is_empty()) {
        return Ok(Vec::new());
    }
    // One configuration per query keeps the tsquery constant, so the GIN index serves
    // it: the brand's own when searching one brand, else `simple`.
    let config: String = match brand {
        Some(b) => db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT search_language::text FROM brands WHERE id = $1",
                [b.into()],
            ))
            .await?
            .map(|row| row.try_get_by_index(0))
            .transpose()?
            .unwrap_or_else(|| "simple".into()),
        None => "simple".into(),
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT d.entity_type, d.entity_id, d.brand_id, d.title,
                    ts_headline($1::regconfig, coalesce(nullif(d.body, ''), d.title, ''), q,
                                'MaxFragments=1, MaxWords=18, MinWords=6, StartSel=<b>, StopSel=</b>'),
                    ts_rank_cd(d.search, q)::float4 AS rank
               FROM search_documents d
               JOIN brands b ON b.id = d.brand_id AND b.archived_at IS NULL,
                    websearch_to_tsquery($1::regconfig, $2) q
              WHERE d.search @@ q AND d.entity_type IN ('content_item', 'media_asset')
                AND ($3::uuid[] IS NULL OR d.brand_id = ANY($3))
              ORDER BY rank DESC, d.entity_id
              LIMIT $4",
            [
                config.into(),
                query.into(),
                brands.into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Hit {
                kind: row.try_get_by_index(0)?,
                id: row.try_get_by_index(1)?,
                brand_id: row.try_get_by_index(2)?,
                title: row.try_get_by_index(3)?,
                snippet: row.try_get_by_index(4)?,
                rank: row.try_get_by_index(5)?,
            })
        })
        .collect()
}
