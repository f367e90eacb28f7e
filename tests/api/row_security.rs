//! Row-level security (migration `026_row_security`), checked on the database itself as
//! the gateway's login role: with no settings nothing is readable or writable, every
//! table with a `brand_id` column forces its policies, and a user's settings show their
//! brands' rows only. The catalog supplies the tables, so a new table is covered (or
//! fails) without editing this file.

use brandgraph::seed::{brands, users};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

/// Tables under row-level security, from the catalog.
const RLS_TABLES: &str = "SELECT c.relname::text FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND NOT c.relispartition AND c.relrowsecurity ORDER BY 1";

async fn gateway(app: &TestApp) -> Client {
    let (client, connection) =
        tokio_postgres::connect(&app.test_db.gateway_url(), tokio_postgres::NoTls)
            .await
            .expect("connect as the gateway");
    tokio::spawn(connection);
    client
}

async fn count(client: &Client, table: &str, filter: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table} {filter}"), &[])
        .await
        .unwrap_or_else(|err| panic!("{table}: {err}"))
        .get(0)
}

async fn seeded() -> (TestApp, Client, Vec<String>) {
    let app = spawn_app().await;
    app.seed_demo().await;
    let client = gateway(&app).await;
    let tables: Vec<String> = client
        .query(RLS_TABLES, &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(tables.len() > 50, "{tables:?}");
    (app, client, tables)
}

#[tokio::test]
async fn without_settings_the_gateway_reads_no_row_and_writes_none() {
    let (app, client, tables) = seeded().await;
    let mut owner_rows = 0;
    for table in &tables {
        assert_eq!(
            count(&client, table, "").await,
            0,
            "{table} without settings"
        );
        owner_rows += app
            .scalar(&format!("SELECT count(*)::text FROM {table}"))
            .await
            .parse::<i64>()
            .unwrap();
    }
    assert!(owner_rows > 500, "the seed holds {owner_rows} rows");
    // A kind no policy knows is no identity either.
    client
        .batch_execute("SET brandgraph.kind = 'owner'; SET brandgraph.user_id = ''")
        .await
        .unwrap();
    assert_eq!(count(&client, "content_items", "").await, 0);
    for insert in [
        format!(
            "INSERT INTO brand_history (brand_id, entry_id, timestamp, agent, action) VALUES ('{}', 'e', now(), 'test', 'x')",
            brands::AURORA
        ),
        format!(
            "INSERT INTO content_items (brand_id, type, content) VALUES ('{}', 'post', '{{}}')",
            brands::AURORA
        ),
        "INSERT INTO brands (name, slug) VALUES ('x', 'x')".to_string(),
    ] {
        let err = client.batch_execute(&insert).await.expect_err(&insert);
        assert_eq!(
            err.code(),
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            "{insert}: {err}"
        );
    }
    let updated = client
        .execute("UPDATE content_items SET title = 'x'", &[])
        .await
        .unwrap();
    assert_eq!(updated, 0);
}

#[tokio::test]
async fn every_table_with_a_brand_id_forces_row_level_security() {
    let (_app, client, _) = seeded().await;
    let unforced: Vec<String> = client
        .query(
            "SELECT c.relname::text FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                AND NOT c.relispartition
                AND (c.relname = 'brands' OR EXISTS (
                      SELECT 1 FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = 'brand_id' AND NOT a.attisdropped))
                AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        unforced.is_empty(),
        "brand-owned tables without forced RLS: {unforced:?}"
    );
}

/// `SET LOCAL`-style settings for `user` in the client's open transaction.
async fn act_as(client: &Client, kind: &str, user: Uuid) {
    client
        .batch_execute(&format!(
            "BEGIN; SELECT set_config('brandgraph.kind', '{kind}', true),
                           set_config('brandgraph.user_id', '{user}', true)"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_member_reads_the_rows_of_their_brands_only() {
    let (app, client, tables) = seeded().await;
    // Max Member belongs to Aurora only.
    let theirs: Vec<Uuid> = vec![brands::AURORA];
    act_as(&client, "user", users::MEMBER).await;
    let mut seen = 0;
    for table in tables.iter().filter(|t| *t != "brands") {
        let foreign = count(
            &client,
            table,
            &format!("WHERE brand_id IS DISTINCT FROM '{}'", brands::AURORA),
        )
        .await;
        assert_eq!(foreign, 0, "{table}: rows of other brands");
        seen += count(&client, table, "").await;
    }
    let owner_aurora: i64 = app
        .scalar(&format!(
            "SELECT count(*)::text FROM content_items WHERE brand_id = '{}'",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    assert_eq!(count(&client, "content_items", "").await, owner_aurora);
    assert!(seen > 100, "{seen} rows of Aurora");
    let brand_ids: Vec<Uuid> = client
        .query("SELECT id FROM brands ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(brand_ids, theirs);
    // Their own brand takes writes; another brand does not.
    client
        .batch_execute(&format!(
            "INSERT INTO brand_history (brand_id, entry_id, timestamp, agent, action) VALUES ('{}', 'e', now(), 'test', 'x')",
            brands::AURORA
        ))
        .await
        .unwrap();
    let err = client
        .batch_execute(&format!(
            "INSERT INTO brand_history (brand_id, entry_id, timestamp, agent, action) VALUES ('{}', 'e', now(), 'test', 'x')",
            brands::CASCADE
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{err}");
    client.batch_execute("ROLLBACK").await.unwrap();

    // The service kind reads every brand.
    act_as(&client, "service", Uuid::nil()).await;
    let all: i64 = app
        .scalar("SELECT count(*)::text FROM content_items")
        .await
        .parse()
        .unwrap();
    assert_eq!(count(&client, "content_items", "").await, all);
    client.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn the_readable_brands_are_looked_up_once_per_statement() {
    let (_app, client, _) = seeded().await;
    act_as(&client, "user", users::MEMBER).await;
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT c.id FROM content_items c JOIN leads l ON l.brand_id = c.brand_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("InitPlan"), "{plan}");
    assert!(!plan.contains("SubPlan"), "a per-row lookup: {plan}");
    client.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn a_compiled_plan_sets_the_settings_before_any_policy_is_read() {
    let (_app, client, _) = seeded().await;
    let sql = brandgraph::compile::with_viewer(
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM brands",
        (1, 2),
    );
    let member = users::MEMBER.to_string();
    let row = client.query_one(&sql, &[&member, &"user"]).await.unwrap();
    let ids: Option<String> = row.get(0);
    assert_eq!(ids, Some(brands::AURORA.to_string()));
    // The settings were the statement's own (autocommit): the next one has none.
    assert_eq!(count(&client, "brands", "").await, 0);
    let plan: Vec<String> = client
        .query(&format!("EXPLAIN {sql}"), &[&member, &"user"])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let plan = plan.join("\n");
    // The plan runs as a subplan of the settings' row, its policies' lookups as InitPlans.
    let subplan = plan.find("SubPlan").expect(&plan);
    assert!(plan[subplan..].contains("InitPlan"), "{plan}");
}

#[tokio::test]
async fn only_the_capture_triggers_write_the_change_log() {
    let (app, client, _) = seeded().await;
    // Every function that writes the log runs as its owner (a capture function added
    // later without it would leave the gateway unable to change that table at all).
    let invokers: Vec<String> = client
        .query(
            "SELECT p.oid::regprocedure::text FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND p.prosrc ~* 'into\\s+change_events' AND NOT p.prosecdef",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(invokers.is_empty(), "{invokers:?}");
    // A member cannot forge an event into their own brand's stream, nor the service kind.
    for (kind, user) in [("user", users::OWNER), ("service", Uuid::nil())] {
        act_as(&client, kind, user).await;
        let err = client
            .batch_execute(&format!(
                "INSERT INTO change_events (topic, brand_id, op) VALUES ('brand', '{}', 'update')",
                brands::AURORA
            ))
            .await
            .expect_err("the gateway wrote the change log");
        assert_eq!(
            err.code(),
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            "{err:?}"
        );
        client.batch_execute("ROLLBACK").await.unwrap();
    }
    // While a change the member may make is captured as before.
    let before = app.scalar("SELECT count(*)::text FROM change_events").await;
    act_as(&client, "user", users::OWNER).await;
    client
        .batch_execute(&format!(
            "UPDATE brands SET description = 'captured' WHERE id = '{}'; COMMIT",
            brands::AURORA
        ))
        .await
        .unwrap();
    let after = app.scalar("SELECT count(*)::text FROM change_events").await;
    assert!(
        after.parse::<i64>().unwrap() > before.parse::<i64>().unwrap(),
        "{before} → {after}"
    );
}

#[tokio::test]
async fn an_executor_read_sets_the_viewer_in_its_own_statement() {
    let app =
        crate::helpers::spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    app.seed_demo().await;
    let token = crate::helpers::user_token(users::MEMBER);
    let (response, log) = app
        .graphql_logged(
            Some(&token),
            "{ brands { edges { node { name contentItems(first: 2) { edges { node { title } } } } } } }",
            serde_json::json!({}),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let reads: Vec<&String> = log
        .iter()
        .filter(|sql| sql.contains("content_items"))
        .collect();
    assert!(!reads.is_empty(), "{log:?}");
    // No transaction of its own: the settings ride in the statement (one round trip).
    for sql in reads {
        assert!(
            sql.starts_with("SELECT viewed.* FROM (SELECT set_config("),
            "{sql}"
        );
    }
    assert!(
        !log.iter().any(|sql| sql.starts_with("SELECT set_config")),
        "{log:?}"
    );
}
