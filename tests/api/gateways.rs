//! Three real `brandgraph serve` processes on one database, each connecting as the
//! gateway's least-privileged login role: what one commits, a subscriber on another
//! receives once and in order even while a third is killed and restarted; and every
//! background job handles each due item once across the three.

use std::net::SocketAddr;
use std::time::Duration;

use brandgraph::domain::webhooks::signature::sign;
use brandgraph::seed::{brands, users};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use uuid::Uuid;

use crate::helpers::{
    TEST_SECRET, TEST_SECRETS_KEY, TestDb, WEBHOOK_PROVIDER, WEBHOOK_SECRET, service_token,
    user_token,
};
use crate::ws_client::{TRANSPORT_WS, WsClient};

/// One `brandgraph serve` process.
struct Gateway {
    child: Child,
    addr: SocketAddr,
}

impl Gateway {
    /// Starts a gateway on `addr` (port 0: any) and waits until it is ready.
    async fn start(test_db: &TestDb, port: u16) -> Self {
        let port = if port == 0 { free_port() } else { port };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_brandgraph"))
            .args(["serve", "--listen", &addr.to_string()])
            // The database is migrated: the gateway needs no owner's URL to start.
            .env("DATABASE_URL", test_db.gateway_url())
            .env_remove("BRANDGRAPH_MIGRATE_DATABASE_URL")
            .env("JWT_SECRET", TEST_SECRET)
            .env("BRANDGRAPH_SECRETS_KEY", TEST_SECRETS_KEY)
            .env(
                "BRANDGRAPH_WEBHOOK_SECRETS",
                format!("{WEBHOOK_PROVIDER}={WEBHOOK_SECRET}"),
            )
            .env("BRANDGRAPH_WEBHOOK_RETRY_BASE_MS", "20")
            .env("BRANDGRAPH_ESCALATION_INTERVAL_SECS", "1")
            .env("BRANDGRAPH_PRUNE_INTERVAL_SECS", "1")
            .env("BRANDGRAPH_RATE_LIMIT_PER_SEC", "0")
            .env("BRANDGRAPH_DB_POOL", "4")
            .env("BRANDGRAPH_LOG", "error")
            .kill_on_drop(true)
            .spawn()
            .expect("start a gateway");
        let gateway = Self { child, addr };
        gateway.wait_ready().await;
        gateway
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(response) = client
                .get(format!("http://{}/readyz", self.addr))
                .send()
                .await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gateway on {} did not become ready", self.addr);
    }

    /// Kills the process at once (SIGKILL: no graceful shutdown).
    async fn kill(&mut self) {
        self.child.kill().await.expect("kill");
    }

    async fn graphql(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = try_graphql(self.addr, token, query, variables)
            .await
            .expect("the gateway answers");
        assert!(response.get("errors").is_none(), "{response}");
        response
    }
}

