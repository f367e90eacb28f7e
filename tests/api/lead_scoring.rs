//! Lead scoring in the database: rules managed by admins with validated conditions, a
//! score that moves in the same transaction as the activity or lead change behind it,
//! background rescoring when rules change (lease-safe across processes), and scores
//! equal to an independent reference computation after random concurrent activities.

use std::collections::HashMap;

use brandgraph::seed::{brands, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, spawn_app, user_token};

const CREATE_RULE: &str = "mutation($input: CreateLeadScoringRuleInput!) {
    createLeadScoringRule(input: $input) { uuid name condition weight active } }";
const LOG: &str = "mutation($lead: ID!, $type: LeadActivityType!) {
    logLeadActivity(leadId: $lead, type: $type) { uuid } }";
const ACTIVITY_TYPES: &[&str] = &[
    "note",
    "call",
    "meeting",
    "email_sent",
    "email_opened",
    "email_clicked",
    "form_submitted",
    "page_visit",
];

async fn create_rule(
    app: &TestApp,
    user: Uuid,
    name: &str,
    condition: Value,
    weight: i32,
) -> Value {
    app.graphql(
        Some(&user_token(user)),
        CREATE_RULE,
        json!({ "input": { "brandId": brands::AURORA, "name": name, "condition": condition,
                           "weight": weight } }),
    )
    .await
}

async fn score_of(app: &TestApp, lead: Uuid) -> i64 {
    app.scalar(&format!(
        "SELECT score::text FROM leads WHERE id = '{lead}'"
    ))
    .await
    .parse()
    .unwrap()
}

/// A fresh lead of Aurora with the given columns, created through SQL.
async fn new_lead(app: &TestApp, columns: &str, values: &str) -> Uuid {
    let id = Uuid::new_v4();
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO leads (id, brand_id, name, email{columns})
             VALUES ('{id}', '{}', 'Test Lead', '{id}@example.org'{values})",
            brands::AURORA
        ))
        .await
        .unwrap();
    id
}

/// The reference: the condition language evaluated in Rust over what the database holds.
fn matches(
    condition: &Value,
    lead: &HashMap<String, Option<String>>,
    tags: &[String],
    counts: &HashMap<String, i64>,
) -> bool {
    let object = condition.as_object().expect("object");
    let field = |name: &str| {
        lead.get(name)
            .cloned()
            .flatten()
            .filter(|v| !v.is_empty())
            .map(|v| v.to_lowercase())
    };
    if let Some(kind) = object.get("activity") {
        let min = object.get("min_count").and_then(Value::as_i64).unwrap_or(1);
        return counts.get(kind.as_str().unwrap()).copied().unwrap_or(0) >= min;
    }
    if let Some(name) = object.get("field").and_then(Value::as_str) {
        let value = field(name);
        if let Some(present) = object.get("present") {
            return value.is_some() == present.as_bool().unwrap();
        }
        if let Some(eq) = object.get("eq") {
            return value.is_some_and(|v| v == eq.as_str().unwrap().to_lowercase());
        }
        let list = object["in"].as_array().unwrap();
        return value.is_some_and(|v| list.iter().any(|x| x.as_str().unwrap().to_lowercase() == v));
    }
    if let Some(tag) = object.get("tag") {
        return tags.iter().any(|t| t == tag.as_str().unwrap());
    }
    if let Some(all) = object.get("all") {
        return all
            .as_array()
            .unwrap()
            .iter()
            .all(|c| matches(c, lead, tags, counts));
    }
    if let Some(any) = object.get("any") {
        return any
            .as_array()
            .unwrap()
            .iter()
            .any(|c| matches(c, lead, tags, counts));
    }
    !matches(&object["not"], lead, tags, counts)
}

