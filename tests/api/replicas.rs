//! Read replicas against a real streaming replica (`servers::replicated`): where reads go,
//! read-your-writes while the replica's replay is paused, and a replica stopped under load.

use std::time::Duration;

use brandgraph::seed::{brands, users};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app_on, user_token};
use crate::servers::{self, Postgres};

const NAME: &str = "query($id: ID!) { brand(id: $id) { name } }";
const RENAME: &str =
    "mutation($id: ID!, $name: String!) { updateBrand(id: $id, input: { name: $name }) { name } }";

/// An app on a fresh database of the replicated primary, reading from `replica`.
async fn app_with_replica(replica: &Postgres) -> TestApp {
    let cluster = tokio::task::spawn_blocking(servers::replicated)
        .await
        .expect("servers");
    let db = TestDb::cloned_on(&cluster.primary.url(), &cluster.template).await;
    let replica_url = format!("{}/{}", replica.url(), db.name);
    let app = spawn_app_on(db, |config| {
        config.database.replicas.replica_urls = vec![replica_url];
        // The paused replica must stay usable for the length of the test.
        config.database.replicas.replica_max_lag_ms = 120_000;
        config.database.replicas.replica_pin_ms = 120_000;
        config.database.replicas.replica_poll_ms = 50;
    })
    .await;
    app.seed_demo().await;
    servers::caught_up(&cluster.primary, replica).await;
    app
}

/// `brandgraph_db_reads_total` for `target` (0 before its first read).
async fn reads(app: &TestApp, target: &str) -> u64 {
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let prefix = format!("brandgraph_db_reads_total{{target=\"{target}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

fn replica_target(replica: &Postgres) -> String {
    format!("127.0.0.1:{}", replica.port)
}

async fn brand_name(app: &TestApp, user: uuid::Uuid) -> Value {
    let response = app
        .graphql(
            Some(&user_token(user)),
            NAME,
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(response["errors"].is_null(), "{response}");
    response["data"]["brand"]["name"].clone()
}

/// Waits until the router has polled the replica and routes `user`'s reads to it.
async fn until_reads_go_to_the_replica(app: &TestApp, replica: &Postgres, user: uuid::Uuid) {
    let target = replica_target(replica);
    for _ in 0..200 {
        let before = reads(app, &target).await;
        brand_name(app, user).await;
        if reads(app, &target).await > before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("reads never went to the replica");
}

#[tokio::test]
async fn a_writer_reads_its_write_at_once_while_others_read_the_paused_replica() {
    let cluster = tokio::task::spawn_blocking(servers::replicated)
        .await
        .expect("servers");
    let replica = &cluster.replica;
    let app = app_with_replica(replica).await;
    let target = replica_target(replica);
    until_reads_go_to_the_replica(&app, replica, users::VIEWER).await;
    let old = brand_name(&app, users::OWNER).await;

    let paused = pause(replica).await;
    let renamed = app
        .graphql(
            Some(&user_token(users::OWNER)),
            RENAME,
            json!({ "id": brands::AURORA, "name": "Renamed while replay is paused" }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");

    // Twice each: the first run teaches the compiler, the second runs the compiled plan.
    for _ in 0..2 {
        let (primary_before, replica_before) =
            (reads(&app, "primary").await, reads(&app, &target).await);
        assert_eq!(
            brand_name(&app, users::OWNER).await,
            "Renamed while replay is paused",
            "the writer reads its own write"
        );
        assert_eq!(
            reads(&app, "primary").await,
            primary_before + 1,
            "from the primary"
        );
        assert_eq!(reads(&app, &target).await, replica_before);

        let replica_before = reads(&app, &target).await;
        assert_eq!(
            brand_name(&app, users::VIEWER).await,
            old,
            "another viewer is served by the replica, which has not replayed the write"
        );
        assert_eq!(reads(&app, &target).await, replica_before + 1);
    }

    // Once the replica has replayed the write, the writer reads from it again.
    paused.resume().await;
    servers::caught_up(&cluster.primary, replica).await;
    let mut back = false;
    for _ in 0..100 {
        let before = reads(&app, &target).await;
        let name = brand_name(&app, users::OWNER).await;
        assert_eq!(name, "Renamed while replay is paused");
        if reads(&app, &target).await > before {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        back,
        "the writer's reads never returned to the caught-up replica"
    );
    assert_eq!(
        brand_name(&app, users::VIEWER).await,
        "Renamed while replay is paused"
    );
}

#[tokio::test]
async fn stopping_a_replica_under_load_fails_no_request() {
    let cluster = tokio::task::spawn_blocking(servers::replicated)
        .await
        .expect("servers");
    // A replica of its own: stopping it must not disturb the other replica test.
    let replica = tokio::task::spawn_blocking(|| servers::start_replica(&cluster.primary))
        .await
        .expect("replica");
    let app = std::sync::Arc::new(app_with_replica(&replica).await);
    let target = replica_target(&replica);
    until_reads_go_to_the_replica(&app, &replica, users::VIEWER).await;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for (n, user) in [users::OWNER, users::VIEWER, users::MEMBER, users::MANAGER]
        .into_iter()
        .enumerate()
    {
        let (app, stop) = (app.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let token = user_token(user);
            let query = if n % 2 == 0 {
                NAME
            } else {
                "query($id: ID!) { brand(id: $id) { name contentItems(first: 5) { totalCount edges { node { id status } } } } }"
            };
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let response = app
                    .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
                    .await;
                assert!(response["errors"].is_null(), "a request failed: {response}");
                assert!(response["data"]["brand"]["name"].is_string(), "{response}");
                answered += 1;
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before_stop = reads(&app, &target).await;
    assert!(before_stop > 0, "the load was read from the replica");
    tokio::task::spawn_blocking(move || replica.stop())
        .await
        .expect("stop the replica");
    let primary_at_stop = reads(&app, "primary").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for task in load {
        answered += task.await.expect("no request failed");
    }
    assert!(answered > 20, "the load ran ({answered} requests)");
    assert!(
        reads(&app, "primary").await > primary_at_stop,
        "after the stop, the primary answered"
    );
}

/// A replica whose WAL replay is paused until [`Paused::resume`] (or the end of the test).
struct Paused {
    url: String,
}

async fn pause(replica: &Postgres) -> Paused {
    let url = replica.url();
    crate::helpers::admin_exec_on(&url, "SELECT pg_wal_replay_pause()").await;
    Paused { url }
}

impl Paused {
    async fn resume(self) {
        crate::helpers::admin_exec_on(&self.url, "SELECT pg_wal_replay_resume()").await;
        std::mem::forget(self);
    }
}

impl Drop for Paused {
    /// A failed test must not leave the shared replica paused.
    fn drop(&mut self) {
        let url = self.url.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(crate::helpers::admin_exec_on(
                    &url,
                    "SELECT pg_wal_replay_resume()",
                ));
        })
        .join();
    }
}
