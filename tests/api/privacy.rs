//! Privacy: a person's data exported as one document and erased everywhere it spread —
//! lead, activities, email contact, deliveries, provider webhooks, search documents and
//! the change log — leaving anonymous tombstones that keep counts right; and who may ask.

use brandgraph::domain::webhooks::signature::sign;
use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, WEBHOOK_PROVIDER, WEBHOOK_SECRET, error_code, service_token, spawn_app, user_token,
};

const ERASE_PERSON: &str = "mutation($brand: ID!, $email: String!) {
  erasePerson(brandId: $brand, email: $email) { requestId subjectHash leadsErased contactsErased
    activitiesScrubbed emailEventsScrubbed searchDocumentsRemoved changeEventsScrubbed webhookEventsScrubbed } }";
const EXPORT_PERSON: &str = "mutation($brand: ID!, $email: String!) {
  exportPersonData(brandId: $brand, email: $email) { requestId document } }";

async fn run(app: &TestApp, user: Uuid, query: &str, variables: Value) -> Value {
    app.graphql(Some(&user_token(user)), query, variables).await
}

fn ok(response: &Value) -> &Value {
    assert!(response.get("errors").is_none(), "{response}");
    &response["data"]
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(&format!("SELECT ({sql})::text"))
        .await
        .parse()
        .unwrap()
}

