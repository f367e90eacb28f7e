//! Analytics ingest: one statement, idempotent, all-or-nothing; goals follow the metrics.

use brandgraph::seed::{brands, users};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, service_token, spawn_app, user_token};

const INGEST: &str = "mutation($brand: ID!, $rows: [AnalyticsRowInput!]!) {
  ingestAnalytics(brandId: $brand, rows: $rows) { received written } }";

fn batch(n: usize, reach: u64) -> Value {
    let today = chrono::Utc::now().date_naive();
    Value::Array(
        (0..n)
            .map(|i| {
                let platform = ["instagram", "facebook", "linkedin", "youtube"][i % 4];
                json!({
                    "platform": platform,
                    "postId": format!("post-{}", i / 4),
                    "date": today - chrono::Days::new((i / 4 % 30) as u64),
                    "metrics": { "reach": reach + i as u64, "clicks": 3, "impressions": 100 },
                })
            })
            .collect(),
    )
}

async fn metrics_digest(app: &TestApp) -> String {
    app.scalar("SELECT count(*) || ':' || md5(string_agg(to_jsonb(m)::text, '' ORDER BY id)) FROM analytics_metrics m")
        .await
}

#[tokio::test]
async fn a_thousand_rows_are_one_upsert_statement_and_resending_changes_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let rows = batch(1000, 10);
    let (first, sql) = app
        .graphql_logged(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(
        first["data"]["ingestAnalytics"],
        json!({ "received": 1000, "written": 1000 }),
        "{first}"
    );
    let upserts: Vec<_> = sql
        .iter()
        .filter(|s| s.contains("INSERT INTO analytics_metrics"))
        .collect();
    assert_eq!(upserts.len(), 1, "one statement for the whole batch");
    assert!(upserts[0].contains("ON CONFLICT"));

    let digest = metrics_digest(&app).await;
    let again = app
        .graphql(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(again["data"]["ingestAnalytics"]["written"], 0, "{again}");
    assert_eq!(
        metrics_digest(&app).await,
        digest,
        "not even updated_at moved"
    );

    let changed = app
        .graphql(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": batch(8, 99) }),
        )
        .await;
    assert_eq!(
        changed["data"]["ingestAnalytics"]["written"], 8,
        "{changed}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM analytics_sync_logs WHERE brand_id = '{}'",
            brands::AURORA
        ))
        .await,
        "12",
        "one sync log per platform per batch"
    );
}

#[tokio::test]
async fn one_bad_row_rejects_the_whole_batch_naming_its_index() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let digest = metrics_digest(&app).await;
    let mut rows = batch(20, 10);
    rows[13]["metrics"]["reach"] = json!(-5);
    let response = app
        .graphql(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("rows[13]"),
        "{response}"
    );
    assert_eq!(metrics_digest(&app).await, digest);

    let mut future = batch(2, 10);
    future[1]["date"] = json!("2999-01-01");
    let response = app
        .graphql(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": future }),
        )
        .await;
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("rows[1]"),
        "{response}"
    );

    let too_many = app
        .graphql(
            Some(&service_token()),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": batch(1001, 1) }),
        )
        .await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"));
    assert_eq!(metrics_digest(&app).await, digest);
}

#[tokio::test]
async fn only_admins_and_the_service_role_may_ingest() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let rows = batch(4, 1);
    let manager = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(error_code(&manager), Some("FORBIDDEN"));
    let outsider = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(error_code(&outsider), Some("NOT_FOUND"));
    let admin = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            INGEST,
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(admin["data"]["ingestAnalytics"]["written"], 4, "{admin}");
}

#[tokio::test]
async fn goal_progress_is_recomputed_from_the_metrics() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let upsert = "mutation($brand: ID!, $deadline: DateTime!) {
        upsertAnalyticsGoal(brandId: $brand, metric: \"clicks\", target: 10000, deadline: $deadline) { metric current progress } }";
    let deadline = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let vars = json!({ "brand": brands::AURORA, "deadline": deadline });
    let manager = app
        .graphql(Some(&user_token(users::MANAGER)), upsert, vars.clone())
        .await;
    assert_eq!(error_code(&manager), Some("FORBIDDEN"));
    let goal = app
        .graphql(Some(&user_token(users::ADMIN)), upsert, vars.clone())
        .await;
    let before = goal["data"]["upsertAnalyticsGoal"]["current"]
        .as_f64()
        .unwrap_or_else(|| panic!("{goal}"));

    let today = chrono::Utc::now().date_naive();
    let rows = json!([{ "platform": "instagram", "postId": "goal-post", "date": today, "metrics": { "clicks": 250 } }]);
    app.graphql(
        Some(&service_token()),
        INGEST,
        json!({ "brand": brands::AURORA, "rows": rows }),
    )
    .await;
    let after = app
        .graphql(Some(&user_token(users::ADMIN)), upsert, vars)
        .await;
    let current = after["data"]["upsertAnalyticsGoal"]["current"]
        .as_f64()
        .unwrap();
    assert_eq!(current, before + 250.0, "{after}");
    let reference = app
        .scalar(&format!(
            "SELECT sum((metrics->>'clicks')::float8)::text FROM analytics_metrics
              WHERE brand_id = '{}' AND date = current_date",
            brands::AURORA
        ))
        .await;
    assert_eq!(current, reference.parse::<f64>().unwrap());
}

