//! Email: templates, email campaigns sent through the publishing pipeline (a publish job
//! on the brand's mailchimp connection, claimed by a worker with its audience), contact
//! imports, unsubscribes, the provider's webhooks becoming contact statuses and lead
//! activities, automation rules, the role matrix and the statement count of the lists.

use brandgraph::domain::webhooks::signature::sign;
use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, WEBHOOK_PROVIDER, WEBHOOK_SECRET, error_code, service_token, spawn_app, user_token,
};
use crate::ws_client::{TRANSPORT_WS, WsClient};

const CONNECT_MAILCHIMP: &str = "mutation($brand: ID!) {
  connectPlatform(input: { brandId: $brand, platform: \"mailchimp\", platformUserId: \"mc-1\",
    displayName: \"Aurora newsletter\", scopes: [\"campaigns\"], accessToken: \"mc-token-123456\" }) { uuid } }";
const CREATE_TEMPLATE: &str = "mutation($input: CreateEmailTemplateInput!) {
  createEmailTemplate(input: $input) { id uuid name subject htmlContent variables } }";
const CREATE_EMAIL: &str = "mutation($input: CreateEmailCampaignInput!) {
  createEmailCampaign(input: $input) { id uuid name subject htmlContent status audienceTags
    template { name } campaign { name } } }";
const IMPORT: &str = "mutation($brand: ID!, $contacts: [EmailContactInput!]!) {
  importEmailContacts(brandId: $brand, contacts: $contacts) { created updated unchanged duplicates } }";
const CLAIM: &str = "mutation { claimPublishJobs(platform: \"mailchimp\", limit: 10, leaseSeconds: 60) {
  platform job { id uuid status title emailCampaign { uuid status } } recipients { email name contactId } } }";

async fn run(app: &TestApp, user: Uuid, query: &str, variables: Value) -> Value {
    app.graphql(Some(&user_token(user)), query, variables).await
}

fn ok(response: &Value) -> &Value {
    assert!(response.get("errors").is_none(), "{response}");
    &response["data"]
}

async fn connect_mailchimp(app: &TestApp, brand: Uuid) {
    ok(&run(
        app,
        users::OWNER,
        CONNECT_MAILCHIMP,
        json!({ "brand": brand }),
    )
    .await);
}

async fn import(app: &TestApp, user: Uuid, brand: Uuid, contacts: Value) -> Value {
    run(
        app,
        user,
        IMPORT,
        json!({ "brand": brand, "contacts": contacts }),
    )
    .await
}

/// A draft in `brand` made by the member, with its global id.
async fn draft(app: &TestApp, brand: Uuid, name: &str, extra: Value) -> String {
    let mut input = json!({ "brandId": brand, "name": name, "subject": "Fresh roast",
                            "htmlContent": "<p>New beans are in.</p>" });
    for (key, value) in extra.as_object().unwrap() {
        input[key] = value.clone();
    }
    let response = run(app, users::MEMBER, CREATE_EMAIL, json!({ "input": input })).await;
    ok(&response)["createEmailCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn email_campaign(app: &TestApp, id: &str) -> Value {
    let response = run(
        app,
        users::MANAGER,
        "query($id: ID!) { node(id: $id) { ... on EmailCampaign { status sentAt recipientCount scheduledFor
            stats { delivered opened clicked bounced unsubscribed openRate clickRate }
            publishJob { status publishAt attemptCount } } } }",
        json!({ "id": id }),
    )
    .await;
    ok(&response)["node"].clone()
}

async fn step(app: &TestApp, user: Uuid, mutation: &str, id: &str) -> Value {
    let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ status scheduledFor }} }}");
    run(app, user, &query, json!({ "id": id })).await
}

async fn contact_status(app: &TestApp, brand: Uuid, email: &str) -> String {
    app.scalar(&format!(
        "SELECT subscription_status FROM email_contacts WHERE brand_id = '{brand}' AND lower(email) = lower('{email}')"
    ))
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(&format!("SELECT ({sql})::text"))
        .await
        .parse()
        .unwrap()
}

