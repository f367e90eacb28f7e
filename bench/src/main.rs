//! `bench`: loads a fixed dataset, starts the gateway (the `brandgraph` binary next to this
//! one), drives it over real HTTP and websockets, and prints what it measured.
//!
//! ```text
//! scripts/bench.sh                 # full scale, release build
//! target/release/bench --smoke     # tiny scale, seconds
//! ```

mod ceiling;
mod dataset;
mod fanout;
mod gateway;
mod load;
mod report;
mod statements;

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(about = "Benchmark the brandgraph gateway")]
pub struct Args {
    /// PostgreSQL server (no database name).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub server: String,
    /// Database the dataset lives in (created and loaded when absent or of another scale).
    #[arg(long, default_value = "brandgraph_bench")]
    pub database: String,
    /// Tiny scale and short runs: checks that the bench works, measures nothing useful.
    #[arg(long)]
    pub smoke: bool,
    /// Concurrent HTTP requests in flight.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Timed seconds per query shape.
    #[arg(long, default_value_t = 10)]
    pub duration_secs: u64,
    /// Subscriber counts for the fan-out runs.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    pub subscribers: Vec<usize>,
    /// Events per second during fan-out runs with subscribers spread over all brands.
    #[arg(long, default_value_t = 1000)]
    pub event_rate: u64,
    /// Events per second when every subscriber watches one brand (each event goes to all).
    #[arg(long, default_value_t = 20)]
    pub one_brand_rate: u64,
    /// Seconds of events per fan-out run.
    #[arg(long, default_value_t = 5)]
    pub fanout_secs: u64,
    /// Also print each fan-out run's p50 and p99 by when the events were sent, in windows
    /// of this many milliseconds (to tell a steady delay from a few stalls).
    #[arg(long)]
    pub latency_window_ms: Option<u64>,
    /// Only these query shapes (e.g. `Q2,Q3`; default: all).
    #[arg(long, value_delimiter = ',')]
    pub ops: Vec<String>,
    /// Send each query as a persisted-query hash (registered once) instead of its text.
    #[arg(long)]
    pub persisted: bool,
    /// Use the database as it is (no migrations, no dataset load): for measuring another
    /// build of the gateway (`--gateway`) against a copy of the dataset.
    #[arg(long)]
    pub keep_schema: bool,
    /// Skip the HTTP query runs.
    #[arg(long)]
    pub skip_queries: bool,
    /// Skip the fan-out runs.
    #[arg(long)]
    pub skip_fanout: bool,
    /// Run the gateway with every subscriber executing its own subscription (no audiences),
    /// to compare with the default in the same run.
    #[arg(long)]
    pub private_subscriptions: bool,
    /// Measure these SQL files instead (no gateway): each runs as the ceiling statements
    /// do, with a brand id as `$1` (and the last 30 days as `$2`, `$3` when it has three
    /// parameters); prints statements/s, p99 and PostgreSQL CPU per statement.
    #[arg(long, value_delimiter = ',')]
    pub statements: Vec<PathBuf>,
    /// Also run each query shape on a second gateway with compiled queries off (the
    /// per-field executor), so both read paths and the ceiling are measured in one run.
    #[arg(long)]
    pub compare_paths: bool,
    /// Also run each query shape on a gateway connected as the dataset's owner (a
    /// superuser: row-level security bypassed), to print what RLS costs per shape.
    #[arg(long)]
    pub compare_rls: bool,
    /// Also run each query shape on a gateway reading from this streaming replica
    /// (`BRANDGRAPH_REPLICA_URLS`; `scripts/bench-replica.sh` makes one of the local
    /// cluster), to print what replica routing costs per shape.
    #[arg(long)]
    pub replica_url: Option<String>,
    /// Also fan out `leadCaptured` subscriptions that read the lead (subscribers spread over
    /// all brands at `--event-rate`): one compiled statement per event and role; with
    /// `--compare-paths` also on a gateway with compiled queries off (each subscriber
    /// executes its own reads).
    #[arg(long)]
    pub fanout_leads: bool,
    /// Only the lead fan-out (with `--fanout-leads`), not the approval runs.
    #[arg(long)]
    pub only_leads: bool,
    /// The gateway binary (default: `brandgraph` next to this executable).
    #[arg(long)]
    pub gateway: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.smoke {
        args.duration_secs = 1;
        args.subscribers = vec![40];
        args.event_rate = 50;
        args.one_brand_rate = 50;
        args.fanout_secs = 1;
        args.concurrency = args.concurrency.min(8);
    }
    let scale = if args.smoke {
        dataset::Scale::SMOKE
    } else {
        dataset::Scale::FULL
    };
    println!(
        "brandgraph bench: {} cores, scale {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        scale.name
    );

