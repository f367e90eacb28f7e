//! The benchmark in its tiny smoke mode, so it cannot rot: it loads its dataset, checks
//! every answer, times each shape briefly and runs a small fan-out (approvals, and leads
//! rendered by compiled plans) with nothing lost.
//! (It runs the gateway binary that `cargo test --workspace` builds for its own tests.)

#[tokio::test]
async fn the_bench_runs_in_smoke_mode() {
    let database = format!("bg_test_bench_{}", uuid::Uuid::new_v4().simple());
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args([
            "--smoke",
            "--compare-rls",
            "--fanout-leads",
            "--latency-window-ms",
            "1000",
            "--database",
            &database,
            "--gateway",
            &gateway().to_string_lossy(),
        ])
        .env("BRANDGRAPH_LOG", "warn")
        .output()
        .await
        .expect("run the bench");
    drop_database(&database).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for op in ["| Q1 |", "| Q2 |", "| Q3 |", "| Q4 |", "| Q5 |", "| Q6 |"] {
        assert!(stdout.contains(op), "{op} missing:\n{stdout}");
    }
    // The default gateway connects as a member of brandgraph_gateway (RLS holds); the
    // comparison row's gateway as the owner.
    assert!(stdout.contains("| compiled, RLS bypassed |"), "{stdout}");
    assert!(stdout.contains("Subscription fan-out"), "{stdout}");
    // Lead subscriptions, rendered by compiled plans, delivered with nothing lost.
    assert!(stdout.contains("| Leads | 40 |"), "{stdout}");
    assert!(stdout.contains("Latency by send time"), "{stdout}");
}

/// The gateway binary `cargo test --workspace` built beside the bench.
fn gateway() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_BIN_EXE_bench")).with_file_name("brandgraph")
}

async fn drop_database(name: &str) {
    use sea_orm::ConnectionTrait;
    let server = std::env::var("TEST_PG_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let admin = sea_orm::Database::connect(format!("{server}/postgres"))
        .await
        .expect("connect to postgres");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop the bench database");
}
