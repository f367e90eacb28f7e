//! The benchmark in its tiny smoke mode, so it cannot rot: it loads its dataset, checks
//! every answer, times each shape briefly and runs a small fan-out with nothing lost.

#[tokio::test]
async fn the_bench_runs_in_smoke_mode() {
    let database = format!("bg_test_bench_{}", uuid::Uuid::new_v4().simple());
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args([
            "--smoke",
            "--database",
            &database,
            "--gateway",
            env!("CARGO_BIN_EXE_brandgraph"),
        ])
        .env("BRANDGRAPH_LOG", "warn")
        .output()
        .await
        .expect("run the bench");
    crate::helpers::admin_exec(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for op in ["| Q1 |", "| Q2 |", "| Q3 |", "| Q4 |", "| Q5 |"] {
        assert!(stdout.contains(op), "{op} missing:\n{stdout}");
    }
    assert!(stdout.contains("Subscription fan-out"), "{stdout}");
}
