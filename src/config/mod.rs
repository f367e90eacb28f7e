//! Typed configuration from flags and environment, with defaults that work on a
//! developer machine (PostgreSQL on 127.0.0.1:5432, trust auth).

pub mod http;
mod publishing;
mod webhooks;

pub use http::{ConnectionConfig, FormConfig, HttpConfig, RateLimitConfig, WebsocketConfig};
pub use publishing::PublishingConfig;
pub use webhooks::{ProviderSecret, WebhookConfig};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// The development JWT secret used when none is configured. `serve` refuses it unless it
/// runs with `--demo` or `--dev` on a loopback address.
pub const DEV_JWT_SECRET: &str = "brandgraph-dev-secret-change-me";

#[derive(Clone, clap::Args)]
pub struct DatabaseConfig {
    /// PostgreSQL connection string.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/brandgraph",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Connection string migrations (and `seed`) run with: the role that owns the tables.
    /// Unset, `DATABASE_URL` is used for both, as on a developer machine; in production
    /// `DATABASE_URL` names a login member of `brandgraph_gateway` (DML only) and this the
    /// owner (README, "Production checklist").
    #[arg(long, env = "BRANDGRAPH_MIGRATE_DATABASE_URL", hide_env_values = true)]
    pub migrate_database_url: Option<String>,

    /// Maximum connections in the pool.
    #[arg(long, env = "BRANDGRAPH_DB_POOL", default_value_t = 20)]
    pub db_pool_size: u32,

    /// `statement_timeout` of every pool connection, in milliseconds (0 = none).
    #[arg(
        long,
        env = "BRANDGRAPH_STATEMENT_TIMEOUT_MS",
        default_value_t = 15_000
    )]
    pub statement_timeout_ms: u64,

    /// `idle_in_transaction_session_timeout` of every pool connection, in milliseconds.
    #[arg(
        long,
        env = "BRANDGRAPH_IDLE_IN_TRANSACTION_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub idle_in_transaction_timeout_ms: u64,

    /// `lock_timeout` inside mutations' transactions, in milliseconds.
    #[arg(long, env = "BRANDGRAPH_LOCK_TIMEOUT_MS", default_value_t = 5_000)]
    pub lock_timeout_ms: u64,

    /// `plan_cache_mode` of every pool connection: whether PostgreSQL re-plans a prepared
    /// statement for each execution's parameters (`custom`), reuses one generic plan
    /// (`generic`), or chooses by cost (`auto`, PostgreSQL's own default).
    #[arg(
        long,
        env = "BRANDGRAPH_PLAN_CACHE_MODE",
        value_enum,
        default_value = "auto"
    )]
    pub plan_cache_mode: PlanCacheMode,

    /// The connection the realtime listener LISTENs on (default: `DATABASE_URL`). Behind
    /// a transaction pooler (PgBouncer) this must reach PostgreSQL directly: LISTEN holds
    /// its session.
    #[arg(long, env = "BRANDGRAPH_LISTEN_DATABASE_URL", hide_env_values = true)]
    pub listen_database_url: Option<String>,

    /// What sits between the gateway and PostgreSQL: `none`, or `transaction` for a pooler
    /// in transaction mode without prepared-statement support (PgBouncer before 1.21):
    /// each pool checkout is then one transaction that deallocates what it prepared, and
    /// the session settings are sent with `SET LOCAL` instead of at connection start
    /// (`db::pooler`).
    #[arg(long, env = "BRANDGRAPH_DB_POOLER", value_enum, default_value = "none")]
    pub pooler: Pooler,

    #[command(flatten)]
    pub replicas: ReplicaConfig,

    /// Whether the gateway filters by brand itself (`domain::brands::scoped`, the compiled
    /// plans' `BrandRows::visible`). Always on, and settable neither from the command line
    /// nor the environment: tests turn it off to prove that row-level security alone holds
    /// every tenant boundary (tests/api/leaks.rs).
    #[arg(skip = true)]
    pub gateway_brand_filters: bool,
}

