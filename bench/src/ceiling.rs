//! The raw-SQL ceiling of each query shape: the one statement a person would write to get
//! the same data, run straight against PostgreSQL (tokio-postgres, prepared, no gateway)
//! at the same concurrency. The gateway's req/s is reported as a share of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::gateway::cpu_sample;
use super::load::Op;
use super::report::percentile;

pub struct CeilingResult {
    pub rps: f64,
    pub p99_ms: f64,
    /// PostgreSQL CPU per statement, in microseconds.
    pub postgres_us_per_request: f64,
}

/// The cheapest single statement that answers `op` (same rows, same columns).
fn sql(op: Op) -> &'static str {
    match op {
        Op::Q1 => "SELECT id, name, slug, primary_color FROM brands WHERE id = $1",
        Op::Q2 => {
            "SELECT b.name, c.title, c.status,
                    (SELECT array_agg(a.status) FROM post_approvals a WHERE a.post_id = c.id)
               FROM (SELECT id, name FROM brands WHERE archived_at IS NULL ORDER BY name, id LIMIT 20) b
               CROSS JOIN LATERAL (SELECT id, title, status FROM content_items
                                    WHERE brand_id = b.id ORDER BY created_at DESC, id DESC LIMIT 10) c"
        }
        Op::Q3 => {
            "SELECT filename, size_bytes FROM media_assets WHERE brand_id = $1
              ORDER BY created_at DESC, id DESC LIMIT 50"
        }
        Op::Q4 => {
            "SELECT date, metrics->'reach' FROM analytics_metrics
              WHERE brand_id = $1 AND platform = 'instagram' AND date BETWEEN $2 AND $3
              ORDER BY date, post_id"
        }
        Op::Q5 => {
            "SELECT platform, sum((metrics->>'reach')::bigint), count(*) FROM analytics_metrics
              WHERE brand_id = $1 AND date > current_date - 30 AND date <= current_date
              GROUP BY ROLLUP (platform)"
        }
        // Each lead's last three activities as one JSON array beside it.
        Op::Q6 => {
            "SELECT l.name, l.company, l.score, l.status, a.activities
               FROM leads l
               CROSS JOIN LATERAL (
                 SELECT json_agg(json_build_object('type', x.type, 'createdAt', x.created_at)
                                 ORDER BY x.created_at DESC, x.id DESC) AS activities
                   FROM (SELECT id, type, created_at FROM lead_activities WHERE lead_id = l.id
                          ORDER BY created_at DESC, id DESC LIMIT 3) x) a
              WHERE l.brand_id = $1
              ORDER BY l.score DESC, l.id DESC LIMIT 50"
        }
    }
}

/// Runs `op`'s statement from `concurrency` connections for `duration` (after a 1 s warm-up).
pub async fn run(
    database_url: &str,
    op: Op,
    brands: &[Uuid],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<CeilingResult> {
    let label = op.to_string();
    run_statement(database_url, &label, sql(op), brands, concurrency, duration).await
}

/// Runs the statement `sql` as the ceiling runs its own: its parameters, by their number,
/// are none, a brand id (`$1`), or a brand id and the last 30 days (`$2`, `$3`).
pub async fn run_statement(
    database_url: &str,
    label: &str,
    sql: &str,
    brands: &[Uuid],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<CeilingResult> {
    let brands: Arc<Vec<Uuid>> = Arc::new(brands.to_vec());
    let mut clients = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
        tokio::spawn(connection);
        let statement = client.prepare(sql).await?;
        anyhow::ensure!(
            [0, 1, 3].contains(&statement.params().len()),
            "{label}: a statement takes 0, 1 or 3 parameters"
        );
        clients.push(Arc::new((client, statement)));
    }
    drive(&clients, label, &brands, Duration::from_secs(1)).await?;
    let before = cpu_sample(0);
    let started = Instant::now();
    let mut latencies = drive(&clients, label, &brands, duration).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let after = cpu_sample(0);
    latencies.sort_unstable();
    let requests = latencies.len().max(1) as f64;
    Ok(CeilingResult {
        rps: latencies.len() as f64 / elapsed,
        p99_ms: percentile(&latencies, 0.99),
        postgres_us_per_request: (after.postgres - before.postgres) * 1e6 / requests,
    })
}

async fn drive(
    clients: &[Arc<(tokio_postgres::Client, tokio_postgres::Statement)>],
    label: &str,
    brands: &Arc<Vec<Uuid>>,
    duration: Duration,
) -> anyhow::Result<Vec<u64>> {
    let deadline = Instant::now() + duration;
    let concurrency = clients.len();
    let workers: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(worker, client)| {
            let client = client.clone();
            let brands = brands.clone();
            let label = label.to_string();
            tokio::spawn(async move {
                let (client, statement) = &*client;
                let today = chrono::Utc::now().date_naive();
                let from = today - chrono::Days::new(29);
                let mut latencies = Vec::with_capacity(4096);
                let mut i = worker;
                while Instant::now() < deadline {
                    let brand = brands[i % brands.len()];
                    i += concurrency;
                    let params: Vec<&(dyn ToSql + Sync)> = match statement.params().len() {
                        0 => vec![],
                        1 => vec![&brand],
                        _ => vec![&brand, &from, &today],
                    };
                    let sent = Instant::now();
                    let rows = client.query(statement, &params).await?;
                    anyhow::ensure!(!rows.is_empty(), "{label}: the statement found nothing");
                    latencies.push(sent.elapsed().as_micros() as u64);
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await??);
    }
    Ok(all)
}
