//! Campaigns and leads: lifecycles, the role matrix (with the personal-data rule for a
//! lead's email and phone), the budget rule, per-brand uniqueness, keyset pages and the
//! statement count of nested lists.

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app, spawn_app_with, user_token};

const CREATE_CAMPAIGN: &str = "mutation($input: CreateCampaignInput!) {
    createCampaign(input: $input) { id uuid name status type budgetTotal budgetAllocated budgetSpent } }";
const CREATE_LEAD: &str = "mutation($input: CreateLeadInput!) {
    createLead(input: $input) { id uuid name email status score tags } }";
const SPEND: &str = "mutation($id: ID!, $amount: Money!, $date: NaiveDate) {
    recordCampaignSpend(id: $id, amount: $amount, date: $date) { budgetSpent budgetRemaining } }";

/// A demo row's id, derived as the seed derives it: `md5(key)::uuid`.
async fn seeded(app: &TestApp, key: &str) -> Uuid {
    app.scalar(&format!("SELECT md5('{key}')::uuid::text"))
        .await
        .parse()
        .expect("uuid")
}

async fn launch(app: &TestApp) -> Uuid {
    seeded(app, &format!("campaign:{}:launch", brands::AURORA)).await
}

async fn aurora_lead(app: &TestApp, n: u32) -> Uuid {
    seeded(app, &format!("lead:{}:{n}", brands::AURORA)).await
}

async fn run(app: &TestApp, user: Uuid, query: &str, variables: Value) -> Value {
    app.graphql(Some(&user_token(user)), query, variables).await
}

async fn create_campaign(app: &TestApp, user: Uuid, brand: Uuid, input: Value) -> Value {
    let mut input = input;
    input["brandId"] = json!(brand);
    run(app, user, CREATE_CAMPAIGN, json!({ "input": input })).await
}

async fn create_lead(app: &TestApp, user: Uuid, brand: Uuid, input: Value) -> Value {
    let mut input = input;
    input["brandId"] = json!(brand);
    run(app, user, CREATE_LEAD, json!({ "input": input })).await
}

async fn audit_actions(app: &TestApp, resource: Uuid) -> String {
    app.scalar(&format!(
        "SELECT string_agg(action, ',' ORDER BY created_at, id) FROM audit_logs WHERE resource_id = '{resource}'"
    ))
    .await
}

#[tokio::test]
async fn a_manager_runs_a_campaign_through_its_lifecycle() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let created = create_campaign(
        &app,
        users::MANAGER,
        brands::AURORA,
        json!({ "name": "Summer Cold Brew", "type": "PRODUCT_LAUNCH", "budgetTotal": "1000",
                "budgetAllocated": 400, "channels": ["instagram", "email", "instagram"],
                "targetAudience": { "segments": ["students"] },
                "startDate": "2026-06-01T00:00:00Z", "endDate": "2026-07-01T00:00:00Z" }),
    )
    .await;
    let campaign = &created["data"]["createCampaign"];
    assert_eq!(campaign["status"], "DRAFT", "{created}");
    assert_eq!(campaign["budgetTotal"], "1000.00");
    assert_eq!(campaign["budgetAllocated"], "400.00");
    let id = campaign["id"].as_str().unwrap().to_string();
    let uuid: Uuid = campaign["uuid"].as_str().unwrap().parse().unwrap();

    let updated = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!) { updateCampaign(id: $id, input: { budgetAllocated: \"600\", objective: \"Sell out\" }) {
            budgetAllocated objective channels targetAudience } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        updated["data"]["updateCampaign"],
        json!({ "budgetAllocated": "600.00", "objective": "Sell out",
                "channels": ["instagram", "email"], "targetAudience": { "segments": ["students"] } }),
        "{updated}"
    );

    let step = |name: &'static str| {
        let id = id.clone();
        let app = &app;
        async move {
            let query = format!("mutation($id: ID!) {{ {name}(id: $id) {{ status }} }}");
            let response = run(app, users::MANAGER, &query, json!({ "id": id })).await;
            (response["data"][name]["status"].clone(), response)
        }
    };
    assert_eq!(step("activateCampaign").await.0, "ACTIVE");
    let spent = run(
        &app,
        users::MANAGER,
        SPEND,
        json!({ "id": id, "amount": "150.25", "date": "2026-06-02" }),
    )
    .await;
    assert_eq!(
        spent["data"]["recordCampaignSpend"],
        json!({ "budgetSpent": "150.25", "budgetRemaining": "449.75" }),
        "{spent}"
    );
    run(
        &app,
        users::MANAGER,
        SPEND,
        json!({ "id": id, "amount": 49.75, "date": "2026-06-02" }),
    )
    .await;
    assert_eq!(step("pauseCampaign").await.0, "PAUSED");
    assert_eq!(step("activateCampaign").await.0, "ACTIVE");
    assert_eq!(step("completeCampaign").await.0, "COMPLETED");

    // Completed is final.
    let (_, again) = step("completeCampaign").await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
    let (_, resumed) = step("activateCampaign").await;
    assert_eq!(error_code(&resumed), Some("BAD_USER_INPUT"), "{resumed}");
    let late_edit = run(
        &app,
        users::MANAGER,
        "mutation($id: ID!) { updateCampaign(id: $id, input: { name: \"Renamed\" }) { name } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        error_code(&late_edit),
        Some("BAD_USER_INPUT"),
        "{late_edit}"
    );

    // Two spends of one day are one `spend` metric row.
    let read = run(
        &app,
        users::VIEWER,
        "query($id: ID!) { campaign(id: $id) { budgetSpent metrics(from: \"2026-06-01\", to: \"2026-06-30\") { date metric value } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        read["data"]["campaign"],
        json!({ "budgetSpent": "200.00",
                "metrics": [{ "date": "2026-06-02", "metric": "spend", "value": 200.0 }] }),
        "{read}"
    );
    assert_eq!(
        audit_actions(&app, uuid).await,
        "campaign.create,campaign.update,campaign.activate,campaign.record_spend,campaign.record_spend,\
         campaign.pause,campaign.activate,campaign.complete"
    );
}

