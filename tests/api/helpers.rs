//! `spawn_app`: the gateway built like production, on a random port, over its own
//! database cloned from a migrated template; plus GraphQL-over-HTTP helpers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use brandgraph::auth::jwt;
use brandgraph::config::{
    AuthConfig, DatabaseConfig, GraphqlConfig, HttpConfig, JwtAlgorithm, ProviderSecret,
    PublishingConfig, RateLimitConfig, RealtimeConfig, ServerConfig, WebhookConfig,
};
use brandgraph::startup::App;
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

pub const TEST_SECRET: &str = "test-secret-for-brandgraph";
/// Base64 of 32 bytes: the tests' key for platform tokens.
pub const TEST_SECRETS_KEY: &str = "dGVzdC1zZWNyZXRzLWtleS1mb3ItYnJhbmRncmFwaCE=";

/// Base URL of the PostgreSQL server (no database name).
pub fn pg_server() -> String {
    std::env::var("TEST_PG_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Executes one statement on the server's `postgres` database.
pub async fn admin_exec(sql: &str) {
    admin_exec_on(&pg_server(), sql).await;
}

/// Executes one statement on the `postgres` database of the server at `server`.
pub async fn admin_exec_on(server: &str, sql: &str) {
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .expect("connect to postgres");
    admin.execute_unprepared(sql).await.expect(sql);
    admin.close().await.ok();
}

/// A database that is dropped (forcibly) when the value is dropped.
pub struct TestDb {
    pub name: String,
    /// Whether this value drops the database (a second app on a database borrows it).
    owned: bool,
    /// The server's base URL (the shared test server unless a test starts its own).
    server: String,
}

impl TestDb {
    /// An empty database.
    pub async fn empty() -> Self {
        let name = format!("bg_test_{}", Uuid::new_v4().simple());
        admin_exec(&format!("CREATE DATABASE {name}")).await;
        Self {
            name,
            owned: true,
            server: pg_server(),
        }
    }

    /// A database cloned from the migrated template (created once per migration set).
    pub async fn migrated() -> Self {
        let template = ensure_template().await;
        let name = format!("bg_test_{}", Uuid::new_v4().simple());
        admin_exec(&format!("CREATE DATABASE {name} TEMPLATE {template}")).await;
        Self {
            name,
            owned: true,
            server: pg_server(),
        }
    }

    /// A database cloned from `template` on the server at `server` (a test's own server).
    pub async fn cloned_on(server: &str, template: &str) -> Self {
        let name = format!("bg_test_{}", Uuid::new_v4().simple());
        admin_exec_on(
            server,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await;
        Self {
            name,
            owned: true,
            server: server.to_string(),
        }
    }

    /// The owner's URL: the role that ran the migrations (the server's superuser here).
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    /// The gateway's URL: its login role, a member of `brandgraph_gateway` (DML only).
    pub fn gateway_url(&self) -> String {
        brandgraph::db::roles::with_login(&self.url(), GATEWAY_LOGIN, GATEWAY_PASSWORD)
            .expect("gateway url")
    }

    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(self.url())
            .await
            .expect("connect to test db")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let server = self.server.clone();
        // Drop runs inside (or outside) a tokio runtime; a private one on its own thread works in both.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(admin_exec_on(&server, &sql));
        })
        .join();
    }
}

/// The login role every test gateway connects as (created once per test process).
pub const GATEWAY_LOGIN: &str = "brandgraph_test_gateway";
pub const GATEWAY_PASSWORD: &str = "brandgraph-test-gateway";

/// Creates `bg_template_<fingerprint>` once, under an advisory lock so parallel test
/// processes agree; later runs with unchanged migrations reuse it. Also makes sure the
/// gateway's login role exists (roles are cluster-wide; the template's migrations created
/// its group role).
async fn ensure_template() -> String {
    let name = format!("bg_template_{}", migration::fingerprint());
    let admin = Database::connect(format!("{}/postgres", pg_server()))
        .await
        .expect("connect to postgres");
    admin
        .execute_unprepared("SELECT pg_advisory_lock(727274)")
        .await
        .expect("lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("query")
        .is_some();
    if !exists {
        // Templates of older migration sets are of no further use.
        let stale = admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT datname::text FROM pg_database WHERE datname LIKE 'bg\\_template\\_%'",
            ))
            .await
            .expect("list templates");
        for row in stale {
            let old: String = row.try_get_by_index(0).expect("name");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)"))
                .await
                .expect("drop stale template");
        }
        let building = format!("{name}_building");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        let db = Database::connect(format!("{}/{building}", pg_server()))
            .await
            .expect("connect template");
        migration::Migrator::up(&db, None)
            .await
            .expect("migrate template");
        db.close().await.ok();
        admin
            .execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
            .expect("rename template");
    }
    static LOGIN_ROLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !LOGIN_ROLE.load(Ordering::SeqCst) {
        brandgraph::db::roles::ensure_login_role(&admin, GATEWAY_LOGIN, GATEWAY_PASSWORD)
            .await
            .expect("create the gateway's login role");
        LOGIN_ROLE.store(true, Ordering::SeqCst);
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    admin.close().await.ok();
    name
}

