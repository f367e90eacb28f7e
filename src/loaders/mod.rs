//! Request-scoped dataloaders: every relation lookup is batched into one statement per
//! resolver depth. A fresh [`Loaders`] is built for each request (and each websocket
//! operation), so no cache is ever shared between users.

mod by_id;

pub use by_id::ByIdLoader;

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;

use entity::{tenants, users};

/// Errors must be `Clone` to be shared by every waiter of a batch.
pub type LoadError = Arc<sea_orm::DbErr>;

/// The loaders of one request.
pub struct Loaders {
    pub tenants: DataLoader<ByIdLoader<tenants::Entity>>,
    pub users: DataLoader<ByIdLoader<users::Entity>>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            tenants: DataLoader::new(ByIdLoader::new(db.clone()), tokio::spawn),
            users: DataLoader::new(ByIdLoader::new(db.clone()), tokio::spawn),
        }
    }
}