#[tokio::test]
async fn spend_past_the_allocated_budget_is_bad_user_input_and_changes_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let created = create_campaign(
        &app,
        users::MANAGER,
        brands::AURORA,
        json!({ "name": "Tight budget", "type": "SOCIAL", "budgetTotal": "100", "budgetAllocated": "80" }),
    )
    .await;
    let id = created["data"]["createCampaign"]["id"].as_str().unwrap();
    let uuid = created["data"]["createCampaign"]["uuid"].as_str().unwrap();
    let ok = run(
        &app,
        users::MANAGER,
        SPEND,
        json!({ "id": id, "amount": "60" }),
    )
    .await;
    assert!(ok.get("errors").is_none(), "{ok}");

    let over = run(
        &app,
        users::MANAGER,
        SPEND,
        json!({ "id": id, "amount": "20.01" }),
    )
    .await;
    assert_eq!(error_code(&over), Some("BAD_USER_INPUT"), "{over}");
    let message = over["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("allocated budget 80.00"), "{message}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT budget_spent::text FROM campaigns WHERE id = '{uuid}'"
        ))
        .await,
        "60.00"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM audit_logs WHERE resource_id = '{uuid}' AND action = 'campaign.record_spend'"
        ))
        .await,
        "1",
        "the refused spend wrote no audit row"
    );

    for (input, field) in [
        (json!({ "budgetAllocated": "120" }), "budgetAllocated"),
        (json!({ "budgetAllocated": "50" }), "budgetAllocated"),
        (json!({ "budgetTotal": "70" }), "budgetAllocated"),
        (
            json!({ "startDate": "2026-05-02T00:00:00Z", "endDate": "2026-05-01T00:00:00Z" }),
            "endDate",
        ),
    ] {
        let refused = run(
            &app,
            users::MANAGER,
            "mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { uuid } }",
            json!({ "id": id, "input": input }),
        )
        .await;
        assert_eq!(
            error_code(&refused),
            Some("BAD_USER_INPUT"),
            "{input}: {refused}"
        );
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], field,
            "{refused}"
        );
    }
    for amount in [json!("-5"), json!("1.001"), json!("0")] {
        let bad = run(
            &app,
            users::MANAGER,
            SPEND,
            json!({ "id": id, "amount": amount }),
        )
        .await;
        assert!(bad.get("errors").is_some(), "{amount}: {bad}");
    }

    // The table's CHECK holds even for writers that skip the gateway.
    let direct = app
        .db
        .execute_unprepared(&format!(
            "UPDATE campaigns SET budget_spent = 90 WHERE id = '{uuid}'"
        ))
        .await;
    assert!(direct.is_err(), "the budget CHECK refused the write");
}

#[tokio::test]
async fn campaign_names_are_unique_per_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let input = json!({ "name": "Spring Espresso Launch", "type": "EMAIL" });
    let twice = create_campaign(&app, users::OWNER, brands::AURORA, input.clone()).await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
    let other_brand = create_campaign(&app, users::OWNER, brands::CASCADE, input).await;
    assert!(other_brand.get("errors").is_none(), "{other_brand}");
}

