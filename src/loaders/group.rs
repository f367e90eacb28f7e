//! "All children of each parent" for small, bounded lists (a brand's members and goals,
//! a post's approvals and schedules): one `WHERE parent = ANY($1)` statement per batch.
//!
//! Relations that opt in ([`NarrowGroupedRelation`]) are also loaded by [`GroupKey`]: the
//! parent and the columns its selection reads. A batch fetches the union of its keys'
//! columns, so lists of one parent type selected differently still share one statement.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, IdenStatic, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::LoadError;
use super::columns::ColumnSet;

/// A parent -> children relation loaded whole, in a fixed order.
pub trait GroupedRelation: Send + Sync + 'static {
    type Entity: EntityTrait<Model = Self::Model>;
    type Model: sea_orm::FromQueryResult + Clone + Send + Sync + 'static;
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    fn parent_of(model: &Self::Model) -> Uuid;
    /// The order within one parent's list.
    fn order() -> (<Self::Entity as EntityTrait>::Column, sea_orm::Order);
}

/// A [`GroupedRelation`] whose rows can be fetched with only some of their columns.
pub trait NarrowGroupedRelation: GroupedRelation {
    /// The fields of a row that read its `id` (relations loaded by it).
    const VIA_ID: &'static [&'static str];
    /// A row that holds only the columns `read` (the others take their default).
    fn decode(row: &QueryResult, read: &[String]) -> Result<Self::Model, sea_orm::DbErr>;
}

/// One parent's list, and the columns its selection reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupKey {
    pub parent: Uuid,
    pub read: ColumnSet,
}

impl GroupKey {
    /// The key of `parent`'s list whose rows are selected with `fields` (snake_case).
    pub fn selecting<'f, R: NarrowGroupedRelation>(
        parent: Uuid,
        fields: impl IntoIterator<Item = &'f str>,
    ) -> Self {
        let read = match super::columns::columns_read_by::<R::Entity>(fields, R::VIA_ID) {
            Some(columns) => ColumnSet::of::<R::Entity>(&columns),
            None => ColumnSet::ALL,
        };
        Self { parent, read }
    }
}

pub struct GroupLoader<R> {
    db: OperationDb,
    relation: PhantomData<fn() -> R>,
}

impl<R> GroupLoader<R> {
    pub fn new(db: OperationDb) -> Self {
        Self {
            db,
            relation: PhantomData,
        }
    }
}

impl<R: GroupedRelation> Loader<Uuid> for GroupLoader<R> {
    type Value = Vec<R::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<R::Model>>, Self::Error> {
        let (column, order) = R::order();
        let rows = R::Entity::find()
            .filter(super::any_of(R::parent_column(), keys))
            .order_by(column, order.clone())
            .order_by(tie_breaker::<R>(), order)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        // Every key gets an entry, so "no children" is an empty list, not a missing value.
        let mut grouped: HashMap<Uuid, Vec<R::Model>> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for row in rows {
            grouped.entry(R::parent_of(&row)).or_default().push(row);
        }
        Ok(grouped)
    }
}

impl<R: NarrowGroupedRelation> Loader<GroupKey> for GroupLoader<R> {
    type Value = Vec<R::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[GroupKey],
    ) -> Result<HashMap<GroupKey, Vec<R::Model>>, Self::Error> {
        let parent_column = R::parent_column();
        let columns = keys
            .iter()
            .fold(
                ColumnSet::of::<R::Entity>(&[parent_column.as_str().to_string()]),
                |set, key| set.union(key.read),
            )
            .columns::<R::Entity>();
        let read: Vec<String> = columns.iter().map(|c| c.as_str().to_string()).collect();
        let parents: Vec<Uuid> = keys.iter().map(|key| key.parent).collect();
        let (column, order) = R::order();
        let select = R::Entity::find().select_only().columns(columns);
        let statement = select
            .filter(super::any_of(parent_column, &parents))
            .order_by(column, order.clone())
            .order_by(tie_breaker::<R>(), order)
            .build(DbBackend::Postgres);
        let rows = self.db.query_all_raw(statement).await.map_err(Arc::new)?;
        let mut by_parent: HashMap<Uuid, Vec<R::Model>> = HashMap::new();
        for row in &rows {
            let model = R::decode(row, &read).map_err(Arc::new)?;
            by_parent
                .entry(R::parent_of(&model))
                .or_default()
                .push(model);
        }
        // Every key gets an entry, so "no children" is an empty list, not a missing value.
        // A parent asked for by one key (the usual case) hands its rows over uncopied.
        let mut left: HashMap<Uuid, usize> = HashMap::new();
        for key in keys {
            *left.entry(key.parent).or_default() += 1;
        }
        Ok(keys
            .iter()
            .map(|key| {
                let remaining = left.get_mut(&key.parent).expect("counted above");
                *remaining -= 1;
                let rows = if *remaining == 0 {
                    by_parent.remove(&key.parent)
                } else {
                    by_parent.get(&key.parent).cloned()
                };
                (*key, rows.unwrap_or_default())
            })
            .collect())
    }
}

/// Rows that share the order column come in `id` order (the same direction), so a list is
/// the same on every read and on the compiled path (`crate::compile`).
fn tie_breaker<R: GroupedRelation>() -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::EntityName;
    let table = R::Entity::default().table_name().to_string();
    sea_orm::sea_query::Expr::cust(format!("\"{table}\".\"id\""))
}