/// The webhook provider every test app accepts, and its signing secret.
pub const WEBHOOK_PROVIDER: &str = "testplatform";
pub const WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789";

pub fn server_config(database_url: String) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ops_listen: None,
        database: DatabaseConfig {
            db_pool_size: 5,
            ..DatabaseConfig::new(database_url)
        },
        auth: AuthConfig {
            jwt_secret: Some(TEST_SECRET.into()),
            jwt_algorithm: JwtAlgorithm::Hs256,
            jwt_public_key_file: None,
            jwt_jwks_file: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_leeway_secs: 0,
        },
        graphql: GraphqlConfig::default(),
        realtime: RealtimeConfig::default(),
        // Tests send bursts from one user and one address; the rate-limit test sets its own.
        http: HttpConfig {
            rate_limit: RateLimitConfig {
                rate_limit_per_sec: 10_000,
                rate_limit_burst: 10_000,
                anonymous_rate_limit_per_sec: 10_000,
                anonymous_rate_limit_burst: 10_000,
            },
            ..HttpConfig::default()
        },
        publishing: PublishingConfig {
            secrets_key: Some(TEST_SECRETS_KEY.into()),
            // Retries in tests come after milliseconds, not minutes.
            publish_retry_base_ms: 50,
            ..PublishingConfig::default()
        },
        webhooks: WebhookConfig {
            webhook_secrets: vec![ProviderSecret {
                provider: WEBHOOK_PROVIDER.into(),
                secret: WEBHOOK_SECRET.into(),
            }],
            webhook_retry_base_ms: 20,
            // Tests run the evaluator themselves (`jobs::escalations::run_once`).
            escalation_interval_secs: 3600,
            ..WebhookConfig::default()
        },
        dev: false,
    }
}

/// A running gateway and its database.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The operations address, when `/metrics` is served apart.
    pub ops_addr: Option<SocketAddr>,
    /// The gateway's login as the service kind (not the app's own pool).
    pub db: DatabaseConnection,
    pub schema: brandgraph::graphql::AppSchema,
    pub http: reqwest::Client,
    /// SQL statements the app's pool has run (SeaORM's metric callback).
    pub statements: Arc<AtomicU64>,
    /// The SQL text of every statement the app's pool has run.
    pub sql_log: Arc<Mutex<Vec<String>>>,
    /// The app's realtime hub.
    pub hub: brandgraph::realtime::Hub,
    /// The app's realtime side (hub, live summaries).
    pub realtime: brandgraph::realtime::Realtime,
    /// The app's parsed-document cache.
    pub documents: Arc<brandgraph::graphql::documents::DocumentCache>,
    /// The app's subscription audiences.
    pub audiences: brandgraph::graphql::audience::Audiences,
    _shutdown: oneshot::Sender<()>,
    pub test_db: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spans of sampled traces, kept in memory. Only requests that carry a sampled W3C
/// `traceparent` are recorded (parent-based sampling), so ordinary tests add nothing.
pub fn spans() -> &'static opentelemetry_sdk::trace::InMemorySpanExporter {
    static SPANS: std::sync::OnceLock<opentelemetry_sdk::trace::InMemorySpanExporter> =
        std::sync::OnceLock::new();
    SPANS.get_or_init(opentelemetry_sdk::trace::InMemorySpanExporter::default)
}

fn init_telemetry() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOff)))
            .with_simple_exporter(spans().clone())
            .build();
        brandgraph::telemetry::init_with("warn", false, Some(provider));
    });
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
    spawn_app_on(TestDb::migrated().await, adjust).await
}

/// A second app on `app`'s database (configured by `adjust`), e.g. to compare two
/// configurations on the same data; the database stays `app`'s.
pub async fn spawn_app_beside(app: &TestApp, adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let borrowed = TestDb {
        name: app.test_db.name.clone(),
        owned: false,
        server: app.test_db.server.clone(),
    };
    spawn_app_on(borrowed, adjust).await
}