#[tokio::test]
async fn lead_emails_are_unique_per_brand_whatever_their_case() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let first = create_lead(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!({ "name": "Nora New", "email": "Nora.New@Example.com" }),
    )
    .await;
    assert_eq!(
        first["data"]["createLead"]["email"], "Nora.New@Example.com",
        "{first}"
    );
    let again = create_lead(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!({ "name": "Nora again", "email": "nora.new@example.COM" }),
    )
    .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    // Mia Manager is a member of Borealis: the same person is a lead there as well.
    let elsewhere = create_lead(
        &app,
        users::MANAGER,
        brands::BOREALIS,
        json!({ "name": "Nora New", "email": "nora.new@example.com" }),
    )
    .await;
    assert!(elsewhere.get("errors").is_none(), "{elsewhere}");

    let lead = first["data"]["createLead"]["id"].as_str().unwrap();
    let renamed = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { updateLead(id: $id, input: { email: \"LENA.FISCHER@example.com\" }) { email } }",
        json!({ "id": lead }),
    )
    .await;
    assert_eq!(error_code(&renamed), Some("CONFLICT"), "{renamed}");

    let invalid = create_lead(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!({ "name": "No Address", "email": "not-an-address" }),
    )
    .await;
    assert_eq!(error_code(&invalid), Some("BAD_USER_INPUT"), "{invalid}");
}

#[tokio::test]
async fn a_member_works_leads_until_they_convert_or_are_lost() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let created = create_lead(
        &app,
        users::MEMBER,
        brands::AURORA,
        json!({ "name": "Greta Green", "email": "greta@green.test", "phone": "+49 1",
                "source": "event", "score": 40, "tags": ["b2b", " b2b "],
                "campaignId": encode(NodeKind::Campaign, launch(&app).await) }),
    )
    .await;
    let lead = &created["data"]["createLead"];
    assert_eq!(lead["status"], "NEW", "{created}");
    assert_eq!(lead["tags"], json!(["b2b"]));
    let id = lead["id"].as_str().unwrap().to_string();
    let uuid: Uuid = lead["uuid"].as_str().unwrap().parse().unwrap();

    let contacted = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { updateLead(id: $id, input: { status: CONTACTED, score: 60 }) { status score } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        contacted["data"]["updateLead"],
        json!({ "status": "CONTACTED", "score": 60 }),
        "{contacted}"
    );
    let closing_by_update = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { updateLead(id: $id, input: { status: CONVERTED }) { status } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(error_code(&closing_by_update), Some("BAD_USER_INPUT"));

    let logged = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { logLeadActivity(leadId: $id, type: CALL, description: \"Intro call\",
                                              metadata: { minutes: 15 }) { type description metadata leadId } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        logged["data"]["logLeadActivity"],
        json!({ "type": "CALL", "description": "Intro call", "metadata": { "minutes": 15 },
                "leadId": uuid.to_string() }),
        "{logged}"
    );

    let converted = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { convertLead(id: $id) { status convertedAt } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        converted["data"]["convertLead"]["status"], "CONVERTED",
        "{converted}"
    );
    assert!(converted["data"]["convertLead"]["convertedAt"].is_string());
    for closing in [
        "convertLead(id: $id)",
        "loseLead(id: $id, reason: \"late\")",
    ] {
        let again = run(
            &app,
            users::MEMBER,
            &format!("mutation($id: ID!) {{ {closing} {{ status }} }}"),
            json!({ "id": id }),
        )
        .await;
        assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
    }

    let activities = run(
        &app,
        users::VIEWER,
        "query($id: ID!) { node(id: $id) { ... on Lead { activities { totalCount edges { node { type metadata } } } } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        activities["data"]["node"]["activities"],
        json!({ "totalCount": 3, "edges": [
            { "node": { "type": "STATUS_CHANGED", "metadata": { "from": "contacted", "to": "converted" } } },
            { "node": { "type": "CALL", "metadata": { "minutes": 15 } } },
            { "node": { "type": "STATUS_CHANGED", "metadata": { "from": "new", "to": "contacted" } } },
        ] }),
        "{activities}"
    );
    assert_eq!(
        audit_actions(&app, uuid).await,
        "lead.create,lead.update,lead.convert"
    );

    let open = aurora_lead(&app, 1).await;
    let lost = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { loseLead(id: $id, reason: \"Went with a competitor\") { status lostReason } }",
        json!({ "id": encode(NodeKind::Lead, open) }),
    )
    .await;
    assert_eq!(
        lost["data"]["loseLead"],
        json!({ "status": "LOST", "lostReason": "Went with a competitor" }),
        "{lost}"
    );
}

#[tokio::test]
async fn each_role_may_do_what_the_matrix_says_and_no_more() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let campaign = encode(NodeKind::Campaign, launch(&app).await);
    let lead = encode(NodeKind::Lead, aurora_lead(&app, 2).await);
    let campaign_input = |name: &str| json!({ "name": name, "type": "EVENT" });

    // Campaign writes are for managers and above.
    for (user, expected) in [
        (users::VIEWER, Some("FORBIDDEN")),
        (users::MEMBER, Some("FORBIDDEN")),
        (users::MANAGER, None),
        (users::ADMIN, None),
        (users::OUTSIDER, Some("NOT_FOUND")),
    ] {
        let created = create_campaign(
            &app,
            user,
            brands::AURORA,
            campaign_input(&format!("Event {user}")),
        )
        .await;
        assert_eq!(error_code(&created), expected, "createCampaign: {created}");
        let spent = run(&app, user, SPEND, json!({ "id": campaign, "amount": "1" })).await;
        assert_eq!(error_code(&spent), expected, "recordCampaignSpend: {spent}");
        let updated = run(
            &app,
            user,
            "mutation($id: ID!) { updateCampaign(id: $id, input: { objective: \"More\" }) { objective } }",
            json!({ "id": campaign }),
        )
        .await;
        assert_eq!(error_code(&updated), expected, "updateCampaign: {updated}");
    }
    let paused = run(
        &app,
        users::MEMBER,
        "mutation($id: ID!) { pauseCampaign(id: $id) { status } }",
        json!({ "id": campaign }),
    )
    .await;
    assert_eq!(error_code(&paused), Some("FORBIDDEN"), "{paused}");

    // Lead writes are for members and above.
    for (user, expected) in [
        (users::VIEWER, Some("FORBIDDEN")),
        (users::MEMBER, None),
        (users::MANAGER, None),
        (users::OUTSIDER, Some("NOT_FOUND")),
    ] {
        let created = create_lead(
            &app,
            user,
            brands::AURORA,
            json!({ "name": "Role Test", "email": format!("{user}@roles.test") }),
        )
        .await;
        assert_eq!(error_code(&created), expected, "createLead: {created}");
        let logged = run(
            &app,
            user,
            "mutation($id: ID!) { logLeadActivity(leadId: $id, type: NOTE) { type } }",
            json!({ "id": lead }),
        )
        .await;
        assert_eq!(error_code(&logged), expected, "logLeadActivity: {logged}");
        let updated = run(
            &app,
            user,
            "mutation($id: ID!) { updateLead(id: $id, input: { notes: \"n\" }) { notes } }",
            json!({ "id": lead }),
        )
        .await;
        assert_eq!(error_code(&updated), expected, "updateLead: {updated}");
    }

    // Everyone in the brand reads campaigns; outsiders see nothing.
    let read = "query($id: ID!) { campaign(id: $id) { name tasks { title } } }";
    let seen = run(&app, users::VIEWER, read, json!({ "id": campaign })).await;
    assert_eq!(
        seen["data"]["campaign"]["name"], "Spring Espresso Launch",
        "{seen}"
    );
    assert_eq!(
        seen["data"]["campaign"]["tasks"].as_array().unwrap().len(),
        3
    );
    let hidden = run(&app, users::OUTSIDER, read, json!({ "id": campaign })).await;
    assert_eq!(hidden["data"]["campaign"], Value::Null, "{hidden}");
}

#[tokio::test]
async fn a_leads_email_and_phone_are_for_members_and_above() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let lead = encode(NodeKind::Lead, aurora_lead(&app, 1).await);
    let paths = [
        (
            "query($b: ID!) { brand(id: $b) { leads(filter: { source: \"website\" }) { edges { node { name email phone } } } } }",
            json!({ "b": brands::AURORA }),
        ),
        (
            "query($l: ID!) { node(id: $l) { ... on Lead { name email phone } } }",
            json!({ "l": lead }),
        ),
        (
            "query($b: ID!) { brand(id: $b) { campaigns(filter: { status: ACTIVE }) { edges { node {
                 leads(first: 3) { edges { node { name email phone } } } } } } } }",
            json!({ "b": brands::AURORA }),
        ),
    ];
    let person = |response: &Value| {
        let text = response.to_string();
        (
            text.contains("Lena Fischer"),
            text.contains("lena.fischer@example.com"),
            text.contains("+49 30 1234501"),
        )
    };
    for (query, vars) in &paths {
        for (user, sees_contact) in [
            (users::VIEWER, false),
            (users::MEMBER, true),
            (users::MANAGER, true),
            (users::OWNER, true),
        ] {
            let response = run(&app, user, query, vars.clone()).await;
            assert!(response.get("errors").is_none(), "{response}");
            assert_eq!(
                person(&response),
                (true, sees_contact, sees_contact),
                "{user}: {query}: {response}"
            );
        }
        let service = app
            .graphql(Some(&service_token()), query, vars.clone())
            .await;
        assert_eq!(person(&service), (true, true, true), "{service}");
    }
    let viewer = run(&app, users::VIEWER, paths[1].0, paths[1].1.clone()).await;
    assert_eq!(
        viewer["data"]["node"],
        json!({ "name": "Lena Fischer", "email": null, "phone": null })
    );
}

