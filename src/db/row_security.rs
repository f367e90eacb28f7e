//! Who the database thinks is asking: the per-transaction settings row-level security
//! (migration `026_row_security`) reads. Every policy is keyed on `brandgraph.user_id`
//! and `brandgraph.kind`, always set transaction-local (`set_config(…, true)`); with
//! neither set a brand-owned table shows no rows and takes no writes.
//!
//! The values are formatted from a [`Uuid`] and [`DbKind`] only, never from request
//! text, so they may be inlined into a simple-query string (no extra round trip).
//!
//! [`OperationDb`] is the executor's handle for one GraphQL operation: every resolver and
//! loader of the operation reads as the viewer. A plain `SELECT` carries the settings in
//! its own text ([`DbViewer::wrap`]: one round trip, as a compiled plan does); anything
//! else (a resolver that writes) runs in a transaction begun on first use with the
//! settings, and once that exists every later statement of the operation joins it, so
//! the operation reads what it wrote. Mutations keep their own transaction
//! (`graphql::context::write`).

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

    /// The setting that holds the id.
    fn id_setting(&self) -> &'static str {
        match self.kind {
            DbKind::Form => "brandgraph.brand_id",
            _ => "brandgraph.user_id",
        }
    }

    /// `SELECT set_config(…), set_config(…)`: one statement of a simple query.
    pub fn set_sql(&self) -> String {
        format!(
            "SELECT set_config('{}', '{}', true), set_config('brandgraph.kind', '{}', true)",
            self.id_setting(),
            self.id_text(),
            self.kind.as_str()
        )
    }

    /// `statement`, a plain `SELECT`, made to set the settings itself before it reads
    /// (the id and kind bound as two more parameters); `None` for anything else. The
    /// settings' one-row subquery is the outer side of a lateral join, so the statement's
    /// policies (InitPlans, evaluated on first use) read them; autocommit ends them with
    /// the statement. The statement ends its own line, so a trailing `--` comment in it
    /// stays a comment.
    pub fn wrap(&self, statement: &Statement) -> Option<Statement> {
        if !is_plain_select(&statement.sql) {
            return None;
        }
        let mut values = statement
            .values
            .clone()
            .unwrap_or(sea_orm::Values(Vec::new()));
        let id = values.0.len() + 1;
        values.0.push(self.id_text().into());
        values.0.push(self.kind.as_str().into());
        let sql = format!(
            "SELECT viewed.* FROM {} CROSS JOIN LATERAL (SELECT * FROM ({}\n) AS viewed \
             WHERE viewer.u IS NOT NULL OFFSET 0) AS viewed",
            settings_row(self.id_setting(), id, id + 1),
            statement.sql,
        );
        Some(Statement {
            sql,
            values: Some(values),
            db_backend: statement.db_backend,
        })
    }
}

/// `(SELECT set_config(<id_setting>, $id, true) AS u, set_config('brandgraph.kind', $kind,
/// true) AS k) AS viewer`: the one-row subquery that sets a statement's settings from two
/// bind parameters. A volatile subquery is never flattened; the statement reads after it by
/// referring to `viewer.u` (the executor's reads here, compiled plans in `compile::run`).
pub fn settings_row(id_setting: &str, id: usize, kind: usize) -> String {
    format!(
        "(SELECT set_config('{id_setting}', ${id}, true) AS u, \
         set_config('brandgraph.kind', ${kind}, true) AS k) AS viewer"
    )
}

/// A read that may run as a subquery: `SELECT …` without a locking clause.
fn is_plain_select(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or("");
    head.eq_ignore_ascii_case("select")
        && ![" FOR UPDATE", " FOR SHARE", " FOR NO KEY", " FOR KEY SHARE"]
            .iter()
            .any(|clause| contains_ignoring_case(sql, clause))
}

/// Whether `text` contains `needle` (ASCII, any case), without copying `text`: this runs
/// on every executor read.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
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

    /// `stmt` carrying its own settings, when it may run alone: a plain `SELECT`, and no
    /// transaction of the operation's yet (whose writes it must see).
    fn standalone(&self, stmt: &Statement) -> Option<Statement> {
        if !self.0.per_statement && self.0.txn.initialized() {
            return None;
        }
        self.0.viewer.wrap(stmt)
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
        if let Some(wrapped) = self.standalone(&stmt) {
            return self.0.pool.query_one_raw(wrapped).await;
        }
        self.run(async move |txn| txn.query_one_raw(stmt).await)
            .await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        if let Some(wrapped) = self.standalone(&stmt) {
            return self.0.pool.query_all_raw(wrapped).await;
        }
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

    #[test]
    fn a_plain_select_carries_the_settings_as_two_more_parameters() {
        let select = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM brands WHERE id = $1",
            [Uuid::nil().into()],
        );
        let wrapped = DbViewer::user(Uuid::nil()).wrap(&select).unwrap();
        assert!(
            wrapped
                .sql
                .contains("set_config('brandgraph.user_id', $2, true)")
                && wrapped
                    .sql
                    .contains("set_config('brandgraph.kind', $3, true)")
                && wrapped
                    .sql
                    .contains("(SELECT id FROM brands WHERE id = $1\n) AS viewed"),
            "{}",
            wrapped.sql
        );
        assert_eq!(wrapped.values.unwrap().0.len(), 3);
        for other in [
            "INSERT INTO brands (name) VALUES ($1) RETURNING id",
            "WITH x AS (DELETE FROM brands RETURNING id) SELECT id FROM x",
            "SELECT id FROM brands WHERE id = $1 FOR UPDATE",
            "UPDATE brands SET name = $1",
        ] {
            let statement = Statement::from_string(DbBackend::Postgres, other);
            assert!(DbViewer::SERVICE.wrap(&statement).is_none(), "{other}");
        }
    }
}