/// Sends a signed provider event and waits (bounded) until the processor settled it.
async fn provider_event(app: &TestApp, delivery: &str, body: Value) {
    let body = body.to_string();
    let at = chrono::Utc::now().timestamp();
    let response = app
        .http
        .post(app.url(&format!("/webhooks/{WEBHOOK_PROVIDER}")))
        .header("content-type", "application/json")
        .header("x-webhook-id", delivery)
        .header("x-webhook-timestamp", at.to_string())
        .header(
            "x-webhook-signature",
            sign(WEBHOOK_SECRET.as_bytes(), at, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let key = format!("{WEBHOOK_PROVIDER}:{delivery}");
    for _ in 0..500 {
        let status = app
            .scalar(&format!(
                "SELECT status FROM webhook_events WHERE idempotency_key = '{key}'"
            ))
            .await;
        if status == "processed" {
            return;
        }
        assert!(
            !["ignored", "dead"].contains(&status.as_str()),
            "{delivery}: {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("delivery {delivery} never settled");
}

/// Every table of the schema (partitions through their parent) whose rows' text
/// contains `needle`, ignoring case, with how many rows do.
async fn tables_mentioning(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    let owner = app.owner().await;
    let tables = owner
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                AND NOT c.relispartition ORDER BY 1",
        ))
        .await
        .unwrap();
    assert!(tables.len() > 50, "only {} tables", tables.len());
    let mut hits = vec![];
    for row in tables {
        let table: String = row.try_get_by_index(0).unwrap();
        let found = owner
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT count(*) FROM \"{table}\" t WHERE row_to_json(t)::text ILIKE '%' || $1 || '%'"
                ),
                [needle.into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        if found > 0 {
            hits.push((table, found));
        }
    }
    hits
}

/// A person spread through every path the platform has: a lead (created by mutation)
/// with activities whose text names them, an email contact linked to it, an email
/// campaign sent to them, the provider's delivery, open and click webhooks, a search
/// document and the change log. Returns (email, lead id, contact id).
async fn spread_person(app: &TestApp) -> (String, Uuid, Uuid) {
    let email = format!("Privacy.{}@Example.test", Uuid::new_v4().simple());
    let lead = run(
        app,
        users::MEMBER,
        "mutation($input: CreateLeadInput!) { createLead(input: $input) { uuid } }",
        json!({ "input": { "brandId": brands::AURORA, "name": "Petra Private", "email": email,
                           "phone": "+49 30 1234567", "company": "Privacy GmbH", "source": "website",
                           "score": 30, "tags": ["gdpr-test"], "notes": format!("met {email} at the fair") } }),
    )
    .await;
    let lead: Uuid = ok(&lead)["createLead"]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    ok(&run(
        app,
        users::MEMBER,
        "mutation($lead: ID!, $meta: JSON) { logLeadActivity(leadId: $lead, type: NOTE,
           description: \"Petra Private called\", metadata: $meta) { uuid } }",
        json!({ "lead": encode(NodeKind::Lead, lead), "meta": { "replyTo": email.to_lowercase() } }),
    )
    .await);
    ok(&run(
        app,
        users::MEMBER,
        "mutation($id: ID!) { updateLead(id: $id, input: { status: CONTACTED, score: 45 }) { status } }",
        json!({ "id": encode(NodeKind::Lead, lead) }),
    )
    .await);
    ok(&run(
        app,
        users::OWNER,
        "mutation($brand: ID!) {
           connectPlatform(input: { brandId: $brand, platform: \"mailchimp\", platformUserId: \"mc-1\",
             displayName: \"Aurora newsletter\", scopes: [\"campaigns\"], accessToken: \"mc-token-123456\" }) { uuid } }",
        json!({ "brand": brands::AURORA }),
    )
    .await);
    ok(&run(
        app,
        users::MEMBER,
        "mutation($brand: ID!, $contacts: [EmailContactInput!]!) {
           importEmailContacts(brandId: $brand, contacts: $contacts) { created } }",
        json!({ "brand": brands::AURORA,
                "contacts": [{ "email": email.to_uppercase(), "name": "Petra Private", "company": "Privacy GmbH" }] }),
    )
    .await);
    let contact: Uuid = app
        .scalar(&format!(
            "SELECT id::text FROM email_contacts WHERE brand_id = '{}' AND lower(email) = lower('{email}')",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    assert_eq!(
        app.scalar(&format!(
            "SELECT lead_id::text FROM email_contacts WHERE id = '{contact}'"
        ))
        .await,
        lead.to_string(),
        "the contact is linked to the lead"
    );
    let draft = run(
        app,
        users::MEMBER,
        "mutation($input: CreateEmailCampaignInput!) { createEmailCampaign(input: $input) { id uuid } }",
        json!({ "input": { "brandId": brands::AURORA, "name": "Privacy newsletter", "subject": "Hello",
                           "htmlContent": "<p>Hi</p>" } }),
    )
    .await;
    let draft = ok(&draft)["createEmailCampaign"].clone();
    ok(&run(
        app,
        users::MANAGER,
        "mutation($id: ID!) { sendEmailCampaign(id: $id) { status } }",
        json!({ "id": draft["id"] }),
    )
    .await);
    ok(&app
        .graphql(
            Some(&service_token()),
            "mutation { claimPublishJobs(platform: \"mailchimp\", limit: 10, leaseSeconds: 60) { recipients { email } } }",
            json!({}),
        )
        .await);
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT count(*) FROM email_campaign_recipients WHERE contact_id = '{contact}'"
            )
        )
        .await,
        1,
        "the person was in the audience"
    );
    for (n, kind) in ["delivered", "opened", "clicked"].into_iter().enumerate() {
        provider_event(
            app,
            &format!("privacy-{n}"),
            json!({ "type": format!("email.{kind}"), "brandId": brands::AURORA,
                    "data": { "email": email.to_lowercase(), "emailCampaignId": draft["uuid"],
                              "eventId": format!("privacy-ev-{n}"),
                              "url": format!("https://aurora.test/beans?who={email}") } }),
        )
        .await;
    }
    // The lead's search document: written by the lead-capture migration's trigger where
    // it exists, otherwise by hand in the same shape (entity type `lead`).
    let owner = app.owner().await;
    if count(
        app,
        &format!("SELECT count(*) FROM search_documents WHERE entity_id = '{lead}'"),
    )
    .await
        == 0
    {
        owner
            .execute_unprepared(&format!(
                "ALTER TABLE search_documents DROP CONSTRAINT IF EXISTS search_documents_entity_type_check;
                 SELECT index_search_document('lead', '{lead}', '{b}', 'Petra Private', '{email} Privacy GmbH')",
                b = brands::AURORA
            ))
            .await
            .unwrap();
    }
    // A change event whose payload carries the address (as a capture event may).
    owner
        .execute_unprepared(&format!(
            "INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
             VALUES ('lead', '{b}', '{lead}', 'update', jsonb_build_object('email', '{email}', 'name', 'Petra Private'))",
            b = brands::AURORA
        ))
        .await
        .unwrap();
    (email, lead, contact)
}

#[tokio::test]
async fn an_erased_person_leaves_no_trace_in_any_table_but_counts_stay_right() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let before = app.cursor_now().await;
    let (email, lead, contact) = spread_person(&app).await;

    // The data is everywhere, the change log included.
    let spread = tables_mentioning(&app, &email).await;
    let names: Vec<&str> = spread.iter().map(|(t, _)| t.as_str()).collect();
    for table in [
        "leads",
        "lead_activities",
        "email_contacts",
        "email_events",
        "webhook_events",
        "search_documents",
        "change_events",
    ] {
        assert!(
            names.contains(&table),
            "{table} should hold the address before: {spread:?}"
        );
    }
    let lead_events = count(
        &app,
        &format!(
            "SELECT count(*) FROM change_events WHERE seq > {before} AND entity_id = '{lead}'"
        ),
    )
    .await;
    assert!(
        lead_events >= 3,
        "capture, update and the payload event: {lead_events}"
    );
    let leads_before = count(
        &app,
        &format!(
            "SELECT count(*) FROM leads WHERE brand_id = '{}'",
            brands::AURORA
        ),
    )
    .await;
    let contacted_before = count(
        &app,
        &format!(
            "SELECT count(*) FROM leads WHERE brand_id = '{}' AND status = 'contacted'",
            brands::AURORA
        ),
    )
    .await;
    let activities_before = count(
        &app,
        &format!("SELECT count(*) FROM lead_activities WHERE lead_id = '{lead}'"),
    )
    .await;

    let erased = run(
        &app,
        users::ADMIN,
        ERASE_PERSON,
        json!({ "brand": brands::AURORA, "email": format!("  {}  ", email.to_uppercase()) }),
    )
    .await;
    let erased = &ok(&erased)["erasePerson"];
    assert_eq!(erased["leadsErased"], 1, "{erased}");
    assert_eq!(erased["contactsErased"], 1, "{erased}");
    assert!(
        erased["activitiesScrubbed"].as_i64().unwrap() >= 2,
        "{erased}"
    );
    assert_eq!(erased["emailEventsScrubbed"], 3, "{erased}");
    assert_eq!(erased["searchDocumentsRemoved"], 1, "{erased}");
    assert!(
        erased["changeEventsScrubbed"].as_i64().unwrap() >= lead_events,
        "{erased}"
    );
    assert_eq!(erased["webhookEventsScrubbed"], 3, "{erased}");

    // Nowhere, in any table, whatever its case.
    assert_eq!(tables_mentioning(&app, &email).await, vec![]);
    assert_eq!(tables_mentioning(&app, "Petra Private").await, vec![]);
    assert_eq!(tables_mentioning(&app, "Privacy GmbH").await, vec![]);
    assert_eq!(tables_mentioning(&app, "+49 30 1234567").await, vec![]);

    // The change log keeps every event (cursors stay whole) with nothing personal in it.
    let replay = app
        .scalar(&format!(
            "SELECT coalesce(json_agg(json_build_object('topic', topic, 'entity', entity_id, 'payload', payload)
                                      ORDER BY seq)::text, '[]')
               FROM change_events WHERE seq > {before} AND entity_id IN ('{lead}', '{contact}')"
        ))
        .await;
    let replay: Vec<Value> = serde_json::from_str(&replay).unwrap();
    assert_eq!(replay.len() as i64, lead_events, "{replay:?}");
    assert!(
        replay
            .iter()
            .all(|e| e["payload"] == json!({ "erased": true })),
        "{replay:?}"
    );

    // Tombstones: the rows stay, counts and funnels stay right, the contact is never mailed.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM leads WHERE brand_id = '{}'",
                brands::AURORA
            )
        )
        .await,
        leads_before
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM leads WHERE brand_id = '{}' AND status = 'contacted'",
                brands::AURORA
            )
        )
        .await,
        contacted_before
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM lead_activities WHERE lead_id = '{lead}'")
        )
        .await,
        activities_before
    );
    assert_eq!(
        app.scalar(&format!("SELECT concat_ws(' ', name, email, score, source, phone) FROM leads WHERE id = '{lead}'")).await,
        format!("Erased erased-{lead}@erased.invalid 45 website")
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT subscription_status FROM email_contacts WHERE id = '{contact}'"
        ))
        .await,
        "unsubscribed"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM email_campaign_recipients WHERE contact_id = '{contact}'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM email_events WHERE contact_id = '{contact}'")
        )
        .await,
        3
    );

    // The request and the privacy log name the subject by hash only.
    let hash = erased["subjectHash"].as_str().unwrap();
    assert_eq!(
        hash,
        app.scalar(&format!(
            "SELECT encode(sha256(convert_to('{}:' || lower('{email}'), 'UTF8')), 'hex')",
            brands::AURORA
        ))
        .await
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT concat_ws(' ', r.status, r.lead_ids::text, r.contact_ids::text, r.requested_by, l.event_type, l.user_id)
               FROM data_deletion_requests r JOIN privacy_audit_log l ON l.request_id = r.id
              WHERE r.id = '{}' AND r.subject_hash = '{hash}' AND l.subject_hash = '{hash}'",
            erased["requestId"].as_str().unwrap()
        ))
        .await,
        format!("completed {{{lead}}} {{{contact}}} {a} erasure {a}", a = users::ADMIN)
    );
    // The log is append-only, even for the owner's ordinary statements.
    let tampered = app
        .owner()
        .await
        .execute_unprepared("DELETE FROM privacy_audit_log")
        .await;
    assert!(tampered.is_err());

    // Erasing again finds nothing and says so.
    let again = run(
        &app,
        users::ADMIN,
        ERASE_PERSON,
        json!({ "brand": brands::AURORA, "email": email }),
    )
    .await;
    assert_eq!(ok(&again)["erasePerson"]["leadsErased"], 0);
    assert_eq!(ok(&again)["erasePerson"]["contactsErased"], 0);
}

