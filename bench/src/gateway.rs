//! The gateway under test, as its own process, and what can be read about it.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::process::{Child, Command};

use super::Args;

pub const SECRET: &str = "brandgraph-bench-secret";

/// Whom a gateway connects as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// A login member of `brandgraph_gateway`, as in production: row-level security holds.
    Gateway,
    /// The dataset's owner, a superuser: row-level security is bypassed (to measure its
    /// cost; never how a gateway should run).
    Owner,
}

/// The login role the bench's gateways connect as.
const BENCH_LOGIN: &str = "brandgraph_bench_gateway";

/// `owner_url` with the user replaced by [`BENCH_LOGIN`], created (as a member of the
/// gateway's group, nothing more) if absent.
async fn gateway_login(owner_url: &str) -> anyhow::Result<String> {
    let (client, connection) = tokio_postgres::connect(owner_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BENCH_LOGIN}') THEN
                 CREATE ROLE {BENCH_LOGIN} LOGIN;
               END IF;
             END $$;
             ALTER ROLE {BENCH_LOGIN} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{BENCH_LOGIN}';
             GRANT brandgraph_gateway TO {BENCH_LOGIN};"
        ))
        .await?;
    as_bench_login(owner_url)
}

/// `url` with [`BENCH_LOGIN`] as its user (a standby has the role once the primary made it).
fn as_bench_login(url: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url)?;
    url.set_username(BENCH_LOGIN)
        .map_err(|()| anyhow::anyhow!("the database URL cannot carry a user"))?;
    url.set_password(Some(BENCH_LOGIN))
        .map_err(|()| anyhow::anyhow!("the database URL cannot carry a password"))?;
    Ok(url.into())
}

pub struct Gateway {
    pub addr: SocketAddr,
    child: Child,
    http: reqwest::Client,
}

impl Gateway {
    pub async fn start(args: &Args, database_url: &str) -> anyhow::Result<Self> {
        Self::start_with(args, database_url, true, Login::Gateway).await
    }

    /// A gateway with compiled queries on or off (`BRANDGRAPH_COMPILED_QUERIES`),
    /// connected as `login`.
    pub async fn start_with(
        args: &Args,
        database_url: &str,
        compiled_queries: bool,
        login: Login,
    ) -> anyhow::Result<Self> {
        Self::spawn(args, database_url, compiled_queries, login, None).await
    }

    /// A gateway whose query operations read from the streaming replica at `replica_url`.
    pub async fn start_reading_from(
        args: &Args,
        database_url: &str,
        replica_url: &str,
    ) -> anyhow::Result<Self> {
        Self::spawn(args, database_url, true, Login::Gateway, Some(replica_url)).await
    }

    async fn spawn(
        args: &Args,
        database_url: &str,
        compiled_queries: bool,
        login: Login,
        replica_url: Option<&str>,
    ) -> anyhow::Result<Self> {
        let exe = match &args.gateway {
            Some(path) => path.clone(),
            None => std::env::current_exe()?.with_file_name("brandgraph"),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let owner_url = without_tls(database_url);
        let gateway_url = match login {
            Login::Gateway => gateway_login(&owner_url).await?,
            Login::Owner => owner_url.clone(),
        };
        let mut command = Command::new(&exe);
        if let Some(replica_url) = replica_url {
            let replica_url = without_tls(&format!("{replica_url}/{}", args.database));
            command.env("BRANDGRAPH_REPLICA_URLS", as_bench_login(&replica_url)?);
        }
        let child = command
            .args(["serve", "--listen", &addr.to_string()])
            // Plain TCP, as the ceiling's tokio-postgres connections: sqlx's default
            // `sslmode=prefer` would encrypt every statement even on loopback.
            .env("DATABASE_URL", gateway_url)
            .env("BRANDGRAPH_MIGRATE_DATABASE_URL", owner_url)
            .env("JWT_SECRET", SECRET)
            .env("BRANDGRAPH_LOG", "warn")
            .env("BRANDGRAPH_DB_POOL", "24")
            .env("BRANDGRAPH_MAX_CONNECTIONS_PER_USER", "100000")
            // Every subscriber and load connection comes from this one address.
            .env("BRANDGRAPH_MAX_CONNECTIONS", "100000")
            .env("BRANDGRAPH_MAX_CONNECTIONS_PER_IP", "100000")
            .env("BRANDGRAPH_SUBSCRIBER_BUFFER", "1024")
            .env(
                "BRANDGRAPH_SHARED_SUBSCRIPTIONS",
                (!args.private_subscriptions).to_string(),
            )
            // The load generator is one user at thousands of requests a second.
            .env("BRANDGRAPH_RATE_LIMIT_PER_SEC", "0")
            .env("BRANDGRAPH_COMPILED_QUERIES", compiled_queries.to_string())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| anyhow::anyhow!("starting {}: {e}", exe.display()))?;
        let gateway = Self {
            addr,
            child,
            http: reqwest::Client::new(),
        };
        for _ in 0..300 {
            if let Ok(response) = gateway.http.get(gateway.url("/readyz")).send().await
                && response.status().is_success()
            {
                println!("gateway {} ready (pid {})", exe.display(), gateway.pid());
                return Ok(gateway);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the gateway did not become ready")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// Resident memory of the gateway process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("VmRSS:")
                            .map(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
                    })
                    .flatten()
            })
            .unwrap_or(0)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// CPU seconds used so far by the gateway, this process and all PostgreSQL processes.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSample {
    pub gateway: f64,
    pub loadgen: f64,
    pub postgres: f64,
}

fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

pub fn cpu_sample(gateway_pid: u32) -> CpuSample {
    let mut postgres = 0.0;
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            if std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
            {
                postgres += cpu_seconds(pid).unwrap_or(0.0);
            }
        }
    }
    CpuSample {
        gateway: cpu_seconds(&gateway_pid.to_string()).unwrap_or(0.0),
        loadgen: cpu_seconds("self").unwrap_or(0.0),
        postgres,
    }
}

/// `url` with `sslmode=disable` unless it names an `sslmode` itself.
fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}
