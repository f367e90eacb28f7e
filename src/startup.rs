//! Build, then run: [`App::build`] wires everything and binds the listener (port 0 in
//! tests); [`App::run_until_stopped`] serves until the shutdown future resolves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::{JwtVerifier, MembershipCache};
use crate::config::ServerConfig;
use crate::graphql::build_schema;
use crate::graphql::context::WriteSettings;
use crate::graphql::plain::PlainExecutor;
use crate::http::connections::{ConnectionCaps, ConnectionLimiter};
use crate::http::cors::OriginPolicy;
use crate::http::serve::{ServeOptions, serve};
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::realtime::Realtime;
use crate::state::{AppState, Services};

pub struct App {
    listener: TcpListener,
    /// Where `/metrics` is served when not on the main listener.
    ops_listener: Option<TcpListener>,
    serve: ServeOptions,
    state: AppState,
}

/// The default operations address when the main one is public.
const DEFAULT_OPS_LISTEN: &str = "127.0.0.1:9464";

impl App {
    /// Wires the app around an existing pool and binds `config.listen`.
    ///
    /// Starts the realtime listener and waits until it is connected, so the first
    /// subscriber already gets live events.
    /// `metrics` is the counter set the pool was instrumented with (see [`Metrics::instrument`]).
    pub async fn build(
        config: &ServerConfig,
        db: DatabaseConnection,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let jwt = Arc::new(JwtVerifier::from_config(&config.auth)?);
        let origins = OriginPolicy::new(&config.http.cors_origins)?
            .allow_headers(&config.http.cors_allow_headers)?;
        let memberships = Arc::new(MembershipCache::default());
        let reads = crate::db::replicas::ReadRouter::start(
            &config.database,
            db.clone(),
            metrics.registry(),
        )
        .await?;
        // Realtime reads every brand's events for subscribers the gateway has admitted:
        // the service kind, on a pool of its own (`db::row_security::ServiceDb`).
        let service = crate::db::connect_service(&config.database).await?;
        let realtime = Realtime::start(
            &service.0,
            config.database.listen_url(),
            config.realtime.clone(),
            memberships.clone(),
        );
        tokio::time::timeout(Duration::from_secs(30), realtime.hub.ready())
            .await
            .map_err(|_| anyhow::anyhow!("the realtime listener did not connect within 30 s"))?;
        let publishing = publishing(config, &db).await?;
        // Background jobs get their own small pool: they cannot starve requests of
        // connections, and their statements are not the request path's.
        let jobs_db = crate::db::connect_service(&crate::config::DatabaseConfig {
            db_pool_size: 2,
            ..config.database.clone()
        })
        .await?
        .0;
        tokio::spawn(crate::jobs::goal_status::run(
            jobs_db.clone(),
            Duration::from_secs(60),
        ));
        tokio::spawn(crate::jobs::escalations::run(
            jobs_db.clone(),
            config.webhooks.escalation_interval(),
        ));
        tokio::spawn(crate::jobs::lead_rescore::run(
            jobs_db.clone(),
            Duration::from_secs(1),
        ));
        let webhooks = crate::domain::webhooks::Webhooks::new(config.webhooks.clone());
        tokio::spawn(crate::jobs::webhook_processor::run(
            jobs_db,
            webhooks.clone(),
        ));
        let documents = Arc::new(config.graphql.document_cache(config.dev)?);
        let limits = crate::graphql::limits::DocumentLimits::new(&config.graphql);
        let with_data = |builder: async_graphql::SchemaBuilder<_, _, _>| {
            builder
                .data(publishing.clone())
                .data(db.clone())
                .data(service.clone())
                .data(realtime.clone())
                .data(reads.clone())
                .data(WriteSettings {
                    lock_timeout: config.database.lock_timeout(),
                })
                .finish()
        };
        let schema = with_data(build_schema(&config.graphql).extension(
            crate::graphql::extension::GatewayExtension {
                documents: documents.clone(),
                limits: limits.clone(),
                metrics: metrics.clone(),
            },
        ));
        let plain = (!config.graphql.trace_cost).then(|| {
            Arc::new(PlainExecutor::new(
                with_data(build_schema(&config.graphql).limit_complexity(config.graphql.max_cost)),
                documents.clone(),
                limits,
                metrics.clone(),
            ))
        });
        let connections = &config.http.connections;
        let limiter = ConnectionLimiter::new(
            ConnectionCaps {
                total: connections.max_connections,
                per_ip: connections.max_connections_per_ip,
                exempt: config.http.trusted_proxies.clone(),
            },
            metrics.registry(),
        )?;
        let serve = ServeOptions {
            header_read_timeout: connections.header_read_timeout(),
            limiter: Some(limiter),
        };
        let forms = crate::http::forms::FormIntake::new(&config.http.forms, metrics.registry())?;
        let listener = TcpListener::bind(config.listen).await?;
        let ops_listen = match config.ops_listen {
            Some(addr) => Some(addr),
            None if config.listen.ip().is_loopback() => None,
            None => Some(DEFAULT_OPS_LISTEN.parse()?),
        };
        let ops_listener = match ops_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        Ok(Self {
            listener,
            ops_listener,
            serve,
            state: AppState::new(Services {
                db,
                service_db: service,
                brand_filters: config.database.gateway_brand_filters,
                reads,
                schema,
                plain,
                jwt,
                memberships,
                realtime,
                metrics,
                http: Arc::new(config.http.clone()),
                rate_limiter: RateLimiter::start(&config.http.rate_limit),
                forms,
                origins,
                webhooks,
                documents,
                compiler: config.graphql.compiled_queries.then(|| {
                    Arc::new(crate::compile::Compiler::new(
                        config.graphql.document_cache_entries,
                    ))
                }),
                audiences: crate::graphql::audience::Audiences::new(
                    config.realtime.subscriber_buffer,
                    config.realtime.shared_subscriptions,
                    config.graphql.compiled_queries,
                ),
                graphiql_token: None,
            }),
        })
    }