/// Sends a signed provider event and waits (bounded) until the processor settled it.
async fn provider_event(app: &TestApp, delivery: &str, body: Value) -> String {
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
        if ["processed", "ignored", "dead"].contains(&status.as_str()) {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("delivery {delivery} never settled");
}

fn email_event(kind: &str, brand: Uuid, data: Value) -> Value {
    json!({ "type": format!("email.{kind}"), "brandId": brand, "data": data })
}

#[tokio::test]
async fn an_email_campaign_goes_out_through_the_pipeline_to_subscribed_contacts_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    let imported = import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([
            { "email": "ana@roasters.test", "name": "Ana", "tags": ["loyalty"] },
            { "email": "ben@roasters.test", "name": "Ben", "tags": ["loyalty"] },
            { "email": "cleo@roasters.test", "name": "Cleo", "tags": ["loyalty"] },
            { "email": "dan@roasters.test", "name": "Dan", "tags": ["wholesale"] },
        ]),
    )
    .await;
    assert_eq!(
        ok(&imported)["importEmailContacts"],
        json!({ "created": 4, "updated": 0, "unchanged": 0, "duplicates": 0 })
    );
    // Ben unsubscribes himself; Cleo's address bounced on an earlier send.
    let ben: Uuid = app
        .scalar("SELECT id::text FROM email_contacts WHERE email = 'ben@roasters.test'")
        .await
        .parse()
        .unwrap();
    let unsubscribed = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { unsubscribeEmailContact(id: $id, reason: \"too many\") { subscriptionStatus } }",
        json!({ "id": encode(NodeKind::EmailContact, ben) }),
    )
    .await;
    assert_eq!(
        ok(&unsubscribed)["unsubscribeEmailContact"]["subscriptionStatus"],
        "UNSUBSCRIBED"
    );
    let bounced = provider_event(
        &app,
        "bounce-1",
        email_event(
            "bounced",
            brands::AURORA,
            json!({ "email": "CLEO@roasters.test" }),
        ),
    )
    .await;
    assert_eq!(bounced, "processed");
    assert_eq!(
        contact_status(&app, brands::AURORA, "cleo@roasters.test").await,
        "bounced"
    );

    let template = run(
        &app,
        users::MEMBER,
        CREATE_TEMPLATE,
        json!({ "input": { "brandId": brands::AURORA, "name": "Monthly", "subject": "This month at Aurora",
                           "htmlContent": "<h1>Hello {{first_name}}</h1>", "variables": ["first_name"] } }),
    )
    .await;
    let template_id = ok(&template)["createEmailTemplate"]["id"].clone();
    let launch = encode(
        NodeKind::Campaign,
        app.scalar(&format!(
            "SELECT md5('campaign:{}:launch')::uuid::text",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap(),
    );
    let created = run(
        &app,
        users::MEMBER,
        CREATE_EMAIL,
        json!({ "input": { "brandId": brands::AURORA, "name": "June letter", "templateId": template_id,
                           "campaignId": launch, "audienceTags": ["loyalty"] } }),
    )
    .await;
    let email = &ok(&created)["createEmailCampaign"];
    assert_eq!(email["status"], "DRAFT");
    assert_eq!(
        email["subject"], "This month at Aurora",
        "copied from the template"
    );
    assert_eq!(email["template"]["name"], "Monthly");
    assert_eq!(email["campaign"]["name"], "Spring Espresso Launch");
    let id = email["id"].as_str().unwrap().to_string();

    // Live job status, as for posts.
    let mut jobs = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    let after = app.cursor_now().await;
    jobs.subscribe(
        "jobs",
        "subscription($brand: ID!, $after: String) { publishJobUpdated(brandId: $brand, after: $after) { status } }",
        json!({ "brand": brands::AURORA, "after": after }),
    )
    .await;

    let sent = step(&app, users::MANAGER, "sendEmailCampaign", &id).await;
    assert_eq!(ok(&sent)["sendEmailCampaign"]["status"], "SENDING");
    let state = email_campaign(&app, &id).await;
    assert_eq!(state["publishJob"]["status"], "PENDING", "{state}");

    let claimed = app.graphql(Some(&service_token()), CLAIM, json!({})).await;
    let claimed = &ok(&claimed)["claimPublishJobs"];
    assert_eq!(claimed.as_array().unwrap().len(), 1, "{claimed}");
    let job = &claimed[0];
    assert_eq!(job["platform"], "mailchimp");
    assert_eq!(job["job"]["title"], "This month at Aurora");
    assert_eq!(job["job"]["emailCampaign"]["status"], "SENDING");
    // Only the subscribed contacts with the audience's tag: not Ben (unsubscribed), not
    // Cleo (bounced), not Dan (another tag); of the demo's loyalty list not Noah and Tom
    // (unsubscribed) nor the bounced old address.
    assert_eq!(
        job["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["email"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec![
            "ana@roasters.test",
            "emma.hoffmann@example.com",
            "lena.fischer@example.com",
            "mia.schulz@example.com"
        ]
    );
    assert_eq!(email_campaign(&app, &id).await["recipientCount"], 4);

    let job_id = job["job"]["id"].as_str().unwrap();
    let done = app
        .graphql(
            Some(&service_token()),
            "mutation($id: ID!) { completePublishJob(id: $id, platformPostId: \"mc-campaign-1\") { status } }",
            json!({ "id": job_id }),
        )
        .await;
    assert_eq!(ok(&done)["completePublishJob"]["status"], "PUBLISHED");
    let state = email_campaign(&app, &id).await;
    assert_eq!(state["status"], "SENT", "{state}");
    assert!(state["sentAt"].is_string());

    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("PUBLISHED") {
        let event = jobs.next_data().await;
        seen.push(
            event["data"]["publishJobUpdated"]["status"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(seen, ["PENDING", "PROCESSING", "PUBLISHED"]);

    // Sent is final.
    let again = step(&app, users::MANAGER, "sendEmailCampaign", &id).await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
    let cancel = step(&app, users::MANAGER, "cancelEmailCampaign", &id).await;
    assert_eq!(error_code(&cancel), Some("BAD_USER_INPUT"), "{cancel}");
    // The campaign lists it.
    let listed = run(
        &app,
        users::VIEWER,
        "query($id: ID!) { campaign(id: $id) { emailCampaigns { totalCount edges { node { name status } } } } }",
        json!({ "id": launch }),
    )
    .await;
    assert_eq!(
        ok(&listed)["campaign"]["emailCampaigns"],
        json!({ "totalCount": 2, "edges": [
            { "node": { "name": "June letter", "status": "SENT" } },
            { "node": { "name": "Espresso launch announcement", "status": "SENT" } }] })
    );
}

#[tokio::test]
async fn a_failed_send_is_dead_lettered_and_retried_through_the_job() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "ana@roasters.test" }]),
    )
    .await;
    let id = draft(&app, brands::AURORA, "Retry me", json!({})).await;
    ok(&step(&app, users::MANAGER, "sendEmailCampaign", &id).await);
    let claimed = app.graphql(Some(&service_token()), CLAIM, json!({})).await;
    let job_id = ok(&claimed)["claimPublishJobs"][0]["job"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = app
        .graphql(
            Some(&service_token()),
            "mutation($id: ID!) { failPublishJob(id: $id, code: \"INVALID_LIST\", message: \"list gone\", retryable: false) { status } }",
            json!({ "id": job_id }),
        )
        .await;
    assert_eq!(ok(&failed)["failPublishJob"]["status"], "DEAD");
    assert_eq!(email_campaign(&app, &id).await["status"], "FAILED");

    let retried = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!) { retryPublishJob(id: $id) { status } }",
        json!({ "id": job_id }),
    )
    .await;
    assert_eq!(ok(&retried)["retryPublishJob"]["status"], "PENDING");
    assert_eq!(email_campaign(&app, &id).await["status"], "SENDING");

    // Claimed and sent on the second try.
    let claimed = app.graphql(Some(&service_token()), CLAIM, json!({})).await;
    assert_eq!(ok(&claimed)["claimPublishJobs"][0]["job"]["id"], job_id);
    ok(&app
        .graphql(
            Some(&service_token()),
            "mutation($id: ID!) { completePublishJob(id: $id, platformPostId: \"mc-2\") { status } }",
            json!({ "id": job_id }),
        )
        .await);
    let state = email_campaign(&app, &id).await;
    assert_eq!(state["status"], "SENT", "{state}");
    assert_eq!(state["publishJob"]["attemptCount"], 2);
}

