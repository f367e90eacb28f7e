//! The `brandgraph` command line: serve, migrate, seed, schema, token.

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use uuid::Uuid;

use crate::auth::jwt::{self, SERVICE_ROLE};
use crate::config::{DEV_JWT_SECRET, DatabaseConfig, ServerConfig};
use crate::{db, seed, startup, telemetry};

#[derive(Parser)]
#[command(
    name = "brandgraph",
    version,
    about = "GraphQL gateway for the brandgraph marketing platform"
)]
pub struct Cli {
    /// Log filter (RUST_LOG syntax); RUST_LOG overrides.
    #[arg(
        long,
        env = "BRANDGRAPH_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    log: String,

    /// Log JSON lines instead of text.
    #[arg(long, env = "BRANDGRAPH_LOG_JSON", global = true)]
    log_json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve GraphQL.
    Serve {
        #[command(flatten)]
        server: Box<ServerConfig>,
        /// Seed the demo dataset (if absent) and print a token and an example query.
        #[arg(long)]
        demo: bool,
        /// Development mode: allows the built-in JWT secret on a loopback address.
        #[arg(long, env = "BRANDGRAPH_DEV")]
        dev: bool,
    },
    /// Apply or revert migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
        #[arg(value_enum, default_value = "up")]
        action: MigrateAction,
    },
    /// Seed the deterministic demo dataset (migrates first).
    Seed {
        #[command(flatten)]
        database: DatabaseConfig,
        /// Last day of demo analytics (default: today).
        #[arg(long)]
        anchor_date: Option<NaiveDate>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Mint a development HS256 token.
    Token {
        /// User id (`sub`); ignored for the service role.
        #[arg(long, default_value_t = seed::users::OWNER)]
        sub: Uuid,
        /// `role` claim: `authenticated` or `service_role`.
        #[arg(long, default_value = "authenticated")]
        role: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 86_400)]
        ttl: u64,
        /// HS256 secret.
        #[arg(long, env = "JWT_SECRET", default_value = DEV_JWT_SECRET, hide_default_value = true)]
        secret: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MigrateAction {
    Up,
    Down,
    Fresh,
    Status,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.log, cli.log_json);
    match cli.command {
        Command::Serve { server, demo, dev } => serve(*server, demo, dev).await,
        Command::Migrate { database, action } => {
            db::ensure_database_exists(&database).await?;
            let conn = db::connect(&database).await?;
            match action {
                MigrateAction::Up => Migrator::up(&conn, None).await?,
                MigrateAction::Down => Migrator::down(&conn, None).await?,
                MigrateAction::Fresh => Migrator::fresh(&conn).await?,
                MigrateAction::Status => Migrator::status(&conn).await?,
            }
            Ok(())
        }
        Command::Seed {
            database,
            anchor_date,
        } => {
            db::ensure_database_exists(&database).await?;
            let conn = db::connect(&database).await?;
            db::migrate_up(&conn).await?;
            let anchor = anchor_date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            seed::seed_demo(&conn, anchor).await?;
            Ok(())
        }
        Command::Schema => {
            print!("{}", crate::graphql::schema::sdl());
            Ok(())
        }
        Command::Token {
            sub,
            role,
            ttl,
            secret,
        } => {
            let sub = if role == SERVICE_ROLE {
                Uuid::nil()
            } else {
                sub
            };
            println!(
                "{}",
                jwt::mint_hs256(&secret, &jwt::claims_for(sub, &role, ttl))?
            );
            Ok(())
        }
    }
}

async fn serve(config: ServerConfig, demo: bool, dev: bool) -> anyhow::Result<()> {
    config.check_secrets(demo || dev)?;
    if config.auth.uses_dev_secret() {
        tracing::warn!("using the built-in development JWT secret (loopback only)");
    }
    db::ensure_database_exists(&config.database).await?;
    let mut conn = db::connect(&config.database).await?;
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
    metrics.instrument(&mut conn);
    db::migrate_up(&conn).await?;
    if demo {
        seed::seed_demo(&conn, chrono::Utc::now().date_naive()).await?;
    }
    let mut app = startup::App::build(&config, conn, metrics).await?;
    let addr = app.local_addr()?;
    tracing::info!(%addr, "brandgraph listening");
    if demo {
        let token = demo_token(&config)?;
        print_demo_banner(&token, addr);
        app = app.with_graphiql_token(token);
    }
    app.run_until_stopped(startup::shutdown_signal()).await?;
    Ok(())
}

/// Olivia Owner's token, valid 7 days.
fn demo_token(config: &ServerConfig) -> anyhow::Result<String> {
    Ok(jwt::mint_hs256(
        config.auth.hs256_secret(),
        &jwt::claims_for(seed::users::OWNER, "authenticated", 7 * 86_400),
    )?)
}

fn print_demo_banner(token: &str, addr: std::net::SocketAddr) {
    println!(
        "\nbrandgraph demo is up.\n\
         GraphiQL:  http://{addr}/graphql\n\
         Header:    {{\"Authorization\": \"Bearer {token}\"}}\n\
         (token of Olivia Owner, valid 7 days; `brandgraph token --help` mints others)\n\
         Try:\n  {{ viewer {{ user {{ displayName }} memberships {{ brandId role }} }}\n    \
         brands(first: 5) {{ totalCount edges {{ node {{ name slug tenant {{ name }} }} }} }} }}\n\
         Subscriptions in GraphiQL use this token automatically, e.g.\n  \
         subscription {{ contentStatusChanged(brandId: \"{}\") {{ cursor status }} }}\n",
        seed::brands::AURORA
    );
}
