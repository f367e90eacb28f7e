//! `--statements`: SQL files measured alone, as the ceiling measures its statements, to
//! compare shapes of one statement without the gateway in the way.

use std::time::Duration;

use tokio_postgres::NoTls;
use uuid::Uuid;

use super::Args;
use super::ceiling;

pub async fn run(args: &Args, database_url: &str) -> anyhow::Result<()> {
    let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    tokio::spawn(connection);
    let brands: Vec<Uuid> = client
        .query(
            "SELECT id FROM brands WHERE archived_at IS NULL ORDER BY id",
            &[],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    anyhow::ensure!(!brands.is_empty(), "no brands: load the dataset first");
    let duration = Duration::from_secs(args.duration_secs);
    println!(
        "\nStatements alone ({} connections, {} s each):",
        args.concurrency, args.duration_secs
    );
    println!("| statement | statements/s | p99 ms | PostgreSQL µs/statement |");
    println!("|---|---:|---:|---:|");
    for path in &args.statements {
        let sql = std::fs::read_to_string(path)?;
        let label = path.display().to_string();
        let result = ceiling::run_statement(
            database_url,
            &label,
            sql.trim().trim_end_matches(';'),
            &brands,
            args.concurrency,
            duration,
        )
        .await?;
        println!(
            "| {label} | {:.0} | {:.2} | {:.0} |",
            result.rps, result.p99_ms, result.postgres_us_per_request
        );
        // Let the connections' backends exit before the next sample of PostgreSQL's CPU.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}
