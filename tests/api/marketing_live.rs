//! Live campaigns and leads over real websockets: `leadCaptured`, `leadUpdated` and
//! `campaignUpdated` (delivery per brand, the personal-data rule, replay with `after`),
//! and the campaign rollup behind `Campaign.summary` / `campaignSummary` (equal to a
//! recomputation after random concurrent writes, streamed and shared per campaign).

use std::time::Duration;

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, user_token};
use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};

pub(crate) const LEAD_CAPTURED: &str = "subscription($brand: ID!, $after: String) {
  leadCaptured(brandId: $brand, after: $after) { cursor op leadId status score campaignId
    lead { name email phone company } } }";
pub(crate) const LEAD_UPDATED: &str = "subscription($brand: ID!, $after: String) {
  leadUpdated(brandId: $brand, after: $after) { cursor op leadId status score campaignId } }";
pub(crate) const CAMPAIGN_UPDATED: &str = "subscription($brand: ID!, $after: String) {
  campaignUpdated(brandId: $brand, after: $after) { cursor op campaignId status previousStatus
    budgetTotal budgetAllocated budgetSpent } }";
pub(crate) const CAMPAIGN_SUMMARY: &str = "subscription($campaign: ID!) {
  campaignSummary(campaignId: $campaign) { campaignId budgetSpent budgetAllocated budgetUsed leads
    leadsByStatus { status count } conversions conversionRate costPerLead costPerConversion
    emailsSent emailsOpened emailsClicked openRate clickRate } }";

const CREATE_LEAD: &str =
    "mutation($input: CreateLeadInput!) { createLead(input: $input) { id uuid } }";

/// The demo campaign Aurora is running (`md5(key)::uuid`, as the seed derives it).
pub(crate) async fn launch(app: &TestApp) -> Uuid {
    app.scalar(&format!(
        "SELECT md5('campaign:{}:launch')::uuid::text",
        brands::AURORA
    ))
    .await
    .parse()
    .expect("uuid")
}

/// Subscribes `user` to `query` on `brand` from now on: events committed after this call
/// arrive however late the server registers the subscription.
pub(crate) async fn subscribe_from_now(
    app: &TestApp,
    protocol: &'static str,
    user: Uuid,
    query: &str,
    brand: Uuid,
) -> WsClient {
    let after = app.cursor_now().await;
    let mut client = WsClient::connect(app, protocol, &user_token(user)).await;
    client
        .subscribe("1", query, json!({ "brand": brand, "after": after }))
        .await;
    client
}

async fn create_lead(app: &TestApp, user: Uuid, input: Value) -> Value {
    let created = app
        .graphql(
            Some(&user_token(user)),
            CREATE_LEAD,
            json!({ "input": input }),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    created["data"]["createLead"].clone()
}

/// Nothing arrives on `client` for a while.
pub(crate) async fn assert_quiet(client: &mut WsClient) {
    if let Some(event) = client.next_within(Duration::from_millis(400)).await {
        panic!("expected nothing, got {event:?}");
    }
}

#[tokio::test]
async fn a_new_lead_reaches_its_brands_subscribers_over_both_protocols_and_no_one_else() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut legacy = subscribe_from_now(
        &app,
        LEGACY_WS,
        users::MANAGER,
        LEAD_CAPTURED,
        brands::AURORA,
    )
    .await;
    let mut transport = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::OWNER,
        LEAD_CAPTURED,
        brands::AURORA,
    )
    .await;
    let mut other_brand = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::MANAGER,
        LEAD_CAPTURED,
        brands::BOREALIS,
    )
    .await;

    let campaign = launch(&app).await;
    let lead = create_lead(
        &app,
        users::MEMBER,
        json!({ "brandId": brands::AURORA, "name": "Ada Live", "email": "ada.live@example.test",
                "phone": "+49 30 1234", "company": "Analytical Engines",
                "campaignId": encode(NodeKind::Campaign, campaign) }),
    )
    .await;

    for client in [&mut legacy, &mut transport] {
        let event = client.next_data().await;
        let captured = &event["data"]["leadCaptured"];
        assert_eq!(captured["leadId"], lead["id"], "{event}");
        assert_eq!(captured["op"], "INSERT");
        assert_eq!(captured["status"], "NEW");
        assert_eq!(
            captured["campaignId"],
            encode(NodeKind::Campaign, campaign).to_string()
        );
        assert_eq!(captured["lead"]["name"], "Ada Live");
        assert_eq!(captured["lead"]["email"], "ada.live@example.test");
        assert_eq!(captured["lead"]["company"], "Analytical Engines");
    }
    assert_quiet(&mut other_brand).await;
}