#[tokio::test]
async fn campaigns_and_leads_page_by_keyset_and_filter() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let page =
        "query($b: ID!, $after: String) { brand(id: $b) { campaigns(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } }";
    let first = run(&app, users::VIEWER, page, json!({ "b": brands::AURORA })).await;
    let first = &first["data"]["brand"]["campaigns"];
    assert_eq!(first["totalCount"], 3, "{first}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let names = |page: &Value| -> Vec<String> {
        page["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(first),
        ["Loyalty Newsletter", "Spring Espresso Launch"]
    );
    let second = run(
        &app,
        users::VIEWER,
        page,
        json!({ "b": brands::AURORA, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    let second = &second["data"]["brand"]["campaigns"];
    assert_eq!(names(second), ["Autumn Awareness"]);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);

    let count = |filter: &str, field: &'static str| {
        let query = format!(
            "query($b: ID!) {{ brand(id: $b) {{ {field}(filter: {filter}) {{ totalCount edges {{ node {{ uuid }} }} }} }} }}"
        );
        let app = &app;
        async move {
            let response = run(app, users::VIEWER, &query, json!({ "b": brands::AURORA })).await;
            let connection = &response["data"]["brand"][field];
            assert_eq!(
                connection["totalCount"].as_u64(),
                Some(connection["edges"].as_array().map_or(0, Vec::len) as u64),
                "{response}"
            );
            connection["totalCount"].as_u64().unwrap()
        }
    };
    assert_eq!(count("{ status: ACTIVE }", "campaigns").await, 1);
    assert_eq!(count("{ type: EMAIL }", "campaigns").await, 1);
    assert_eq!(
        count("{ startsAfter: \"2026-10-01T00:00:00Z\" }", "campaigns").await,
        2
    );
    assert_eq!(
        count("{ endsBefore: \"2026-10-15T00:00:00Z\" }", "campaigns").await,
        1
    );
    assert_eq!(count("{ status: NEW }", "leads").await, 2);
    assert_eq!(count("{ minScore: 55 }", "leads").await, 3);
    assert_eq!(count("{ tag: \"vip\" }", "leads").await, 2);
    assert_eq!(count("{ source: \"referral\" }", "leads").await, 1);
    let by_campaign = format!(
        "{{ campaignId: \"{}\" }}",
        encode(NodeKind::Campaign, launch(&app).await).0
    );
    assert_eq!(count(&by_campaign, "leads").await, 3);

    let garbage_cursor = run(
        &app,
        users::VIEWER,
        "query($b: ID!, $after: String) { brand(id: $b) { leads(first: 1, after: $after) { totalCount } } }",
        json!({ "b": brands::AURORA, "after": "garbage" }),
    )
    .await;
    assert_eq!(error_code(&garbage_cursor), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_campaign_shows_its_tasks_metrics_leads_and_content() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let response = run(
        &app,
        users::VIEWER,
        "query($id: ID!) { campaign(id: $id) { status budgetSpent budgetRemaining channels kpiTargets
            tasks { title status priority }
            metrics(from: \"2026-10-31\", to: \"2026-11-01\") { date metric value }
            leads { totalCount } contentItems { totalCount edges { node { uuid } } } } }",
        json!({ "id": launch(&app).await }),
    )
    .await;
    let campaign = &response["data"]["campaign"];
    assert_eq!(campaign["status"], "ACTIVE", "{response}");
    assert_eq!(campaign["budgetSpent"], "1240.50");
    assert_eq!(campaign["budgetRemaining"], "1759.50");
    assert_eq!(
        campaign["tasks"][0],
        json!({ "title": "Brief the designers", "status": "COMPLETED", "priority": "HIGH" })
    );
    assert_eq!(
        campaign["metrics"].as_array().unwrap().len(),
        6,
        "2 days x 3 metrics"
    );
    assert_eq!(
        campaign["metrics"][0],
        json!({ "date": "2026-10-31", "metric": "clicks", "value": 21.0 })
    );
    assert_eq!(campaign["leads"]["totalCount"], 3);
    assert_eq!(campaign["contentItems"]["totalCount"], 4);

    let too_long = run(
        &app,
        users::VIEWER,
        "query($id: ID!) { campaign(id: $id) { metrics(from: \"2025-01-01\", to: \"2026-11-01\") { value } } }",
        json!({ "id": launch(&app).await }),
    )
    .await;
    assert_eq!(error_code(&too_long), Some("BAD_USER_INPUT"), "{too_long}");
}

/// `n` campaigns in Cascade (which the demo gives none), each with 3 tasks and 2 leads
/// with 2 activities each.
async fn campaigns_in_cascade(app: &TestApp, n: u32) {
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO campaigns (id, brand_id, name, type, created_at)
             SELECT md5('bulk:' || i)::uuid, '{b}', 'Bulk ' || i, 'social', now() - i * interval '1 minute'
               FROM generate_series(1, {n}) AS i;
             INSERT INTO campaign_tasks (brand_id, campaign_id, title)
             SELECT '{b}', c.id, 'Task ' || t FROM campaigns c CROSS JOIN generate_series(1, 3) AS t
              WHERE c.brand_id = '{b}';
             INSERT INTO leads (id, brand_id, name, email, campaign_id)
             SELECT md5('bulk-lead:' || c.id || k)::uuid, '{b}', 'Lead ' || k, c.id || '-' || k || '@bulk.test', c.id
               FROM campaigns c CROSS JOIN generate_series(1, 2) AS k WHERE c.brand_id = '{b}';
             INSERT INTO lead_activities (brand_id, lead_id, type)
             SELECT '{b}', l.id, 'note' FROM leads l CROSS JOIN generate_series(1, 2) WHERE l.brand_id = '{b}';",
            b = brands::CASCADE
        ))
        .await
        .expect("bulk campaigns");
}

