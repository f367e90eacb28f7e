//! Inbound webhooks, reviews and the learning loop (issue 12).

use brandgraph::domain::webhooks::signature::sign;
use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, WEBHOOK_PROVIDER, WEBHOOK_SECRET, error_code, service_token, spawn_app,
    spawn_app_with, user_token,
};

/// Sends a delivery signed at `at` (Unix seconds) with `secret`.
async fn deliver_signed(
    app: &TestApp,
    id: &str,
    body: &Value,
    at: i64,
    secret: &str,
) -> reqwest::Response {
    let body = body.to_string();
    app.http
        .post(app.url(&format!("/webhooks/{WEBHOOK_PROVIDER}")))
        .header("content-type", "application/json")
        .header("x-webhook-id", id)
        .header("x-webhook-timestamp", at.to_string())
        .header(
            "x-webhook-signature",
            sign(secret.as_bytes(), at, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn deliver(app: &TestApp, id: &str, body: &Value) -> reqwest::Response {
    deliver_signed(
        app,
        id,
        body,
        chrono::Utc::now().timestamp(),
        WEBHOOK_SECRET,
    )
    .await
}

/// Waits (bounded) until the delivery reached a final status; returns it and its attempts.
async fn settled(app: &TestApp, id: &str) -> (String, String) {
    let key = format!("{WEBHOOK_PROVIDER}:{id}");
    for _ in 0..500 {
        let row = app
            .scalar(&format!(
                "SELECT status || ':' || attempt_count FROM webhook_events WHERE idempotency_key = '{key}'"
            ))
            .await;
        if let Some((status, attempts)) = row.split_once(':')
            && ["processed", "ignored", "dead"].contains(&status)
        {
            return (status.to_string(), attempts.to_string());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("delivery {id} never settled");
}

fn review(brand: Uuid, review_id: &str) -> Value {
    json!({ "type": "review.created", "brandId": brand,
            "data": { "platform": "google", "reviewId": review_id, "rating": 4,
                      "text": "Lovely", "reviewerName": "Ana" } })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(&format!("SELECT ({sql})::text"))
        .await
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_signed_delivery_is_stored_once_and_processed_once() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let first = deliver(&app, "d-1", &review(brands::AURORA, "r-1")).await;
    assert_eq!(first.status(), 202);
    assert_eq!(settled(&app, "d-1").await, ("processed".into(), "1".into()));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM platform_reviews WHERE review_id = 'r-1'"
        )
        .await,
        1
    );

    // The same delivery ten times at once: one row, processed once.
    let body = review(brands::AURORA, "r-2");
    let sends = (0..10).map(|_| deliver(&app, "d-2", &body));
    let statuses: Vec<u16> = futures_util::future::join_all(sends)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(settled(&app, "d-2").await, ("processed".into(), "1".into()));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM webhook_events WHERE idempotency_key LIKE '%:d-2'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM platform_reviews WHERE review_id = 'r-2'"
        )
        .await,
        1
    );
    // Replayed later: acknowledged, ignored.
    let replay = deliver(&app, "d-2", &body).await;
    assert_eq!(replay.status(), 200);
}

#[tokio::test]
async fn bad_signatures_stale_timestamps_and_unknown_providers_store_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let before = count(&app, "SELECT count(*) FROM webhook_events").await;
    let body = review(brands::AURORA, "r-x");
    let now = chrono::Utc::now().timestamp();
    let forged = deliver_signed(&app, "x-1", &body, now, "not-the-secret-at-all-000").await;
    assert_eq!(forged.status(), 401);
    let answer: Value = forged.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "UNAUTHENTICATED");
    let stale = deliver_signed(&app, "x-2", &body, now - 3600, WEBHOOK_SECRET).await;
    assert_eq!(stale.status(), 401);
    let unsigned = app
        .http
        .post(app.url(&format!("/webhooks/{WEBHOOK_PROVIDER}")))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    let unknown = app
        .http
        .post(app.url("/webhooks/nobody"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let not_a_uuid = deliver(
        &app,
        "x-3",
        &json!({ "type": "review.created", "brandId": "aurora", "data": {} }),
    )
    .await;
    assert_eq!(not_a_uuid.status(), 400);
    let answer: Value = not_a_uuid.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "BAD_USER_INPUT", "{answer}");
    assert_eq!(
        count(&app, "SELECT count(*) FROM webhook_events").await,
        before
    );
}

