//! Realtime over real websockets: delivery, isolation, ordering under interleaved commits
//! and a killed listener, resume with `after`, several gateways, live summaries, expiry.

use std::collections::HashSet;
use std::time::Duration;

use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TEST_SECRET, TestApp, admin_exec, service_token, spawn_app, spawn_app_with, user_token,
};
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};

const APPROVALS: &str = "subscription($brand: ID!, $after: String) {
  approvalUpdated(brandId: $brand, after: $after) { cursor op approvalId postId status } }";
const CONTENT: &str = "subscription($brand: ID!) { contentStatusChanged(brandId: $brand) { cursor status previousStatus contentItemId } }";

async fn approvals_of(app: &TestApp, user: Uuid, brand: Uuid, after: Option<String>) -> WsClient {
    let mut client = WsClient::connect(app, TRANSPORT_WS, &user_token(user)).await;
    let channels = app.hub.channel_count();
    client
        .subscribe("1", APPROVALS, json!({ "brand": brand, "after": after }))
        .await;
    // Wait until the server has registered the subscription (or refused it).
    for _ in 0..100 {
        if app.hub.channel_count() > channels {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client
}

/// Inserts `n` pending approvals (with no post) for `brand` in one transaction.
pub(crate) async fn insert_approvals(app: &TestApp, brand: Uuid, n: usize) {
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO post_approvals (brand_id, status) SELECT '{brand}', 'pending' FROM generate_series(1, {n})"
        ))
        .await
        .unwrap();
}

/// Nothing arrives on `client` for a while.
async fn assert_quiet(client: &mut WsClient) {
    if let Some(event) = client.next_within(Duration::from_millis(400)).await {
        panic!("expected nothing, got {event:?}");
    }
}