#[tokio::test]
async fn a_leads_email_and_phone_in_events_follow_the_query_rule() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut viewer = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::VIEWER,
        LEAD_CAPTURED,
        brands::AURORA,
    )
    .await;
    let mut member = subscribe_from_now(
        &app,
        LEGACY_WS,
        users::MEMBER,
        LEAD_CAPTURED,
        brands::AURORA,
    )
    .await;
    create_lead(
        &app,
        users::MEMBER,
        json!({ "brandId": brands::AURORA, "name": "Grace Private", "email": "grace@example.test",
                "phone": "+1 555 0100" }),
    )
    .await;

    let seen = viewer.next_data().await;
    let lead = &seen["data"]["leadCaptured"]["lead"];
    assert_eq!(lead["name"], "Grace Private", "{seen}");
    assert!(lead["email"].is_null(), "a viewer read the email: {seen}");
    assert!(lead["phone"].is_null(), "a viewer read the phone: {seen}");
    assert!(seen["errors"].is_null(), "{seen}");

    let seen = member.next_data().await;
    let lead = &seen["data"]["leadCaptured"]["lead"];
    assert_eq!(lead["email"], "grace@example.test", "{seen}");
    assert_eq!(lead["phone"], "+1 555 0100");
}

#[tokio::test]
async fn status_and_score_changes_are_lead_updated_events_in_commit_order() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let lead = create_lead(
        &app,
        users::MEMBER,
        json!({ "brandId": brands::AURORA, "name": "Alan Funnel", "email": "alan@example.test" }),
    )
    .await;
    let mut updates = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::VIEWER,
        LEAD_UPDATED,
        brands::AURORA,
    )
    .await;
    let mut captured = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::VIEWER,
        LEAD_CAPTURED,
        brands::AURORA,
    )
    .await;

    let token = user_token(users::MEMBER);
    let update = "mutation($id: ID!, $input: UpdateLeadInput!) { updateLead(id: $id, input: $input) { status } }";
    let answer = app
        .graphql(
            Some(&token),
            update,
            json!({ "id": lead["id"], "input": { "status": "QUALIFIED" } }),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    // A change that is neither status, score nor campaign is no event.
    app.graphql(
        Some(&token),
        update,
        json!({ "id": lead["id"], "input": { "notes": "called twice" } }),
    )
    .await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE leads SET score = 73 WHERE id = '{}'",
            lead["uuid"].as_str().unwrap()
        ))
        .await
        .unwrap();
    let converted = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { convertLead(id: $id) { status } }",
            json!({ "id": lead["id"] }),
        )
        .await;
    assert!(converted["errors"].is_null(), "{converted}");

    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = updates.next_data().await;
        let update = &event["data"]["leadUpdated"];
        assert_eq!(update["leadId"], lead["id"], "{event}");
        assert_eq!(update["op"], "UPDATE");
        seen.push((
            update["cursor"].as_str().unwrap().parse::<i64>().unwrap(),
            update["status"].as_str().unwrap().to_string(),
            update["score"].as_i64().unwrap(),
        ));
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    let states: Vec<_> = seen.iter().map(|(_, s, n)| (s.as_str(), *n)).collect();
    assert_eq!(
        states,
        [("QUALIFIED", 0), ("QUALIFIED", 73), ("CONVERTED", 73)]
    );
    assert_quiet(&mut updates).await;
    assert_quiet(&mut captured).await;
}