#[tokio::test]
async fn a_page_of_campaigns_costs_one_statement_per_level_whatever_its_size() {
    // The executor's batching: a compiled plan would answer the second request in one.
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    app.seed_demo().await;
    campaigns_in_cascade(&app, 20).await;
    let query = "query($b: ID!, $n: Int!) { brand(id: $b) { campaigns(first: $n) { totalCount edges { node {
        uuid tasks { title } leads(first: 5) { totalCount edges { node { email
          activities(first: 5) { totalCount edges { node { type } } } } } } } } } } }";
    let mut counts = Vec::new();
    for n in [2, 20] {
        let (response, count) = app
            .graphql_counted(
                Some(&service_token()),
                query,
                json!({ "b": brands::CASCADE, "n": n }),
            )
            .await;
        assert!(response.get("errors").is_none(), "{response}");
        let edges = response["data"]["brand"]["campaigns"]["edges"]
            .as_array()
            .unwrap();
        assert_eq!(edges.len(), n);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["tasks"].as_array().unwrap().len() == 3
                    && e["node"]["leads"]["totalCount"] == 2
                    && e["node"]["leads"]["edges"][0]["node"]["activities"]["totalCount"] == 2)
        );
        counts.push(count);
    }
    assert_eq!(counts[0], counts[1], "2 and 20 campaigns cost the same");
    // brand, campaigns page (with its count), tasks, leads pages, activity pages.
    assert!(counts[1] <= 5, "{} statements", counts[1]);
}