#[tokio::test]
async fn sending_without_a_mailchimp_connection_is_a_clear_error() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let id = draft(&app, brands::AURORA, "Nowhere to go", json!({})).await;
    for mutation in ["sendEmailCampaign"] {
        let response = step(&app, users::MANAGER, mutation, &id).await;
        assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "connection");
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("mailchimp")
        );
    }
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let scheduled = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!, $at: DateTime!) { scheduleEmailCampaign(id: $id, scheduledFor: $at) { status } }",
        json!({ "id": id, "at": at }),
    )
    .await;
    assert_eq!(
        scheduled["errors"][0]["extensions"]["field"], "connection",
        "{scheduled}"
    );
    // Nothing changed.
    assert_eq!(email_campaign(&app, &id).await["status"], "DRAFT");
    assert_eq!(count(&app, "SELECT count(*) FROM publish_jobs").await, 0);
}

#[tokio::test]
async fn a_scheduled_email_waits_for_its_time_and_can_be_cancelled() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    let id = draft(&app, brands::AURORA, "Later", json!({})).await;
    let schedule = "mutation($id: ID!, $at: DateTime!) { scheduleEmailCampaign(id: $id, scheduledFor: $at) { status scheduledFor } }";
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let refused = run(
        &app,
        users::MANAGER,
        schedule,
        json!({ "id": id, "at": past }),
    )
    .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");

    let at = chrono::Utc::now() + chrono::Duration::hours(3);
    let scheduled = run(
        &app,
        users::MANAGER,
        schedule,
        json!({ "id": id, "at": at.to_rfc3339() }),
    )
    .await;
    assert_eq!(
        ok(&scheduled)["scheduleEmailCampaign"]["status"],
        "SCHEDULED"
    );
    // Rescheduling moves the one job rather than adding one.
    let later = at + chrono::Duration::hours(1);
    ok(&run(
        &app,
        users::MANAGER,
        schedule,
        json!({ "id": id, "at": later.to_rfc3339() }),
    )
    .await);
    assert_eq!(count(&app, "SELECT count(*) FROM publish_jobs").await, 1);
    let state = email_campaign(&app, &id).await;
    assert_eq!(state["publishJob"]["status"], "PENDING");
    let due: chrono::DateTime<chrono::Utc> = state["publishJob"]["publishAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due.timestamp(), later.timestamp());

    // Editing a scheduled campaign updates what its job will send.
    ok(&run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { updateEmailCampaign(id: $id, input: { subject: \"Changed\" }) { subject } }",
        json!({ "id": id }),
    )
    .await);
    assert_eq!(
        app.scalar("SELECT title FROM publish_jobs").await,
        "Changed"
    );

    // A job a worker is claiming right now (its row locked) makes sending a quick
    // CONFLICT, never a wait or a deadlock with the claim.
    {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let claim = app.db.begin().await.unwrap();
        claim
            .execute_unprepared("SELECT id FROM publish_jobs FOR UPDATE")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let busy = step(&app, users::MANAGER, "sendEmailCampaign", &id).await;
        assert_eq!(error_code(&busy), Some("CONFLICT"), "{busy}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        claim.rollback().await.unwrap();
    }
    assert_eq!(email_campaign(&app, &id).await["status"], "SCHEDULED");

    // Not due: a worker gets nothing.
    let claimed = app.graphql(Some(&service_token()), CLAIM, json!({})).await;
    assert_eq!(ok(&claimed)["claimPublishJobs"], json!([]));

    let cancelled = step(&app, users::MANAGER, "cancelEmailCampaign", &id).await;
    assert_eq!(ok(&cancelled)["cancelEmailCampaign"]["status"], "CANCELLED");
    assert_eq!(
        email_campaign(&app, &id).await["publishJob"]["status"],
        "CANCELLED"
    );
    let again = step(&app, users::MANAGER, "sendEmailCampaign", &id).await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
}

#[tokio::test]
async fn contact_imports_are_bounded_idempotent_and_never_resubscribe() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let first = import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([
            { "email": "Eva@Example.test", "name": "Eva", "tags": ["vip"] },
            { "email": "eva@example.test", "name": "Eva again" },
            { "email": "finn@example.test" },
        ]),
    )
    .await;
    assert_eq!(
        ok(&first)["importEmailContacts"],
        json!({ "created": 2, "updated": 0, "unchanged": 0, "duplicates": 1 })
    );
    // Same rows again: nothing new. A new tag: updated.
    let same = import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "EVA@example.test", "tags": ["vip"] }, { "email": "finn@example.test" }]),
    )
    .await;
    assert_eq!(
        ok(&same)["importEmailContacts"],
        json!({ "created": 0, "updated": 0, "unchanged": 2, "duplicates": 0 })
    );
    let tagged = import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "finn@example.test", "tags": ["b2b"], "company": "Finn & Co" }]),
    )
    .await;
    assert_eq!(ok(&tagged)["importEmailContacts"]["updated"], 1);

    // An unsubscribed contact stays unsubscribed whatever is imported.
    let eva: Uuid = app
        .scalar("SELECT id::text FROM email_contacts WHERE lower(email) = 'eva@example.test'")
        .await
        .parse()
        .unwrap();
    ok(&run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { unsubscribeEmailContact(id: $id) { uuid } }",
        json!({ "id": eva }),
    )
    .await);
    import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "eva@example.test", "name": "Eva" }]),
    )
    .await;
    assert_eq!(
        contact_status(&app, brands::AURORA, "eva@example.test").await,
        "unsubscribed"
    );

    // The same address in another brand is another contact.
    let other = import(
        &app,
        users::OWNER,
        brands::BOREALIS,
        json!([{ "email": "eva@example.test" }]),
    )
    .await;
    assert_eq!(ok(&other)["importEmailContacts"]["created"], 1);
    assert_eq!(
        contact_status(&app, brands::BOREALIS, "eva@example.test").await,
        "subscribed"
    );

    // Bounds and validation: the whole batch is refused, naming the row.
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({ "email": format!("p{i}@bulk.test") }))
        .collect();
    let refused = import(&app, users::MEMBER, brands::AURORA, json!(too_many)).await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    let invalid = import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "ok@example.test" }, { "email": "not-an-address" }]),
    )
    .await;
    assert_eq!(error_code(&invalid), Some("BAD_USER_INPUT"));
    assert!(
        invalid["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("contacts[1]"),
        "{invalid}"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM email_contacts WHERE email LIKE '%bulk.test' OR email = 'ok@example.test'").await,
        0
    );
    // A thousand at once is fine.
    let thousand: Vec<Value> = (0..1000)
        .map(|i| json!({ "email": format!("p{i}@bulk.test"), "tags": ["bulk"] }))
        .collect();
    let bulk = import(&app, users::MEMBER, brands::AURORA, json!(thousand)).await;
    assert_eq!(ok(&bulk)["importEmailContacts"]["created"], 1000);
}

