//! Analytics over HTTP, checked against reference SQL written independently of the gateway.

use brandgraph::seed::{brands, seed_demo};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{error_code, service_token, spawn_app};

const SUMMARY: &str = "query($id: ID!, $days: Int = 30, $platform: String) { brand(id: $id) {
  analyticsSummary(days: $days, platform: $platform) {
    totals { reach impressions clicks engagement followers ctr rows }
    byPlatform { platform totals { reach clicks rows } } } } }";

/// (platform or "*", reach, impressions, clicks, rows) over the last `days` days.
async fn reference(
    db: &sea_orm::DatabaseConnection,
    days: i32,
) -> Vec<(String, f64, f64, f64, i64)> {
    let sql = format!(
        "SELECT coalesce(platform, '*'), sum((metrics->>'reach')::numeric)::float8,
                sum((metrics->>'impressions')::numeric)::float8, sum((metrics->>'clicks')::numeric)::float8, count(*)
           FROM analytics_metrics
          WHERE brand_id = '{}' AND date BETWEEN current_date - {} AND current_date
          GROUP BY ROLLUP (platform) ORDER BY 1",
        brands::AURORA,
        days - 1
    );
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
                r.try_get_by_index(3).unwrap(),
                r.try_get_by_index(4).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_summary_equals_a_reference_sql_aggregate() {
    let app = spawn_app().await;
    seed_demo(&app.db, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    for days in [1, 7, 30, 90] {
        let response = app
            .graphql(
                Some(&service_token()),
                SUMMARY,
                json!({ "id": brands::AURORA, "days": days }),
            )
            .await;
        let summary = &response["data"]["brand"]["analyticsSummary"];
        let expected = reference(&app.db, days).await;
        let (_, reach, impressions, clicks, rows) = expected.iter().find(|r| r.0 == "*").unwrap();
        assert_eq!(
            summary["totals"]["reach"].as_f64().unwrap(),
            *reach,
            "days {days}"
        );
        assert_eq!(
            summary["totals"]["impressions"].as_f64().unwrap(),
            *impressions
        );
        assert_eq!(summary["totals"]["clicks"].as_f64().unwrap(), *clicks);
        assert_eq!(summary["totals"]["rows"].as_i64().unwrap(), *rows);
        assert_eq!(*rows, 4 * days as i64, "four platforms a day");
        let ctr = summary["totals"]["ctr"].as_f64().unwrap();
        assert!((ctr - clicks / impressions).abs() < 1e-12);

        let by_platform = summary["byPlatform"].as_array().unwrap();
        assert_eq!(by_platform.len(), 4);
        for entry in by_platform {
            let platform = entry["platform"].as_str().unwrap();
            let (_, reach, _, clicks, rows) = expected.iter().find(|r| r.0 == platform).unwrap();
            assert_eq!(
                entry["totals"]["reach"].as_f64().unwrap(),
                *reach,
                "{platform}"
            );
            assert_eq!(
                entry["totals"]["clicks"].as_f64().unwrap(),
                *clicks,
                "{platform}"
            );
            assert_eq!(
                entry["totals"]["rows"].as_i64().unwrap(),
                *rows,
                "{platform}"
            );
        }
    }
}

#[tokio::test]
async fn a_platform_filter_narrows_the_summary_and_the_rows() {
    let app = spawn_app().await;
    seed_demo(&app.db, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    let token = service_token();
    let response = app
        .graphql(
            Some(&token),
            SUMMARY,
            json!({ "id": brands::AURORA, "days": 30, "platform": "tiktok" }),
        )
        .await;
    let summary = &response["data"]["brand"]["analyticsSummary"];
    let expected = reference(&app.db, 30).await;
    let tiktok = expected.iter().find(|r| r.0 == "tiktok").unwrap();
    assert_eq!(summary["totals"]["reach"].as_f64().unwrap(), tiktok.1);
    assert_eq!(summary["byPlatform"].as_array().unwrap().len(), 1);

    let today = chrono::Utc::now().date_naive();
    let rows = app
        .graphql(
            Some(&token),
            "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) { brand(id: $id) {
               analytics(from: $from, to: $to, platform: \"tiktok\") { date platform reach ctr raw } } }",
            json!({ "id": brands::AURORA, "from": today - chrono::Days::new(29), "to": today }),
        )
        .await;
    let rows = rows["data"]["brand"]["analytics"]
        .as_array()
        .unwrap_or_else(|| panic!("{rows}"));
    assert_eq!(rows.len(), 30);
    assert!(rows.iter().all(|r| r["platform"] == "tiktok"));
    let reach: f64 = rows.iter().map(|r| r["reach"].as_f64().unwrap()).sum();
    assert_eq!(reach, tiktok.1);
    assert_eq!(rows[0]["reach"].as_f64(), rows[0]["raw"]["reach"].as_f64());
}

#[tokio::test]
async fn bad_analytics_arguments_are_bad_user_input() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    for (query, vars) in [
        (SUMMARY, json!({ "id": brands::AURORA, "days": 0 })),
        (SUMMARY, json!({ "id": brands::AURORA, "days": 400 })),
        (
            SUMMARY,
            json!({ "id": brands::AURORA, "platform": "Robert'); DROP TABLE" }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { analytics(from: \"2026-02-01\", to: \"2026-01-01\") { date } } }",
            json!({ "id": brands::AURORA }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { analytics(from: \"2020-01-01\", to: \"2026-01-01\") { date } } }",
            json!({ "id": brands::AURORA }),
        ),
    ] {
        let response: Value = app.graphql(Some(&token), query, vars).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    }
}

/// The analytics rows of AURORA over the last 30 days selecting `fields`, by `brand(id)`
/// (fetched with the brand) and through `brands` (the loader), with the SQL that read them.
async fn metric_rows(app: &crate::helpers::TestApp, fields: &str) -> [(Value, String); 2] {
    let today = chrono::Utc::now().date_naive();
    let variables =
        json!({ "id": brands::AURORA, "from": today - chrono::Days::new(29), "to": today });
    let range = format!("analytics(from: $from, to: $to) {{ date platform postId {fields} }}");
    let by_id = format!(
        "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) {{ brand(id: $id) {{ {range} }} }}"
    );
    let listed = format!(
        "query($from: NaiveDate!, $to: NaiveDate!) {{ brands(first: 100) {{ edges {{ node {{ uuid {range} }} }} }} }}"
    );
    let mut answers = Vec::new();
    for (query, variables) in [(by_id, variables.clone()), (listed, variables)] {
        let (response, log) = app
            .graphql_logged(Some(&service_token()), &query, variables)
            .await;
        assert!(response.get("errors").is_none(), "{response}");
        let rows = match &response["data"]["brand"] {
            Value::Null => response["data"]["brands"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .find(|edge| edge["node"]["uuid"] == brands::AURORA.to_string())
                .map(|edge| edge["node"]["analytics"].clone())
                .unwrap(),
            brand => brand["analytics"].clone(),
        };
        let sql = log
            .into_iter()
            .find(|sql| sql.contains("FROM \"analytics_metrics\""))
            .expect("a statement reading analytics_metrics");
        answers.push((rows, sql));
    }
    answers.try_into().unwrap()
}

#[tokio::test]
async fn metric_rows_fetch_only_the_metric_keys_selected() {
    let app = spawn_app().await;
    seed_demo(&app.db, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    let [(whole, whole_sql), (listed_whole, _)] = metric_rows(&app, "id raw metadata").await;
    assert!(!whole_sql.contains("jsonb_build_object"), "{whole_sql}");
    assert_eq!(whole, listed_whole);
    let rows = whole.as_array().unwrap();
    assert!(rows.len() >= 4 * 30, "{}", rows.len());

    let narrow_fields = "reach clicks engagementRate";
    for (narrow, sql) in metric_rows(&app, narrow_fields).await {
        assert!(
            sql.contains("-> 'clicks' AS \"metrics__clicks\"") && !sql.contains("\"metadata\""),
            "only the selected keys, each a column, no metadata: {sql}"
        );
        assert!(
            !sql.contains("'impressions'") && !sql.contains("jsonb_build_object"),
            "{sql}"
        );
        let narrow = narrow.as_array().unwrap();
        assert_eq!(narrow.len(), rows.len());
        for (narrow, whole) in narrow.iter().zip(rows) {
            assert_eq!(
                (&narrow["date"], &narrow["platform"], &narrow["postId"]),
                (&whole["date"], &whole["platform"], &whole["postId"])
            );
            assert_eq!(narrow["reach"].as_f64(), whole["raw"]["reach"].as_f64());
            assert_eq!(narrow["clicks"].as_f64(), whole["raw"]["clicks"].as_f64());
            assert_eq!(
                narrow["engagementRate"].as_f64(),
                whole["raw"]["engagementRate"].as_f64()
            );
        }
        assert!(
            !sql.contains("\"analytics_metrics\".\"id\""),
            "no id: {sql}"
        );
    }

    // A row's id is read when its global id is selected, and is the row's own.
    for (with_id, sql) in metric_rows(&app, "id reach").await {
        assert!(sql.contains("\"analytics_metrics\".\"id\""), "{sql}");
        let ids = |rows: &Value| -> Vec<Value> {
            rows.as_array()
                .unwrap()
                .iter()
                .map(|row| row["id"].clone())
                .collect()
        };
        assert_eq!(ids(&with_id), ids(&whole));
    }
}
