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
        /// Seed the demo dataset (if absent) and print a token and an example query
        /// (implies `--dev`).
        #[arg(long)]
        demo: bool,
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
    /// Manage the encrypted platform tokens.
    Secrets {
        #[command(subcommand)]
        action: SecretsAction,
    },
    /// Publish due jobs: claim them from a gateway and POST them to each platform's endpoint.
    PublishWorker {
        /// The gateway's GraphQL endpoint.
        #[arg(
            long,
            env = "BRANDGRAPH_GATEWAY_URL",
            default_value = "http://127.0.0.1:8080/graphql"
        )]
        gateway: String,
        /// A `service_role` token.
        #[arg(long, env = "BRANDGRAPH_WORKER_TOKEN", value_parser = crate::config::parse_secret, hide_env_values = true)]
        token: secrecy::SecretString,
        /// `platform=url`, repeatable: where to POST jobs of each platform.
        #[arg(long = "platform-url", value_parser = parse_platform_url, required = true)]
        platforms: Vec<(String, String)>,
        /// Jobs claimed at once.
        #[arg(long, default_value_t = 10)]
        batch: i32,
        /// Lease per claim, in seconds.
        #[arg(long, default_value_t = 60)]
        lease_seconds: i32,
        /// Wait when nothing is due, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        idle_poll_ms: u64,
    },
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
        #[arg(long, env = "JWT_SECRET", default_value = DEV_JWT_SECRET, hide_default_value = true, hide_env_values = true)]
        secret: String,
    },
}

#[derive(Subcommand)]
enum SecretsAction {
    /// Re-seal every token under the current key (BRANDGRAPH_SECRETS_KEY/_KEY_ID), with
    /// the old keys in BRANDGRAPH_SECRETS_PREVIOUS_KEYS. Resumable.
    Rotate {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        publishing: crate::config::PublishingConfig,
        /// Rows per transaction.
        #[arg(long, default_value_t = 100)]
        batch: u64,
    },
}

fn parse_platform_url(value: &str) -> Result<(String, String), String> {
    let (platform, url) = value
        .split_once('=')
        .ok_or("expected platform=url, e.g. meta=http://127.0.0.1:9000/meta")?;
    crate::domain::publishing::connector(platform).map_err(|err| err.message())?;
    Ok((platform.to_string(), url.to_string()))
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
        Command::Serve { server, demo } => serve(*server, demo).await,
        Command::Migrate { database, action } => {
            let database = database.for_migrations();
            db::check_server(&database, false).await?;
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
            let database = database.for_migrations();
            db::check_server(&database, false).await?;
            db::ensure_database_exists(&database).await?;
            // The owner seeds as the service kind: row-level security applies to it too.
            let conn = db::connect_service(&database).await?.0;
            db::migrate_up(&conn).await?;
            let anchor = anchor_date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            seed::seed_demo(&conn, anchor).await?;
            Ok(())
        }
        Command::Schema => {
            print!("{}", crate::graphql::schema::sdl());
            Ok(())
        }
        Command::Secrets {
            action:
                SecretsAction::Rotate {
                    database,
                    publishing,
                    batch,
                },
        } => {
            let keyring = publishing
                .keyring(false)?
                .ok_or_else(|| anyhow::anyhow!("set BRANDGRAPH_SECRETS_KEY (the new key)"))?;
            let conn = db::connect(&database).await?;
            let rotated = crate::jobs::rotate_secrets::rotate_all(&conn, &keyring, batch).await?;
            println!(
                "re-sealed {rotated} secrets under key {}",
                keyring.current_id()
            );
            Ok(())
        }
        Command::PublishWorker {
            gateway,
            token,
            platforms,
            batch,
            lease_seconds,
            idle_poll_ms,
        } => {
            let config = crate::jobs::publish_worker::WorkerConfig {
                gateway,
                token,
                platforms,
                batch,
                lease_seconds,
                idle_poll: std::time::Duration::from_millis(idle_poll_ms),
                worker_id: format!("publish-worker-{}", std::process::id()),
            };
            crate::jobs::publish_worker::run(config, startup::shutdown_signal()).await
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

async fn serve(mut config: ServerConfig, demo: bool) -> anyhow::Result<()> {
    config.dev |= demo;
    config.check_secrets()?;
    if config.auth.uses_dev_secret() {
        tracing::warn!("using the built-in development JWT secret (loopback only)");
    }
    // Migrations (and the demo's seed and login role) as the owner; then the gateway's
    // own pool as its login role.
    let owner_config = config.database.for_migrations();
    db::check_server(&owner_config, demo).await?;
    db::ensure_database_exists(&owner_config).await?;
    let owner = db::connect_service(&owner_config).await?.0;
    db::migrate_up(&owner).await?;
    if demo {
        seed::seed_demo(&owner, chrono::Utc::now().date_naive()).await?;
        if config.database.migrate_database_url.is_none() {
            config.database.database_url = demo_login(&owner, &config).await?;
        }
    }
    owner.close().await?;
    let mut conn = db::connect(&config.database).await?;
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
    metrics.instrument(&mut conn);
    warn_if_privileged(&conn).await;
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

/// The demo's gateway connects as [`db::roles::DEMO_LOGIN`], a member of the gateway's
/// group role, like production: created (or its password reset) here by the owner.
async fn demo_login(
    owner: &sea_orm::DatabaseConnection,
    config: &ServerConfig,
) -> anyhow::Result<String> {
    let password = db::roles::demo_password(config.auth.hs256_secret());
    db::roles::ensure_login_role(owner, db::roles::DEMO_LOGIN, &password)
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "creating the demo's login role {} needs CREATEROLE: {err}",
                db::roles::DEMO_LOGIN
            )
        })?;
    db::roles::with_login(
        &config.database.database_url,
        db::roles::DEMO_LOGIN,
        &password,
    )
}

/// Warns when the gateway's own connection can do more than DML (e.g. it connects as the
/// owner because `BRANDGRAPH_MIGRATE_DATABASE_URL` is not set).
async fn warn_if_privileged(db: &sea_orm::DatabaseConnection) {
    match db::roles::excess_privileges(db).await {
        Ok(excess) if excess.is_empty() => {}
        Ok(excess) => tracing::warn!(
            role_can = %excess.join(", "),
            "the gateway's database role can do more than read and write rows: connect as a \
             member of {} and migrate with BRANDGRAPH_MIGRATE_DATABASE_URL (README, \
             \"Production checklist\")",
            db::roles::GATEWAY_GROUP
        ),
        Err(err) => tracing::warn!(error = %err, "checking the gateway's database role failed"),
    }
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
         subscription {{ contentStatusChanged(brandId: \"{}\") {{ cursor status }} }}\n\
         Form key:  {form_key} (Aurora's website form; capture a lead with\n  \
         curl -i -X POST http://{addr}/forms/{form_key} \\\n    \
         --data 'email=ana%40example.com&name=Ana+Ortiz&company=Ortiz+Labs')\n",
        seed::brands::AURORA,
        form_key = seed::DEMO_FORM_KEY,
    );
}