#[tokio::test]
async fn provider_events_move_contacts_and_become_lead_activities_once() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    // Amira is a lead of Aurora (demo seed); importing her links the contact to the lead.
    import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "Amira.Haddad@example.com" }, { "email": "gus@example.test" }]),
    )
    .await;
    let lead: Uuid = app
        .scalar(&format!(
            "SELECT md5('lead:{}:3')::uuid::text",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    assert_eq!(
        app.scalar(
            "SELECT lead_id::text FROM email_contacts WHERE email = 'Amira.Haddad@example.com'"
        )
        .await,
        lead.to_string()
    );
    let id = draft(&app, brands::AURORA, "Events", json!({})).await;
    ok(&step(&app, users::MANAGER, "sendEmailCampaign", &id).await);
    ok(&app.graphql(Some(&service_token()), CLAIM, json!({})).await);
    let campaign_uuid = app
        .scalar("SELECT id::text FROM email_campaigns WHERE name = 'Events'")
        .await;
    let activities = |kind: &'static str| {
        let app = &app;
        async move {
            count(
                app,
                &format!("SELECT count(*) FROM lead_activities WHERE lead_id = '{lead}' AND type = '{kind}'"),
            )
            .await
        }
    };
    let before_opened = activities("email_opened").await;

    for (delivery, kind, event_id) in [
        ("d-1", "delivered", "ev-1"),
        ("d-2", "opened", "ev-2"),
        // The provider re-sends the open under another delivery id: the event id dedups.
        ("d-3", "opened", "ev-2"),
        ("d-4", "opened", "ev-4"),
        ("d-5", "clicked", "ev-5"),
    ] {
        let status = provider_event(
            &app,
            delivery,
            email_event(
                kind,
                brands::AURORA,
                json!({ "email": "amira.haddad@EXAMPLE.com", "emailCampaignId": campaign_uuid,
                        "eventId": event_id, "url": "https://aurora.test/beans" }),
            ),
        )
        .await;
        assert_eq!(status, "processed", "{delivery}");
    }
    assert_eq!(activities("email_sent").await, 1);
    assert_eq!(
        activities("email_opened").await - before_opened,
        2,
        "two distinct opens"
    );
    assert_eq!(activities("email_clicked").await, 1);
    let events = "SELECT count(*) FROM email_events WHERE provider = 'testplatform'";
    assert_eq!(count(&app, events).await, 4);

    // Gus unsubscribes through the provider; a stranger's unsubscribe suppresses the address.
    for (delivery, kind, address) in [
        ("d-6", "unsubscribed", "gus@example.test"),
        ("d-7", "unsubscribed", "stranger@example.test"),
        ("d-8", "complained", "amira.haddad@example.com"),
    ] {
        let status = provider_event(
            &app,
            delivery,
            email_event(
                kind,
                brands::AURORA,
                json!({ "email": address, "emailCampaignId": campaign_uuid }),
            ),
        )
        .await;
        assert_eq!(status, "processed");
    }
    assert_eq!(
        contact_status(&app, brands::AURORA, "gus@example.test").await,
        "unsubscribed"
    );
    assert_eq!(
        contact_status(&app, brands::AURORA, "stranger@example.test").await,
        "unsubscribed"
    );
    assert_eq!(
        contact_status(&app, brands::AURORA, "amira.haddad@example.com").await,
        "complained"
    );
    assert_eq!(activities("email_unsubscribed").await, 1);

    let state = email_campaign(&app, &id).await;
    assert_eq!(
        state["stats"],
        json!({ "delivered": 1, "opened": 1, "clicked": 1, "bounced": 0, "unsubscribed": 2,
                "openRate": 1.0, "clickRate": 1.0 }),
        "{state}"
    );

    // An email campaign of another brand is refused (retried, then dead), touching nothing.
    let status = provider_event(
        &app,
        "d-9",
        email_event(
            "opened",
            brands::BOREALIS,
            json!({ "email": "amira.haddad@example.com", "emailCampaignId": campaign_uuid }),
        ),
    )
    .await;
    assert_eq!(status, "dead");
    assert_eq!(count(&app, events).await, 7);
    // A malformed event is retried and ends dead, never a panic.
    let status = provider_event(
        &app,
        "d-10",
        email_event("opened", brands::AURORA, json!({ "email": 42 })),
    )
    .await;
    assert_eq!(status, "dead");
}