#[tokio::test]
async fn campaign_changes_are_streamed_and_a_reconnect_with_after_replays_what_was_missed() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = user_token(users::MANAGER);
    let created = app
        .graphql(
            Some(&token),
            "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }",
            json!({ "input": { "brandId": brands::AURORA, "name": "Live Launch", "type": "SOCIAL",
                               "budgetTotal": "1000", "budgetAllocated": "500" } }),
        )
        .await;
    let id = created["data"]["createCampaign"]["id"].clone();
    assert!(id.is_string(), "{created}");
    let mut client = subscribe_from_now(
        &app,
        LEGACY_WS,
        users::VIEWER,
        CAMPAIGN_UPDATED,
        brands::AURORA,
    )
    .await;
    let mut borealis = subscribe_from_now(
        &app,
        TRANSPORT_WS,
        users::MANAGER,
        CAMPAIGN_UPDATED,
        brands::BOREALIS,
    )
    .await;
    let activate = "mutation($id: ID!) { activateCampaign(id: $id) { status } }";
    let spend = "mutation($id: ID!, $amount: Money!) { recordCampaignSpend(id: $id, amount: $amount) { budgetSpent } }";
    let pause = "mutation($id: ID!) { pauseCampaign(id: $id) { status } }";
    app.graphql(Some(&token), activate, json!({ "id": id }))
        .await;
    let event = client.next_data().await;
    let changed = &event["data"]["campaignUpdated"];
    assert_eq!(changed["campaignId"], id, "{event}");
    assert_eq!(changed["op"], "UPDATE");
    assert_eq!(changed["status"], "ACTIVE");
    assert_eq!(changed["previousStatus"], "DRAFT");
    assert_eq!(changed["budgetAllocated"], "500.00");
    let last = changed["cursor"].as_str().unwrap().to_string();
    drop(client);

    // Missed while away: a spend and a pause.
    let spent = app
        .graphql(Some(&token), spend, json!({ "id": id, "amount": "120.50" }))
        .await;
    assert_eq!(
        spent["data"]["recordCampaignSpend"]["budgetSpent"], "120.50",
        "{spent}"
    );
    app.graphql(Some(&token), pause, json!({ "id": id })).await;

    let mut resumed = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::VIEWER)).await;
    resumed
        .subscribe(
            "1",
            CAMPAIGN_UPDATED,
            json!({ "brand": brands::AURORA, "after": last }),
        )
        .await;
    let replayed: Vec<Value> = [resumed.next_data().await, resumed.next_data().await]
        .into_iter()
        .map(|event| event["data"]["campaignUpdated"].clone())
        .collect();
    assert_eq!(replayed[0]["budgetSpent"], "120.50", "{replayed:?}");
    assert_eq!(replayed[0]["status"], "ACTIVE");
    assert_eq!(replayed[1]["status"], "PAUSED");
    assert_eq!(replayed[1]["previousStatus"], "ACTIVE");
    app.graphql(Some(&token), activate, json!({ "id": id }))
        .await;
    let live = resumed.next_data().await;
    assert_eq!(
        live["data"]["campaignUpdated"]["status"], "ACTIVE",
        "{live}"
    );
    assert_quiet(&mut resumed).await;
    assert_quiet(&mut borealis).await;
}

/// Every campaign's rollup row next to the same figures computed from the base tables,
/// as text (`campaign|total|allocated|spent|new|contacted|qualified|converted|lost`).
async fn rollups_and_recomputation(app: &TestApp) -> (String, String) {
    let rollups = app
        .scalar(
            "SELECT string_agg(concat_ws('|', campaign_id, budget_total, budget_allocated, budget_spent,
                    leads_new, leads_contacted, leads_qualified, leads_converted, leads_lost), E'\\n'
                    ORDER BY campaign_id) FROM campaign_rollups",
        )
        .await;
    let recomputed = app
        .scalar(
            "SELECT string_agg(concat_ws('|', c.id, c.budget_total, c.budget_allocated, c.budget_spent,
                    (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id AND l.status = 'new'),
                    (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id AND l.status = 'contacted'),
                    (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id AND l.status = 'qualified'),
                    (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id AND l.status = 'converted'),
                    (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id AND l.status = 'lost')), E'\\n'
                    ORDER BY c.id) FROM campaigns c",
        )
        .await;
    (rollups, recomputed)
}

/// One random write against the brand's leads and campaigns, as its own statement.
fn random_write(rng: &mut StdRng, brand: Uuid, campaigns: &[Uuid], n: usize) -> String {
    let statuses = ["new", "contacted", "qualified", "converted", "lost"];
    let status = statuses[rng.random_range(0..statuses.len())];
    let campaign = match rng.random_range(0..5) {
        0 => "NULL".to_string(),
        _ => format!("'{}'", campaigns[rng.random_range(0..campaigns.len())]),
    };
    let other = format!("'{}'", campaigns[rng.random_range(0..campaigns.len())]);
    match rng.random_range(0..7) {
        0 => format!(
            "INSERT INTO leads (brand_id, name, email, status, campaign_id)
             SELECT '{brand}', 'Batch', 'batch-{n}-' || g || '@example.test', '{status}', {campaign}
               FROM generate_series(1, {}) g",
            rng.random_range(1..20)
        ),
        1 => format!(
            "INSERT INTO leads (brand_id, name, email, status, campaign_id)
             VALUES ('{brand}', 'One', 'one-{n}@example.test', '{status}', {campaign})"
        ),
        2 => format!(
            "UPDATE leads SET status = '{status}' WHERE id IN
               (SELECT id FROM leads WHERE brand_id = '{brand}' ORDER BY random() LIMIT {})",
            rng.random_range(1..6)
        ),
        3 => format!(
            "UPDATE leads SET campaign_id = {campaign} WHERE id IN
               (SELECT id FROM leads WHERE brand_id = '{brand}' ORDER BY random() LIMIT {})",
            rng.random_range(1..6)
        ),
        4 => format!(
            "UPDATE leads SET score = {} WHERE campaign_id = {other}",
            rng.random_range(0..=100)
        ),
        5 => format!(
            "DELETE FROM leads WHERE id IN
               (SELECT id FROM leads WHERE brand_id = '{brand}' ORDER BY random() LIMIT {})",
            rng.random_range(1..4)
        ),
        _ => format!(
            "UPDATE campaigns SET budget_total = budget_total + 10, budget_allocated = budget_allocated + 5,
                    budget_spent = budget_spent + 1 WHERE id = {other}"
        ),
    }
}

