//! Least privilege: the gateway connects as a login member of `brandgraph_gateway`,
//! which holds only the DML each table needs (migration `023_least_privilege`). Every
//! other test already runs the gateway as that role; these check the role itself.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio_postgres::error::SqlState;

use crate::helpers::{GATEWAY_LOGIN, TestDb, spawn_app};

const GROUP: &str = "brandgraph_gateway";

/// Tables the gateway only ever appends to. Tables guarded by an append-only trigger are
/// added to this list by the test itself, so a new one cannot be forgotten.
const APPEND_ONLY: &[&str] = &[
    "audit_logs",
    "brand_history",
    "collaboration_logs",
    "media_usage_logs",
    "publishing_logs",
    "analytics_sync_logs",
    "platform_sync_logs",
    "lead_activities",
    "advisor_feedback",
];

/// Tables the gateway only reads: the migration ledger, the retention marker (moved by
/// the pruning functions, which run as the owner) and the change log (written by the
/// capture triggers, which run as the owner: migration 028).
const READ_ONLY: &[&str] = &["seaql_migrations", "realtime_state", "change_events"];

const TABLE_PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    rows(db, sql)
        .await
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("text"))
        .collect()
}

/// What the gateway's group may do on `table`, by the rule the migration implements.
fn expected(table: &str, append_only: &[String], partition: bool) -> Vec<&'static str> {
    if partition {
        vec![]
    } else if READ_ONLY.contains(&table) {
        vec!["SELECT"]
    } else if append_only.iter().any(|t| t == table) {
        vec!["SELECT", "INSERT"]
    } else {
        vec!["SELECT", "INSERT", "UPDATE", "DELETE"]
    }
}