#[tokio::test]
async fn who_may_do_what_with_email() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "hana@example.test", "name": "Hana" }]),
    )
    .await;
    let template_input = |name: &str| json!({ "input": { "brandId": brands::AURORA, "name": name, "subject": "S", "htmlContent": "<p>x</p>" } });
    // Viewers read everything except addresses; they write nothing.
    let viewer_write = run(&app, users::VIEWER, CREATE_TEMPLATE, template_input("V")).await;
    assert_eq!(
        error_code(&viewer_write),
        Some("FORBIDDEN"),
        "{viewer_write}"
    );
    let viewer_import = import(
        &app,
        users::VIEWER,
        brands::AURORA,
        json!([{ "email": "x@example.test" }]),
    )
    .await;
    assert_eq!(error_code(&viewer_import), Some("FORBIDDEN"));
    let read = "query($b: ID!) { brand(id: $b) { emailContacts { totalCount edges { node { email name subscriptionStatus } } }
        emailTemplates { totalCount } emailCampaigns { totalCount } emailAutomationRules { totalCount } } }";
    let as_viewer = run(&app, users::VIEWER, read, json!({ "b": brands::AURORA })).await;
    assert_eq!(
        ok(&as_viewer)["brand"]["emailContacts"]["edges"][0]["node"],
        json!({ "email": null, "name": "Hana", "subscriptionStatus": "SUBSCRIBED" })
    );
    let as_member = run(&app, users::MEMBER, read, json!({ "b": brands::AURORA })).await;
    assert_eq!(
        ok(&as_member)["brand"]["emailContacts"]["edges"][0]["node"]["email"],
        "hana@example.test"
    );

    // Members write templates and drafts but do not send, schedule, cancel or automate.
    ok(&run(&app, users::MEMBER, CREATE_TEMPLATE, template_input("M")).await);
    let duplicate = run(&app, users::MEMBER, CREATE_TEMPLATE, template_input("M")).await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"), "{duplicate}");
    let id = draft(&app, brands::AURORA, "Roles", json!({})).await;
    for mutation in ["sendEmailCampaign", "cancelEmailCampaign"] {
        let response = step(&app, users::MEMBER, mutation, &id).await;
        assert_eq!(
            error_code(&response),
            Some("FORBIDDEN"),
            "{mutation}: {response}"
        );
    }
    let rule = json!({ "input": { "brandId": brands::AURORA, "name": "Welcome",
        "triggerType": "CONTACT_SUBSCRIBED", "actionType": "NOTIFY_TEAM" } });
    let create_rule = "mutation($input: CreateEmailAutomationRuleInput!) { createEmailAutomationRule(input: $input) { id isActive } }";
    let member_rule = run(&app, users::MEMBER, create_rule, rule.clone()).await;
    assert_eq!(error_code(&member_rule), Some("FORBIDDEN"));
    ok(&run(&app, users::MANAGER, create_rule, rule).await);

    // Another brand's people and outsiders see nothing and change nothing: NOT_FOUND.
    for user in [users::OUTSIDER] {
        let response = step(&app, user, "sendEmailCampaign", &id).await;
        assert_eq!(error_code(&response), Some("NOT_FOUND"), "{response}");
        let node = run(
            &app,
            user,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(node["data"]["node"], Value::Null, "{node}");
    }
    // Aurora's member belongs to no other brand: Borealis does not exist for them.
    let borealis = import(
        &app,
        users::MEMBER,
        brands::BOREALIS,
        json!([{ "email": "z@example.test" }]),
    )
    .await;
    assert_eq!(error_code(&borealis), Some("NOT_FOUND"), "{borealis}");
    let sent = step(&app, users::MANAGER, "sendEmailCampaign", &id).await;
    assert_eq!(ok(&sent)["sendEmailCampaign"]["status"], "SENDING");
}

