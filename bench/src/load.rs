//! HTTP load: fixed concurrency for a fixed time, every response checked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use brandgraph::auth::jwt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ceiling::CeilingResult;
use super::dataset::Scale;
use super::gateway::{CpuSample, Gateway, SECRET, cpu_sample};
use super::report::percentile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Q1,
    Q2,
    Q3,
    Q4,
    Q5,
    Q6,
}

impl Op {
    pub const ALL: [Op; 6] = [Op::Q1, Op::Q2, Op::Q3, Op::Q4, Op::Q5, Op::Q6];

    pub fn shape(self) -> &'static str {
        match self {
            Op::Q1 => "one brand by id",
            Op::Q2 => "20 brands x 10 newest items x approvals",
            Op::Q3 => "one brand, first 50 media assets",
            Op::Q4 => "one brand, 30 days of one platform",
            Op::Q5 => "one brand, analyticsSummary(30 days)",
            Op::Q6 => "one brand, 50 highest-scoring leads x last 3 activities",
        }
    }

    fn query(self) -> &'static str {
        match self {
            Op::Q1 => "query($id: ID!) { brand(id: $id) { id name slug primaryColor } }",
            Op::Q2 => {
                "{ brands(first: 20) { edges { node { name contentItems(first: 10) { edges { node { title status approvals { status } } } } } } } }"
            }
            Op::Q3 => {
                "query($id: ID!) { brand(id: $id) { mediaAssets(first: 50) { edges { node { filename sizeBytes } } } } }"
            }
            Op::Q4 => {
                "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) { brand(id: $id) { analytics(from: $from, to: $to, platform: \"instagram\") { date reach } } }"
            }
            Op::Q5 => {
                "query($id: ID!) { brand(id: $id) { analyticsSummary(days: 30) { totals { reach rows } byPlatform { platform totals { reach } } } } }"
            }
            Op::Q6 => {
                "query($id: ID!) { brand(id: $id) { leads(first: 50, orderBy: SCORE_DESC) { edges { node { name company score status activities(first: 3) { edges { node { type createdAt } } } } } } } }"
            }
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

pub struct QueryResult {
    pub op: Op,
    /// Which read path answered: `compiled` (plans first, the default) or `executor`.
    pub path: &'static str,
    pub shape: &'static str,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub statements_per_request: f64,
    /// CPU use in percent of one core.
    pub cpu: CpuSample,
    /// PostgreSQL CPU per request, in microseconds.
    pub postgres_us_per_request: f64,
    /// The same data fetched by one raw SQL statement, measured right after.
    pub ceiling: Option<CeilingResult>,
}

pub struct Context {
    /// The read path of the gateway this context sends to (for the report).
    pub path: &'static str,
    pub http: reqwest::Client,
    pub graphql_url: String,
    pub gateway_pid: u32,
    pub db: DatabaseConnection,
    /// (brand id, its owner's token), by brand name.
    pub brands: Vec<(Uuid, String)>,
    pub service_token: String,
    metrics_url: String,
    /// Send persisted-query hashes instead of document texts.
    persisted: bool,
}

impl Context {
    pub async fn new(
        gateway: &Gateway,
        database_url: &str,
        scale: &Scale,
        persisted: bool,
    ) -> anyhow::Result<Self> {
        let db = Database::connect(database_url).await?;
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT b.id, m.user_id FROM brands b JOIN brand_members m ON m.brand_id = b.id AND m.role = 'owner' ORDER BY b.name",
            ))
            .await?;
        let mut brands = Vec::with_capacity(rows.len());
        for row in rows {
            let brand: Uuid = row.try_get_by_index(0)?;
            let owner: Uuid = row.try_get_by_index(1)?;
            brands.push((
                brand,
                jwt::mint_hs256(SECRET, &jwt::claims_for(owner, "authenticated", 24 * 3600))?,
            ));
        }
        anyhow::ensure!(
            brands.len() as i64 == scale.brands,
            "expected {} brands with owners",
            scale.brands
        );
        let service_token = jwt::mint_hs256(
            SECRET,
            &jwt::claims_for(Uuid::nil(), jwt::SERVICE_ROLE, 24 * 3600),
        )?;
        Ok(Self {
            path: "compiled",
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(1024)
                .build()?,
            graphql_url: gateway.url("/graphql"),
            gateway_pid: gateway.pid(),
            db,
            brands,
            service_token,
            metrics_url: gateway.url("/metrics"),
            persisted,
        })
    }

    /// The request body and token of `op` for brand number `i`: the document's text, or
    /// with `--persisted` only its SHA-256 (Automatic Persisted Queries; `register` adds
    /// the text once so the gateway learns the hash).
    fn request_body(&self, op: Op, i: usize, register: bool) -> (String, &str) {
        let (brand, token) = &self.brands[i % self.brands.len()];
        let today = chrono::Utc::now().date_naive();
        let variables = match op {
            Op::Q2 => json!({}),
            Op::Q4 => json!({ "id": brand, "from": today - chrono::Days::new(29), "to": today }),
            _ => json!({ "id": brand }),
        };
        let body = if self.persisted {
            let hash = hex::encode(Sha256::digest(op.query().as_bytes()));
            let mut body = json!({
                "variables": variables,
                "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
            });
            if register {
                body["query"] = json!(op.query());
            }
            body.to_string()
        } else {
            json!({ "query": op.query(), "variables": variables }).to_string()
        };
        let token = if op == Op::Q2 {
            self.service_token.as_str()
        } else {
            token.as_str()
        };
        (body, token)
    }

    async fn send(&self, body: String, token: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(&self.graphql_url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "HTTP {}", response.status());
        Ok(response.json().await?)
    }

    async fn count(&self, sql: String) -> anyhow::Result<i64> {
        let row = self
            .db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
        Ok(row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0))
    }

    /// The integers of the first column of `sql`'s rows.
    async fn scores(&self, sql: String) -> anyhow::Result<Vec<i64>> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
        rows.iter()
            .map(|row| Ok(i64::from(row.try_get_by_index::<i32>(0)?)))
            .collect()
    }

    /// Checks the answers of `op` for a few brands against SQL before anything is timed.
    pub async fn verify(&self, op: Op) -> anyhow::Result<()> {
        for i in [0, 1, self.brands.len() - 1] {
            let (body, token) = self.request_body(op, i, true);
            let response = self.send(body, token).await?;
            anyhow::ensure!(response.get("errors").is_none(), "{op}: {response}");
            let brand_id = self.brands[i].0;
            let data = &response["data"];
            let ok = match op {
                Op::Q1 => data["brand"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("Brand ")),
                Op::Q2 => {
                    let edges = data["brands"]["edges"]
                        .as_array()
                        .map(Vec::len)
                        .unwrap_or(0);
                    let expected = self.brands.len().min(20);
                    edges == expected
                        && data["brands"]["edges"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .all(|e| {
                                e["node"]["contentItems"]["edges"]
                                    .as_array()
                                    .is_some_and(|items| !items.is_empty() && items.len() <= 10)
                            })
                }
                Op::Q3 => {
                    let expected = self.count(format!("SELECT least(count(*), 50) FROM media_assets WHERE brand_id = '{brand_id}'")).await?;
                    data["brand"]["mediaAssets"]["edges"]
                        .as_array()
                        .map(Vec::len)
                        == Some(expected as usize)
                }
                Op::Q4 => {
                    let expected = self
                        .count(format!(
                            "SELECT count(*) FROM analytics_metrics WHERE brand_id = '{brand_id}' AND platform = 'instagram'
                               AND date BETWEEN current_date - 29 AND current_date"
                        ))
                        .await?;
                    expected > 0
                        && data["brand"]["analytics"].as_array().map(Vec::len)
                            == Some(expected as usize)
                }
                Op::Q5 => {
                    let expected = self
                        .count(format!(
                            "SELECT count(*) FROM analytics_metrics WHERE brand_id = '{brand_id}' AND date > current_date - 30 AND date <= current_date"
                        ))
                        .await?;
                    expected > 0
                        && data["brand"]["analyticsSummary"]["totals"]["rows"].as_i64()
                            == Some(expected)
                }
                Op::Q6 => {
                    let scores = self
                        .scores(format!(
                            "SELECT score FROM leads WHERE brand_id = '{brand_id}' ORDER BY score DESC, id DESC LIMIT 50"
                        ))
                        .await?;
                    let edges = data["brand"]["leads"]["edges"].as_array();
                    let answered: Vec<i64> = edges
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e["node"]["score"].as_i64())
                        .collect();
                    !scores.is_empty()
                        && answered == scores
                        && edges.into_iter().flatten().all(|e| {
                            e["node"]["activities"]["edges"]
                                .as_array()
                                .is_some_and(|a| (1..=3).contains(&a.len()))
                        })
                }
            };
            anyhow::ensure!(ok, "{op} answered wrongly for brand {brand_id}: {response}");
        }
        Ok(())
    }

    async fn metric(&self, name: &str) -> anyhow::Result<u64> {
        let body = self
            .http
            .get(&self.metrics_url)
            .send()
            .await?
            .text()
            .await?;
        body.lines()
            .find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.trim().parse().ok())
            })
            .ok_or_else(|| anyhow::anyhow!("no metric {name}"))
    }

    /// Drives `op` at `concurrency` for `duration` (after a one-second warm-up).
    pub async fn run(
        self: &Context,
        op: Op,
        concurrency: usize,
        duration: Duration,
    ) -> anyhow::Result<QueryResult> {
        let bodies: Arc<Vec<(String, String)>> = Arc::new(
            (0..self.brands.len())
                .map(|i| {
                    let (body, token) = self.request_body(op, i, false);
                    (body, format!("Bearer {token}"))
                })
                .collect(),
        );
        // Warm-up, untimed.
        self.drive(bodies.clone(), concurrency, Duration::from_secs(1))
            .await;
        let statements = self.metric("brandgraph_sql_statements_total").await?;
        let requests = self.metric("brandgraph_graphql_requests_total").await?;
        let cpu_before = cpu_sample(self.gateway_pid);
        let started = Instant::now();
        let (mut latencies, errors) = self.drive(bodies, concurrency, duration).await;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu_after = cpu_sample(self.gateway_pid);
        let statements = self.metric("brandgraph_sql_statements_total").await? - statements;
        let requests = self.metric("brandgraph_graphql_requests_total").await? - requests;
        latencies.sort_unstable();
        let share = |after: f64, before: f64| (after - before) / elapsed * 100.0;
        Ok(QueryResult {
            op,
            path: self.path,
            shape: op.shape(),
            rps: latencies.len() as f64 / elapsed,
            p50_ms: percentile(&latencies, 0.50),
            p99_ms: percentile(&latencies, 0.99),
            errors,
            statements_per_request: statements as f64 / requests.max(1) as f64,
            postgres_us_per_request: (cpu_after.postgres - cpu_before.postgres) * 1e6
                / latencies.len().max(1) as f64,
            ceiling: None,
            cpu: CpuSample {
                gateway: share(cpu_after.gateway, cpu_before.gateway),
                loadgen: share(cpu_after.loadgen, cpu_before.loadgen),
                postgres: share(cpu_after.postgres, cpu_before.postgres),
            },
        })
    }

    async fn drive(
        &self,
        bodies: Arc<Vec<(String, String)>>,
        concurrency: usize,
        duration: Duration,
    ) -> (Vec<u64>, u64) {
        let deadline = Instant::now() + duration;
        let workers = (0..concurrency).map(|worker| {
            let http = self.http.clone();
            let url = self.graphql_url.clone();
            let bodies = bodies.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(4096);
                let mut errors = 0u64;
                let mut i = worker;
                while Instant::now() < deadline {
                    let (body, auth) = &bodies[i % bodies.len()];
                    i += concurrency;
                    let sent = Instant::now();
                    let result = http
                        .post(&url)
                        .header("authorization", auth.as_str())
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    let ok = match result {
                        Ok(response) if response.status().is_success() => {
                            match response.bytes().await {
                                Ok(bytes) => !bytes.windows(9).any(|w| w == b"\"errors\":"),
                                Err(_) => false,
                            }
                        }
                        _ => false,
                    };
                    if ok {
                        latencies.push(sent.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        });
        let mut all = Vec::new();
        let mut errors = 0;
        for worker in workers.collect::<Vec<_>>() {
            if let Ok((latencies, worker_errors)) = worker.await {
                all.extend(latencies);
                errors += worker_errors;
            }
        }
        (all, errors)
    }
}