#[tokio::test]
async fn an_export_holds_everything_about_the_person_in_one_document() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (email, lead, contact) = spread_person(&app).await;

    let exported = run(
        &app,
        users::OWNER,
        "mutation($id: ID!) { exportLeadData(id: $id) { requestId document } }",
        json!({ "id": encode(NodeKind::Lead, lead) }),
    )
    .await;
    let export = &ok(&exported)["exportLeadData"];
    let doc = &export["document"];
    assert_eq!(doc["email"], email);
    assert_eq!(doc["requestId"], export["requestId"]);
    let leads = doc["leads"].as_array().unwrap();
    assert_eq!(leads.len(), 1, "{doc}");
    assert_eq!(leads[0]["id"], lead.to_string());
    assert_eq!(leads[0]["phone"], "+49 30 1234567");
    let kinds: Vec<&str> = leads[0]["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    for kind in [
        "note",
        "status_changed",
        "email_sent",
        "email_opened",
        "email_clicked",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let contacts = doc["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{doc}");
    assert_eq!(contacts[0]["id"], contact.to_string());
    assert_eq!(contacts[0]["campaigns"][0]["name"], "Privacy newsletter");
    assert_eq!(contacts[0]["events"].as_array().unwrap().len(), 3);

    // Recorded by hash, in the requests and in the privacy log.
    assert_eq!(
        app.scalar(&format!(
            "SELECT concat_ws(' ', r.lead_id, r.contact_id, r.requested_by, l.event_type)
               FROM data_export_requests r JOIN privacy_audit_log l ON l.request_id = r.id
              WHERE r.id = '{}'",
            export["requestId"].as_str().unwrap()
        ))
        .await,
        format!("{lead} {contact} {} export", users::OWNER)
    );
    assert_eq!(
        count(&app, &format!(
            "SELECT count(*) FROM data_export_requests r, privacy_audit_log l
              WHERE row_to_json(r)::text ILIKE '%{email}%' OR row_to_json(l)::text ILIKE '%{email}%'"
        ))
        .await,
        0
    );

    // By address, through the contact's erasure: afterwards the export holds only tombstones.
    ok(&run(
        &app,
        users::ADMIN,
        "mutation($id: ID!) { eraseContact(id: $id) { leadsErased contactsErased } }",
        json!({ "id": encode(NodeKind::EmailContact, contact) }),
    )
    .await);
    let after = run(
        &app,
        users::ADMIN,
        EXPORT_PERSON,
        json!({ "brand": brands::AURORA, "email": email }),
    )
    .await;
    let doc = &ok(&after)["exportPersonData"]["document"];
    assert_eq!(doc["leads"], json!([]), "{doc}");
    assert_eq!(doc["contacts"], json!([]), "{doc}");
}

