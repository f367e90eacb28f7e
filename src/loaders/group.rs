//! "All children of each parent" for small, bounded lists (a brand's members and goals,
//! a post's approvals and schedules): one `WHERE parent = ANY($1)` statement per batch.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::LoadError;

/// A parent -> children relation loaded whole, in a fixed order.
pub trait GroupedRelation: Send + Sync + 'static {
    type Entity: EntityTrait<Model = Self::Model>;
    type Model: sea_orm::FromQueryResult + Clone + Send + Sync + 'static;
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    fn parent_of(model: &Self::Model) -> Uuid;
    /// The order within one parent's list.
    fn order() -> (<Self::Entity as EntityTrait>::Column, sea_orm::Order);
}

pub struct GroupLoader<R> {
    db: DatabaseConnection,
    relation: PhantomData<fn() -> R>,
}

impl<R> GroupLoader<R> {
    pub fn new(db: DatabaseConnection) -> Self {
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
            .order_by(column, order)
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