/// Every lead of Aurora whose stored score differs from the reference: (id, stored, expected).
async fn mismatches(app: &TestApp) -> Vec<(Uuid, i64, i64)> {
    let rows = |sql: String| async move {
        app.db
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .unwrap()
    };
    let rules: Vec<(Value, i64)> = rows(format!(
        "SELECT condition, weight::bigint FROM lead_scoring_rules WHERE brand_id = '{}' AND active",
        brands::AURORA
    ))
    .await
    .iter()
    .map(|r| {
        (
            r.try_get_by_index(0).unwrap(),
            r.try_get_by_index(1).unwrap(),
        )
    })
    .collect();
    let mut counts: HashMap<Uuid, HashMap<String, i64>> = HashMap::new();
    for r in rows(format!(
        "SELECT lead_id, type, count(*) FROM lead_activities WHERE brand_id = '{}' GROUP BY 1, 2",
        brands::AURORA
    ))
    .await
    {
        counts
            .entry(r.try_get_by_index(0).unwrap())
            .or_default()
            .insert(
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
            );
    }
    let mut wrong = Vec::new();
    for r in rows(format!(
        "SELECT id, score::bigint, tags, source, status, company, company_size, industry, job_title, phone,
                split_part(lower(email), '@', 2)
           FROM leads WHERE brand_id = '{}'",
        brands::AURORA
    ))
    .await
    {
        let id: Uuid = r.try_get_by_index(0).unwrap();
        let stored: i64 = r.try_get_by_index(1).unwrap();
        let tags: Vec<String> = r.try_get_by_index(2).unwrap();
        let mut fields = HashMap::new();
        for (i, name) in [
            "source",
            "status",
            "company",
            "company_size",
            "industry",
            "job_title",
            "phone",
            "email_domain",
        ]
        .iter()
        .enumerate()
        {
            fields.insert(name.to_string(), r.try_get_by_index::<Option<String>>(3 + i).unwrap());
        }
        let none = HashMap::new();
        let lead_counts = counts.get(&id).unwrap_or(&none);
        let total: i64 = rules
            .iter()
            .filter(|(c, _)| matches(c, &fields, &tags, lead_counts))
            .map(|(_, w)| w)
            .sum();
        let expected = total.clamp(0, 100);
        if stored != expected {
            wrong.push((id, stored, expected));
        }
    }
    wrong
}