#[tokio::test]
async fn only_admins_and_owners_of_the_brand_may_export_or_erase() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let (email, lead, contact) = spread_person(&app).await;
    let by_lead =
        |field: &str| format!("mutation($id: ID!) {{ {field}(id: $id) {{ requestId }} }}");
    let person = json!({ "brand": brands::AURORA, "email": email });

    // Manager, member and viewer of the brand: FORBIDDEN; strangers: NOT_FOUND.
    for (user, code) in [
        (users::MANAGER, "FORBIDDEN"),
        (users::MEMBER, "FORBIDDEN"),
        (users::VIEWER, "FORBIDDEN"),
        (users::OUTSIDER, "NOT_FOUND"),
    ] {
        for (query, variables) in [
            (ERASE_PERSON.to_string(), person.clone()),
            (EXPORT_PERSON.to_string(), person.clone()),
            (
                by_lead("eraseLead"),
                json!({ "id": encode(NodeKind::Lead, lead) }),
            ),
            (
                by_lead("exportLeadData"),
                json!({ "id": encode(NodeKind::Lead, lead) }),
            ),
            (
                by_lead("eraseContact"),
                json!({ "id": encode(NodeKind::EmailContact, contact) }),
            ),
        ] {
            let response = run(&app, user, &query, variables).await;
            assert_eq!(
                error_code(&response),
                Some(code),
                "{user} {query}: {response}"
            );
        }
    }
    // An admin of Aurora is only a viewer of Borealis, and nothing in Cascade.
    let other = run(
        &app,
        users::ADMIN,
        ERASE_PERSON,
        json!({ "brand": brands::BOREALIS, "email": email }),
    )
    .await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    let other = run(
        &app,
        users::ADMIN,
        EXPORT_PERSON,
        json!({ "brand": brands::CASCADE, "email": email }),
    )
    .await;
    assert_eq!(error_code(&other), Some("NOT_FOUND"), "{other}");
    // Anonymous callers and bad addresses.
    let anonymous = app.graphql(None, ERASE_PERSON, person.clone()).await;
    assert_eq!(
        error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    let bad = run(
        &app,
        users::ADMIN,
        ERASE_PERSON,
        json!({ "brand": brands::AURORA, "email": "not an address" }),
    )
    .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");

    // Nothing was erased or recorded by the refused requests.
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM leads WHERE id = '{lead}' AND name = 'Petra Private'")
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM data_deletion_requests").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM data_export_requests").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM privacy_audit_log").await,
        0
    );
    // The Borealis owner erasing the same address in Borealis leaves Aurora's person alone.
    ok(&run(
        &app,
        users::OWNER,
        ERASE_PERSON,
        json!({ "brand": brands::BOREALIS, "email": email }),
    )
    .await);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM leads WHERE id = '{lead}' AND name = 'Petra Private'")
        )
        .await,
        1
    );
}