/// POSTs a GraphQL request to the gateway at `addr`; `Err` when nothing answers.
async fn try_graphql(
    addr: SocketAddr,
    token: &str,
    query: &str,
    variables: Value,
) -> reqwest::Result<Value> {
    reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A migrated database with the demo data, seeded as the owner.
async fn seeded_db() -> (TestDb, DatabaseConnection) {
    let test_db = TestDb::migrated().await;
    let owner = test_db.connect().await;
    let anchor = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    brandgraph::seed::seed_demo(&owner, anchor)
        .await
        .expect("seed");
    (test_db, owner)
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> String {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("one row")
        .try_get_by_index::<Option<String>>(0)
        .expect("text")
        .unwrap_or_default()
}

async fn three_gateways(test_db: &TestDb) -> Vec<Gateway> {
    futures_util::future::join_all((0..3).map(|_| Gateway::start(test_db, 0))).await
}

const CREATE: &str = "mutation($brand: ID!, $title: String) {
  createContentItem(input: { brandId: $brand, type: \"post\", title: $title, content: {} }) { uuid } }";
const CONTENT: &str = "subscription($brand: ID!, $after: String) {
  contentStatusChanged(brandId: $brand, after: $after) { cursor status contentItemId } }";

/// Creates content items through the gateway at `addr` until `count` succeeded, retrying
/// (after a moment) while the process is down; returns the ids it was told were created.
async fn write_through(addr: SocketAddr, count: usize, tag: &str) -> Vec<String> {
    let member = user_token(users::MEMBER);
    let mut created = Vec::new();
    let mut attempt = 0;
    while created.len() < count {
        attempt += 1;
        let answer = try_graphql(
            addr,
            &member,
            CREATE,
            json!({ "brand": brands::AURORA, "title": format!("{tag}-{attempt}") }),
        )
        .await;
        match answer {
            Ok(response) if response.get("errors").is_none() => created.push(
                response["data"]["createContentItem"]["uuid"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            // Killed mid-request or down: this write may or may not have committed.
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    created
}

#[tokio::test]
async fn a_subscriber_on_one_of_three_gateways_gets_every_event_once_in_order_while_another_restarts()
 {
    let (test_db, owner) = seeded_db().await;
    let mut gateways = three_gateways(&test_db).await.into_iter();
    let (listening, steady, mut restarted) = (
        gateways.next().unwrap(),
        gateways.next().unwrap(),
        gateways.next().unwrap(),
    );
    let (steady_addr, restarted_addr) = (steady.addr, restarted.addr);
    let start = scalar(
        &owner,
        "SELECT coalesce(max(seq), 0)::text FROM change_events",
    )
    .await;
    let mut subscriber =
        WsClient::connect_at(listening.addr, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    subscriber
        .subscribe(
            "c",
            CONTENT,
            json!({ "brand": brands::AURORA, "after": start }),
        )
        .await;

    // Two writers (one per other gateway); the second's gateway is killed while its
    // writer keeps sending (after its tenth write) and started again on the same address.
    let (tenth, tenth_done) = tokio::sync::oneshot::channel::<()>();
    let restart = async {
        let _ = tenth_done.await;
        restarted.kill().await;
        let killed = std::time::Instant::now();
        let again = Gateway::start(&test_db, restarted_addr.port()).await;
        // Shown with --nocapture; docs/scaling.md quotes it.
        eprintln!(
            "a killed gateway was ready again after {:?}",
            killed.elapsed()
        );
        again
    };
    let second_writer = async {
        let mut created = write_through(restarted_addr, 10, "b").await;
        let _ = tenth.send(());
        created.extend(write_through(restarted_addr, 20, "b2").await);
        created
    };
    let (on_steady, on_restarted, _restarted_again) =
        tokio::join!(write_through(steady_addr, 30, "a"), second_writer, restart);

    // The truth: every content event committed since `start`, in commit order.
    let committed: Vec<String> = scalar(
        &owner,
        &format!(
            "SELECT coalesce(string_agg(entity_id::text, ',' ORDER BY seq), '') FROM change_events
              WHERE topic = 'content_status' AND brand_id = '{}' AND seq > {start}",
            brands::AURORA
        ),
    )
    .await
    .split(',')
    .map(str::to_string)
    .collect();
    for id in on_steady.iter().chain(&on_restarted) {
        assert!(
            committed.contains(id),
            "{id} was acknowledged but not committed"
        );
    }
    assert!(committed.len() >= 60, "{} events", committed.len());

    let mut received = Vec::new();
    let mut last_cursor = start.parse::<i64>().unwrap();
    while received.len() < committed.len() {
        let pushed = subscriber.next_data().await;
        let event = &pushed["data"]["contentStatusChanged"];
        assert!(event.is_object(), "{pushed}");
        let cursor: i64 = event["cursor"].as_str().unwrap().parse().unwrap();
        assert!(cursor > last_cursor, "cursor {cursor} after {last_cursor}");
        last_cursor = cursor;
        let id = event["contentItemId"].as_str().unwrap();
        received.push(
            brandgraph::graphql::ids::decode(id)
                .map(|(_, uuid)| uuid.to_string())
                .unwrap_or_else(|_| id.to_string()),
        );
    }
    assert_eq!(received, committed, "every event once, in commit order");
    // And nothing after them: no duplicate arrives late.
    assert!(
        subscriber
            .next_within(Duration::from_millis(300))
            .await
            .is_none(),
        "an event arrived twice"
    );
}

const CONNECT: &str = "mutation($brand: ID!) {
  connectPlatform(input: { brandId: $brand, platform: \"meta\", platformUserId: \"u-1\",
    displayName: \"Aurora on Meta\", scopes: [\"pages_manage_posts\"],
    accessToken: \"tok-three-gateways\" }) { uuid } }";

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    scalar(db, &format!("SELECT ({sql})::text"))
        .await
        .parse()
        .unwrap()
}

/// Polls `sql` (a count) until it equals `want`; bounded.
async fn until_count(db: &DatabaseConnection, sql: &str, want: i64) {
    for _ in 0..400 {
        if count(db, sql).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{sql} never reached {want} (is {})", count(db, sql).await);
}

#[tokio::test]
async fn each_due_item_is_handled_once_by_the_background_jobs_of_three_gateways() {
    let (test_db, owner) = seeded_db().await;
    // Only the escalation rule made below counts.
    owner
        .execute_unprepared("UPDATE escalation_rules SET enabled = false")
        .await
        .unwrap();
    let gateways = three_gateways(&test_db).await;

    // Publish jobs: three workers, one per gateway, claim until none is left.
    let connected = gateways[0]
        .graphql(
            &user_token(users::OWNER),
            CONNECT,
            json!({ "brand": brands::AURORA }),
        )
        .await;
    let connection = connected["data"]["connectPlatform"]["uuid"]
        .as_str()
        .unwrap();
    owner
        .execute_unprepared(&format!(
            "UPDATE connector_platforms SET rate_limit_requests = 10000, rate_limit_window_seconds = 1;
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_type, body, publish_at)
               SELECT c.tenant_id, c.brand_id, c.id, 'post', 'job ' || n, now() - interval '1 minute'
                 FROM connections c CROSS JOIN generate_series(1, 90) n WHERE c.id = '{connection}';"
        ))
        .await
        .unwrap();
    let claim = "mutation { claimPublishJobs(platform: \"meta\", limit: 4, leaseSeconds: 60) { job { id } } }";
    let complete =
        "mutation($id: ID!) { completePublishJob(id: $id, platformPostId: \"p\") { status } }";
    let workers = gateways.iter().map(|gateway| {
        let owner = &owner;
        async move {
            let mut claimed = Vec::new();
            loop {
                let response = gateway.graphql(&service_token(), claim, json!({})).await;
                let jobs = response["data"]["claimPublishJobs"]
                    .as_array()
                    .unwrap()
                    .clone();
                if jobs.is_empty() {
                    let left = "SELECT count(*) FROM publish_jobs WHERE status <> 'published'";
                    if count(owner, left).await == 0 {
                        return claimed;
                    }
                    // Another worker holds the last claims; they finish in milliseconds.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                for job in jobs {
                    let id = job["job"]["id"].clone();
                    gateway
                        .graphql(&service_token(), complete, json!({ "id": id }))
                        .await;
                    claimed.push(id.as_str().unwrap().to_string());
                }
            }
        }
    });
    let claimed: Vec<Vec<String>> = futures_util::future::join_all(workers).await;
    let mut all: Vec<&String> = claimed.iter().flatten().collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!((total, all.len()), (90, 90), "each job claimed once");
    assert!(
        claimed.iter().filter(|c| !c.is_empty()).count() >= 2,
        "the work was shared: {:?}",
        claimed.iter().map(Vec::len).collect::<Vec<_>>()
    );

    // Webhook deliveries: each stored once and processed once, whichever gateway got it.
    let client = reqwest::Client::new();
    let mut sends = Vec::new();
    for n in 0..30 {
        for (i, gateway) in gateways.iter().enumerate() {
            // Delivery n goes to one gateway; every tenth is sent to all three at once.
            if n % 10 != 0 && n % 3 != i {
                continue;
            }
            let body = json!({ "type": "review.created", "brandId": brands::AURORA,
                "data": { "platform": "google", "reviewId": format!("r-{n}"), "rating": 4,
                          "text": "Lovely", "reviewerName": "Ana" } })
            .to_string();
            let at = chrono::Utc::now().timestamp();
            sends.push(
                client
                    .post(format!(
                        "http://{}/webhooks/{WEBHOOK_PROVIDER}",
                        gateway.addr
                    ))
                    .header("content-type", "application/json")
                    .header("x-webhook-id", format!("d-{n}"))
                    .header("x-webhook-timestamp", at.to_string())
                    .header(
                        "x-webhook-signature",
                        sign(WEBHOOK_SECRET.as_bytes(), at, body.as_bytes()),
                    )
                    .body(body)
                    .send(),
            );
        }
    }
    for sent in futures_util::future::join_all(sends).await {
        assert!(sent.unwrap().status().is_success());
    }
    until_count(
        &owner,
        &format!(
            "SELECT count(*) FROM webhook_events WHERE status = 'processed' AND attempt_count = 1
               AND idempotency_key LIKE '{WEBHOOK_PROVIDER}:d-%'"
        ),
        30,
    )
    .await;
    let ours = format!(
        "SELECT count(*) FROM webhook_events WHERE idempotency_key LIKE '{WEBHOOK_PROVIDER}:d-%'"
    );
    assert_eq!(count(&owner, &ours).await, 30, "each delivery stored once");
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM (SELECT review_id FROM platform_reviews WHERE review_id LIKE 'r-%'
               GROUP BY review_id HAVING count(*) = 1) once"
        )
        .await,
        30
    );

    // Escalations: every gateway evaluates each second; an overdue approval is raised once
    // per level and its role told once per level.
    let approval: Uuid = scalar(
        &owner,
        &format!(
            "UPDATE post_approvals SET created_at = now() - interval '2 hours 10 minutes'
              WHERE id = (SELECT a.id FROM post_approvals a JOIN content_items c ON c.id = a.post_id
                           WHERE c.brand_id = '{}' AND a.status = 'pending' ORDER BY a.id LIMIT 1)
              RETURNING id::text",
            brands::AURORA
        ),
    )
    .await
    .parse()
    .unwrap();
    gateways[1]
        .graphql(
            &user_token(users::ADMIN),
            "mutation($b: ID!) { createEscalationRule(brandId: $b, triggerHours: 1, escalateToRole: MANAGER) { id } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    let levels = format!("SELECT count(*) FROM escalation_events WHERE approval_id = '{approval}'");
    until_count(&owner, &levels, 2).await;
    // Three more evaluation periods of all three gateways.
    let passes_before = count(&owner, "SELECT count(*) FROM escalation_events").await;
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    assert_eq!(count(&owner, &levels).await, 2);
    assert_eq!(
        count(&owner, "SELECT count(*) FROM escalation_events").await,
        passes_before,
        "nothing new became due, so nothing new was raised"
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM (SELECT escalation_event_id FROM workflow_notifications
               WHERE escalation_event_id IS NOT NULL GROUP BY escalation_event_id HAVING count(*) > 1) twice"
        )
        .await,
        0,
        "a role was told twice"
    );
    assert_eq!(
        count(
            &owner,
            &format!(
                "SELECT count(*) FROM workflow_notifications n JOIN escalation_events e
                   ON e.id = n.escalation_event_id WHERE e.approval_id = '{approval}'"
            )
        )
        .await,
        2
    );

    // Retention: events past the window are pruned by whichever gateway takes the pass,
    // through the owner's functions, and the cursor contract moves with them.
    let old_max = count(&owner, "SELECT max(seq) FROM change_events").await;
    owner
        .execute_unprepared(&format!(
            "UPDATE change_events SET created_at = now() - interval '30 days' WHERE seq <= {old_max}"
        ))
        .await
        .unwrap();
    until_count(
        &owner,
        "SELECT count(*) FROM change_events WHERE created_at < now() - interval '7 days'",
        0,
    )
    .await;
    assert_eq!(
        count(
            &owner,
            "SELECT value FROM realtime_state WHERE key = 'pruned_through'"
        )
        .await,
        old_max
    );
}
