//! `brandgraph serve` against a PostgreSQL it cannot use ends at once with the address,
//! the cause and a remedy, never with the password.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// Runs `brandgraph serve` with `database_url` and returns its exit success and stderr.
async fn serve_against(database_url: &str) -> (bool, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_brandgraph"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", "a-secret-for-the-startup-test")
        .env("BRANDGRAPH_LISTEN", "127.0.0.1:0")
        .env("BRANDGRAPH_LOG_JSON", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn brandgraph");
    // Bounded only so a regression fails instead of hanging; the pool alone waited 30 s.
    let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("serve did not end")
        .expect("output");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A loopback port nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn serve_without_a_running_server_names_the_address_the_cause_and_the_remedy() {
    let port = closed_port().await;
    let (ok, stderr) = serve_against(&format!(
        "postgres://app:hunter2@127.0.0.1:{port}/brandgraph"
    ))
    .await;
    assert!(!ok, "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(stderr.contains("scripts/ensure-postgres.sh"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn serve_with_a_login_the_server_refuses_says_so() {
    let server = crate::helpers::pg_server();
    let url = server.replacen("://postgres", "://no_such_role_brandgraph:hunter2", 1);
    let (ok, stderr) = serve_against(&format!("{url}/brandgraph")).await;
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("refused the login"), "{stderr}");
    assert!(stderr.contains("no_such_role_brandgraph"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn the_probe_tells_a_missing_database_from_a_server_that_is_down() {
    use brandgraph::db::probe::{Cause, Probe, probe};
    let server = crate::helpers::pg_server();
    let missing = probe(&format!("{server}/no_such_database_brandgraph")).await;
    assert!(matches!(missing, Probe::MissingDatabase), "{missing:?}");
    assert!(matches!(
        probe(&format!("{server}/postgres")).await,
        Probe::Ready
    ));
    let port = closed_port().await;
    match probe(&format!("postgres://postgres@127.0.0.1:{port}/x")).await {
        Probe::Failed(failure) => {
            assert_eq!(failure.cause, Cause::Refused);
            assert_eq!(failure.address, format!("127.0.0.1:{port}"));
        }
        other => panic!("{other:?}"),
    }
}

/// `--help` shows which variables each option reads, never their values: a secret in the
/// environment must not reach a terminal or a CI log that way.
#[tokio::test]
async fn help_never_prints_the_values_of_secret_variables() {
    // (variable, value, the secret part of the value)
    let variables = [
        (
            "DATABASE_URL",
            "postgres://app:pw-database@db/bg",
            "pw-database",
        ),
        (
            "BRANDGRAPH_MIGRATE_DATABASE_URL",
            "postgres://o:pw-migrate@db/bg",
            "pw-migrate",
        ),
        (
            "BRANDGRAPH_LISTEN_DATABASE_URL",
            "postgres://app:pw-listen@db/bg",
            "pw-listen",
        ),
        (
            "BRANDGRAPH_REPLICA_URLS",
            "postgres://app:pw-replica@r/bg",
            "pw-replica",
        ),
        ("JWT_SECRET", "pw-jwt-0123456789abcdef0123456789", "pw-jwt"),
        (
            "BRANDGRAPH_WEBHOOK_SECRETS",
            "reviews=pw-webhook",
            "pw-webhook",
        ),
    ];
    let mut command = Command::new(env!("CARGO_BIN_EXE_brandgraph"));
    command
        .args(["serve", "--help"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (name, value, _) in variables {
        command.env(name, value);
    }
    let output = command.output().await.expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    for (name, _, secret) in variables {
        assert!(
            !help.contains(secret),
            "--help printed {name}'s value:\n{help}"
        );
    }
}