/// Both lead streams of Aurora, with the lead as it is now (a member reads its email).
const LEAD_STREAMS: [(&str, &str); 2] = [
    (
        "leadCaptured",
        "subscription($brand: ID!, $after: String) { leadCaptured(brandId: $brand, after: $after) {
           cursor op leadId status score lead { name email phone company } } }",
    ),
    (
        "leadUpdated",
        "subscription($brand: ID!, $after: String) { leadUpdated(brandId: $brand, after: $after) {
           cursor op leadId status score lead { name email phone company } } }",
    ),
];

/// What a member resuming both lead streams `after` a cursor receives about `lead`: every
/// one of its `expected` change events, sorted by cursor.
async fn replayed_events(app: &TestApp, after: &str, lead: Uuid, expected: usize) -> Vec<Value> {
    use crate::ws_client::{TRANSPORT_WS, WsClient};
    let mut client = WsClient::connect(app, TRANSPORT_WS, &user_token(users::MEMBER)).await;
    for (field, query) in LEAD_STREAMS {
        client
            .subscribe(
                field,
                query,
                json!({ "brand": brands::AURORA, "after": after }),
            )
            .await;
    }
    let id = encode(NodeKind::Lead, lead).to_string();
    let mut events = Vec::new();
    while events.len() < expected {
        let payload = client.next_data().await;
        assert!(payload.get("errors").is_none(), "{payload}");
        let data = payload["data"].as_object().expect("data").clone();
        for (field, event) in data {
            if event["leadId"] == id.as_str() {
                events.push(json!({ "stream": field, "event": event }));
            }
        }
    }
    events.sort_by_key(|e| {
        e["event"]["cursor"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    });
    events
}

/// A person captured through the public form, worked on and erased: resuming the lead
/// subscriptions from a cursor before the capture still delivers every event (cursors
/// and counts stay whole), and none of them carries the person's name, address or
/// company any more — although the same replay carried them before the erasure.
#[tokio::test]
async fn a_subscription_replayed_after_an_erasure_delivers_every_event_and_no_personal_data() {
    let app = spawn_app().await;
    app.seed_demo().await;
    app.settle_realtime().await;
    let before = app.cursor_now().await;
    let tag = Uuid::new_v4().simple().to_string();
    let (name, email, company) = (
        format!("Rita Replay {tag}"),
        format!("rita.{tag}@replay.example"),
        format!("Replay {tag} GmbH"),
    );
    let captured = app
        .http
        .post(app.url(&format!("/forms/{}", brandgraph::seed::DEMO_FORM_KEY)))
        .json(
            &json!({ "name": name, "email": email, "company": company, "phone": "+49 30 7654321" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(captured.status(), 202);
    let lead: Uuid = app
        .scalar(&format!(
            "SELECT id::text FROM leads WHERE email = '{email}'"
        ))
        .await
        .parse()
        .unwrap();
    ok(&run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { updateLead(id: $id, input: { status: QUALIFIED }) { status } }",
        json!({ "id": encode(NodeKind::Lead, lead) }),
    )
    .await);
    // A change event whose payload names the person (as a capture event may).
    app.owner()
        .await
        .execute_unprepared(&format!(
            "INSERT INTO change_events (topic, brand_id, entity_id, op, payload)
             VALUES ('lead', '{b}', '{lead}', 'update',
                     jsonb_build_object('status', 'qualified', 'email', '{email}', 'name', '{name}'))",
            b = brands::AURORA
        ))
        .await
        .unwrap();
    app.settle_realtime().await;
    let events = count(
        &app,
        &format!(
            "SELECT count(*) FROM change_events WHERE seq > {before} AND topic = 'lead' AND entity_id = '{lead}'"
        ),
    )
    .await as usize;
    assert_eq!(
        events, 3,
        "the capture, the status change and the payload event"
    );
    let personal = |replay: &[Value]| {
        let text = serde_json::to_string(replay).unwrap().to_lowercase();
        [&name, &email, &company, &"+49 30 7654321".to_string()]
            .into_iter()
            .filter(|needle| text.contains(&needle.to_lowercase()))
            .count()
    };

    let replay_before = replayed_events(&app, &before, lead, events).await;
    assert_eq!(
        personal(&replay_before),
        4,
        "before the erasure the replay names the person: {replay_before:?}"
    );

    ok(&run(
        &app,
        users::ADMIN,
        "mutation($id: ID!) { eraseLead(id: $id) { leadsErased changeEventsScrubbed } }",
        json!({ "id": encode(NodeKind::Lead, lead) }),
    )
    .await);
    app.settle_realtime().await;
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM change_events WHERE seq > {before} AND topic = 'lead' AND entity_id = '{lead}'"
            ),
        )
        .await as usize,
        events,
        "the erasure rewrites events, it neither adds nor removes any"
    );

    let replay_after = replayed_events(&app, &before, lead, events).await;
    let cursors = |replay: &[Value]| -> Vec<(String, String, String)> {
        replay
            .iter()
            .map(|e| {
                (
                    e["stream"].as_str().unwrap().to_string(),
                    e["event"]["cursor"].as_str().unwrap().to_string(),
                    e["event"]["op"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        cursors(&replay_after),
        cursors(&replay_before),
        "every event is still delivered, on the same stream, cursor and op"
    );
    assert_eq!(
        cursors(&replay_after)
            .iter()
            .map(|(stream, _, op)| format!("{stream}:{op}"))
            .collect::<Vec<_>>(),
        [
            "leadCaptured:INSERT",
            "leadUpdated:UPDATE",
            "leadUpdated:UPDATE"
        ]
    );
    assert_eq!(personal(&replay_after), 0, "{replay_after:?}");
    for e in &replay_after {
        assert_eq!(
            e["event"]["lead"],
            json!({ "name": "Erased", "email": format!("erased-{lead}@erased.invalid"),
                    "phone": null, "company": null }),
            "the lead is its tombstone: {e}"
        );
    }
}