const CREATE_TASK: &str = "mutation($input: CreateCampaignTaskInput!) {
    createCampaignTask(input: $input) { uuid campaignId title description status priority dueDate completedAt } }";
const UPDATE_TASK: &str = "mutation($id: UUID!, $input: UpdateCampaignTaskInput!) {
    updateCampaignTask(id: $id, input: $input) { uuid title status priority completedAt } }";
const COMPLETE_TASK: &str =
    "mutation($id: UUID!) { completeCampaignTask(id: $id) { status completedAt } }";
const DELETE_TASK: &str = "mutation($id: UUID!) { deleteCampaignTask(id: $id) { uuid title } }";
const RECORD_METRIC: &str = "mutation($c: ID!, $m: String!, $v: Float!, $d: NaiveDate) {
    recordCampaignMetric(campaignId: $c, metric: $m, value: $v, date: $d) { date metric value } }";

/// The seeded task `n` (1 to 3) of a campaign.
async fn seeded_task(app: &TestApp, campaign: Uuid, n: u32) -> Uuid {
    seeded(app, &format!("task:{campaign}:{n}")).await
}

#[tokio::test]
async fn members_work_a_campaigns_tasks_and_managers_delete_them() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let campaign = launch(&app).await;
    let created = run(
        &app,
        users::MEMBER,
        CREATE_TASK,
        json!({ "input": { "campaignId": encode(NodeKind::Campaign, campaign), "title": "  Print flyers ",
                           "description": "A6, 500 copies", "priority": "HIGH",
                           "dueDate": "2026-11-20T09:00:00Z" } }),
    )
    .await;
    let task = &created["data"]["createCampaignTask"];
    assert_eq!(
        task["title"], "Print flyers",
        "the title is trimmed: {created}"
    );
    assert_eq!(task["campaignId"], campaign.to_string());
    assert_eq!(task["status"], "PENDING");
    assert_eq!(task["priority"], "HIGH");
    assert_eq!(task["dueDate"], "2026-11-20T09:00:00+00:00");
    assert_eq!(task["completedAt"], Value::Null);
    let id: Uuid = task["uuid"].as_str().unwrap().parse().unwrap();

    let started = run(
        &app,
        users::MEMBER,
        UPDATE_TASK,
        json!({ "id": id, "input": { "title": "Print flyers (A6)", "status": "IN_PROGRESS", "priority": "URGENT" } }),
    )
    .await;
    assert_eq!(
        started["data"]["updateCampaignTask"],
        json!({ "uuid": id.to_string(), "title": "Print flyers (A6)", "status": "IN_PROGRESS",
                "priority": "URGENT", "completedAt": null }),
        "{started}"
    );
    let done = run(&app, users::MEMBER, COMPLETE_TASK, json!({ "id": id })).await;
    assert_eq!(
        done["data"]["completeCampaignTask"]["status"], "COMPLETED",
        "{done}"
    );
    assert!(done["data"]["completeCampaignTask"]["completedAt"].is_string());

    // A completed task is reopened, never cancelled or completed twice.
    for (status, expected) in [
        ("CANCELLED", Some("BAD_USER_INPUT")),
        ("PENDING", Some("BAD_USER_INPUT")),
        ("IN_PROGRESS", None),
    ] {
        let moved = run(
            &app,
            users::MEMBER,
            UPDATE_TASK,
            json!({ "id": id, "input": { "status": status } }),
        )
        .await;
        assert_eq!(error_code(&moved), expected, "-> {status}: {moved}");
    }
    let reopened = run(
        &app,
        users::VIEWER,
        "query($c: ID!) { campaign(id: $c) { tasks { uuid status completedAt } } }",
        json!({ "c": encode(NodeKind::Campaign, campaign) }),
    )
    .await;
    let tasks = reopened["data"]["campaign"]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4, "{reopened}");
    assert_eq!(
        tasks[3],
        json!({ "uuid": id.to_string(), "status": "IN_PROGRESS", "completedAt": null })
    );

    let by_member = run(&app, users::MEMBER, DELETE_TASK, json!({ "id": id })).await;
    assert_eq!(error_code(&by_member), Some("FORBIDDEN"), "{by_member}");
    let deleted = run(&app, users::MANAGER, DELETE_TASK, json!({ "id": id })).await;
    assert_eq!(
        deleted["data"]["deleteCampaignTask"],
        json!({ "uuid": id.to_string(), "title": "Print flyers (A6)" }),
        "{deleted}"
    );
    let again = run(&app, users::MANAGER, DELETE_TASK, json!({ "id": id })).await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");
    assert_eq!(
        audit_actions(&app, id).await,
        "campaign_task.create,campaign_task.update,campaign_task.complete,campaign_task.update,\
         campaign_task.delete"
    );
}