#[tokio::test]
async fn automation_rules_are_validated() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let create = "mutation($input: CreateEmailAutomationRuleInput!) {
        createEmailAutomationRule(input: $input) { id name triggerType actionType actionConfig isActive } }";
    let base = |extra: Value| {
        let mut input = json!({ "brandId": brands::AURORA, "name": "Rule", "triggerType": "EMAIL_CLICKED",
                                "actionType": "ADD_TAG", "actionConfig": { "tag": "engaged" } });
        for (key, value) in extra.as_object().unwrap() {
            input[key] = value.clone();
        }
        json!({ "input": input })
    };
    for (bad, field) in [
        (json!({ "actionConfig": {} }), "actionConfig"),
        (json!({ "actionConfig": [1] }), "actionConfig"),
        (json!({ "triggerConditions": "x" }), "triggerConditions"),
        (
            json!({ "actionType": "SEND_TEMPLATE", "actionConfig": { "templateId": Uuid::new_v4() } }),
            "actionConfig",
        ),
    ] {
        let response = run(&app, users::MANAGER, create, base(bad.clone())).await;
        assert_eq!(
            error_code(&response),
            Some("BAD_USER_INPUT"),
            "{bad}: {response}"
        );
        assert_eq!(response["errors"][0]["extensions"]["field"], field, "{bad}");
    }
    let created = run(&app, users::MANAGER, create, base(json!({}))).await;
    let rule = &ok(&created)["createEmailAutomationRule"];
    assert_eq!(rule["actionConfig"], json!({ "tag": "engaged" }));
    let again = run(&app, users::MANAGER, create, base(json!({}))).await;
    assert_eq!(error_code(&again), Some("CONFLICT"));

    let template = run(
        &app,
        users::MEMBER,
        CREATE_TEMPLATE,
        json!({ "input": { "brandId": brands::AURORA, "name": "Rule mail", "subject": "Hi", "htmlContent": "<p>Hi</p>" } }),
    )
    .await;
    let template_uuid = ok(&template)["createEmailTemplate"]["uuid"].clone();
    let updated = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!, $t: JSON!) { updateEmailAutomationRule(id: $id,
            input: { actionType: SEND_TEMPLATE, actionConfig: $t, isActive: false }) { actionType isActive } }",
        json!({ "id": rule["id"], "t": { "templateId": template_uuid } }),
    )
    .await;
    assert_eq!(
        ok(&updated)["updateEmailAutomationRule"],
        json!({ "actionType": "SEND_TEMPLATE", "isActive": false })
    );
    let deleted = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!) { deleteEmailAutomationRule(id: $id) }",
        json!({ "id": rule["id"] }),
    )
    .await;
    assert_eq!(ok(&deleted)["deleteEmailAutomationRule"], rule["id"]);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM email_automation_rules WHERE name = 'Rule'"
        )
        .await,
        0
    );
    let actions = count(
        &app,
        "SELECT count(*) FROM audit_logs WHERE resource_type = 'email_automation_rule'",
    )
    .await;
    assert_eq!(actions, 3);
}

