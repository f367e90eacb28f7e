//! Who the database thinks is asking: the per-transaction settings row-level security
//! (migration `026_row_security`) reads. Every policy is keyed on `brandgraph.user_id`
//! and `brandgraph.kind`, always set transaction-local (`set_config(…, true)`); with
//! neither set a brand-owned table shows no rows and takes no writes.
//!
//! The values are formatted from a [`Uuid`] and [`DbKind`] only, never from request
//! text, so they may be inlined into a simple-query string (no extra round trip).
//!
//! [`OperationDb`] is the executor's handle for one GraphQL operation: a transaction begun
//! on first use with the settings, so every resolver and loader of the operation reads as
//! the viewer. Mutations keep their own transaction (`graphql::context::write`).

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Principal;

/// The kind of caller a policy distinguishes (`brandgraph.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// A signed-in user: their memberships decide.
    User,
    /// The service role, background jobs and realtime: every brand.
    Service,
    /// Anonymous form capture: inserts into one brand's leads.
    Form,
    /// No identity: nothing.
    Anonymous,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Service => "service",
            Self::Form => "form",
            Self::Anonymous => "anonymous",
        }
    }
}

/// The settings of one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbViewer {
    pub kind: DbKind,
    /// The user (kind `user`) or the brand (kind `form`).
    pub id: Option<Uuid>,
}

impl DbViewer {
    pub const SERVICE: Self = Self {
        kind: DbKind::Service,
        id: None,
    };

    pub fn of(principal: Option<&Principal>) -> Self {
        match principal {
            Some(Principal::User { id, .. }) => Self::user(*id),
            Some(Principal::Service { .. }) => Self::SERVICE,
            None => Self {
                kind: DbKind::Anonymous,
                id: None,
            },
        }
    }

    pub fn user(id: Uuid) -> Self {
        Self {
            kind: DbKind::User,
            id: Some(id),
        }
    }

    /// Anonymous lead capture into `brand`.
    pub fn form(brand: Uuid) -> Self {
        Self {
            kind: DbKind::Form,
            id: Some(brand),
        }
    }

    /// The id setting's value (empty when there is none).
    pub fn id_text(&self) -> String {
        self.id.map(|id| id.to_string()).unwrap_or_default()
    }

    /// `SELECT set_config(…), set_config(…)`: one statement of a simple query.
    pub fn set_sql(&self) -> String {
        let setting = match self.kind {
            DbKind::Form => "brandgraph.brand_id",
            _ => "brandgraph.user_id",
        };
        format!(
            "SELECT set_config('{setting}', '{}', true), set_config('brandgraph.kind', '{}', true)",
            self.id_text(),
            self.kind.as_str()
        )
    }
}

/// A pool every connection of which starts as the service kind (`brandgraph.kind =
/// service` as a startup parameter, so no statement is spent on it): background jobs,
/// the realtime listener, replay and shared computations, whose callers the gateway has
/// already admitted. Never handed to a user's operation.
#[derive(Clone)]
pub struct ServiceDb(pub DatabaseConnection);

/// The database handle of one executor operation (see the module docs).
#[derive(Clone)]
pub struct OperationDb(Arc<Inner>);

struct Inner {
    pool: DatabaseConnection,
    viewer: DbViewer,
    /// Websocket operations live for hours: each statement gets its own short transaction
    /// instead of one held open.
    per_statement: bool,
    txn: tokio::sync::OnceCell<DatabaseTransaction>,
}

impl OperationDb {
    /// One transaction for the whole operation, begun on first use.
    pub fn for_operation(pool: &DatabaseConnection, viewer: DbViewer) -> Self {
        Self::new(pool, viewer, false)
    }

    /// A short transaction per statement (long-lived websocket connections).
    pub fn per_statement(pool: &DatabaseConnection, viewer: DbViewer) -> Self {
        Self::new(pool, viewer, true)
    }

    fn new(pool: &DatabaseConnection, viewer: DbViewer, per_statement: bool) -> Self {
        Self(Arc::new(Inner {
            pool: pool.clone(),
            viewer,
            per_statement,
            txn: tokio::sync::OnceCell::new(),
        }))
    }

    pub fn viewer(&self) -> DbViewer {
        self.0.viewer
    }

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.0.pool.begin().await?;
        txn.execute_unprepared(&self.0.viewer.set_sql()).await?;
        Ok(txn)
    }

    async fn shared(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.0.txn.get_or_try_init(|| self.begin()).await
    }

    /// Commits what the operation's transaction did (a resolver may write through it);
    /// nothing when it never began. Every clone must be dropped first.
    pub async fn finish(self) -> Result<(), DbErr> {
        match Arc::try_unwrap(self.0) {
            Ok(inner) => match inner.txn.into_inner() {
                Some(txn) => txn.commit().await,
                None => Ok(()),
            },
            // A loader still holds it (a spawned batch): the transaction ends when the
            // last clone drops (rolled back; reads lose nothing).
            Err(_) => Ok(()),
        }
    }

    async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, DbErr>,
    ) -> Result<T, DbErr> {
        if self.0.per_statement {
            let txn = self.begin().await?;
            let value = work(&txn).await?;
            txn.commit().await?;
            Ok(value)
        } else {
            work(self.shared().await?).await
        }
    }
}

#[sea_orm::entity::prelude::async_trait::async_trait]
impl ConnectionTrait for OperationDb {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.run(async move |txn| txn.execute_raw(stmt).await).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.run(async move |txn| txn.execute_unprepared(sql).await)
            .await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.run(async move |txn| txn.query_one_raw(stmt).await)
            .await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.run(async move |txn| txn.query_all_raw(stmt).await)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_name_the_kind_and_the_id() {
        let id = Uuid::nil();
        assert_eq!(
            DbViewer::user(id).set_sql(),
            "SELECT set_config('brandgraph.user_id', '00000000-0000-0000-0000-000000000000', true), \
             set_config('brandgraph.kind', 'user', true)"
        );
        assert_eq!(
            DbViewer::of(None).set_sql(),
            "SELECT set_config('brandgraph.user_id', '', true), set_config('brandgraph.kind', 'anonymous', true)"
        );
        assert!(DbViewer::form(id).set_sql().contains("brandgraph.brand_id"));
    }
}