    /// Makes GraphiQL authenticate its subscriptions with `token` (demo mode only: the
    /// token is written into the page).
    pub fn with_graphiql_token(mut self, token: String) -> Self {
        self.state.set_graphiql_token(token);
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The operations address, when `/metrics` is not served on the main one.
    pub fn ops_addr(&self) -> Option<SocketAddr> {
        self.ops_listener.as_ref()?.local_addr().ok()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let ops = self.ops_listener.map(|listener| {
            let router = crate::http::ops_router(self.state.clone());
            let options = ServeOptions {
                limiter: None,
                ..self.serve.clone()
            };
            let mut stopped = stopped.clone();
            tokio::spawn(serve(listener, router, options, async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }))
        });
        let router = crate::http::router(self.state, ops.is_none());
        let served = serve(self.listener, router, self.serve, shutdown).await;
        let _ = stop.send(true);
        if let Some(ops) = ops {
            let _ = ops.await;
        }
        served
    }
}

/// The token keys and retry policy. Without a key, publishing refuses to store or hand
/// out tokens; and a database that already holds sealed tokens needs the key, so the
/// gateway refuses to start without it.
async fn publishing(
    config: &ServerConfig,
    db: &DatabaseConnection,
) -> anyhow::Result<crate::graphql::publishing::Publishing> {
    use sea_orm::ConnectionTrait;
    let keyring = config
        .publishing
        .keyring(config.is_local_development())?
        .map(Arc::new);
    if keyring.is_none() {
        let holds_secrets = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT 1 FROM encrypted_secrets LIMIT 1",
            ))
            .await?
            .is_some();
        anyhow::ensure!(
            !holds_secrets,
            "the database holds encrypted platform tokens: set BRANDGRAPH_SECRETS_KEY"
        );
        tracing::warn!("BRANDGRAPH_SECRETS_KEY is not set: connecting platforms is disabled");
    } else if config.publishing.secrets_key.is_none() {
        tracing::warn!("using the development secrets key (loopback only)");
    }
    Ok(crate::graphql::publishing::Publishing {
        keyring,
        retry: crate::domain::publishing::worker::RetryPolicy {
            base: config.publishing.retry_base(),
            max: config.publishing.retry_max(),
        },
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