/// What sits between the gateway and PostgreSQL, see [`DatabaseConfig::pooler`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Pooler {
    /// PostgreSQL itself, or a pooler that keeps prepared statements (PgBouncer ≥ 1.21 with
    /// `max_prepared_statements`, or session pooling).
    None,
    /// A transaction pooler that does not track prepared statements.
    Transaction,
}

/// Streaming read replicas (`db::replicas`).
#[derive(Clone, clap::Args)]
pub struct ReplicaConfig {
    /// Read replicas' connection strings (comma separated). Query operations read from
    /// them; mutations, subscriptions and background jobs use `DATABASE_URL`.
    #[arg(
        long = "replica-urls",
        env = "BRANDGRAPH_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub replica_urls: Vec<String>,

    /// A replica whose replay is further behind the primary than this is not read from.
    #[arg(long, env = "BRANDGRAPH_REPLICA_MAX_LAG_MS", default_value_t = 5_000)]
    pub replica_max_lag_ms: u64,

    /// How often each replica's replayed position (and the primary's) is read.
    #[arg(long, env = "BRANDGRAPH_REPLICA_POLL_MS", default_value_t = 100)]
    pub replica_poll_ms: u64,

    /// Read-your-writes bound: after a mutation, the writer reads from the primary until a
    /// replica has replayed it, at most this long (never less than the maximum lag).
    #[arg(long, env = "BRANDGRAPH_REPLICA_PIN_MS", default_value_t = 10_000)]
    pub replica_pin_ms: u64,
}

impl ReplicaConfig {
    pub fn max_lag(&self) -> Duration {
        Duration::from_millis(self.replica_max_lag_ms)
    }
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.replica_poll_ms.max(10))
    }
    /// The read-your-writes bound: never shorter than the maximum lag, so a writer whose
    /// mark expires can only meet a replica that has replayed its write.
    pub fn pin(&self) -> Duration {
        Duration::from_millis(self.replica_pin_ms.max(self.replica_max_lag_ms))
    }
}

/// Connection strings may hold passwords: only their redacted form is printed.
impl std::fmt::Debug for ReplicaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaConfig")
            .field(
                "replica_urls",
                &self
                    .replica_urls
                    .iter()
                    .map(|url| redact_url(url))
                    .collect::<Vec<_>>(),
            )
            .field("replica_max_lag_ms", &self.replica_max_lag_ms)
            .field("replica_poll_ms", &self.replica_poll_ms)
            .field("replica_pin_ms", &self.replica_pin_ms)
            .finish()
    }
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        Self {
            replica_urls: Vec::new(),
            replica_max_lag_ms: 5_000,
            replica_poll_ms: 100,
            replica_pin_ms: 10_000,
        }
    }
}

/// PostgreSQL's `plan_cache_mode`, see [`DatabaseConfig::plan_cache_mode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanCacheMode {
    Auto,
    Generic,
    Custom,
}

impl PlanCacheMode {
    /// The setting's value as PostgreSQL spells it.
    pub fn as_setting(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Generic => "force_generic_plan",
            Self::Custom => "force_custom_plan",
        }
    }
}