#[tokio::test]
async fn a_days_metric_is_one_row_and_recording_it_again_replaces_the_value() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let campaign = encode(NodeKind::Campaign, launch(&app).await);
    for value in [json!(1500.0), json!(1750.25), json!(1750.25)] {
        let recorded = run(
            &app,
            users::MANAGER,
            RECORD_METRIC,
            json!({ "c": campaign, "m": "video_views", "v": value, "d": "2026-11-02" }),
        )
        .await;
        assert_eq!(
            recorded["data"]["recordCampaignMetric"],
            json!({ "date": "2026-11-02", "metric": "video_views", "value": value }),
            "{recorded}"
        );
    }
    let read = run(
        &app,
        users::VIEWER,
        "query($c: ID!) { campaign(id: $c) { budgetSpent metrics(from: \"2026-11-02\", to: \"2026-11-02\") { metric value } } }",
        json!({ "c": campaign }),
    )
    .await;
    assert_eq!(
        read["data"]["campaign"],
        json!({ "budgetSpent": "1240.50", "metrics": [{ "metric": "video_views", "value": 1750.25 }] }),
        "{read}"
    );

    for (metric, value, field) in [
        ("spend", json!(10), "metric"),
        ("Video Views", json!(10), "metric"),
        ("clicks", json!(-1), "value"),
        ("clicks", json!(2e13), "value"),
    ] {
        let refused = run(
            &app,
            users::MANAGER,
            RECORD_METRIC,
            json!({ "c": campaign, "m": metric, "v": value }),
        )
        .await;
        assert_eq!(
            error_code(&refused),
            Some("BAD_USER_INPUT"),
            "{metric} {value}: {refused}"
        );
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM audit_logs WHERE resource_id = '{}' AND action = 'campaign.record_metric'",
            launch(&app).await
        ))
        .await,
        "3",
        "one audit row per accepted recording, none for refusals"
    );
}

#[tokio::test]
async fn task_and_metric_writes_follow_the_role_matrix() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let launch = launch(&app).await;
    let campaign = encode(NodeKind::Campaign, launch);
    let task = seeded_task(&app, launch, 3).await;
    let metric = json!({ "c": campaign, "m": "reach", "v": 5, "d": "2026-11-03" });
    // (user, tasks: create/update/complete, delete a task and record a metric)
    for (user, work, manage) in [
        (users::VIEWER, Some("FORBIDDEN"), Some("FORBIDDEN")),
        (users::MEMBER, None, Some("FORBIDDEN")),
        (users::OUTSIDER, Some("NOT_FOUND"), Some("NOT_FOUND")),
        (users::MANAGER, None, None),
    ] {
        let created = run(
            &app,
            user,
            CREATE_TASK,
            json!({ "input": { "campaignId": campaign, "title": format!("Task of {user}") } }),
        )
        .await;
        assert_eq!(error_code(&created), work, "createCampaignTask: {created}");
        let updated = run(
            &app,
            user,
            UPDATE_TASK,
            json!({ "id": task, "input": { "priority": "HIGH" } }),
        )
        .await;
        assert_eq!(error_code(&updated), work, "updateCampaignTask: {updated}");
        let recorded = run(&app, user, RECORD_METRIC, metric.clone()).await;
        assert_eq!(
            error_code(&recorded),
            manage,
            "recordCampaignMetric: {recorded}"
        );
    }
    let outsider_completes = run(&app, users::OUTSIDER, COMPLETE_TASK, json!({ "id": task })).await;
    assert_eq!(error_code(&outsider_completes), Some("NOT_FOUND"));
    let viewer_deletes = run(&app, users::VIEWER, DELETE_TASK, json!({ "id": task })).await;
    assert_eq!(error_code(&viewer_deletes), Some("FORBIDDEN"));
    let completed = run(&app, users::MEMBER, COMPLETE_TASK, json!({ "id": task })).await;
    assert_eq!(
        completed["data"]["completeCampaignTask"]["status"], "COMPLETED",
        "{completed}"
    );

    // Borealis' campaign and task do not exist for Aurora's member, whatever the write.
    let trail = seeded(&app, &format!("campaign:{}:trail", brands::BOREALIS)).await;
    let trail_task = seeded_task(&app, trail, 3).await;
    let trail_id = encode(NodeKind::Campaign, trail);
    for (query, variables) in [
        (
            CREATE_TASK,
            json!({ "input": { "campaignId": trail_id, "title": "Sneaky" } }),
        ),
        (
            UPDATE_TASK,
            json!({ "id": trail_task, "input": { "title": "Sneaky" } }),
        ),
        (COMPLETE_TASK, json!({ "id": trail_task })),
        (DELETE_TASK, json!({ "id": trail_task })),
        (
            RECORD_METRIC,
            json!({ "c": trail_id, "m": "reach", "v": 1 }),
        ),
    ] {
        for user in [users::MEMBER, users::VIEWER] {
            let refused = run(&app, user, query, variables.clone()).await;
            assert_eq!(
                error_code(&refused),
                Some("NOT_FOUND"),
                "{query}: {refused}"
            );
            assert!(!refused.to_string().contains(&trail.to_string()));
        }
    }

    // Bad input.
    for (query, variables, field) in [
        (
            CREATE_TASK,
            json!({ "input": { "campaignId": campaign, "title": "   " } }),
            "title",
        ),
        (
            CREATE_TASK,
            json!({ "input": { "campaignId": campaign, "title": "x".repeat(201) } }),
            "title",
        ),
        (
            CREATE_TASK,
            json!({ "input": { "campaignId": encode(NodeKind::Lead, Uuid::new_v4()), "title": "t" } }),
            "id",
        ),
        (
            UPDATE_TASK,
            json!({ "id": task, "input": { "description": "d".repeat(5001) } }),
            "description",
        ),
    ] {
        let refused = run(&app, users::MANAGER, query, variables).await;
        assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], field,
            "{refused}"
        );
    }
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM campaign_tasks WHERE campaign_id = '{trail}'"
        ))
        .await,
        "3",
        "Borealis' tasks are untouched"
    );
}

