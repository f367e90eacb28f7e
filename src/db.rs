//! Connecting to PostgreSQL and applying migrations.

mod local_server;
pub mod pooler;
pub mod probe;
pub mod replicas;
pub mod roles;
pub mod row_security;

pub use row_security::OperationDb;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::{DatabaseConfig, Pooler, redact_url};

/// Checks with one direct connection that the configured server can be used, and fails
/// at once with its address, the cause and a remedy when it cannot. With `start_local`
/// (`serve --demo`), a server on this machine that is not running is started first.
pub async fn check_server(config: &DatabaseConfig, start_local: bool) -> anyhow::Result<()> {
    let url = &config.database_url;
    match probe::probe(url).await {
        probe::Probe::Failed(failure)
            if start_local && failure.is_down() && probe::is_local(url) =>
        {
            tracing::warn!(
                address = %failure.address,
                "PostgreSQL is not running; starting this machine's cluster (--demo)"
            );
            local_server::start(url)
                .await
                .map_err(|err| anyhow::anyhow!("{failure}\nstarting it failed: {err}"))
        }
        probe::Probe::Failed(failure) => Err(failure.into()),
        probe::Probe::Ready | probe::Probe::MissingDatabase | probe::Probe::Inconclusive => Ok(()),
    }
}

pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    connect_with(config, false).await
}

/// A pool of the service kind (`row_security::ServiceDb`): background jobs and realtime.
pub async fn connect_service(config: &DatabaseConfig) -> anyhow::Result<row_security::ServiceDb> {
    connect_with(config, true)
        .await
        .map(row_security::ServiceDb)
}

async fn connect_with(
    config: &DatabaseConfig,
    service: bool,
) -> anyhow::Result<DatabaseConnection> {
    let options = options(config, &config.database_url, service);
    Database::connect(options).await.map_err(|err| {
        anyhow::anyhow!(
            "cannot connect to {}: {err}",
            redact_url(&config.database_url)
        )
    })
}

/// A pool on the read replica at `url`, with the primary's settings. It connects lazily:
/// a replica that is down at start-up is skipped (`replicas`) instead of stopping the
/// gateway.
pub async fn connect_replica(
    config: &DatabaseConfig,
    url: &str,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = options(config, url, false);
    options.connect_lazy(true).min_connections(0);
    Database::connect(options)
        .await
        .map_err(|err| anyhow::anyhow!("cannot set up replica {}: {err}", redact_url(url)))
}

/// The pool options every connection to `url` gets: size, timeouts, session settings.
fn options(config: &DatabaseConfig, url: &str, service: bool) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(config.db_pool_size)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        // A ping before every checkout is a round trip per statement; only a connection
        // idle long enough to have been dropped is checked (a busy one that broke fails
        // its statement and is replaced).
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .sqlx_logging(false);
    // Session settings of every pool connection: a runaway statement or a transaction left
    // open cannot hold a connection (or its locks) for long.
    let settings = pooler::Settings {
        statement_timeout_ms: config.statement_timeout_ms,
        idle_in_transaction_timeout_ms: config.idle_in_transaction_timeout_ms,
        plan_cache_mode: config.plan_cache_mode.as_setting(),
        service,
    };
    match config.pooler {
        Pooler::None => {
            let statement_timeout = settings.statement_timeout_ms.to_string();
            let idle_in_transaction = settings.idle_in_transaction_timeout_ms.to_string();
            options.map_sqlx_postgres_opts(move |opts| {
                opts.options([
                    ("statement_timeout", statement_timeout.as_str()),
                    (
                        "idle_in_transaction_session_timeout",
                        idle_in_transaction.as_str(),
                    ),
                    ("plan_cache_mode", settings.plan_cache_mode),
                ])
                .options(service.then_some(("brandgraph.kind", "service")))
            });
        }
        Pooler::Transaction => pooler::transaction_mode(&mut options, settings),
    }
    options
}

/// Creates the configured database if it does not exist yet (connecting to the server's
/// `postgres` database to do so), so the default setup works on a fresh machine.
///
/// Behind a transaction pooler, this administrative session goes to the direct address
/// (`BRANDGRAPH_LISTEN_DATABASE_URL`) when one is given.
pub async fn ensure_database_exists(config: &DatabaseConfig) -> anyhow::Result<()> {
    let url = match config.pooler {
        Pooler::Transaction => config.listen_url(),
        Pooler::None => &config.database_url,
    };
    let (server, name) = url
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("DATABASE_URL has no database name"))?;
    let name = name.split('?').next().unwrap_or(name);
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "cannot connect to the `postgres` database of {} to check that {name:?} exists: \
                 {err}",
                redact_url(server)
            )
        })?;
    use sea_orm::{ConnectionTrait, Statement};
    let exists = admin
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await?
        .is_some();
    if !exists {
        tracing::info!(database = name, "creating database");
        let quoted = name.replace('"', "\"\"");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{quoted}\""))
            .await
            .map_err(|err| {
                anyhow::anyhow!(
                    "database {name:?} does not exist on {} and cannot be created ({err}): \
                     create it (`createdb {name}`) or set DATABASE_URL to an existing database",
                    redact_url(server)
                )
            })?;
    }
    admin.close().await?;
    Ok(())
}

/// Applies the pending migrations. A database already current is left alone without any
/// DDL, so a gateway connecting as its DML-only role may start on it.
pub async fn migrate_up(db: &DatabaseConnection) -> anyhow::Result<()> {
    if Migrator::get_pending_migrations_read_only(db)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    Migrator::up(db, None).await.map_err(|err| {
        anyhow::anyhow!(
            "applying the migrations failed: {err}\n(they need the role that owns the tables: \
             set BRANDGRAPH_MIGRATE_DATABASE_URL when DATABASE_URL names the gateway's role)"
        )
    })
}
