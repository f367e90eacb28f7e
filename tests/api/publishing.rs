//! Publishing end to end: connect a platform, schedule approved content, and let the
//! reference worker publish it to a platform the test plays over real HTTP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use brandgraph::jobs::publish_worker::{self, WorkerConfig};
use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app, user_token};
use crate::ws_client::{TRANSPORT_WS, WsClient};

const TOKEN: &str = "tok-live-7f3a9c2e51";
const CONNECT: &str = "mutation($brand: ID!, $token: String!, $account: String) {
  connectPlatform(input: { brandId: $brand, platform: \"meta\", platformUserId: \"u-1\",
    platformAccountId: $account, displayName: \"Aurora on Meta\", scopes: [\"pages_manage_posts\"],
    accessToken: $token, refreshToken: \"refresh-secret-1\" }) {
    uuid id status hasAccessToken hasRefreshToken platform } }";

/// What the test platform received and how it answers.
#[derive(Default)]
struct Platform {
    /// Status codes to answer, in order; then 200.
    script: Mutex<Vec<u16>>,
    received: Mutex<Vec<(Option<String>, Value)>>,
}

async fn platform_endpoint(
    State(platform): State<Arc<Platform>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    platform.received.lock().unwrap().push((auth, body.clone()));
    let status = {
        let mut script = platform.script.lock().unwrap();
        if script.is_empty() {
            200
        } else {
            script.remove(0)
        }
    };
    let status = StatusCode::from_u16(status).unwrap();
    if status.is_success() {
        let id = format!(
            "post-{}",
            body["idempotencyKey"].as_str().unwrap_or_default()
        );
        (
            status,
            Json(json!({ "id": id, "url": format!("https://meta.test/{id}") })),
        )
    } else {
        (status, Json(json!({ "error": "platform says no" })))
    }
}

/// Serves the test platform on a random port; returns its URL.
async fn start_platform(script: Vec<u16>) -> (Arc<Platform>, String) {
    let platform = Arc::new(Platform {
        script: Mutex::new(script),
        ..Platform::default()
    });
    let router = axum::Router::new()
        .route("/publish", axum::routing::post(platform_endpoint))
        .with_state(platform.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (platform, format!("http://{addr}/publish"))
}

/// Runs the reference worker until the returned sender is dropped or fired.
fn start_worker(app: &TestApp, platform_url: &str) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let config = WorkerConfig {
        gateway: app.url("/graphql"),
        token: service_token().into(),
        platforms: vec![("meta".into(), platform_url.to_string())],
        batch: 10,
        lease_seconds: 30,
        idle_poll: Duration::from_millis(50),
        worker_id: "test-worker".into(),
    };
    tokio::spawn(publish_worker::run(config, async move {
        let _ = stopped.await;
    }));
    stop
}