/// Waits (bounded) until the background job has rescored Aurora.
async fn rescored(app: &TestApp) -> Vec<(Uuid, i64, i64)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let queued = app
            .scalar("SELECT count(*)::text FROM lead_rescore_queue")
            .await;
        let wrong = mismatches(app).await;
        if (queued == "0" && wrong.is_empty()) || std::time::Instant::now() > deadline {
            return wrong;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn rules_are_managed_by_admins_and_malformed_conditions_are_bad_input() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for (user, code) in [
        (users::MANAGER, "FORBIDDEN"),
        (users::MEMBER, "FORBIDDEN"),
        (users::OUTSIDER, "NOT_FOUND"),
    ] {
        let refused = create_rule(
            &app,
            user,
            "clicks",
            json!({"activity": "email_clicked"}),
            10,
        )
        .await;
        assert_eq!(error_code(&refused), Some(code), "{refused}");
    }
    for bad in [
        json!({"activity": "teleported"}),
        json!({"field": "shoe_size", "eq": "42"}),
        json!({"field": "source", "in": []}),
        json!({"all": [{"tag": "vip"}, "nope"]}),
        json!("email_clicked"),
    ] {
        let refused = create_rule(&app, users::ADMIN, "bad", bad.clone(), 10).await;
        assert_eq!(
            error_code(&refused),
            Some("BAD_USER_INPUT"),
            "{bad}: {refused}"
        );
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], "condition",
            "{refused}"
        );
    }
    let heavy = create_rule(&app, users::ADMIN, "heavy", json!({"tag": "vip"}), 101).await;
    assert_eq!(error_code(&heavy), Some("BAD_USER_INPUT"));

    let created = create_rule(
        &app,
        users::ADMIN,
        "enterprise",
        json!({"field": "company_size", "in": ["enterprise"]}),
        30,
    )
    .await;
    let rule = &created["data"]["createLeadScoringRule"];
    assert_eq!(rule["weight"], 30, "{created}");
    let twin = create_rule(&app, users::OWNER, "enterprise", json!({"tag": "x"}), 1).await;
    assert_eq!(error_code(&twin), Some("CONFLICT"), "{twin}");

    let id = rule["uuid"].as_str().unwrap();
    let updated = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($id: UUID!) { updateLeadScoringRule(id: $id, input: { weight: 40, active: false }) { weight active } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateLeadScoringRule"],
        json!({ "weight": 40, "active": false }),
        "{updated}"
    );
    // Every member reads the rules; outsiders do not even see the brand.
    let listed = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($id: ID!) { brand(id: $id) { leadScoringRules { name weight active } } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(
        listed["data"]["brand"]["leadScoringRules"],
        json!([{ "name": "enterprise", "weight": 40, "active": false }]),
        "{listed}"
    );
    let deleted = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($id: UUID!) { deleteLeadScoringRule(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteLeadScoringRule"]["name"],
        "enterprise"
    );
    let audit = app
        .scalar(&format!(
            "SELECT string_agg(action, ',' ORDER BY created_at) FROM audit_logs WHERE resource_id = '{id}'"
        ))
        .await;
    assert_eq!(
        audit,
        "lead_scoring_rule.create,lead_scoring_rule.update,lead_scoring_rule.delete"
    );
}

#[tokio::test]
async fn an_activity_or_a_lead_change_moves_the_score_in_the_same_transaction() {
    let app = spawn_app().await;
    app.seed_demo().await;
    create_rule(
        &app,
        users::ADMIN,
        "clicks",
        json!({"activity": "email_clicked"}),
        30,
    )
    .await;
    create_rule(
        &app,
        users::ADMIN,
        "engaged",
        json!({"activity": "page_visit", "min_count": 2}),
        15,
    )
    .await;
    create_rule(
        &app,
        users::ADMIN,
        "enterprise",
        json!({"field": "company_size", "eq": "enterprise"}),
        60,
    )
    .await;
    create_rule(&app, users::ADMIN, "no spam", json!({"tag": "spam"}), -100).await;
    let lead = new_lead(&app, "", "").await;
    assert_eq!(score_of(&app, lead).await, 0);
    let gid = brandgraph::graphql::ids::encode(brandgraph::graphql::ids::NodeKind::Lead, lead);
    let token = user_token(users::MEMBER);

    app.graphql(
        Some(&token),
        LOG,
        json!({ "lead": gid, "type": "EMAIL_CLICKED" }),
    )
    .await;
    assert_eq!(score_of(&app, lead).await, 30);
    app.graphql(
        Some(&token),
        LOG,
        json!({ "lead": gid, "type": "PAGE_VISIT" }),
    )
    .await;
    assert_eq!(score_of(&app, lead).await, 30, "one visit is not two");
    app.graphql(
        Some(&token),
        LOG,
        json!({ "lead": gid, "type": "PAGE_VISIT" }),
    )
    .await;
    assert_eq!(score_of(&app, lead).await, 45);

    let grown = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { updateLead(id: $id, input: { companySize: ENTERPRISE }) { score } }",
            json!({ "id": gid }),
        )
        .await;
    assert_eq!(
        grown["data"]["updateLead"]["score"], 100,
        "clamped: {grown}"
    );
    let spam = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { updateLead(id: $id, input: { tags: [\"spam\"] }) { score } }",
            json!({ "id": gid }),
        )
        .await;
    assert_eq!(spam["data"]["updateLead"]["score"], 5, "{spam}");
    // With rules in place, a score cannot be set by hand.
    let manual = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { updateLead(id: $id, input: { score: 99 }) { score } }",
            json!({ "id": gid }),
        )
        .await;
    assert_eq!(error_code(&manual), Some("BAD_USER_INPUT"), "{manual}");
    // A score change reaches the change log like any lead change.
    let events = app
        .scalar(&format!(
            "SELECT string_agg(payload->>'score', ',' ORDER BY seq) FROM change_events
              WHERE topic = 'lead' AND entity_id = '{lead}'"
        ))
        .await;
    assert_eq!(events, "0,30,45,100,5");
    // The seed function's name still answers, now from the rules.
    let computed = app
        .scalar(&format!("SELECT calculate_lead_score('{lead}')::text"))
        .await;
    assert_eq!(computed, "5");
}

#[tokio::test]
async fn changing_the_rules_rescores_every_lead_of_the_brand_in_the_background() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // Before any rule, the demo's hand-set scores stand.
    let manual = app
        .scalar(&format!(
            "SELECT count(*)::text FROM leads WHERE brand_id = '{}' AND score > 0",
            brands::AURORA
        ))
        .await;
    assert_ne!(manual, "0");
    let borealis = format!(
        "SELECT string_agg(score::text, ',' ORDER BY id) FROM leads WHERE brand_id = '{}'",
        brands::BOREALIS
    );
    let borealis_before = app.scalar(&borealis).await;
    create_rule(
        &app,
        users::ADMIN,
        "has phone",
        json!({"field": "phone", "present": true}),
        20,
    )
    .await;
    create_rule(
        &app,
        users::ADMIN,
        "warm",
        json!({"any": [{"activity": "call"}, {"activity": "meeting"}, {"activity": "note"}]}),
        25,
    )
    .await;
    assert_eq!(rescored(&app).await, vec![]);
    // Another brand's leads keep their scores.
    assert_eq!(app.scalar(&borealis).await, borealis_before);

    // Deactivating a rule rescores again.
    let id = app
        .scalar("SELECT id::text FROM lead_scoring_rules WHERE name = 'has phone'")
        .await;
    app.graphql(
        Some(&user_token(users::OWNER)),
        "mutation($id: UUID!) { updateLeadScoringRule(id: $id, input: { active: false }) { active } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(rescored(&app).await, vec![]);
}

#[tokio::test]
async fn a_claimed_brand_waits_for_its_lease_so_two_processes_never_rescore_it_at_once() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // Another process holds the brand (its lease runs for a minute).
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO lead_scoring_rules (brand_id, name, condition, weight)
             VALUES ('{b}', 'clicks', '{{\"activity\": \"email_clicked\"}}', 50);
             UPDATE lead_rescore_queue SET claimed_until = now() + interval '1 minute' WHERE brand_id = '{b}';",
            b = brands::AURORA
        ))
        .await
        .unwrap();
    let second = Database::connect(app.test_db.url()).await.unwrap();
    assert_eq!(
        brandgraph::jobs::lead_rescore::run_once(&second)
            .await
            .unwrap(),
        0
    );
    assert!(
        !mismatches(&app).await.is_empty(),
        "nobody rescored a held brand"
    );
    // The holder died: once its lease is over, any process takes the brand over.
    app.db
        .execute_unprepared(
            "UPDATE lead_rescore_queue SET claimed_until = now() - interval '1 second'",
        )
        .await
        .unwrap();
    assert_eq!(rescored(&app).await, vec![]);
    second.close().await.ok();
}