#[tokio::test]
async fn email_lists_cost_one_statement_per_level_whatever_their_size() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "query($b: ID!, $n: Int!) { brand(id: $b) {
        emailCampaigns(first: $n) { totalCount edges { node { uuid template { name } campaign { name }
            stats { opened } publishJob { status } } } }
        emailContacts(first: $n) { totalCount edges { node { email lead { name } } } }
        emailTemplates(first: $n) { totalCount edges { node { name } } } } }";
    let insert = |n: u32| {
        format!(
            "INSERT INTO email_templates (brand_id, name, subject, html_content)
             SELECT '{b}', 'T' || i, 'S', '<p/>' FROM generate_series(1, {n}) AS i;
             INSERT INTO email_campaigns (brand_id, name, subject, html_content, template_id, created_at)
             SELECT '{b}', 'E' || i, 'S', '<p/>', (SELECT id FROM email_templates WHERE brand_id = '{b}' LIMIT 1),
                    now() - i * interval '1 minute'
               FROM generate_series(1, {n}) AS i;
             INSERT INTO email_contacts (brand_id, email) SELECT '{b}', 'c' || i || '@bulk.test' FROM generate_series(1, {n}) AS i;",
            b = brands::CASCADE
        )
    };
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared(&insert(20)).await.unwrap();
    let mut counts = Vec::new();
    for n in [2, 20] {
        let (response, count) = app
            .graphql_counted(
                Some(&service_token()),
                query,
                json!({ "b": brands::CASCADE, "n": n }),
            )
            .await;
        let data = ok(&response);
        assert_eq!(
            data["brand"]["emailCampaigns"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
        assert_eq!(data["brand"]["emailContacts"]["totalCount"], 20);
        counts.push(count);
    }
    assert_eq!(counts[0], counts[1], "2 and 20 rows cost the same");
    // brand; three pages and their counts; templates, stats, jobs (campaign and lead are
    // never loaded: null ids).
    assert!(counts[1] <= 12, "{} statements", counts[1]);

    // Keyset pages: walking two at a time visits every contact once.
    let mut after: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let page = app
            .graphql(
                Some(&service_token()),
                "query($b: ID!, $after: String) { brand(id: $b) { emailContacts(first: 7, after: $after) {
                    pageInfo { hasNextPage endCursor } edges { node { uuid } } } } }",
                json!({ "b": brands::CASCADE, "after": after }),
            )
            .await;
        let connection = &ok(&page)["brand"]["emailContacts"];
        for edge in connection["edges"].as_array().unwrap() {
            assert!(seen.insert(edge["node"]["uuid"].as_str().unwrap().to_string()));
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(String::from);
    }
    assert_eq!(seen.len(), 20);
}