/// An app on `test_db` (which may live on a server the test started), configured by `adjust`.
pub async fn spawn_app_on(test_db: TestDb, adjust: impl FnOnce(&mut ServerConfig)) -> TestApp {
    init_telemetry();
    let mut config = server_config(test_db.gateway_url());
    adjust(&mut config);
    let mut db = brandgraph::db::connect(&config.database)
        .await
        .expect("connect");
    let statements = Arc::new(AtomicU64::new(0));
    let sql_log = Arc::new(Mutex::new(Vec::new()));
    let (counter, log) = (statements.clone(), sql_log.clone());
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut log) = log.lock() {
            log.push(info.statement.sql.clone());
        }
    });
    let app = App::build(&config, db.clone(), Arc::default())
        .await
        .expect("build app");
    // The tests' own statements (fixtures, checks) run with the gateway's privileges as the
    // service kind: row-level security lets them see every brand, as the tests need.
    let db = brandgraph::db::connect_service(&config.database)
        .await
        .expect("connect as the service kind")
        .0;
    let addr = app.local_addr().expect("addr");
    let ops_addr = app.ops_addr();
    let schema = app.state().schema.clone();
    let hub = app.state().realtime.hub.clone();
    let realtime = app.state().realtime.clone();
    let documents = app.state().documents.clone();
    let audiences = app.state().audiences.clone();
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        ops_addr,
        db,
        schema,
        http: reqwest::Client::new(),
        statements,
        sql_log,
        hub,
        realtime,
        documents,
        audiences,
        _shutdown: shutdown,
        test_db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A connection as the owner of the tables, for what the gateway's role may not do
    /// (DDL, rewriting the change log, forging audit rows).
    pub async fn owner(&self) -> DatabaseConnection {
        self.test_db.connect().await
    }

    /// POSTs a GraphQL request and returns the whole JSON response.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.json().await.expect("json body")
    }

    /// Runs a GraphQL request and counts the SQL statements it caused.
    pub async fn graphql_counted(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (Value, u64) {
        let before = self.statements.load(Ordering::SeqCst);
        let response = self.graphql(token, query, variables).await;
        (response, self.statements.load(Ordering::SeqCst) - before)
    }

    /// Runs a GraphQL request and returns the SQL text of the statements it caused.
    pub async fn graphql_logged(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (Value, Vec<String>) {
        let before = self.sql_log.lock().unwrap().len();
        let response = self.graphql(token, query, variables).await;
        let log = self.sql_log.lock().unwrap()[before..].to_vec();
        (response, log)
    }

    /// One scalar from SQL, as text.
    pub async fn scalar(&self, sql: &str) -> String {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                sql,
            ))
            .await
            .expect(sql)
            .expect("one row");
        row.try_get_by_index::<Option<String>>(0)
            .expect("text")
            .unwrap_or_default()
    }

    /// Waits until the realtime listener has released every committed change event, so a
    /// subscription made now starts after all of them.
    pub async fn settle_realtime(&self) {
        for _ in 0..500 {
            let max: i64 = self
                .scalar("SELECT coalesce(max(seq), 0)::text FROM change_events")
                .await
                .parse()
                .expect("seq");
            if self.hub.watermark() > max {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the realtime listener did not catch up");
    }

    /// The newest change event's cursor: subscribing with it as `after` receives every
    /// change committed from now on, however late the server registers the subscription.
    pub async fn cursor_now(&self) -> String {
        self.scalar("SELECT coalesce(max(seq), 0)::text FROM change_events")
            .await
    }

    /// Deletes `user`'s membership of `brand` (its change event follows through the listener).
    pub async fn remove_membership(&self, user: Uuid, brand: Uuid) {
        self.db
            .execute_unprepared(&format!(
                "DELETE FROM brand_members WHERE user_id = '{user}' AND brand_id = '{brand}'"
            ))
            .await
            .expect("delete membership");
    }

    /// Seeds the demo dataset with a fixed anchor date.
    pub async fn seed_demo(&self) {
        let anchor = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        brandgraph::seed::seed_demo(&self.db, anchor)
            .await
            .expect("seed");
        self.settle_realtime().await;
    }
}

/// A token for a user.
pub fn user_token(user: Uuid) -> String {
    jwt::mint_hs256(TEST_SECRET, &jwt::claims_for(user, "authenticated", 3600)).unwrap()
}

/// A token for the trusted backend.
pub fn service_token() -> String {
    jwt::mint_hs256(
        TEST_SECRET,
        &jwt::claims_for(Uuid::nil(), jwt::SERVICE_ROLE, 3600),
    )
    .unwrap()
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}