    let url = format!("{}/{}", args.server, args.database);
    if !args.keep_schema {
        dataset::ensure(&args.server, &args.database, &scale).await?;
    }
    if !args.statements.is_empty() {
        return statements::run(&args, &url).await;
    }
    let gateway = gateway::Gateway::start(&args, &url).await?;
    let ctx = load::Context::new(&gateway, &url, &scale, args.persisted).await?;
    if !args.skip_queries {
        let selected: Vec<load::Op> = load::Op::ALL
            .into_iter()
            .filter(|op| {
                args.ops.is_empty()
                    || args
                        .ops
                        .iter()
                        .any(|o| o.eq_ignore_ascii_case(&op.to_string()))
            })
            .collect();
        let duration = std::time::Duration::from_secs(args.duration_secs);
        let mut rows = Vec::new();
        for &op in &selected {
            ctx.verify(op).await?;
            let mut row = ctx.run(op, args.concurrency, duration).await?;
            let brands: Vec<_> = ctx.brands.iter().map(|(id, _)| *id).collect();
            row.ceiling = Some(ceiling::run(&url, op, &brands, args.concurrency, duration).await?);
            rows.push(row);
        }
        // Each comparison on its own gateway, one at a time: several idle gateways' pools
        // together would exhaust PostgreSQL's connections.
        for comparison in comparisons(&args) {
            let gateway = comparison.start(&args, &url).await?;
            let mut other = load::Context::new(&gateway, &url, &scale, args.persisted).await?;
            other.path = comparison.path();
            for &op in &selected {
                other.verify(op).await?;
                rows.push(other.run(op, args.concurrency, duration).await?);
            }
            gateway.stop().await;
        }
        // Grouped by shape, the default path first (a stable sort keeps the run's order).
        rows.sort_by_key(|row| selected.iter().position(|op| *op == row.op));
        report::print_queries(&rows, args.concurrency, args.duration_secs);
        if rows.iter().any(|row| row.errors > 0) {
            anyhow::bail!("some requests failed");
        }
    }
    if !args.skip_fanout {
        let mut rows = Vec::new();
        if !args.only_leads {
            for &subscribers in &args.subscribers {
                for spread in [true, false] {
                    let run = (fanout::Stream::Approvals, subscribers, spread);
                    rows.push(fanout::run(&gateway, &ctx, &url, run, &args).await?);
                }
            }
        }
        if args.fanout_leads {
            rows.extend(lead_fanout(&gateway, &ctx, &url, &args).await?);
            if args.compare_paths {
                let executor = Comparison::Executor.start(&args, &url).await?;
                let other = load::Context::new(&executor, &url, &scale, args.persisted).await?;
                let mut runs = lead_fanout(&executor, &other, &url, &args).await?;
                for run in &mut runs {
                    run.path = Comparison::Executor.path();
                }
                rows.extend(runs);
                executor.stop().await;
            }
        }
        let execution = if args.private_subscriptions {
            "every subscriber executes its own subscription"
        } else {
            "one execution per audience"
        };
        report::print_fanout(&rows, args.fanout_secs, execution);
        report::print_latency_windows(&rows);
        if rows.iter().any(|row| row.lost > 0 || row.duplicated > 0) {
            anyhow::bail!("events were lost or duplicated");
        }
    }
    gateway.stop().await;
    Ok(())
}

/// The lead fan-out runs on `gateway` (subscribers spread over every brand).
async fn lead_fanout(
    gateway: &gateway::Gateway,
    ctx: &load::Context,
    url: &str,
    args: &Args,
) -> anyhow::Result<Vec<fanout::FanoutResult>> {
    let mut rows = Vec::new();
    for &subscribers in &args.subscribers {
        let run = (fanout::Stream::Leads, subscribers, true);
        let mut row = fanout::run(gateway, ctx, url, run, args).await?;
        row.path = if args.compare_paths { "compiled" } else { "" };
        rows.push(row);
    }
    Ok(rows)
}

/// A second gateway the query shapes also run on, to print what one setting costs.
enum Comparison {
    /// Compiled queries off: the per-field executor.
    Executor,
    /// Connected as the dataset's owner: row-level security bypassed.
    RlsBypassed,
    /// Query operations read from this streaming replica.
    Replica(String),
}

impl Comparison {
    fn path(&self) -> &'static str {
        match self {
            Comparison::Executor => "executor",
            Comparison::RlsBypassed => "compiled, RLS bypassed",
            Comparison::Replica(_) => "compiled, via replica",
        }
    }

    async fn start(&self, args: &Args, url: &str) -> anyhow::Result<gateway::Gateway> {
        match self {
            Comparison::Executor => {
                gateway::Gateway::start_with(args, url, false, gateway::Login::Gateway).await
            }
            Comparison::RlsBypassed => {
                gateway::Gateway::start_with(args, url, true, gateway::Login::Owner).await
            }
            Comparison::Replica(replica) => {
                gateway::Gateway::start_reading_from(args, url, replica).await
            }
        }
    }
}

fn comparisons(args: &Args) -> Vec<Comparison> {
    let mut comparisons = Vec::new();
    if args.compare_paths {
        comparisons.push(Comparison::Executor);
    }
    if args.compare_rls {
        comparisons.push(Comparison::RlsBypassed);
    }
    if let Some(replica) = &args.replica_url {
        comparisons.push(Comparison::Replica(replica.clone()));
    }
    comparisons
}