#[tokio::test]
async fn a_failing_handler_is_retried_then_dead_and_never_touches_another_brand() {
    let app = spawn_app_with(|config| config.webhooks.webhook_max_attempts = 3).await;
    app.seed_demo().await;
    // A publish job of Cascade, named in a delivery for Aurora.
    let job: Uuid = app
        .scalar(&format!(
            "WITH p AS (INSERT INTO connector_platforms (tenant_id, platform_name, is_enabled)
                        SELECT tenant_id, 'meta', true FROM brands WHERE id = '{c}' RETURNING id, tenant_id),
                  conn AS (INSERT INTO connections (tenant_id, brand_id, platform_id, platform_user_id, display_name)
                           SELECT tenant_id, '{c}', id, 'u', 'Cascade on Meta' FROM p RETURNING id, tenant_id)
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_type, body, status)
             SELECT tenant_id, '{c}', id, 'post', 'hi', 'processing' FROM conn RETURNING id::text",
            c = brands::CASCADE
        ))
        .await
        .parse()
        .unwrap();
    let cross = json!({ "type": "post.published", "brandId": brands::AURORA,
                        "data": { "jobId": job, "platform": "meta", "platformPostId": "p-1" } });
    assert_eq!(deliver(&app, "f-1", &cross).await.status(), 202);
    assert_eq!(settled(&app, "f-1").await, ("dead".into(), "3".into()));
    let error = app
        .scalar("SELECT last_error FROM webhook_events WHERE idempotency_key LIKE '%:f-1'")
        .await;
    assert!(error.contains("no publish job"), "{error}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT status FROM publish_jobs WHERE id = '{job}'"
        ))
        .await,
        "processing"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM social_posts WHERE platform_post_id = 'p-1'"
        )
        .await,
        0
    );

    // The same report for the job's own brand publishes it and records the post.
    let own = json!({ "type": "post.published", "brandId": brands::CASCADE,
                      "data": { "jobId": job, "platform": "meta", "platformPostId": "p-1", "url": "https://x/p-1" } });
    assert_eq!(deliver(&app, "f-2", &own).await.status(), 202);
    assert_eq!(settled(&app, "f-2").await, ("processed".into(), "1".into()));
    assert_eq!(
        app.scalar(&format!(
            "SELECT status || ' ' || platform_post_id FROM publish_jobs WHERE id = '{job}'"
        ))
        .await,
        "published p-1"
    );
    assert_eq!(
        count(&app, &format!("SELECT count(*) FROM social_posts WHERE brand_id = '{}' AND platform_post_id = 'p-1'", brands::CASCADE)).await,
        1
    );

    // Readable per brand by owners and admins only; each sees only its brand's.
    let query = "query($b: ID!) { brand(id: $b) { webhookEvents { totalCount edges { node { status attemptCount lastError } } } } }";
    let owner = app
        .graphql(
            Some(&user_token(users::OWNER)),
            query,
            json!({ "b": brands::CASCADE }),
        )
        .await;
    assert_eq!(
        owner["data"]["brand"]["webhookEvents"]["totalCount"], 1,
        "{owner}"
    );
    assert_eq!(
        owner["data"]["brand"]["webhookEvents"]["edges"][0]["node"]["status"],
        "processed"
    );
    let member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            query,
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&member), Some("FORBIDDEN"), "{member}");
    let admin = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            query,
            json!({ "b": brands::AURORA }),
        )
        .await;
    let dead = admin["data"]["brand"]["webhookEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["status"] == "dead")
        .count();
    assert_eq!(dead, 1, "{admin}");
}