/// (brand, platform, day) keys whose rollup differs from the raw rows' aggregate (or
/// exists on one side only).
async fn rollup_mismatches(app: &TestApp) -> String {
    app.scalar(
        "WITH raw AS (
           SELECT brand_id, platform, date,
                  sum(analytics_metric(metrics, 'reach')) AS reach,
                  sum(analytics_metric(metrics, 'clicks')) AS clicks,
                  max(analytics_metric(metrics, 'followers')) AS followers, count(*) AS row_count
             FROM analytics_metrics GROUP BY 1, 2, 3)
         SELECT count(*)::text FROM raw FULL JOIN analytics_daily_rollups r USING (brand_id, platform, date)
          WHERE raw.row_count IS DISTINCT FROM r.row_count OR raw.reach IS DISTINCT FROM r.reach
             OR raw.clicks IS DISTINCT FROM r.clicks OR raw.followers IS DISTINCT FROM r.followers",
    )
    .await
}

#[tokio::test]
async fn the_daily_rollups_equal_the_raw_rows_under_concurrent_ingests_and_resends() {
    let app = spawn_app().await;
    app.seed_demo().await;
    assert_eq!(rollup_mismatches(&app).await, "0", "after the demo seed");
    let today = chrono::Utc::now().date_naive();
    // Eight ingests at once over the same days and platforms: half write new posts, half
    // re-send the same posts with other values (followers go down as well as up).
    let ingests =
        (0..8u64).map(|n| {
            let rows: Vec<Value> = (0..40u64)
            .map(|i| {
                let post = if n % 2 == 0 { format!("new-{n}-{i}") } else { format!("shared-{i}") };
                let platform = ["instagram", "facebook"][(i % 2) as usize];
                json!({
                    "platform": platform,
                    "postId": post,
                    "date": today - chrono::Days::new(i % 5),
                    "metrics": { "reach": 100 * n + i, "clicks": n, "followers": 1000 - 10 * n },
                })
            })
            .collect();
            let app = &app;
            async move {
                app.graphql(
                    Some(&service_token()),
                    INGEST,
                    json!({ "brand": brands::AURORA, "rows": rows }),
                )
                .await
            }
        });
    for response in futures_util::future::join_all(ingests).await {
        assert_eq!(
            response["data"]["ingestAnalytics"]["received"], 40,
            "{response}"
        );
    }
    assert_eq!(
        rollup_mismatches(&app).await,
        "0",
        "after concurrent ingests"
    );

    // Deleting raw rows (a brand's data removed) takes their days out of the rollups too.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DELETE FROM analytics_metrics WHERE post_id LIKE 'shared-%'")
        .await
        .unwrap();
    assert_eq!(rollup_mismatches(&app).await, "0", "after a delete");
}

#[tokio::test]
async fn analytics_sync_logs_are_read_newest_first_in_pages_by_every_member() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for reach in [10, 20] {
        let ingested = app
            .graphql(
                Some(&service_token()),
                INGEST,
                json!({ "brand": brands::AURORA, "rows": batch(8, reach) }),
            )
            .await;
        assert!(ingested["errors"].is_null(), "{ingested}");
    }
    const LOGS: &str = "query($id: ID!, $after: String, $platform: String) { brand(id: $id) {
        analyticsSyncLogs(first: 5, after: $after, platform: $platform) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { node { platform syncType status itemsSynced itemsFailed startedAt completedAt } } } } }";
    let viewer = user_token(users::VIEWER);
    let page = |after: Value, platform: Value| {
        let viewer = viewer.clone();
        let app = &app;
        async move {
            let response = app
                .graphql(
                    Some(&viewer),
                    LOGS,
                    json!({ "id": brands::AURORA, "after": after, "platform": platform }),
                )
                .await;
            assert!(response["errors"].is_null(), "{response}");
            response["data"]["brand"]["analyticsSyncLogs"].clone()
        }
    };

    // Two batches of four platforms: eight runs, each one platform's two rows.
    let first = page(Value::Null, Value::Null).await;
    assert_eq!(first["totalCount"], 8, "{first}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let node = &first["edges"][0]["node"];
    assert_eq!(
        (
            &node["syncType"],
            &node["status"],
            &node["itemsSynced"],
            &node["itemsFailed"]
        ),
        (&json!("ingest"), &json!("completed"), &json!(2), &json!(0)),
        "{first}"
    );
    let second = page(first["pageInfo"]["endCursor"].clone(), Value::Null).await;
    assert_eq!(second["edges"].as_array().unwrap().len(), 3, "{second}");
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let started: Vec<&str> = first["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["edges"].as_array().unwrap())
        .map(|e| e["node"]["startedAt"].as_str().unwrap())
        .collect();
    let mut newest_first = started.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(started, newest_first, "newest first");

    let instagram = page(Value::Null, json!("instagram")).await;
    assert_eq!(instagram["totalCount"], 2, "{instagram}");

    // Like every brand field: nothing for a caller outside the brand.
    let outsider = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            LOGS,
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(outsider["data"]["brand"].is_null(), "{outsider}");
}
