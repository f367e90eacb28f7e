//! The gateway behind a real PgBouncer in transaction pooling (`servers::pgbouncer`, Debian's
//! 1.18: no prepared-statement tracking), with the LISTEN connection direct.

use std::time::Duration;

use brandgraph::config::Pooler;
use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app_on, user_token};
use crate::servers;
use crate::ws_client::{TRANSPORT_WS, WsClient};

const CONTENT: &str =
    "subscription($brand: ID!) { contentStatusChanged(brandId: $brand) { status contentItemId } }";

/// Read shapes the dashboard uses: a list, a nested connection, the viewer, an aggregate.
const QUERIES: [&str; 4] = [
    "{ brands(first: 10) { totalCount edges { node { id name slug } } } }",
    "query($id: ID!) { brand(id: $id) { name contentItems(first: 5) { totalCount edges { node { id status } } } mediaAssets(first: 3) { totalCount } } }",
    "{ viewer { user { displayName } memberships { brandId role } } }",
    "query($id: ID!) { brand(id: $id) { analyticsSummary(days: 30) { totals { impressions } } } }",
];

/// An app whose pool goes through PgBouncer and whose listener connects directly.
async fn app_behind_pgbouncer() -> (TestApp, &'static servers::PgBouncer, String) {
    let bouncer = tokio::task::spawn_blocking(servers::pgbouncer)
        .await
        .expect("pgbouncer");
    let db = TestDb::migrated().await;
    let (direct, pooled) = (db.url(), format!("{}/{}", bouncer.url(), db.name));
    let listen = direct.clone();
    let app = spawn_app_on(db, |config| {
        config.database.database_url = pooled;
        config.database.listen_database_url = Some(listen);
        config.database.pooler = Pooler::Transaction;
        config.database.db_pool_size = 8;
    })
    .await;
    (app, bouncer, direct)
}

/// Transactions PgBouncer has run for `database` (its admin console's `SHOW STATS`).
async fn pooled_transactions(bouncer: &servers::PgBouncer, database: &str) -> u64 {
    let (client, connection) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user=postgres dbname=pgbouncer",
            bouncer.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .expect("pgbouncer's admin console");
    tokio::spawn(connection);
    let messages = client.simple_query("SHOW STATS").await.expect("SHOW STATS");
    messages
        .iter()
        .find_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row)
                if row.get("database") == Some(database) =>
            {
                row.get("total_xact_count")?.parse().ok()
            }
            _ => None,
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn queries_mutations_and_subscriptions_work_through_pgbouncer_in_transaction_mode() {
    let (app, bouncer, direct) = app_behind_pgbouncer().await;
    // Seeding runs its transaction through PgBouncer too.
    app.seed_demo().await;
    let mut live = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    let channels = app.hub.channel_count();
    live.subscribe("c", CONTENT, json!({ "brand": brands::AURORA }))
        .await;
    for _ in 0..200 {
        if app.hub.channel_count() > channels {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Many concurrent reads by several users, each shape three times (the executor
    // first, then its compiled plan): more client connections than PgBouncer has server
    // connections, so statements of different clients share server connections.
    let mut reads = Vec::new();
    for user in [users::OWNER, users::MANAGER, users::MEMBER, users::VIEWER] {
        for query in QUERIES {
            let app = &app;
            reads.push(async move {
                let token = user_token(user);
                let mut answers = Vec::new();
                for _ in 0..3 {
                    let response = app
                        .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
                        .await;
                    assert!(response["errors"].is_null(), "{query}: {response}");
                    answers.push(response);
                }
                assert!(
                    answers.windows(2).all(|pair| pair[0] == pair[1]),
                    "the same answer each time: {answers:?}"
                );
                answers.remove(0)
            });
        }
    }
    let answers: Vec<Value> = futures_util::future::join_all(reads).await;
    assert!(
        answers[0]["data"]["brands"]["totalCount"].as_i64() >= Some(3),
        "{}",
        answers[0]
    );
    assert!(answers[1]["data"]["brand"]["contentItems"]["totalCount"].as_i64() > Some(0));

    // Mutations: each its own transaction (a savepoint inside the checkout's), committed.
    let created = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($brand: ID!) { createContentItem(input: { brandId: $brand, type: \"post\", content: {} }) { id status } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let id = created["data"]["createContentItem"]["id"].clone();
    let renamed = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "mutation($id: ID!) { updateBrand(id: $id, input: { name: \"Through the pooler\" }) { name } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");
    // Committed before the answer: a direct session sees it at once.
    let direct = sea_orm::Database::connect(direct).await.expect("direct");
    let row = direct
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT name FROM brands WHERE id = '{}'", brands::AURORA),
        ))
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        row.try_get_by_index::<String>(0).expect("name"),
        "Through the pooler",
        "the mutation had committed when it answered"
    );
    let read_back = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($id: ID!) { brand(id: $id) { name } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(read_back["data"]["brand"]["name"], "Through the pooler");

    // A refused mutation rolls back and leaves the pooled connection usable.
    let refused = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "mutation($id: ID!) { updateBrand(id: $id, input: { name: \"no\" }) { name } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(refused["errors"].is_array(), "{refused}");
    let again = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($id: ID!) { brand(id: $id) { name } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(
        again["data"]["brand"]["name"], "Through the pooler",
        "{again}"
    );

    // The subscriber (whose listener LISTENs on its direct connection) sees the new item.
    let event = tokio::time::timeout(Duration::from_secs(10), live.next_data())
        .await
        .expect("the event arrives");
    let dump = app.scalar("SELECT string_agg(id::text || ' ' || status || ' ' || created_at::text, E'\n' ORDER BY created_at DESC) FROM (SELECT * FROM content_items ORDER BY created_at DESC LIMIT 5) x").await;
    let events = app.scalar("SELECT string_agg(seq::text || ' ' || topic || ' ' || entity_id::text || ' ' || op, E'\n' ORDER BY seq DESC) FROM (SELECT * FROM change_events ORDER BY seq DESC LIMIT 8) x").await;
    eprintln!("DEBUG created={created}\nitems:\n{dump}\nevents:\n{events}");
    assert_eq!(
        event["data"]["contentStatusChanged"]["contentItemId"], id,
        "{event}"
    );

    // And the work went through PgBouncer.
    assert!(
        pooled_transactions(bouncer, &app.test_db.name).await > 50,
        "PgBouncer ran the gateway's transactions"
    );
}
