//! GraphiQL and the dashboard in a real browser (Debian's Chromium driven by
//! playwright-core from web/): nothing loads from outside localhost, queries and
//! subscriptions work, the dashboard's numbers equal a SQL reference, and a widget
//! follows a mutation within a second. Screenshots go to docs/screenshots/.

use std::path::Path;

use brandgraph::seed::{brands, users};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, user_token};

const WEB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web");

#[tokio::test]
async fn graphiql_and_the_dashboard_work_in_a_browser() {
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
        "Chromium is missing: scripts/test.sh installs it (apt-get install chromium)"
    );
    let app = spawn_app().await;
    let today = chrono::Utc::now().date_naive();
    brandgraph::seed::seed_demo(&app.db, today).await.unwrap();
    app.settle_realtime().await;
    let reference = app
        .scalar(&format!(
            "SELECT json_build_object('reach', sum((metrics->>'reach')::bigint), 'rows', count(*))::text
               FROM analytics_metrics
              WHERE brand_id = '{}' AND date > current_date - 30 AND date <= current_date",
            brands::AURORA
        ))
        .await;
    let output = tokio::process::Command::new("node")
        .arg(Path::new(WEB).join("tests/browser.mjs"))
        .arg(format!("http://{}", app.addr))
        .arg(user_token(users::OWNER))
        .arg(brands::AURORA.to_string())
        .arg(&reference)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screenshots"))
        .output()
        .await
        .expect("node runs the browser test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|_| panic!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(result["ok"], true, "{result:#}");
    // Timings are reported, not asserted (see the issue notes for measured figures).
    eprintln!("browser report: {}", result["report"]);
    assert_eq!(result["report"]["externalRequests"], json!([]));
}