#[tokio::test]
async fn every_table_grants_the_gateway_exactly_the_dml_its_rule_allows() {
    let test_db = TestDb::migrated().await;
    let db = test_db.connect().await;
    let mut append_only: Vec<String> = APPEND_ONLY.iter().map(|t| t.to_string()).collect();
    append_only.extend(
        strings(
            &db,
            "SELECT DISTINCT tg.tgrelid::regclass::text FROM pg_trigger tg
               JOIN pg_proc p ON p.oid = tg.tgfoid
              WHERE NOT tg.tgisinternal AND p.proname IN ('append_only', 'audit_logs_append_only')",
        )
        .await,
    );
    let tables = rows(
        &db,
        "SELECT c.relname::text, c.relispartition, c.oid::int8 FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY c.relname",
    )
    .await;
    assert!(tables.len() > 40, "{} tables", tables.len());
    let mut wrong = BTreeMap::new();
    for table in &tables {
        let name: String = table.try_get_by_index(0).unwrap();
        let partition: bool = table.try_get_by_index(1).unwrap();
        let mut held = Vec::new();
        for privilege in TABLE_PRIVILEGES {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT has_table_privilege($1, ('public.' || quote_ident($2))::regclass, $3)",
                    [GROUP.into(), name.clone().into(), (*privilege).into()],
                ))
                .await
                .unwrap()
                .unwrap();
            if row.try_get_by_index::<bool>(0).unwrap() {
                held.push(*privilege);
            }
        }
        let want = expected(&name, &append_only, partition);
        if held != want {
            wrong.insert(name, format!("holds {held:?}, the rule says {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "privileges off the rule: {wrong:#?}");

    // Sequences: values may be drawn, never set.
    let sequences = strings(
        &db,
        "SELECT c.relname::text FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
            AND NOT (has_sequence_privilege('brandgraph_gateway', c.oid, 'USAGE')
                     AND NOT has_sequence_privilege('brandgraph_gateway', c.oid, 'UPDATE'))",
    )
    .await;
    assert!(
        sequences.is_empty(),
        "sequences off the rule: {sequences:?}"
    );

    // The group owns nothing, cannot act as an owner, and is as narrow as a role gets.
    let owned = strings(
        &db,
        "SELECT c.relname::text FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace
            AND pg_has_role('brandgraph_gateway', c.relowner, 'USAGE')
         UNION ALL
         SELECT p.proname::text FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace
            AND pg_has_role('brandgraph_gateway', p.proowner, 'USAGE')",
    )
    .await;
    assert!(owned.is_empty(), "the gateway owns {owned:?}");
    let attributes = strings(
        &db,
        "SELECT concat_ws(',', rolsuper::text, rolbypassrls::text, rolcreaterole::text,
                          rolcreatedb::text, rolreplication::text, rolcanlogin::text)
           FROM pg_roles WHERE rolname = 'brandgraph_gateway'",
    )
    .await;
    assert_eq!(attributes, ["false,false,false,false,false,false"]);
    let schema_create = strings(
        &db,
        "SELECT has_schema_privilege('brandgraph_gateway', 'public', 'CREATE')::text",
    )
    .await;
    assert_eq!(schema_create, ["false"]);

    // Every SECURITY DEFINER function pins its search_path and runs for the gateway only.
    let definers = rows(
        &db,
        "SELECT p.oid::regprocedure::text,
                coalesce(array_to_string(p.proconfig, ','), ''),
                has_function_privilege('brandgraph_gateway', p.oid, 'EXECUTE'),
                EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
           FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
          ORDER BY 1",
    )
    .await;
    assert!(definers.len() >= 3, "{} definer functions", definers.len());
    for function in definers {
        let name: String = function.try_get_by_index(0).unwrap();
        let config: String = function.try_get_by_index(1).unwrap();
        assert!(
            config.contains("search_path=public, pg_temp"),
            "{name}: {config}"
        );
        assert!(function.try_get_by_index::<bool>(2).unwrap(), "{name}");
        assert!(
            !function.try_get_by_index::<bool>(3).unwrap(),
            "{name} is executable by PUBLIC"
        );
    }
    db.close().await.ok();
}

/// A direct connection as the test gateway's login role.
async fn gateway_client(test_db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(&test_db.gateway_url(), tokio_postgres::NoTls)
            .await
            .expect("connect as the gateway");
    tokio::spawn(connection);
    client
}

#[tokio::test]
async fn the_gateway_role_cannot_truncate_alter_drop_disable_triggers_or_become_the_owner() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // The gateway itself runs as the login role.
    assert_eq!(app.scalar("SELECT current_user::text").await, GATEWAY_LOGIN);
    let client = gateway_client(&app.test_db).await;
    let owner = app
        .scalar("SELECT tableowner::text FROM pg_tables WHERE tablename = 'brands'")
        .await;
    for sql in [
        "TRUNCATE brands CASCADE".to_string(),
        "TRUNCATE change_events".into(),
        "ALTER TABLE brands ADD COLUMN sneaky int".into(),
        "ALTER TABLE brands DISABLE ROW LEVEL SECURITY".into(),
        "DROP TABLE audit_logs".into(),
        "CREATE TABLE stash (x int)".into(),
        "CREATE FUNCTION stash() RETURNS int LANGUAGE sql AS 'SELECT 1'".into(),
        "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only".into(),
        "ALTER TABLE audit_logs DISABLE TRIGGER ALL".into(),
        "SET session_replication_role = replica".into(),
        "UPDATE audit_logs SET action = 'forged'".into(),
        "DELETE FROM audit_logs".into(),
        "UPDATE change_events SET payload = '{}'".into(),
        "DELETE FROM change_events".into(),
        "UPDATE brand_history SET action = 'forged'".into(),
        "DELETE FROM change_events_default".into(),
        "UPDATE realtime_state SET value = 0".into(),
        "DELETE FROM seaql_migrations".into(),
        "SELECT setval('change_events_seq_counter', 1)".into(),
        "INSERT INTO change_events (topic, brand_id, op) VALUES ('brand', NULL, 'update')".into(),
        format!("SET ROLE {owner}"),
        "ALTER ROLE brandgraph_gateway BYPASSRLS".into(),
        format!("ALTER ROLE {GATEWAY_LOGIN} SUPERUSER"),
    ] {
        let err = client
            .batch_execute(&sql)
            .await
            .expect_err(&format!("the gateway's role ran: {sql}"));
        assert_eq!(
            err.code(),
            Some(&SqlState::INSUFFICIENT_PRIVILEGE),
            "{sql}: {err:?}"
        );
    }
    // Passing its rights on is a no-op (PostgreSQL warns, grants nothing).
    client
        .batch_execute("GRANT SELECT ON brands TO PUBLIC")
        .await
        .ok();
    assert_eq!(
        app.scalar("SELECT has_table_privilege('public', 'brands', 'SELECT')::text")
            .await,
        "false"
    );
    // Nothing above changed the data.
    assert_eq!(
        app.scalar("SELECT count(*)::text FROM audit_logs WHERE action = 'forged'")
            .await,
        "0"
    );
    // What it must do still works: its own rows, and the change log's maintenance through
    // the owner's narrow functions.
    client
        .batch_execute(
            "BEGIN;
             UPDATE brands SET description = description;
             SELECT create_change_event_partitions(3);
             SELECT drop_expired_change_event_partitions(now() - interval '30 days', 0);
             SELECT prune_change_events(now() - interval '30 days', 0);
             COMMIT;",
        )
        .await
        .expect("DML and maintenance");
}

#[tokio::test]
async fn serve_demo_migrates_as_the_owner_and_serves_as_a_member_of_the_gateway_group() {
    let test_db = TestDb::empty().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut demo = tokio::process::Command::new(env!("CARGO_BIN_EXE_brandgraph"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", test_db.url())
        .env_remove("BRANDGRAPH_MIGRATE_DATABASE_URL")
        .env("BRANDGRAPH_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start serve --demo");
    // The banner's form key line, read on a thread (stdout is a blocking pipe there) that
    // drains the pipe to its end: the server logs to stdout too, and a closed pipe would
    // end it at its next line.
    let stdout = demo.stdout.take().expect("stdout").into_owned_fd().unwrap();
    let (found, banner_key) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut found = Some(found);
        for line in std::io::BufReader::new(std::fs::File::from(stdout))
            .lines()
            .map_while(Result::ok)
        {
            if let Some(key) = line
                .strip_prefix("Form key:")
                .and_then(|rest| rest.split_whitespace().next())
                && let Some(found) = found.take()
            {
                found.send(key.to_string()).ok();
            }
        }
    });
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && response.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "serve --demo became ready");
    let admin = test_db.connect().await;
    let sessions = format!(
        "SELECT coalesce(string_agg(DISTINCT usename::text, ','), '') FROM pg_stat_activity
          WHERE datname = '{}' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
        test_db.name
    );
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = strings(&admin, &sessions).await;
        if seen == ["brandgraph_demo"] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, ["brandgraph_demo"], "the demo's sessions");
    let role = strings(
        &admin,
        "SELECT concat_ws(',', rolsuper::text, rolbypassrls::text, rolcreaterole::text,
                          pg_has_role('brandgraph_demo', 'brandgraph_gateway', 'MEMBER')::text)
           FROM pg_roles WHERE rolname = 'brandgraph_demo'",
    )
    .await;
    assert_eq!(role, ["false,false,false,true"]);
    // And it serves the seeded data as that role.
    let token = brandgraph::auth::jwt::mint_hs256(
        brandgraph::config::DEV_JWT_SECRET,
        &brandgraph::auth::jwt::claims_for(brandgraph::seed::users::OWNER, "authenticated", 3600),
    )
    .unwrap();
    let brands: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": "{ brands { totalCount } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        brands["data"]["brands"]["totalCount"].as_i64() >= Some(3),
        "{brands}"
    );
    // The banner's form key is live: its `curl` line creates a lead of Aurora.
    let form_key = banner_key.await.expect("the banner names the form key");
    assert_eq!(form_key, brandgraph::seed::DEMO_FORM_KEY);
    let captured = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/forms/{form_key}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=banner%40example.com&name=Ana+Ortiz")
        .send()
        .await
        .unwrap();
    assert_eq!(captured.status(), 202);
    assert_eq!(
        strings(
            &admin,
            "SELECT brand_id::text FROM leads WHERE email = 'banner@example.com'"
        )
        .await,
        [brandgraph::seed::brands::AURORA.to_string()]
    );
    demo.kill().await.ok();
    admin.close().await.ok();
}