/// `Brand.leads(orderBy: SCORE_DESC)` on the executor: highest score first, ties by id,
/// pages that neither skip nor repeat, cursors of one order refused by the other, and the
/// bench's shape (50 leads × their last 3 activities) in one statement per level.
#[tokio::test]
async fn leads_page_by_score_highest_first_with_their_own_cursors() {
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    app.seed_demo().await;
    // Ties: three leads share a score, so only the id orders them.
    app.db
        .execute_unprepared(&format!(
            "UPDATE leads SET score = 40 WHERE id IN (SELECT id FROM leads WHERE brand_id = '{}' ORDER BY id LIMIT 3)",
            brands::AURORA
        ))
        .await
        .unwrap();
    let expected: Vec<String> = app
        .scalar(&format!(
            "SELECT string_agg(id::text, ',' ORDER BY score DESC, id DESC) FROM leads WHERE brand_id = '{}'",
            brands::AURORA
        ))
        .await
        .split(',')
        .map(str::to_string)
        .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    let page = "query($b: ID!, $after: String, $order: LeadOrder) { brand(id: $b) {
        leads(first: 2, after: $after, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor }
          edges { cursor node { uuid score } } } } }";
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let response = run(
            &app,
            users::VIEWER,
            page,
            json!({ "b": brands::AURORA, "after": after, "order": "SCORE_DESC" }),
        )
        .await;
        let leads = &response["data"]["brand"]["leads"];
        assert_eq!(leads["totalCount"], expected.len(), "{response}");
        for edge in leads["edges"].as_array().unwrap() {
            seen.push(edge["node"]["uuid"].as_str().unwrap().to_string());
        }
        if leads["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = leads["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, expected);
    // The last cursor carries the score, and the newest-first order refuses it (and the
    // other way round).
    let score_cursor = after.as_str().unwrap().to_string();
    let decoded = String::from_utf8(
        base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &score_cursor,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(decoded.starts_with("{\"s\":\"score\",\"v\":"), "{decoded}");
    let newest = run(&app, users::VIEWER, page, json!({ "b": brands::AURORA })).await;
    let newest_cursor = newest["data"]["brand"]["leads"]["pageInfo"]["endCursor"].clone();
    for (cursor, order) in [
        (json!(score_cursor), "CREATED_AT_DESC"),
        (newest_cursor, "SCORE_DESC"),
    ] {
        let refused = run(
            &app,
            users::VIEWER,
            page,
            json!({ "b": brands::AURORA, "after": cursor, "order": order }),
        )
        .await;
        assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    }

    let shape =
        "query($b: ID!) { brand(id: $b) { leads(first: 50, orderBy: SCORE_DESC) { edges { node {
        score activities(first: 3) { edges { node { type createdAt } } } } } } } }";
    let (response, statements) = app
        .graphql_counted(
            Some(&user_token(users::VIEWER)),
            shape,
            json!({ "b": brands::AURORA }),
        )
        .await;
    let scores: Vec<i64> = response["data"]["brand"]["leads"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["score"].as_i64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // brand with its leads page, then the activity pages.
    assert!(statements <= 3, "{statements} statements");
}