#[tokio::test]
async fn a_mutation_reaches_subscribers_of_its_brand_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut aurora = WsClient::connect(&app, LEGACY_WS, &user_token(users::MANAGER)).await;
    aurora
        .subscribe("a", CONTENT, json!({ "brand": brands::AURORA }))
        .await;
    let mut borealis = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    borealis
        .subscribe("b", CONTENT, json!({ "brand": brands::BOREALIS }))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let created = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($brand: ID!) { createContentItem(input: { brandId: $brand, type: \"post\", content: {} }) { id } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    let id = created["data"]["createContentItem"]["id"].clone();
    let event = aurora.next_data().await;
    assert_eq!(
        event["data"]["contentStatusChanged"]["contentItemId"], id,
        "{event}"
    );
    assert_eq!(event["data"]["contentStatusChanged"]["status"], "DRAFT");
    assert_quiet(&mut borealis).await;
}

#[tokio::test]
async fn an_outsider_cannot_subscribe_to_a_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut outsider = approvals_of(&app, users::OUTSIDER, brands::AURORA, None).await;
    let refused = outsider.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert!(refused["data"].is_null());
    match outsider.next().await {
        WsEvent::Message(message) => assert_eq!(message["type"], "complete", "{message}"),
        other => panic!("{other:?}"),
    }
    insert_approvals(&app, brands::AURORA, 1).await;
    assert_quiet(&mut outsider).await;
}

#[tokio::test]
async fn interleaved_commits_and_a_killed_listener_lose_nothing_and_keep_seq_order() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = approvals_of(&app, users::MANAGER, brands::AURORA, None).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // 8 writers x 125 transactions; each sleeps a random moment between taking its seq and
    // committing, so commits interleave out of seq order; some roll back, leaving gaps.
    let url = app.test_db.url();
    let writers = (0..8).map(|_| {
        let url = url.clone();
        tokio::spawn(async move {
            let db = sea_orm::Database::connect(url).await.unwrap();
            for i in 0..125 {
                let end = if i % 10 == 3 { "ROLLBACK" } else { "COMMIT" };
                let sql = format!(
                    "BEGIN;
                     INSERT INTO post_approvals (brand_id, status) VALUES ('{}', 'pending');
                     SELECT pg_sleep(random() * 0.004);
                     {end};",
                    brands::AURORA,
                );
                if let Err(err) = db.execute_unprepared(&sql).await {
                    eprintln!("writer transaction failed: {err}");
                }
            }
            db.close().await.ok();
        })
    });
    let writers: Vec<_> = writers.collect();
    let killer = {
        let name = app.test_db.name.clone();
        tokio::spawn(async move {
            for _ in 0..2 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                admin_exec(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                      WHERE datname = '{name}' AND application_name = 'brandgraph-listener'"
                ))
                .await;
            }
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    killer.await.unwrap();

    let expected: i64 = app
        .scalar(&format!(
            "SELECT count(*)::text FROM post_approvals WHERE brand_id = '{}' AND post_id IS NULL",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    assert!(expected >= 850, "most transactions committed: {expected}");
    let mut cursors: Vec<i64> = Vec::new();
    let mut ids = HashSet::new();
    let db_seqs = app
        .scalar(&format!(
            "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM change_events
              WHERE topic = 'approval' AND brand_id = '{}' AND payload->>'post_id' IS NULL",
            brands::AURORA
        ))
        .await;
    while (cursors.len() as i64) < expected {
        let Some(WsEvent::Message(event)) = client.next_within(Duration::from_secs(10)).await
        else {
            let got: Vec<String> = cursors.iter().map(|c| c.to_string()).collect();
            let missing: Vec<&str> = db_seqs
                .split(',')
                .filter(|s| !got.contains(&s.to_string()))
                .collect();
            panic!(
                "stalled after {} of {expected}; missing {missing:?}; stats lagged={} published={}",
                got.len(),
                app.hub
                    .stats()
                    .lagged
                    .load(std::sync::atomic::Ordering::Relaxed),
                app.hub
                    .stats()
                    .published
                    .load(std::sync::atomic::Ordering::Relaxed)
            );
        };
        let event = event["payload"].clone();
        let approval = &event["data"]["approvalUpdated"];
        assert!(approval.is_object(), "{event}");
        cursors.push(approval["cursor"].as_str().unwrap().parse::<i64>().unwrap());
        assert!(
            ids.insert(approval["approvalId"].as_str().unwrap().to_string()),
            "duplicate {approval}"
        );
    }
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "seq order");
    if let Some(extra) = client.next_within(Duration::from_millis(400)).await {
        let in_db = app
            .scalar(&format!(
                "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM change_events
                  WHERE topic = 'approval' AND brand_id = '{}' AND payload->>'post_id' IS NULL",
                brands::AURORA
            ))
            .await;
        let got: Vec<String> = cursors.iter().map(|c| c.to_string()).collect();
        let missing: Vec<&str> = in_db
            .split(',')
            .filter(|s| !got.contains(&s.to_string()))
            .collect();
        panic!(
            "extra {extra:?}; db has {} events, got {}; missing {missing:?}; first got {:?}",
            in_db.split(',').count(),
            got.len(),
            &got[..5]
        );
    }
}

#[tokio::test]
async fn reconnecting_with_after_replays_exactly_the_missed_events_then_goes_live() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = approvals_of(&app, users::MANAGER, brands::AURORA, None).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    insert_approvals(&app, brands::AURORA, 3).await;
    let mut last = String::new();
    for _ in 0..3 {
        last = client.next_data().await["data"]["approvalUpdated"]["cursor"]
            .as_str()
            .unwrap()
            .to_string();
    }
    drop(client);

    insert_approvals(&app, brands::AURORA, 5).await;
    insert_approvals(&app, brands::BOREALIS, 2).await;
    let mut resumed = approvals_of(&app, users::MANAGER, brands::AURORA, Some(last.clone())).await;
    let mut replayed = Vec::new();
    for _ in 0..5 {
        let event = resumed.next_data().await;
        replayed.push(
            event["data"]["approvalUpdated"]["cursor"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        );
    }
    assert!(replayed[0] > last.parse::<i64>().unwrap());
    assert!(replayed.windows(2).all(|w| w[0] < w[1]));
    insert_approvals(&app, brands::AURORA, 1).await;
    let live = resumed.next_data().await;
    let live_cursor: i64 = live["data"]["approvalUpdated"]["cursor"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(live_cursor > replayed[4]);
    assert_quiet(&mut resumed).await;
}

#[tokio::test]
async fn a_cursor_older_than_the_retention_window_is_expired() {
    let app = spawn_app().await;
    app.seed_demo().await;
    app.owner()
        .await
        .execute_unprepared("UPDATE change_events SET created_at = now() - interval '30 days'")
        .await
        .unwrap();
    let pruned = brandgraph::realtime::retention::prune_once(
        &app.db,
        &app.hub,
        Duration::from_secs(7 * 24 * 3600),
    )
    .await
    .unwrap();
    assert!(pruned > 0);
    let mut client = approvals_of(&app, users::MANAGER, brands::AURORA, Some("1".into())).await;
    let refused = client.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "CURSOR_EXPIRED",
        "{refused}"
    );
}

#[tokio::test]
async fn two_gateway_processes_both_deliver_every_event() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut other = tokio::process::Command::new(env!("CARGO_BIN_EXE_brandgraph"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", app.test_db.gateway_url())
        .env("BRANDGRAPH_MIGRATE_DATABASE_URL", app.test_db.url())
        .env("JWT_SECRET", TEST_SECRET)
        .env("BRANDGRAPH_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("start a second gateway");
    let other_url = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(format!("{other_url}/readyz")).await
            && response.status() == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the second gateway became ready");

    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut on_b = WsClient::connect_at(addr, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    on_b.subscribe("1", APPROVALS, json!({ "brand": brands::AURORA }))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let member = user_token(users::MEMBER);
    let created = app
        .graphql(
            Some(&member),
            "mutation($brand: ID!) { createContentItem(input: { brandId: $brand, type: \"post\", content: {} }) { uuid } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    let id: Uuid = created["data"]["createContentItem"]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.graphql(
        Some(&member),
        "mutation($id: ID!) { submitForReview(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    let event = on_b.next_data().await;
    assert_eq!(
        event["data"]["approvalUpdated"]["status"], "PENDING",
        "{event}"
    );
    assert_eq!(
        event["data"]["approvalUpdated"]["postId"],
        brandgraph::graphql::ids::encode(brandgraph::graphql::ids::NodeKind::ContentItem, id).0
    );
    other.kill().await.ok();
}

#[tokio::test]
async fn a_thousand_row_ingest_sends_one_notify_and_one_summary_push_per_key() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let summary = "subscription($brand: ID!) { analyticsSummary(brandId: $brand, days: 30) { totals { reach rows } } }";
    let mut first = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    first
        .subscribe("s", summary, json!({ "brand": brands::AURORA }))
        .await;
    let mut second = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    second
        .subscribe("s", summary, json!({ "brand": brands::AURORA }))
        .await;
    let initial = first.next_data().await;
    second.next_data().await;

    // Count NOTIFYs with our own LISTEN connection.
    let (listener, mut connection) =
        tokio_postgres::connect(&app.test_db.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
    let (tx, mut notifications) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let tokio_postgres::AsyncMessage::Notification(n) = message {
                let _ = tx.send(n.payload().to_string());
            }
        }
    });
    listener
        .batch_execute("LISTEN brandgraph_events")
        .await
        .unwrap();

    let today = chrono::Utc::now().date_naive();
    let rows: Vec<Value> = (0..1000)
        .map(|i| {
            let platform = ["instagram", "facebook", "linkedin", "tiktok"][i % 4];
            json!({ "platform": platform, "postId": format!("p{i}"),
                    "date": today - chrono::Days::new((i % 20) as u64), "metrics": { "reach": 7 } })
        })
        .collect();
    let ingest = app
        .graphql(
            Some(&service_token()),
            "mutation($brand: ID!, $rows: [AnalyticsRowInput!]!) { ingestAnalytics(brandId: $brand, rows: $rows) { written } }",
            json!({ "brand": brands::AURORA, "rows": rows }),
        )
        .await;
    assert_eq!(
        ingest["data"]["ingestAnalytics"]["written"], 1000,
        "{ingest}"
    );

    let pushed = first.next_data().await;
    assert_eq!(second.next_data().await, pushed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut count = 0;
    while notifications.try_recv().is_ok() {
        count += 1;
    }
    assert_eq!(count, 1, "one NOTIFY for the whole ingest");
    assert_quiet(&mut first).await;

    let reference = app
        .scalar(&format!(
            "SELECT sum((metrics->>'reach')::numeric)::text || '/' || count(*) FROM analytics_metrics
              WHERE brand_id = '{}' AND date > current_date - 30 AND date <= current_date",
            brands::AURORA
        ))
        .await;
    let totals = &pushed["data"]["analyticsSummary"]["totals"];
    assert_eq!(
        format!("{}/{}", totals["reach"].as_f64().unwrap(), totals["rows"]),
        reference
    );
    assert_ne!(pushed, initial);
}

#[tokio::test]
async fn token_expiry_ends_a_subscription() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let claims = brandgraph::auth::jwt::claims_for(users::MANAGER, "authenticated", 2);
    let token = brandgraph::auth::jwt::mint_hs256(TEST_SECRET, &claims).unwrap();
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &token).await;
    client
        .subscribe("1", APPROVALS, json!({ "brand": brands::AURORA }))
        .await;
    let mut saw_error = false;
    loop {
        match client.next().await {
            WsEvent::Message(message) if message["type"] == "next" => {
                let code = &message["payload"]["errors"][0]["extensions"]["code"];
                assert_eq!(code, "UNAUTHENTICATED", "{message}");
                saw_error = true;
            }
            WsEvent::Message(message) if message["type"] == "complete" => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(saw_error);
}

#[tokio::test]
async fn removing_a_membership_stops_that_users_events() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = approvals_of(&app, users::MEMBER, brands::AURORA, None).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.remove_membership(users::MEMBER, brands::AURORA).await;
    let message = client.next_data().await;
    assert_eq!(
        message["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{message}"
    );
    insert_approvals(&app, brands::AURORA, 1).await;
    match client.next().await {
        WsEvent::Message(message) => assert_eq!(message["type"], "complete", "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_client_that_never_reads_does_not_stall_the_others_and_is_caught_up_later() {
    let app = spawn_app_with(|config| config.realtime.subscriber_buffer = 8).await;
    app.seed_demo().await;
    let mut slow = approvals_of(&app, users::MANAGER, brands::AURORA, None).await;
    let mut fast = approvals_of(&app, users::OWNER, brands::AURORA, None).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..20 {
        insert_approvals(&app, brands::AURORA, 100).await;
    }
    let mut fast_cursors = Vec::new();
    for _ in 0..2000 {
        let event = fast.next_data().await;
        fast_cursors.push(
            event["data"]["approvalUpdated"]["cursor"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // The slow one finally reads: everything, once, in order.
    let mut slow_cursors = Vec::new();
    for _ in 0..2000 {
        let event = slow.next_data().await;
        slow_cursors.push(
            event["data"]["approvalUpdated"]["cursor"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(slow_cursors, fast_cursors);
    assert_quiet(&mut slow).await;
}

#[tokio::test]
async fn a_subscriber_that_overflows_its_buffer_is_caught_up_from_the_database() {
    use futures_util::StreamExt;
    let app = spawn_app_with(|config| config.realtime.subscriber_buffer = 4).await;
    app.seed_demo().await;
    let spec = brandgraph::realtime::stream::StreamSpec {
        topic: brandgraph::realtime::events::Topic::Approval,
        brand: brands::AURORA,
        after: app.hub.watermark() - 1,
        user: None,
        deadline: None,
        filter: None,
    };
    let mut stream = Box::pin(brandgraph::realtime::stream::events(
        app.hub.clone(),
        app.db.clone(),
        spec,
    ));
    // One event through the live path first, so the stream is past its initial replay.
    insert_approvals(&app, brands::AURORA, 1).await;
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    for _ in 0..5 {
        insert_approvals(&app, brands::AURORA, 40).await;
    }
    // Not polled while 200 events went by a 4-slot buffer.
    while app.hub.watermark()
        <= app
            .scalar("SELECT max(seq)::text FROM change_events")
            .await
            .parse::<i64>()
            .unwrap()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut seqs = vec![first.seq];
    while seqs.len() < 201 {
        let event = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seqs.push(event.seq);
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
    assert!(
        app.hub
            .stats()
            .lagged
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0,
        "the lag path ran"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stream.next())
            .await
            .is_err(),
        "nothing extra"
    );
}

#[tokio::test]
async fn poll_mode_delivers_without_any_notify() {
    let app = spawn_app_with(|config| {
        config.realtime.realtime_mode = brandgraph::realtime::RealtimeMode::Poll;
        config.realtime.poll_interval_ms = 10;
    })
    .await;
    admin_exec(&format!(
        "ALTER DATABASE {} SET brandgraph.notify = 'off'",
        app.test_db.name
    ))
    .await;
    app.seed_demo().await;
    let mut client = approvals_of(&app, users::MANAGER, brands::AURORA, None).await;
    // A fresh connection picks up the database setting: this write sends no NOTIFY.
    let db = app.test_db.connect().await;
    let notify = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT current_setting('brandgraph.notify', true)",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap();
    assert_eq!(notify, "off");
    db.execute_unprepared(&format!(
        "INSERT INTO post_approvals (brand_id, status) VALUES ('{}', 'pending')",
        brands::AURORA
    ))
    .await
    .unwrap();
    let event = client.next_data().await;
    assert_eq!(
        event["data"]["approvalUpdated"]["status"], "PENDING",
        "{event}"
    );
    db.close().await.ok();
}

#[tokio::test]
async fn readyz_reports_the_listener() {
    let app = spawn_app().await;
    let body: Value = reqwest::get(app.url("/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["listener"], "ready", "{body}");
}

#[tokio::test]
async fn retention_drops_whole_day_partitions_and_keeps_the_cursor_contract() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // A day long past, with its own partition and a few events in it.
    app.owner()
        .await
        .execute_unprepared(
            "CREATE TABLE change_events_p20200101 PARTITION OF change_events
               FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-01-02 00:00+00');
             INSERT INTO change_events (topic, brand_id, op, created_at)
             SELECT 'brand', NULL, 'update', '2020-01-01 12:00+00' FROM generate_series(1, 5)",
        )
        .await
        .unwrap();
    app.settle_realtime().await;
    let old_max: i64 = app
        .scalar("SELECT max(seq)::text FROM change_events_p20200101")
        .await
        .parse()
        .unwrap();
    let today_rows = app
        .scalar(
            "SELECT count(*)::text FROM change_events WHERE created_at > now() - interval '1 day'",
        )
        .await;

    let removed = brandgraph::realtime::retention::prune_once(
        &app.db,
        &app.hub,
        Duration::from_secs(7 * 24 * 3600),
    )
    .await
    .unwrap();
    assert_eq!(removed, 5, "the old day's five events, nothing else");
    assert_eq!(
        app.scalar("SELECT coalesce(to_regclass('change_events_p20200101')::text, 'gone')")
            .await,
        "gone",
        "the partition was dropped, not emptied"
    );
    assert_eq!(
        app.scalar(
            "SELECT count(*)::text FROM change_events WHERE created_at > now() - interval '1 day'"
        )
        .await,
        today_rows,
        "recent events stay"
    );
    let pruned: i64 = app
        .scalar("SELECT value::text FROM realtime_state WHERE key = 'pruned_through'")
        .await
        .parse()
        .unwrap();
    assert!(
        pruned >= old_max,
        "pruned_through {pruned} covers the dropped day ({old_max})"
    );
    // Partitions exist for today and the coming days.
    let ahead = app
        .scalar(
            "SELECT count(*)::text FROM pg_class
              WHERE relispartition AND relname ~ '^change_events_p[0-9]{8}$'
                AND to_date(substring(relname FROM 16), 'YYYYMMDD') >= (now() AT TIME ZONE 'UTC')::date",
        )
        .await;
    assert_eq!(ahead, "4", "today and three days ahead");
    // A cursor from before the dropped day is expired, as with deleted rows.
    let mut client = approvals_of(&app, users::MANAGER, brands::AURORA, Some("1".into())).await;
    let refused = client.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "CURSOR_EXPIRED",
        "{refused}"
    );
}