#[tokio::test]
async fn the_campaign_rollup_equals_a_recomputation_after_random_concurrent_writes() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (rollups, recomputed) = rollups_and_recomputation(&app).await;
    assert_eq!(rollups, recomputed, "the demo seed's rollups");
    assert!(rollups.lines().count() >= 4, "{rollups}");

    let brand = brands::AURORA;
    let campaigns: Vec<Uuid> = app
        .scalar(&format!(
            "SELECT string_agg(id::text, ',') FROM campaigns WHERE brand_id = '{brand}'"
        ))
        .await
        .split(',')
        .map(|id| id.parse().unwrap())
        .collect();
    // Four writers, each running transactions of one to three random statements, at once.
    let seed: u64 = std::env::var("ROLLUP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    eprintln!("ROLLUP_SEED={seed}");
    let writers = (0..4).map(|w| {
        let db = app.db.clone();
        let campaigns = campaigns.clone();
        tokio::spawn(async move {
            use sea_orm::TransactionTrait;
            let mut rng = StdRng::seed_from_u64(seed + w);
            for t in 0..25 {
                let txn = db.begin().await.unwrap();
                let mut failed = false;
                for s in 0..rng.random_range(1..=3) {
                    let n = ((w as usize * 100) + t) * 10 + s;
                    let sql = random_write(&mut rng, brand, &campaigns, n);
                    // Deadlocks between writers are possible (random row order): roll back.
                    if txn.execute_unprepared(&sql).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || rng.random_range(0..6) == 0 {
                    txn.rollback().await.unwrap();
                } else {
                    txn.commit().await.unwrap();
                }
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    let (rollups, recomputed) = rollups_and_recomputation(&app).await;
    assert_eq!(rollups, recomputed, "seed {seed}");

    // Campaign.summary reads the same row.
    let campaign = launch(&app).await;
    let expected = app
        .scalar(&format!(
            "SELECT concat_ws('|', budget_spent, leads_new + leads_contacted + leads_qualified + leads_converted + leads_lost,
                    leads_converted) FROM campaign_rollups WHERE campaign_id = '{campaign}'"
        ))
        .await;
    let answer = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($id: ID!) { campaign(id: $id) { summary { budgetSpent leads conversions } } }",
            json!({ "id": encode(NodeKind::Campaign, campaign) }),
        )
        .await;
    let summary = &answer["data"]["campaign"]["summary"];
    assert_eq!(
        format!(
            "{}|{}|{}",
            summary["budgetSpent"].as_str().unwrap(),
            summary["leads"],
            summary["conversions"]
        ),
        expected,
        "{answer}"
    );
}

#[tokio::test]
async fn a_campaign_summary_is_pushed_after_each_change_and_shared_by_its_subscribers() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let campaign = launch(&app).await;
    let id = encode(NodeKind::Campaign, campaign);
    let mut first = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::VIEWER)).await;
    first
        .subscribe("s", CAMPAIGN_SUMMARY, json!({ "campaign": id }))
        .await;
    let mut second = WsClient::connect(&app, LEGACY_WS, &user_token(users::OWNER)).await;
    second
        .subscribe("s", CAMPAIGN_SUMMARY, json!({ "campaign": id }))
        .await;
    let initial = first.next_data().await;
    assert_eq!(second.next_data().await, initial);
    let summary = &initial["data"]["campaignSummary"];
    assert_eq!(summary["campaignId"], id.to_string(), "{initial}");
    assert_eq!(summary["budgetSpent"], "1240.50");
    assert_eq!(app.realtime.campaign_summaries.running(), 1);
    let leads = summary["leads"].as_i64().unwrap();
    let converted = summary["conversions"].as_i64().unwrap();

    // Three leads in one transaction: one push, with all three.
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO leads (brand_id, name, email, status, campaign_id)
             SELECT '{}', 'Pushed', 'pushed-' || g || '@example.test',
                    CASE WHEN g = 1 THEN 'converted' ELSE 'new' END, '{campaign}'
               FROM generate_series(1, 3) g",
            brands::AURORA
        ))
        .await
        .unwrap();
    let pushed = first.next_data().await;
    assert_eq!(second.next_data().await, pushed);
    let summary = &pushed["data"]["campaignSummary"];
    assert_eq!(summary["leads"], leads + 3, "{pushed}");
    assert_eq!(summary["conversions"], converted + 1);
    let by_status: i64 = summary["leadsByStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .sum();
    assert_eq!(by_status, leads + 3);
    let expected_cpl = app
        .scalar(&format!(
            "SELECT round(budget_spent / (leads_new + leads_contacted + leads_qualified + leads_converted + leads_lost), 2)::text
               FROM campaign_rollups WHERE campaign_id = '{campaign}'"
        ))
        .await;
    assert_eq!(summary["costPerLead"], expected_cpl.as_str());

    // Spend moves it too, as does the email side's entry point.
    let spent = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!) { recordCampaignSpend(id: $id, amount: \"9.50\") { budgetSpent } }",
            json!({ "id": id }),
        )
        .await;
    assert!(spent["errors"].is_null(), "{spent}");
    let pushed = first.next_data().await;
    assert_eq!(
        pushed["data"]["campaignSummary"]["budgetSpent"], "1250.00",
        "{pushed}"
    );
    // The demo's sent email campaign already counts for the launch.
    let emails: Vec<i64> = app
        .scalar(&format!(
            "SELECT concat_ws('|', emails_sent, emails_opened, emails_clicked)
               FROM campaign_rollups WHERE campaign_id = '{campaign}'"
        ))
        .await
        .split('|')
        .map(|n| n.parse().unwrap())
        .collect();
    app.db
        .execute_unprepared(&format!(
            "SELECT campaign_rollup_add_emails('{campaign}', 200, 50, 10)"
        ))
        .await
        .unwrap();
    let pushed = first.next_data().await;
    let summary = &pushed["data"]["campaignSummary"];
    let (sent, opened, clicked) = (emails[0] + 200, emails[1] + 50, emails[2] + 10);
    assert_eq!(summary["emailsSent"], sent, "{pushed}");
    assert_eq!(summary["emailsOpened"], opened);
    assert_eq!(summary["emailsClicked"], clicked);
    assert_eq!(summary["openRate"], opened as f64 / sent as f64);
    assert_eq!(summary["clickRate"], clicked as f64 / sent as f64);

    // A lead of another campaign does not move this one.
    drop(second);
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO leads (brand_id, name, email, campaign_id)
             VALUES ('{}', 'Elsewhere', 'elsewhere@example.test', md5('campaign:{}:newsletter')::uuid)",
            brands::AURORA,
            brands::AURORA
        ))
        .await
        .unwrap();
    assert_quiet(&mut first).await;

    // The computation ends with its last subscriber.
    drop(first);
    for _ in 0..200 {
        if app.realtime.campaign_summaries.running() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(app.realtime.campaign_summaries.running(), 0);
}

#[tokio::test]
async fn a_campaign_summary_of_an_invisible_or_unknown_campaign_is_not_found() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let campaign = launch(&app).await;
    for (user, id) in [
        (users::OUTSIDER, encode(NodeKind::Campaign, campaign)),
        (users::MEMBER, encode(NodeKind::Campaign, Uuid::new_v4())),
        (users::MANAGER, encode(NodeKind::Lead, campaign)),
    ] {
        let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(user)).await;
        client
            .subscribe("s", CAMPAIGN_SUMMARY, json!({ "campaign": id }))
            .await;
        let refused = client.next_data().await;
        let code = refused["errors"][0]["extensions"]["code"].as_str();
        assert!(
            matches!(code, Some("NOT_FOUND" | "BAD_USER_INPUT")),
            "{refused}"
        );
        assert!(refused["data"].is_null(), "{refused}");
        match client.next().await {
            WsEvent::Message(message) => assert_eq!(message["type"], "complete", "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(app.realtime.campaign_summaries.running(), 0);
}
