//! The GraphQL-over-HTTP specification as the public `graphql-http` server audit checks
//! it, run by Node against the real server. Every MUST, SHOULD and MAY must pass.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::spawn_app;

const AUDIT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance");

/// Installs the audit's pinned packages (package-lock.json) when they are missing.
fn ensure_audit_installed() {
    if Path::new(AUDIT_DIR)
        .join("node_modules/graphql-http")
        .exists()
    {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefix", AUDIT_DIR])
        .status()
        .expect("npm is needed for the GraphQL-over-HTTP audit");
    assert!(status.success(), "npm ci failed");
}

#[tokio::test]
async fn the_graphql_over_http_audit_passes_in_full() {
    let app = spawn_app().await;
    tokio::task::spawn_blocking(ensure_audit_installed)
        .await
        .unwrap();
    let output = tokio::process::Command::new("node")
        .arg(Path::new(AUDIT_DIR).join("audit.mjs"))
        .arg(app.url("/graphql"))
        .output()
        .await
        .expect("node runs the audit");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "audit output: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(summary["total"].as_u64().unwrap() > 50, "{summary}");
    assert_eq!(summary["failed"], Value::Array(vec![]), "{summary:#}");
}