#[tokio::test]
async fn reviews_are_filtered_and_answered_by_members() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "query($b: ID!) { brand(id: $b) { platformReviews(minRating: 4, first: 100) { totalCount edges { node { id rating } } } } }";
    let seen = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            query,
            json!({ "b": brands::AURORA }),
        )
        .await;
    let expected = count(
        &app,
        &format!(
            "SELECT count(*) FROM platform_reviews WHERE brand_id = '{}' AND rating >= 4",
            brands::AURORA
        ),
    )
    .await;
    assert_eq!(
        seen["data"]["brand"]["platformReviews"]["totalCount"], expected,
        "{seen}"
    );
    let edges = seen["data"]["brand"]["platformReviews"]["edges"]
        .as_array()
        .unwrap();
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["rating"].as_i64().unwrap() >= 4)
    );
    let id = edges[0]["node"]["id"].as_str().unwrap();
    let respond = "mutation($id: ID!, $r: String!) { respondToReview(id: $id, response: $r) { responseText responseStatus } }";
    let viewer = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            respond,
            json!({ "id": id, "r": "Thanks!" }),
        )
        .await;
    assert_eq!(error_code(&viewer), Some("FORBIDDEN"), "{viewer}");
    let outsider = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            respond,
            json!({ "id": id, "r": "Thanks!" }),
        )
        .await;
    assert_eq!(error_code(&outsider), Some("NOT_FOUND"), "{outsider}");
    let member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            respond,
            json!({ "id": id, "r": "Thanks!" }),
        )
        .await;
    assert_eq!(
        member["data"]["respondToReview"],
        json!({ "responseText": "Thanks!", "responseStatus": "pending" }),
        "{member}"
    );
    let bad = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            query,
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert!(bad.get("errors").is_none());
    let out_of_range = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "query($b: ID!) { brand(id: $b) { platformReviews(minRating: 9) { totalCount } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        error_code(&out_of_range),
        Some("BAD_USER_INPUT"),
        "{out_of_range}"
    );
}