impl DatabaseConfig {
    /// A configuration for `url` with the default pool size and timeouts.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            migrate_database_url: None,
            db_pool_size: 20,
            statement_timeout_ms: 15_000,
            idle_in_transaction_timeout_ms: 30_000,
            lock_timeout_ms: 5_000,
            plan_cache_mode: PlanCacheMode::Auto,
            listen_database_url: None,
            pooler: Pooler::None,
            replicas: ReplicaConfig::default(),
            gateway_brand_filters: true,
        }
    }

    /// Where the realtime listener connects.
    pub fn listen_url(&self) -> &str {
        self.listen_database_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }

    pub fn lock_timeout(&self) -> Duration {
        Duration::from_millis(self.lock_timeout_ms)
    }

    /// The configuration migrations run with: the owner's URL (`migrate_database_url`,
    /// else `database_url`) and a small pool.
    pub fn for_migrations(&self) -> Self {
        Self {
            database_url: self
                .migrate_database_url
                .clone()
                .unwrap_or_else(|| self.database_url.clone()),
            migrate_database_url: None,
            db_pool_size: 2,
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("database_url", &redact_url(&self.database_url))
            .field(
                "migrate_database_url",
                &self.migrate_database_url.as_deref().map(redact_url),
            )
            .field("db_pool_size", &self.db_pool_size)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field(
                "idle_in_transaction_timeout_ms",
                &self.idle_in_transaction_timeout_ms,
            )
            .field("lock_timeout_ms", &self.lock_timeout_ms)
            .field("plan_cache_mode", &self.plan_cache_mode)
            .field(
                "listen_database_url",
                &self.listen_database_url.as_deref().map(redact_url),
            )
            .field("pooler", &self.pooler)
            .field("replicas", &self.replicas)
            .field("gateway_brand_filters", &self.gateway_brand_filters)
            .finish()
    }
}

/// Strips the password from a connection URL for logging.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            let masked = if userinfo.contains(':') { ":***" } else { "" };
            format!("{}{user}{masked}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Which signature algorithm tokens must use. Pinned: a token signed otherwise is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum JwtAlgorithm {
    Hs256,
    Rs256,
    Es256,
}

#[derive(Clone, clap::Args)]
pub struct AuthConfig {
    /// Shared secret for HS256 tokens (Supabase's JWT secret). Required in production.
    #[arg(long, env = "JWT_SECRET", value_parser = parse_secret, hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,

    /// Signature algorithm accepted.
    #[arg(long, env = "JWT_ALGORITHM", value_enum, default_value = "hs256")]
    pub jwt_algorithm: JwtAlgorithm,

    /// PEM public key for RS256/ES256.
    #[arg(long, env = "JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,

    /// JWKS file (JSON) for RS256/ES256; keys are chosen by `kid`.
    #[arg(long, env = "JWT_JWKS_FILE")]
    pub jwt_jwks_file: Option<PathBuf>,

    /// Required `iss` claim, if set.
    #[arg(long, env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required `aud` claim, if set.
    #[arg(long, env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Allowed clock skew for `exp` / `nbf`, in seconds.
    #[arg(long, env = "JWT_LEEWAY_SECS", default_value_t = 30)]
    pub jwt_leeway_secs: u64,
}

pub(crate) fn parse_secret(value: &str) -> Result<SecretString, String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(SecretString::from(value))
}

impl AuthConfig {
    /// The HS256 secret: the configured one, else the built-in development secret.
    pub fn hs256_secret(&self) -> &str {
        self.jwt_secret
            .as_ref()
            .map_or(DEV_JWT_SECRET, |secret| secret.expose_secret())
    }

