//! Build, then run: [`App::build`] wires everything and binds the listener (port 0 in
//! tests); [`App::run_until_stopped`] serves until the shutdown future resolves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::JwtVerifier;
use crate::config::ServerConfig;
use crate::graphql::build_schema;
use crate::metrics::Metrics;
use crate::realtime::Realtime;
use crate::state::AppState;

pub struct App {
    listener: TcpListener,
    state: AppState,
}

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
        let realtime = Realtime::start(&db, &config.database.database_url, config.realtime.clone());
        tokio::time::timeout(Duration::from_secs(30), realtime.hub.ready())
            .await
            .map_err(|_| anyhow::anyhow!("the realtime listener did not connect within 30 s"))?;
        let schema = build_schema(&config.graphql)
            .data(db.clone())
            .data(realtime.clone())
            .finish();
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Self {
            listener,
            state: AppState {
                db,
                schema,
                jwt,
                realtime,
                metrics,
                graphiql_token: None,
            },
        })
    }

    /// Makes GraphiQL authenticate its subscriptions with `token` (demo mode only: the
    /// token is written into the page).
    pub fn with_graphiql_token(mut self, token: String) -> Self {
        self.state.graphiql_token = Some(token);
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = crate::http::router(self.state);
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
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