/// A campaign's summary counts its email campaigns' recipients as sent, and each
/// recipient's first open and first click once, in the transactions that record them.
#[tokio::test]
async fn a_campaigns_summary_counts_its_emails_sent_opened_and_clicked() {
    let app = spawn_app().await;
    app.seed_demo().await;
    connect_mailchimp(&app, brands::AURORA).await;
    import(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!([{ "email": "rollup-one@example.test" }, { "email": "rollup-two@example.test" }]),
    )
    .await;
    let campaign: Uuid = app
        .scalar(&format!(
            "SELECT md5('campaign:{}:launch')::uuid::text",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    let summary = || {
        let app = &app;
        async move {
            let answer = app
                .graphql(
                    Some(&user_token(users::VIEWER)),
                    "query($id: ID!) { campaign(id: $id) { summary { emailsSent emailsOpened emailsClicked } } }",
                    json!({ "id": encode(NodeKind::Campaign, campaign) }),
                )
                .await;
            let s = &answer["data"]["campaign"]["summary"];
            assert!(s.is_object(), "{answer}");
            [
                s["emailsSent"].as_i64().unwrap(),
                s["emailsOpened"].as_i64().unwrap(),
                s["emailsClicked"].as_i64().unwrap(),
            ]
        }
    };
    let before = summary().await;

    let id = draft(&app, brands::AURORA, "Rollup", json!({})).await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db,
        &format!("UPDATE email_campaigns SET campaign_id = '{campaign}' WHERE name = 'Rollup'"),
    )
    .await
    .unwrap();
    ok(&step(&app, users::MANAGER, "sendEmailCampaign", &id).await);
    ok(&app.graphql(Some(&service_token()), CLAIM, json!({})).await);
    let email_campaign = app
        .scalar("SELECT id::text FROM email_campaigns WHERE name = 'Rollup'")
        .await;
    let recipients = count(
        &app,
        &format!("SELECT count(*) FROM email_campaign_recipients WHERE email_campaign_id = '{email_campaign}'"),
    )
    .await;
    assert!(recipients >= 2, "the imported contacts are recipients");
    assert_eq!(
        summary().await,
        [before[0] + recipients, before[1], before[2]]
    );

    // Two opens and a click of one recipient, an open of the other: 2 unique opens, 1 click.
    for (delivery, kind, address) in [
        ("r-1", "opened", "rollup-one@example.test"),
        ("r-2", "opened", "rollup-one@example.test"),
        ("r-3", "clicked", "rollup-one@example.test"),
        ("r-4", "opened", "rollup-two@example.test"),
    ] {
        let status = provider_event(
            &app,
            delivery,
            email_event(
                kind,
                brands::AURORA,
                json!({ "email": address, "emailCampaignId": email_campaign, "eventId": delivery }),
            ),
        )
        .await;
        assert_eq!(status, "processed", "{delivery}");
    }
    let after = summary().await;
    assert_eq!(
        after,
        [before[0] + recipients, before[1] + 2, before[2] + 1]
    );
    // The rollup equals a count of the campaign's recipients.
    let counted = app
        .scalar(&format!(
            "SELECT concat_ws('|', count(*), count(r.opened_at), count(r.clicked_at))
               FROM email_campaign_recipients r JOIN email_campaigns e ON e.id = r.email_campaign_id
              WHERE e.campaign_id = '{campaign}'"
        ))
        .await;
    assert_eq!(counted, format!("{}|{}|{}", after[0], after[1], after[2]));
}