async fn connect(app: &TestApp) -> Value {
    let response = app
        .graphql(
            Some(&user_token(users::OWNER)),
            CONNECT,
            json!({ "brand": brands::AURORA, "token": TOKEN }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    response["data"]["connectPlatform"].clone()
}

/// An approved content item of Aurora for Instagram (published through `meta`).
async fn approved_item(app: &TestApp) -> Uuid {
    let created = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($brand: ID!) { createContentItem(input: { brandId: $brand, type: \"post\", title: \"Launch\",
               content: { body: \"New roast today\" }, platform: \"instagram\" }) { uuid } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    let id: Uuid = created["data"]["createContentItem"]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    for (user, query) in [
        (
            users::MEMBER,
            "mutation($id: ID!) { submitForReview(id: $id) { status } }",
        ),
        (
            users::MANAGER,
            "mutation($id: ID!) { approvePost(id: $id) { status } }",
        ),
    ] {
        let response = app
            .graphql(Some(&user_token(user)), query, json!({ "id": id }))
            .await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    id
}

async fn schedule_soon(app: &TestApp, item: Uuid) {
    let at = (chrono::Utc::now() + chrono::Duration::milliseconds(300)).to_rfc3339();
    let response = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!, $at: DateTime!) { scheduleContent(id: $id, scheduledAt: $at, platforms: [\"instagram\"]) { status } }",
            json!({ "id": item, "at": at }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
}

/// Follows the brand's job events until one reaches `status`; returns every status seen.
async fn job_statuses_until(client: &mut WsClient, status: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let event = client.next_data().await;
        assert!(event["errors"].is_null(), "{event}");
        let current = event["data"]["publishJobUpdated"]["status"]
            .as_str()
            .unwrap()
            .to_string();
        seen.push(current.clone());
        if current == status {
            return seen;
        }
    }
}

async fn watch_jobs(app: &TestApp) -> WsClient {
    let mut client = WsClient::connect(app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    let after = app.cursor_now().await;
    client
        .subscribe(
            "jobs",
            "subscription($brand: ID!, $after: String) { publishJobUpdated(brandId: $brand, after: $after) { cursor status attempt errorCode } }",
            json!({ "brand": brands::AURORA, "after": after }),
        )
        .await;
    client
}

/// An approved item scheduled a moment ahead, a subscriber on the brand's jobs, the test
/// platform answering `script`, and the reference worker running against it.
struct Run {
    item: Uuid,
    jobs: WsClient,
    platform: Arc<Platform>,
    _worker: oneshot::Sender<()>,
}

async fn publish_through_worker(app: &TestApp, script: Vec<u16>) -> Run {
    let item = approved_item(app).await;
    let jobs = watch_jobs(app).await;
    schedule_soon(app, item).await;
    let (platform, url) = start_platform(script).await;
    let worker = start_worker(app, &url);
    Run {
        item,
        jobs,
        platform,
        _worker: worker,
    }
}

async fn job_of(app: &TestApp, item: Uuid) -> String {
    app.scalar(&format!(
        "SELECT id::text FROM publish_jobs WHERE content_item_id = '{item}'"
    ))
    .await
}

#[tokio::test]
async fn scheduled_content_is_published_by_the_worker() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let connection = connect(&app).await;
    assert_eq!(connection["hasAccessToken"], true);
    assert_eq!(connection["platform"], "meta");
    let Run {
        item,
        mut jobs,
        platform,
        _worker,
    } = publish_through_worker(&app, vec![]).await;

    let seen = job_statuses_until(&mut jobs, "PUBLISHED").await;
    assert_eq!(seen, ["PENDING", "PROCESSING", "PUBLISHED"]);
    let status = app
        .scalar(&format!(
            "SELECT status FROM content_items WHERE id = '{item}'"
        ))
        .await;
    assert_eq!(status, "published");
    let received = platform.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].0.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(received[0].1["body"], "New roast today");
    let job = job_of(&app, item).await;
    let logs = app
        .scalar(&format!(
            "SELECT string_agg(status, ',' ORDER BY created_at) FROM publishing_logs WHERE job_id = '{job}'"
        ))
        .await;
    assert_eq!(logs, "pending,processing,published");
    let audited = app
        .scalar(&format!(
            "SELECT count(*)::text FROM audit_logs WHERE resource_id = '{job}' AND action LIKE 'publish_job.%'"
        ))
        .await;
    assert_eq!(audited, "2", "claim and publication are audited");
    let shown = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($id: ID!) { brand(id: $id) { publishJobs { edges { node { status platformPostId attemptCount contentItem { uuid } } } } } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    let node = &shown["data"]["brand"]["publishJobs"]["edges"][0]["node"];
    assert_eq!(node["status"], "PUBLISHED", "{shown}");
    assert_eq!(node["attemptCount"], 1);
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_delays_then_published() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect(&app).await;
    let Run {
        item,
        mut jobs,
        platform,
        _worker,
    } = publish_through_worker(&app, vec![500, 503]).await;

    let seen = job_statuses_until(&mut jobs, "PUBLISHED").await;
    assert_eq!(
        seen,
        [
            "PENDING",
            "PROCESSING",
            "RETRYING",
            "PROCESSING",
            "RETRYING",
            "PROCESSING",
            "PUBLISHED"
        ]
    );
    assert_eq!(platform.received.lock().unwrap().len(), 3);
    let job = job_of(&app, item).await;
    let history: Value = serde_json::from_str(
        &app.scalar(&format!(
            "SELECT error_history::text FROM publish_jobs WHERE id = '{job}'"
        ))
        .await,
    )
    .unwrap();
    let waits: Vec<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["retry_in_ms"].as_i64().unwrap())
        .collect();
    assert_eq!(waits.len(), 2, "{history}");
    assert!(waits[1] > waits[0], "backoff grows: {waits:?}");
    assert_eq!(history[0]["code"], "HTTP_500");
}

#[tokio::test]
async fn a_client_error_sends_the_job_to_the_dead_letter_queue() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect(&app).await;
    let Run {
        item,
        mut jobs,
        platform: _,
        _worker,
    } = publish_through_worker(&app, vec![400]).await;

    let seen = job_statuses_until(&mut jobs, "DEAD").await;
    assert_eq!(seen, ["PENDING", "PROCESSING", "DEAD"]);
    let job = job_of(&app, item).await;
    let reason = app
        .scalar(&format!(
            "SELECT dlq_reason FROM publish_jobs WHERE id = '{job}'"
        ))
        .await;
    assert!(reason.contains("platform says no"), "{reason}");
    // A manager revives it from the dead-letter queue.
    let retried = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!) { retryPublishJob(id: $id) { status maxAttempts } }",
            json!({ "id": job }),
        )
        .await;
    assert_eq!(
        retried["data"]["retryPublishJob"]["status"], "PENDING",
        "{retried}"
    );
    job_statuses_until(&mut jobs, "PUBLISHED").await;
}

#[tokio::test]
async fn an_abandoned_claim_is_finished_by_another_worker_after_its_lease() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect(&app).await;
    let item = approved_item(&app).await;
    let mut jobs = watch_jobs(&app).await;
    schedule_soon(&app, item).await;
    job_statuses_until(&mut jobs, "PENDING").await;
    // A worker claims the job and dies without a word.
    let claim = "mutation { claimPublishJobs(platform: \"meta\", limit: 5, leaseSeconds: 5) { job { uuid } accessToken } }";
    let claimed = loop {
        let response = app.graphql(Some(&service_token()), claim, json!({})).await;
        let jobs = response["data"]["claimPublishJobs"]
            .as_array()
            .unwrap()
            .clone();
        if !jobs.is_empty() {
            break jobs;
        }
        // Due 300 ms after scheduling; nothing signals "now due".
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(claimed[0]["accessToken"], TOKEN);
    let (platform, url) = start_platform(vec![]).await;
    let _worker = start_worker(&app, &url);
    job_statuses_until(&mut jobs, "PUBLISHED").await;
    assert_eq!(
        platform.received.lock().unwrap().len(),
        1,
        "exactly one publication"
    );
    let job = job_of(&app, item).await;
    let attempts = app
        .scalar(&format!(
            "SELECT attempt_count::text FROM publish_jobs WHERE id = '{job}'"
        ))
        .await;
    assert_eq!(attempts, "2");
}

#[tokio::test]
async fn concurrent_workers_claim_each_job_once_within_the_rate_limit() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let connection = connect(&app).await;
    let connection_id = connection["uuid"].as_str().unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE connector_platforms SET rate_limit_requests = 150, rate_limit_window_seconds = 1;
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_type, body, publish_at)
               SELECT c.tenant_id, c.brand_id, c.id, 'post', 'job ' || n, now() - interval '1 minute'
                 FROM connections c CROSS JOIN generate_series(1, 500) n WHERE c.id = '{connection_id}';"
        ))
        .await
        .unwrap();
    let claim = "mutation { claimPublishJobs(platform: \"meta\", limit: 25, leaseSeconds: 60) { job { id } } }";
    let complete =
        "mutation($id: ID!) { completePublishJob(id: $id, platformPostId: \"p\") { status } }";
    let workers = (0..8).map(|_| {
        let app = &app;
        async move {
            loop {
                let response = app.graphql(Some(&service_token()), claim, json!({})).await;
                assert!(response.get("errors").is_none(), "{response}");
                let jobs = response["data"]["claimPublishJobs"]
                    .as_array()
                    .unwrap()
                    .clone();
                for job in &jobs {
                    let done = app
                        .graphql(
                            Some(&service_token()),
                            complete,
                            json!({ "id": job["job"]["id"] }),
                        )
                        .await;
                    assert!(done.get("errors").is_none(), "{done}");
                }
                let left: i64 = app
                    .scalar("SELECT count(*)::text FROM publish_jobs WHERE status <> 'published'")
                    .await
                    .parse()
                    .unwrap();
                if left == 0 {
                    return;
                }
                if jobs.is_empty() {
                    // The rate window refills with time; there is no event for it.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });
    futures_util::future::join_all(workers).await;
    let claimed_twice = app
        .scalar(
            "SELECT count(*)::text FROM (SELECT job_id FROM publishing_logs WHERE status = 'processing'
               GROUP BY job_id HAVING count(*) > 1) twice",
        )
        .await;
    assert_eq!(claimed_twice, "0");
    let busiest_window = app
        .scalar(
            "SELECT max(n)::text FROM (SELECT (SELECT count(*) FROM publishing_logs b
                 WHERE b.status = 'processing' AND b.created_at > a.created_at - interval '1 second'
                   AND b.created_at <= a.created_at) n
               FROM publishing_logs a WHERE a.status = 'processing') w",
        )
        .await;
    let busiest: i64 = busiest_window.parse().unwrap();
    assert!(busiest <= 150, "{busiest} claims in one window");
    assert!(
        busiest > 50,
        "the limit, not the workers, was the bottleneck: {busiest}"
    );
}

#[tokio::test]
async fn tokens_are_never_readable_and_are_bound_to_their_row() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let first = connect(&app).await;
    let second = app
        .graphql(
            Some(&user_token(users::OWNER)),
            CONNECT,
            json!({ "brand": brands::AURORA, "token": "tok-second-account", "account": "acct-2" }),
        )
        .await;
    assert!(!first.to_string().contains(TOKEN));
    let listed = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "query($id: ID!) { brand(id: $id) { connections { uuid hasAccessToken hasRefreshToken tokenExpiresAt } connectionStats { total active connectedPlatforms } } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(!listed.to_string().contains(TOKEN), "{listed}");
    assert_eq!(
        listed["data"]["brand"]["connectionStats"]["total"], 2,
        "{listed}"
    );
    assert_eq!(
        listed["data"]["brand"]["connectionStats"]["connectedPlatforms"],
        json!(["meta"])
    );

    // Neither the database's text nor its dump holds the token.
    let dump = std::process::Command::new("pg_dump")
        .arg(app.test_db.url())
        .output()
        .expect("pg_dump");
    assert!(dump.status.success());
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("encrypted_secrets"));
    assert!(!dump.contains(TOKEN) && !dump.contains("refresh-secret-1"));

    // A ciphertext moved to another row does not decrypt: that job goes to the DLQ.
    let (a, b) = (
        first["uuid"].as_str().unwrap(),
        second["data"]["connectPlatform"]["uuid"].as_str().unwrap(),
    );
    app.db
        .execute_unprepared(&format!(
            "UPDATE encrypted_secrets t SET encrypted_value = s.encrypted_value, iv = s.iv, auth_tag = s.auth_tag
               FROM encrypted_secrets s
              WHERE s.connection_id = '{a}' AND s.secret_type = 'access_token'
                AND t.connection_id = '{b}' AND t.secret_type = 'access_token';
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_type, body, publish_at)
               SELECT tenant_id, brand_id, id, 'post', 'x', now() - interval '1 second' FROM connections;"
        ))
        .await
        .unwrap();
    let claimed = app
        .graphql(
            Some(&service_token()),
            "mutation { claimPublishJobs(platform: \"meta\", limit: 10) { accessToken job { connection { uuid } } } }",
            json!({}),
        )
        .await;
    let claimed = claimed["data"]["claimPublishJobs"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0]["job"]["connection"]["uuid"], a);
    assert_eq!(claimed[0]["accessToken"], TOKEN);
    let reason = app
        .scalar(&format!(
            "SELECT dlq_reason FROM publish_jobs WHERE connection_id = '{b}'"
        ))
        .await;
    assert_eq!(reason, "the connection's access token cannot be decrypted");
}