    /// Whether HS256 tokens would be checked against the secret that is in the repository.
    pub fn uses_dev_secret(&self) -> bool {
        self.jwt_algorithm == JwtAlgorithm::Hs256 && self.hs256_secret() == DEV_JWT_SECRET
    }
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("jwt_secret", &"***")
            .field("jwt_algorithm", &self.jwt_algorithm)
            .field("jwt_public_key_file", &self.jwt_public_key_file)
            .field("jwt_jwks_file", &self.jwt_jwks_file)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwt_leeway_secs", &self.jwt_leeway_secs)
            .finish()
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct GraphqlConfig {
    /// Maximum query depth (GraphiQL's introspection query needs 14).
    #[arg(long, env = "BRANDGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,

    /// Maximum query cost: each field counts 1, a connection counts `first` (default 20)
    /// times its selection, a date range its days times its selection.
    #[arg(long, env = "BRANDGRAPH_MAX_COST", default_value_t = 100_000)]
    pub max_cost: usize,

    /// Most operations one document may define.
    #[arg(long, env = "BRANDGRAPH_MAX_OPERATIONS", default_value_t = 10)]
    pub max_operations: usize,

    /// Most aliased fields one document may contain.
    #[arg(long, env = "BRANDGRAPH_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most root fields one operation may select.
    #[arg(long, env = "BRANDGRAPH_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub max_root_fields: usize,

    /// Serve introspection (GraphiQL needs it).
    #[arg(long, env = "BRANDGRAPH_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Most rows one `ingestAnalytics` call may carry.
    #[arg(long, env = "BRANDGRAPH_INGEST_MAX_BATCH", default_value_t = 1000)]
    pub ingest_max_batch: usize,

    /// Most parsed documents kept (persisted queries included).
    #[arg(
        long,
        env = "BRANDGRAPH_DOCUMENT_CACHE_ENTRIES",
        default_value_t = 2000
    )]
    pub document_cache_entries: u64,

    /// Most bytes the parsed documents kept may take in memory (estimated from the parsed
    /// form, which weighs 10–30 times its text); a document heavier than an eighth of
    /// this is not kept, it is parsed again each time it runs.
    #[arg(long, env = "BRANDGRAPH_DOCUMENT_CACHE_BYTES", default_value_t = 32 << 20)]
    pub document_cache_bytes: u64,

    /// Allow-list mode: an Apollo persisted-query manifest (JSON); only its documents run.
    #[arg(long, env = "BRANDGRAPH_PERSISTED_QUERIES_ONLY")]
    pub persisted_queries_only: Option<std::path::PathBuf>,

    /// In allow-list mode, also run documents that only introspect the schema (GraphiQL,
    /// code generators). Default: on with `--dev`/`--demo`, off otherwise.
    #[arg(long, env = "BRANDGRAPH_ALLOW_LIST_INTROSPECTION", action = clap::ArgAction::Set)]
    pub allow_list_introspection: Option<bool>,

    /// Compiled queries: a query document seen once is planned into one SQL statement and
    /// later requests run that instead of the per-field executor (`crate::compile`).
    /// `off` runs every operation on the executor.
    #[arg(long, env = "BRANDGRAPH_COMPILED_QUERIES", default_value_t = true, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub compiled_queries: bool,

    /// Put each HTTP operation's cost on its trace span (`graphql.complexity`). Costs a
    /// hook per resolved field (see `graphql::plain`); websocket operations always have it.
    #[arg(long, env = "BRANDGRAPH_TRACE_COST", default_value_t = false, action = clap::ArgAction::Set)]
    pub trace_cost: bool,
}

impl GraphqlConfig {
    /// The document cache these settings describe (with its allow-list, if any, which
    /// always admits the documents of the gateway's own pages; introspection as configured,
    /// by default as `dev`).
    pub fn document_cache(
        &self,
        dev: bool,
    ) -> anyhow::Result<crate::graphql::documents::DocumentCache> {
        let cache =
            crate::graphql::documents::DocumentCache::new(crate::graphql::documents::CacheLimits {
                max_entries: self.document_cache_entries,
                max_bytes: self.document_cache_bytes,
            });
        match &self.persisted_queries_only {
            Some(manifest) => Ok(cache
                .allow_only(manifest)?
                .also_allow(crate::http::web::own_documents())?
                .allow_introspection(self.allow_list_introspection.unwrap_or(dev))),
            None => Ok(cache),
        }
    }
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_cost: 100_000,
            max_operations: 10,
            max_aliases: 30,
            max_root_fields: 20,
            introspection: true,
            ingest_max_batch: 1000,
            document_cache_entries: 2000,
            document_cache_bytes: 32 << 20,
            persisted_queries_only: None,
            allow_list_introspection: None,
            compiled_queries: true,
            trace_cost: false,
        }
    }
}

/// How the realtime listener learns of new events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RealtimeMode {
    /// LISTEN for the triggers' NOTIFY (and read every second as a safety net).
    Notify,
    /// Read every poll interval; for write-heavy deployments that turn NOTIFY off.
    Poll,
}