#[tokio::test]
async fn random_concurrent_activities_leave_every_score_equal_to_the_reference() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for (name, condition, weight) in [
        ("clicked", json!({"activity": "email_clicked"}), 20),
        (
            "opened thrice",
            json!({"activity": "email_opened", "min_count": 3}),
            15,
        ),
        (
            "visits",
            json!({"activity": "page_visit", "min_count": 2}),
            10,
        ),
        (
            "met",
            json!({"all": [{"activity": "meeting"}, {"not": {"activity": "note", "min_count": 3}}]}),
            35,
        ),
        (
            "big",
            json!({"field": "company_size", "in": ["enterprise", "medium"]}),
            25,
        ),
        ("webinar", json!({"field": "source", "eq": "WEBINAR"}), 10),
        (
            "spam",
            json!({"any": [{"tag": "spam"}, {"field": "email_domain", "eq": "spam.test"}]}),
            -60,
        ),
        ("phone", json!({"field": "phone", "present": true}), 5),
    ] {
        let created = create_rule(&app, users::ADMIN, name, condition, weight).await;
        assert!(created["errors"].is_null(), "{created}");
    }
    let mut leads = Vec::new();
    for (columns, values) in [
        (", company_size, source", ", 'enterprise', 'webinar'"),
        (", tags", ", '{spam}'"),
        (", phone", ", '+1 555'"),
        ("", ""),
        (", company_size", ", 'medium'"),
    ] {
        leads.push(new_lead(&app, columns, values).await);
    }
    assert_eq!(rescored(&app).await, vec![]);

    // Writers at once: GraphQL mutations (which lock the lead first) and raw SQL batches
    // over several leads in random order (which rely on the triggers' own locking).
    let mut tasks = Vec::new();
    for writer in 0..6u64 {
        let leads = leads.clone();
        let url = app.test_db.url();
        let base = app.url("/graphql");
        let http = app.http.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(writer);
            let db = Database::connect(url).await.unwrap();
            for _ in 0..15 {
                if writer % 2 == 0 {
                    let kind = ACTIVITY_TYPES[rng.random_range(0..ACTIVITY_TYPES.len())];
                    let lead = leads[rng.random_range(0..leads.len())];
                    let gid = brandgraph::graphql::ids::encode(brandgraph::graphql::ids::NodeKind::Lead, lead);
                    let response: Value = http
                        .post(&base)
                        .bearer_auth(user_token(users::MEMBER))
                        .json(&json!({ "query": LOG, "variables": { "lead": gid, "type": kind.to_uppercase() } }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    assert!(response["errors"].is_null(), "{response}");
                } else {
                    let values: Vec<String> = (0..rng.random_range(1..4))
                        .map(|_| {
                            let lead = leads[rng.random_range(0..leads.len())];
                            let kind = ACTIVITY_TYPES[rng.random_range(0..ACTIVITY_TYPES.len())];
                            format!("('{}', '{lead}', '{kind}')", brands::AURORA)
                        })
                        .collect();
                    db.execute_unprepared(&format!(
                        "INSERT INTO lead_activities (brand_id, lead_id, type) VALUES {}",
                        values.join(", ")
                    ))
                    .await
                    .unwrap();
                }
            }
            db.close().await.ok();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let activities = app
        .scalar(&format!(
            "SELECT count(*)::text FROM lead_activities WHERE lead_id IN ({})",
            leads
                .iter()
                .map(|l| format!("'{l}'"))
                .collect::<Vec<_>>()
                .join(",")
        ))
        .await;
    assert!(activities.parse::<i64>().unwrap() >= 90, "{activities}");
    // No pass is pending: the scores are right because of the triggers alone.
    assert_eq!(
        app.scalar("SELECT count(*)::text FROM lead_rescore_queue")
            .await,
        "0"
    );
    assert_eq!(mismatches(&app).await, vec![]);
}