#[tokio::test]
async fn rotation_reseals_every_token_and_workers_still_publish() {
    use brandgraph::secrets::Keyring;
    use secrecy::SecretString;
    let new_key = "bmV3LWtleS1mb3Itcm90YXRpb24tMzItYnl0ZXMhISE=";
    let app = crate::helpers::spawn_app_with(|config| {
        config.publishing.secrets_key = Some(new_key.into());
        config.publishing.secrets_key_id = "k2".into();
        config.publishing.secrets_previous_keys =
            vec![format!("k1:{}", crate::helpers::TEST_SECRETS_KEY).into()];
    })
    .await;
    app.seed_demo().await;
    let connection = connect(&app).await;
    let id: Uuid = connection["uuid"].as_str().unwrap().parse().unwrap();
    // Seal the token the old way, as a database from before the rotation holds it.
    let old = Keyring::new(
        "k1",
        &SecretString::from(crate::helpers::TEST_SECRETS_KEY),
        &[],
    )
    .unwrap();
    let tenant: Uuid = app
        .scalar(&format!(
            "SELECT tenant_id::text FROM connections WHERE id = '{id}'"
        ))
        .await
        .parse()
        .unwrap();
    brandgraph::domain::publishing::secrets::store(
        &app.db,
        &old,
        tenant,
        id,
        "access_token",
        &SecretString::from(TOKEN),
        None,
    )
    .await
    .unwrap();
    let keys = || {
        app.scalar("SELECT string_agg(DISTINCT key_id, ',' ORDER BY key_id) FROM encrypted_secrets")
    };
    assert_eq!(keys().await, "k1,k2");
    let current = Keyring::new(
        "k2",
        &SecretString::from(new_key),
        &[(
            "k1".into(),
            SecretString::from(crate::helpers::TEST_SECRETS_KEY),
        )],
    )
    .unwrap();
    let rotated = brandgraph::jobs::rotate_secrets::rotate_all(&app.db, &current, 1)
        .await
        .unwrap();
    assert_eq!(rotated, 1);
    assert_eq!(keys().await, "k2");
    // A second run has nothing left to do.
    assert_eq!(
        brandgraph::jobs::rotate_secrets::rotate_all(&app.db, &current, 1)
            .await
            .unwrap(),
        0
    );
    let Run {
        item: _,
        mut jobs,
        platform,
        _worker,
    } = publish_through_worker(&app, vec![]).await;
    job_statuses_until(&mut jobs, "PUBLISHED").await;
    let received = platform.received.lock().unwrap().clone();
    assert_eq!(
        received[0].0.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn publishing_is_refused_to_the_wrong_people() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let connection = connect(&app).await;
    let connection_id = connection["id"].as_str().unwrap();
    for (user, expected) in [(users::MEMBER, "FORBIDDEN"), (users::OUTSIDER, "NOT_FOUND")] {
        let response = app
            .graphql(
                Some(&user_token(user)),
                CONNECT,
                json!({ "brand": brands::AURORA, "token": "t", "account": "other" }),
            )
            .await;
        assert_eq!(error_code(&response), Some(expected), "{response}");
        let response = app
            .graphql(
                Some(&user_token(user)),
                "mutation($id: ID!) { disconnectPlatform(connectionId: $id) { status } }",
                json!({ "id": connection_id }),
            )
            .await;
        assert_eq!(error_code(&response), Some(expected), "{response}");
    }
    let response = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "mutation { claimPublishJobs(platform: \"meta\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&response), Some("FORBIDDEN"), "{response}");
    let response = app
        .graphql(
            Some(&service_token()),
            "mutation { claimPublishJobs(platform: \"myspace\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    // Disconnecting deletes the tokens.
    let response = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($id: ID!) { disconnectPlatform(connectionId: $id) { status hasAccessToken } }",
            json!({ "id": connection_id }),
        )
        .await;
    assert_eq!(
        response["data"]["disconnectPlatform"]["status"], "disconnected",
        "{response}"
    );
    assert_eq!(
        response["data"]["disconnectPlatform"]["hasAccessToken"],
        false
    );
}

#[tokio::test]
async fn platform_settings_sync_logs_and_stats_are_served() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect(&app).await;
    let configure = "mutation($brand: ID!) { configureConnectorPlatform(brandId: $brand, platform: \"meta\",
        settings: { rateLimitRequests: 5, rateLimitWindowSeconds: 60 }) { platform rateLimitRequests isEnabled } }";
    let refused = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            configure,
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let configured = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            configure,
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(
        configured["data"]["configureConnectorPlatform"],
        json!({ "platform": "meta", "rateLimitRequests": 5, "isEnabled": true }),
        "{configured}"
    );
    let record = "mutation($brand: ID!) { recordSyncLog(input: { brandId: $brand, platform: \"meta\",
        syncType: \"insights\", status: \"success\", itemsSynced: 42, startedAt: \"2026-11-01T10:00:00Z\" }) { itemsSynced } }";
    let refused = app
        .graphql(
            Some(&user_token(users::OWNER)),
            record,
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let recorded = app
        .graphql(
            Some(&service_token()),
            record,
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(
        recorded["data"]["recordSyncLog"]["itemsSynced"], 42,
        "{recorded}"
    );

    let item = approved_item(&app).await;
    let published = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!) { publishNow(contentItemId: $id) { status } }",
            json!({ "id": item }),
        )
        .await;
    assert_eq!(
        published["data"]["publishNow"],
        json!([{ "status": "PENDING" }]),
        "{published}"
    );
    let query = "{ brands(first: 3) { edges { node { publishingStats(days: 7) { platform inFlight published }
                    syncLogs { edges { node { syncType itemsSynced } } } } } } }";
    let (shown, statements) = app
        .graphql_counted(Some(&user_token(users::OWNER)), query, json!({}))
        .await;
    let aurora = shown["data"]["brands"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|edge| {
            !edge["node"]["publishingStats"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .cloned()
        .expect("Aurora has stats");
    assert_eq!(
        aurora["node"]["publishingStats"],
        json!([{ "platform": "meta", "inFlight": 1, "published": 0 }])
    );
    assert_eq!(
        aurora["node"]["syncLogs"]["edges"][0]["node"]["itemsSynced"],
        42
    );
    assert!(
        statements <= 4,
        "batched per relation, not per brand: {statements}"
    );
}