/// The realtime side: how events are picked up, kept and fanned out.
#[derive(Clone, Debug, clap::Args)]
pub struct RealtimeConfig {
    /// `notify` (LISTEN for the triggers' wake-ups) or `poll` (read every poll interval).
    #[arg(
        long,
        env = "BRANDGRAPH_REALTIME_MODE",
        value_enum,
        default_value = "notify"
    )]
    pub realtime_mode: RealtimeMode,

    /// Poll interval in poll mode, in milliseconds.
    #[arg(long, env = "BRANDGRAPH_POLL_INTERVAL_MS", default_value_t = 20)]
    pub poll_interval_ms: u64,

    /// How long change events are kept for `after` replays, in seconds (default 7 days).
    #[arg(long, env = "BRANDGRAPH_EVENT_RETENTION_SECS", default_value_t = 7 * 24 * 3600)]
    pub event_retention_secs: u64,

    /// How often old change events are pruned, in seconds.
    #[arg(long, env = "BRANDGRAPH_PRUNE_INTERVAL_SECS", default_value_t = 300)]
    pub prune_interval_secs: u64,

    /// Events a subscriber may fall behind before it is caught up from the database.
    #[arg(long, env = "BRANDGRAPH_SUBSCRIBER_BUFFER", default_value_t = 256)]
    pub subscriber_buffer: usize,

    /// Subscriptions one websocket connection may hold.
    #[arg(
        long,
        env = "BRANDGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 100
    )]
    pub max_subscriptions_per_connection: usize,

    /// Websocket connections one user may hold at once.
    #[arg(
        long,
        env = "BRANDGRAPH_MAX_CONNECTIONS_PER_USER",
        default_value_t = 50
    )]
    pub max_connections_per_user: usize,

    /// Whether websocket subscribers of the same operation on the same events share one
    /// execution (`true`), or each executes its own (`false`, for comparison).
    #[arg(
        long,
        env = "BRANDGRAPH_SHARED_SUBSCRIPTIONS",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub shared_subscriptions: bool,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            realtime_mode: RealtimeMode::Notify,
            poll_interval_ms: 20,
            event_retention_secs: 7 * 24 * 3600,
            prune_interval_secs: 300,
            subscriber_buffer: 256,
            max_subscriptions_per_connection: 100,
            max_connections_per_user: 50,
            shared_subscriptions: true,
        }
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "BRANDGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Address for operational endpoints (`/metrics`). Default: served on the main address
    /// when that is loopback, else on 127.0.0.1:9464.
    #[arg(long, env = "BRANDGRAPH_OPS_LISTEN")]
    pub ops_listen: Option<SocketAddr>,

    #[command(flatten)]
    pub database: DatabaseConfig,

    #[command(flatten)]
    pub auth: AuthConfig,

    #[command(flatten)]
    pub graphql: GraphqlConfig,

    #[command(flatten)]
    pub realtime: RealtimeConfig,

    #[command(flatten)]
    pub http: HttpConfig,

    #[command(flatten)]
    pub publishing: PublishingConfig,

    #[command(flatten)]
    pub webhooks: WebhookConfig,

    /// Development mode: the built-in JWT secret and a development secrets key are
    /// allowed on a loopback address (`serve --demo` implies it).
    #[arg(long, env = "BRANDGRAPH_DEV")]
    pub dev: bool,
}

impl ServerConfig {
    /// Refuses the built-in JWT secret (it is in the repository, so anyone could mint a
    /// `service_role` token) unless development was asked for and only this machine can
    /// connect.
    pub fn check_secrets(&self) -> anyhow::Result<()> {
        if self.auth.uses_dev_secret() && !self.is_local_development() {
            anyhow::bail!(
                "JWT_SECRET is not set: the built-in development secret is only allowed with \
                 --demo or --dev on a loopback address (listening on {})",
                self.listen
            );
        }
        Ok(())
    }

    /// Development mode on an address only this machine reaches.
    pub fn is_local_development(&self) -> bool {
        self.dev && self.listen.ip().is_loopback()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}
