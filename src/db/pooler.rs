//! Pool connections behind a transaction pooler that does not track prepared statements
//! (PgBouncer before 1.21, Debian 12's 1.18 among them).
//!
//! In transaction pooling, PgBouncer hands a client's messages to any server connection
//! whenever the client is outside a transaction. sqlx runs every statement with the
//! extended protocol in two exchanges (parse and describe, then bind and execute), and it
//! names and caches prepared statements per client connection; through such a pooler
//! the second exchange can land on another server (`prepared statement "sqlx_s_1" does
//! not exist`), or meet a statement of the same name that another client prepared there.
//!
//! So in this mode each pool checkout runs inside a transaction, which pins one server
//! connection for its length:
//! - on checkout, one simple-protocol round trip: `BEGIN`, `DEALLOCATE ALL` (whatever an
//!   earlier client left on that server goes, so our names cannot meet theirs), then the
//!   session settings as `SET LOCAL` (a startup `options` parameter would be refused by
//!   PgBouncer, and a session `SET` would leak to the next client of that server);
//! - sqlx's statement cache is off: nothing is expected to survive the checkout;
//! - a transaction the gateway opens itself (a mutation) takes this one over: sqlx does not
//!   know of the checkout's `BEGIN`, so it sends its own (PostgreSQL answers with a warning,
//!   silenced by `client_min_messages` for the checkout) and its `COMMIT` is the real
//!   commit, before the mutation answers;
//! - on release, `COMMIT; DEALLOCATE ALL` in one message, so the server goes back to the
//!   pooler with nothing of ours on it (after a mutation's own commit there is no
//!   transaction left: the message then runs on whichever server the pooler picks, which
//!   is idle, and the next checkout of the mutation's server clears it anyway). A failed
//!   statement leaves the transaction aborted; the release then rolls it back. A
//!   connection whose release fails is closed, never reused.
//!
//! The price is two round trips per checkout (the opening batch and the release) and a
//! parse per statement; PgBouncer ≥ 1.21 with `max_prepared_statements` needs none of
//! this (`BRANDGRAPH_DB_POOLER=none`).

use sea_orm::ConnectOptions;
use sea_orm::sqlx::{self, AssertSqlSafe, Executor};

/// The session settings each checkout sets for its transaction.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub statement_timeout_ms: u64,
    pub idle_in_transaction_timeout_ms: u64,
    pub plan_cache_mode: &'static str,
    /// The service kind's pool (`row_security::ServiceDb`): `brandgraph.kind = service`.
    pub service: bool,
}

impl Settings {
    /// The batch that opens a checkout's transaction.
    pub fn opening_batch(&self) -> String {
        format!(
            "BEGIN; DEALLOCATE ALL; \
             SET LOCAL statement_timeout = {}; \
             SET LOCAL idle_in_transaction_session_timeout = {}; \
             SET LOCAL plan_cache_mode = {}; \
             SET LOCAL client_min_messages = error{}",
            self.statement_timeout_ms,
            self.idle_in_transaction_timeout_ms,
            self.plan_cache_mode,
            if self.service {
                "; SET LOCAL brandgraph.kind = service"
            } else {
                ""
            }
        )
    }
}

/// What ends a checkout. One message: the pooler keeps the server until all of it has run.
/// The `SET LOCAL` silences the warning `COMMIT` gives when a mutation has already
/// committed (the message is then an implicit transaction of its own).
const RELEASE: &str = "SET LOCAL client_min_messages = error; COMMIT; DEALLOCATE ALL";

/// Ends a checkout whose transaction a failed statement aborted.
const RELEASE_ABORTED: &str = "ROLLBACK; DEALLOCATE ALL";

/// Configures `options` for a transaction pooler without prepared-statement tracking.
pub fn transaction_mode(options: &mut ConnectOptions, settings: Settings) {
    options.map_sqlx_postgres_opts(|opts| {
        opts.statement_cache_capacity(0)
            // A startup parameter PgBouncer 1.18 does not know; PostgreSQL's default (1)
            // already prints floats exactly, and results are binary anyway.
            .extra_float_digits(None)
    });
    // A connection the pool opens to keep its minimum would sit idle inside the
    // transaction `after_connect` opens (sqlx skips `after_release` for it).
    options.min_connections(0);
    let batch = settings.opening_batch();
    options.map_sqlx_postgres_pool_opts(move |pool| {
        let on_connect = batch.clone();
        let on_acquire = batch.clone();
        pool.after_connect(move |conn, _| {
            let batch = on_connect.clone();
            Box::pin(async move { open(conn, batch).await })
        })
        .before_acquire(move |conn, _| {
            let batch = on_acquire.clone();
            // A connection that cannot open its transaction is closed, not handed out.
            Box::pin(async move { Ok(open(conn, batch).await.is_ok()) })
        })
        .after_release(|conn, _| Box::pin(async move { Ok(release(conn).await) }))
    });
}

/// Opens the checkout's transaction. (The batch is built from numbers and fixed setting
/// names, never from input.)
async fn open(conn: &mut sqlx::PgConnection, batch: String) -> Result<(), sqlx::Error> {
    conn.execute(AssertSqlSafe(batch)).await.map(|_| ())
}

/// Ends the checkout; `false` when the connection must be closed.
async fn release(conn: &mut sqlx::PgConnection) -> bool {
    if conn.execute(RELEASE).await.is_ok() {
        return true;
    }
    // The transaction is aborted (the first statement of the release failed with it).
    conn.execute(RELEASE_ABORTED).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::Settings;

    #[test]
    fn the_opening_batch_begins_drops_old_statements_and_sets_each_setting_locally() {
        let batch = Settings {
            statement_timeout_ms: 15_000,
            idle_in_transaction_timeout_ms: 30_000,
            plan_cache_mode: "auto",
            service: false,
        }
        .opening_batch();
        assert!(batch.starts_with("BEGIN; DEALLOCATE ALL;"), "{batch}");
        assert!(batch.contains("SET LOCAL statement_timeout = 15000"));
        assert!(batch.contains("SET LOCAL idle_in_transaction_session_timeout = 30000"));
        assert!(batch.contains("SET LOCAL plan_cache_mode = auto"));
        assert!(
            !batch.contains("SET statement_timeout"),
            "never session-wide"
        );
    }
}
