//! Tables.

use super::fanout::FanoutResult;
use super::load::QueryResult;

pub fn percentile(sorted_micros: &[u64], p: f64) -> f64 {
    if sorted_micros.is_empty() {
        return 0.0;
    }
    let index = ((sorted_micros.len() as f64 - 1.0) * p).round() as usize;
    sorted_micros[index] as f64 / 1000.0
}

pub fn print_queries(rows: &[QueryResult], concurrency: usize, secs: u64) {
    println!("\nHTTP queries ({concurrency} concurrent, {secs} s each):");
    println!(
        "| op | path | shape | req/s | p50 ms | p99 ms | errors | SQL stmts/req | CPU gateway / loadgen / postgres | ceiling req/s (p99 ms) | % of ceiling | PostgreSQL µs/req gateway vs ceiling |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    for row in rows {
        let (ceiling, share, ceiling_us) = match &row.ceiling {
            Some(c) => (
                format!("{:.0} ({:.2})", c.rps, c.p99_ms),
                format!("{:.0} %", row.rps / c.rps.max(1.0) * 100.0),
                format!("{:.0}", c.postgres_us_per_request),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.2} | {:.0}% / {:.0}% / {:.0}% | {ceiling} | {share} | {:.0} vs {ceiling_us} |",
            row.op,
            row.path,
            row.shape,
            row.rps,
            row.p50_ms,
            row.p99_ms,
            row.errors,
            row.statements_per_request,
            row.cpu.gateway,
            row.cpu.loadgen,
            row.cpu.postgres,
            row.postgres_us_per_request,
        );
    }
}

pub fn print_fanout(rows: &[FanoutResult], secs: u64, execution: &str) {
    println!(
        "\nSubscription fan-out ({secs} s of events, {execution}; latency from before the writing statement to receipt):"
    );
    println!(
        "| stream | subscribers | brands | events/s | deliveries | p50 ms | p99 ms | max ms | lost | duplicated | RSS idle MiB | RSS with subs MiB | KiB/sub |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let stream = match (row.stream, row.path) {
            (stream, "") => format!("{stream:?}"),
            (stream, path) => format!("{stream:?}, {path}"),
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} | {} | {:.1} | {:.1} | {:.1} |",
            stream,
            row.subscribers,
            row.spread,
            row.rate,
            row.deliveries,
            row.p50_ms,
            row.p99_ms,
            row.max_ms,
            row.lost,
            row.duplicated,
            row.rss_idle_kib as f64 / 1024.0,
            row.rss_subscribed_kib as f64 / 1024.0,
            row.kib_per_subscriber
        );
    }
}

/// Each run's latency by send time, when `--latency-window-ms` asked for it.
pub fn print_latency_windows(rows: &[FanoutResult]) {
    for row in rows.iter().filter(|row| !row.windows.is_empty()) {
        println!(
            "\nLatency by send time, {:?}, {} subscribers over {}:",
            row.stream, row.subscribers, row.spread
        );
        println!("| sent from ms | deliveries | p50 ms | p99 ms |");
        println!("|---:|---:|---:|---:|");
        for window in &row.windows {
            println!(
                "| {} | {} | {:.1} | {:.1} |",
                window.from_ms, window.deliveries, window.p50_ms, window.p99_ms
            );
        }
    }
}