#[tokio::test]
async fn average_weights_equal_the_reference_aggregate_and_feedback_moves_them() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let log = "mutation($b: ID!, $w: Float) { logFeedback(brandId: $b, input: {
        insightId: \"i-9\", category: \"timing\", type: \"post_time\", feedback: POSITIVE, newWeight: $w }) { newWeight } }";
    for weight in [1.7, 0.3] {
        let logged = app
            .graphql(
                Some(&user_token(users::MEMBER)),
                log,
                json!({ "b": brands::AURORA, "w": weight }),
            )
            .await;
        assert_eq!(
            logged["data"]["logFeedback"]["newWeight"], weight,
            "{logged}"
        );
    }
    let refused = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            log,
            json!({ "b": brands::AURORA, "w": 1.0 }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let weights = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($b: ID!) { brand(id: $b) { averageWeights { category type averageWeight feedbackCount } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    let reference = app
        .scalar(&format!(
            "SELECT json_agg(json_build_object('category', category, 'type', type,
                     'averageWeight', avg, 'feedbackCount', n) ORDER BY category, type)::text
               FROM (SELECT category, type, avg(new_weight)::float8 AS avg, count(*) AS n
                       FROM advisor_feedback WHERE brand_id = '{}' GROUP BY category, type) t",
            brands::AURORA
        ))
        .await;
    let reference: Value = serde_json::from_str(&reference).unwrap();
    let served = &weights["data"]["brand"]["averageWeights"];
    assert_eq!(
        served.as_array().unwrap().len(),
        reference.as_array().unwrap().len(),
        "{weights}"
    );
    for (got, want) in served
        .as_array()
        .unwrap()
        .iter()
        .zip(reference.as_array().unwrap())
    {
        assert_eq!(got["category"], want["category"]);
        assert_eq!(got["type"], want["type"]);
        assert_eq!(got["feedbackCount"], want["feedbackCount"]);
        let (g, w) = (
            got["averageWeight"].as_f64().unwrap(),
            want["averageWeight"].as_f64().unwrap(),
        );
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
}

#[tokio::test]
async fn agents_write_briefs_packages_and_activity_that_members_read() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let service = service_token();
    let brief = "mutation($b: ID!) { createStrategyBrief(brandId: $b, input: { requestId: \"r\", cycleId: \"2027-Q1\",
        positioning: {}, voice: { tone: \"bold\" }, visual: {}, competitive: {} }) { version } }";
    for expected in ["v1", "v2"] {
        let made = app
            .graphql(Some(&service), brief, json!({ "b": brands::AURORA }))
            .await;
        assert_eq!(
            made["data"]["createStrategyBrief"]["version"], expected,
            "{made}"
        );
    }
    let member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            brief,
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&member), Some("FORBIDDEN"), "{member}");
    let bad_id = app
        .graphql(Some(&service), brief, json!({ "b": "not-a-uuid" }))
        .await;
    assert_eq!(error_code(&bad_id), Some("BAD_USER_INPUT"), "{bad_id}");

    let package = app
        .graphql(
            Some(&service),
            "mutation($b: ID!) { createContentPackage(brandId: $b, input: { contentId: \"pkg-new\", requestId: \"r\",
                cycleId: \"2027-Q1\", copy: { title: \"Spring roast\", body: \"Bright and floral.\" },
                collaborationLog: [], qualityScore: 8.4 }) { id status qualityScore } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        package["data"]["createContentPackage"]["status"], "pending_approval",
        "{package}"
    );
    assert_eq!(package["data"]["createContentPackage"]["qualityScore"], 8.4);
    let id = package["data"]["createContentPackage"]["id"]
        .as_str()
        .unwrap();
    let decide = "mutation($id: ID!) { decideContentPackage(id: $id, approve: true) { status contentItem { title status } } }";
    let by_member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            decide,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&by_member), Some("FORBIDDEN"), "{by_member}");
    let approved = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            decide,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        approved["data"]["decideContentPackage"],
        json!({ "status": "approved", "contentItem": { "title": "Spring roast", "status": "DRAFT" } }),
        "{approved}"
    );
    let twice = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            decide,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");

    let history = app
        .graphql(
            Some(&service),
            "mutation($b: ID!) { recordBrandHistory(brandId: $b, input: { entryId: \"e-9\", agent: \"analyst\",
                action: \"review\", tags: [\"learning\"] }) { uuid } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    let entry = history["data"]["recordBrandHistory"]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let tagged = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($b: ID!) { brand(id: $b) { brandHistory(tag: \"learning\") { totalCount edges { node { uuid agent } } }
                collaborationLogs(cycleId: \"2026-Q4\", agent: \"copywriter\") { totalCount } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        tagged["data"]["brand"]["brandHistory"]["totalCount"], 1,
        "{tagged}"
    );
    assert_eq!(
        tagged["data"]["brand"]["brandHistory"]["edges"][0]["node"]["uuid"],
        entry.as_str()
    );
    assert_eq!(
        tagged["data"]["brand"]["collaborationLogs"]["totalCount"],
        1
    );
    // Append-only: the database refuses to rewrite agent activity.
    let rewrite = app
        .db
        .execute_unprepared(&format!(
            "UPDATE brand_history SET action = 'x' WHERE id = '{entry}'"
        ))
        .await;
    assert!(rewrite.is_err());
    let plan = app
        .graphql(
            Some(&service),
            "mutation($b: ID!) { upsertAutoPlan(brandId: $b, month: \"2027-02-17\", planData: { posts: 3 }, confidence: 0.9) { month confidence } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        plan["data"]["upsertAutoPlan"],
        json!({ "month": "2027-02-01", "confidence": 0.9 }),
        "{plan}"
    );
    let _ = encode(NodeKind::Brand, brands::AURORA);
}

#[tokio::test]
async fn the_webhook_processor_sleeps_while_nothing_is_pending() {
    use brandgraph::domain::webhooks::processor::next_due_in;
    let app = spawn_app().await;
    // Nothing pending: no due time (it once answered "now", and the processor spun).
    assert_eq!(next_due_in(&app.db).await.unwrap(), None);
    app.db
        .execute_unprepared(
            "INSERT INTO webhook_events (provider, event_type, payload, status, next_attempt_at)
             VALUES ('test', 'retry.later', '{}', 'retrying', now() + interval '1 hour')",
        )
        .await
        .unwrap();
    let due = next_due_in(&app.db)
        .await
        .unwrap()
        .expect("a retry is pending");
    assert!(
        due > std::time::Duration::from_secs(3500) && due <= std::time::Duration::from_secs(3600),
        "{due:?}"
    );
}
