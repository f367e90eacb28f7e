//! The leak matrix: for every query path, a caller sees nothing of a brand they do not
//! belong to, and nothing at all without a token.

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{DEMO_TENANT, brands, users};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app_with, user_token};

/// An app with the gateway's own brand filters on (`filters`), or off, so that
/// row-level security alone stands between a caller and other brands' rows.
async fn leak_app(filters: bool) -> TestApp {
    spawn_app_with(|config| config.database.gateway_brand_filters = filters).await
}

/// Each check of the matrix twice: with the gateway's brand filters, and with row-level
/// security alone (`DatabaseConfig::gateway_brand_filters` off).
macro_rules! matrix {
    ($($check:ident => $with_filters:ident, $rls_alone:ident;)*) => {$(
        #[tokio::test]
        async fn $with_filters() {
            $check(true).await
        }

        #[tokio::test]
        async fn $rls_alone() {
            $check(false).await
        }
    )*};
}

matrix! {
    check_outsiders_and_other_tenants_see_nothing_of_a_brand => outsiders_and_other_tenants_see_nothing_of_a_brand, outsiders_and_other_tenants_see_nothing_of_a_brand_with_row_security_alone;
    check_members_of_one_brand_see_nothing_of_their_tenants_other_brands => members_of_one_brand_see_nothing_of_their_tenants_other_brands, members_of_one_brand_see_nothing_of_their_tenants_other_brands_with_row_security_alone;
    check_every_role_of_a_brand_and_the_service_role_see_all_of_it => every_role_of_a_brand_and_the_service_role_see_all_of_it, every_role_of_a_brand_and_the_service_role_see_all_of_it_with_row_security_alone;
    check_anonymous_callers_get_unauthenticated_on_every_path => anonymous_callers_get_unauthenticated_on_every_path, anonymous_callers_get_unauthenticated_on_every_path_with_row_security_alone;
    check_a_rival_tenant_with_the_same_slug_is_told_apart => a_rival_tenant_with_the_same_slug_is_told_apart, a_rival_tenant_with_the_same_slug_is_told_apart_with_row_security_alone;
    check_a_removed_member_loses_access_once_the_change_is_published => a_removed_member_loses_access_once_the_change_is_published, a_removed_member_loses_access_once_the_change_is_published_with_row_security_alone;
    check_scoring_rules_form_keys_and_lead_search_stay_inside_the_brand => scoring_rules_form_keys_and_lead_search_stay_inside_the_brand, scoring_rules_form_keys_and_lead_search_stay_inside_the_brand_with_row_security_alone;
    check_foreign_writes_are_refused_and_change_nothing => foreign_writes_are_refused_and_change_nothing,
        foreign_writes_are_refused_and_change_nothing_with_row_security_alone;
    check_outsiders_and_other_brands_members_change_no_campaign_tasks_or_metrics =>
        outsiders_and_other_brands_members_change_no_campaign_tasks_or_metrics,
        campaign_tasks_and_metrics_of_other_brands_stay_unchanged_with_row_security_alone;
    check_outsiders_and_other_brands_members_receive_nothing_from_live_campaigns_and_leads =>
        outsiders_and_other_brands_members_receive_nothing_from_live_campaigns_and_leads,
        live_campaigns_and_leads_reach_no_outsider_with_row_security_alone;
}

/// A second tenant with one brand whose owner is `RIVAL`.
const RIVAL: Uuid = Uuid::from_u128(0xdead_0000_0000_4000_8000_0000_0000_0001);
const RIVAL_BRAND: Uuid = Uuid::from_u128(0xdead_0000_0000_4000_8000_0000_0000_0002);

async fn seed_two_tenants(app: &TestApp) {
    app.seed_demo().await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO tenants (id, name) VALUES ('{t}', 'Rival Inc');
             INSERT INTO users (id, email) VALUES ('{RIVAL}', 'rival@rival.test');
             INSERT INTO brands (id, tenant_id, name, slug) VALUES ('{RIVAL_BRAND}', '{t}', 'Rival Brand', 'aurora-coffee');
             INSERT INTO brand_members (user_id, brand_id, role) VALUES ('{RIVAL}', '{RIVAL_BRAND}', 'owner');
             INSERT INTO content_items (brand_id, type, content) VALUES ('{RIVAL_BRAND}', 'post', '{{}}');
             INSERT INTO connector_platforms (tenant_id, platform_name, is_enabled) VALUES ('{demo}', 'meta', true);
             INSERT INTO connections (tenant_id, brand_id, platform_id, platform_user_id, platform_account_id, display_name)
               SELECT '{demo}', '{aurora}', id, 'u1', 'acct-1', 'Aurora on Meta' FROM connector_platforms WHERE tenant_id = '{demo}';
             INSERT INTO publish_jobs (tenant_id, brand_id, connection_id, content_item_id, content_type, body)
               SELECT '{demo}', '{aurora}', c.id, (SELECT id FROM content_items WHERE brand_id = '{aurora}' LIMIT 1), 'post', 'hello'
                 FROM connections c WHERE c.brand_id = '{aurora}';
             INSERT INTO publishing_logs (job_id, brand_id, platform, status)
               SELECT id, '{aurora}', 'meta', 'pending' FROM publish_jobs WHERE brand_id = '{aurora}';
             INSERT INTO platform_sync_logs (brand_id, platform, sync_type, status, started_at)
               VALUES ('{aurora}', 'meta', 'posts', 'success', now());",
            t = Uuid::from_u128(0xdead_0000_0000_4000_8000_0000_0000_0003),
            demo = DEMO_TENANT,
            aurora = brands::AURORA,
        ))
        .await
        .unwrap();
}

/// One id of each kind that belongs to the demo brand `brand` (of each kind it has).
async fn ids_of_brand(app: &TestApp, brand: Uuid) -> Vec<(NodeKind, Uuid)> {
    let mut ids = vec![(NodeKind::Brand, brand)];
    for (kind, table) in [
        (NodeKind::ContentItem, "content_items"),
        (NodeKind::MediaAsset, "media_assets"),
        (NodeKind::PostApproval, "post_approvals"),
        (NodeKind::PlatformConnection, "connections"),
        (NodeKind::PublishJob, "publish_jobs"),
        (NodeKind::ApprovalRequest, "approval_requests"),
        (NodeKind::WorkflowTemplate, "workflow_templates"),
        (NodeKind::WorkflowInstance, "workflow_instances"),
        (NodeKind::WorkflowNotification, "workflow_notifications"),
        (NodeKind::EscalationRule, "escalation_rules"),
        (NodeKind::WebhookEvent, "webhook_events"),
        (NodeKind::StrategyBrief, "strategy_briefs"),
        (NodeKind::ContentPackage, "content_packages"),
        (NodeKind::BrandHistory, "brand_history"),
        (NodeKind::CollaborationLog, "collaboration_logs"),
        (NodeKind::SocialPost, "social_posts"),
        (NodeKind::PlatformReview, "platform_reviews"),
        (NodeKind::AdvisorFeedback, "advisor_feedback"),
        (NodeKind::AutoPlan, "auto_plans"),
        (NodeKind::Campaign, "campaigns"),
        (NodeKind::Lead, "leads"),
        (NodeKind::EmailTemplate, "email_templates"),
        (NodeKind::EmailCampaign, "email_campaigns"),
        (NodeKind::EmailContact, "email_contacts"),
        (NodeKind::EmailAutomationRule, "email_automation_rules"),
    ] {
        let row = app
            .db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT id FROM {table} WHERE brand_id = '{brand}' ORDER BY id LIMIT 1"),
            ))
            .await
            .unwrap();
        // Publishing rows exist for Aurora only (see `seed_two_tenants`).
        if let Some(row) = row {
            ids.push((kind, row.try_get_by_index(0).unwrap()));
        }
    }
    ids
}

/// Every query path that can reach a brand, aimed at `brand`.
fn paths(brand: Uuid, ids: &[(NodeKind, Uuid)]) -> Vec<(String, Value)> {
    let full = "uuid name members { user { uuid } } contentItems { totalCount edges { node { uuid latestApproval { uuid } } } }
                mediaAssets { totalCount edges { node { uuid } } } approvals { totalCount edges { node { uuid } } }
                storageQuota { usedBytes } goals { uuid } analyticsSummary(days: 366) { totals { rows } }
                analytics(from: \"2026-01-01\", to: \"2026-12-31\") { uuid } scheduledContent { totalCount }
                connections { uuid displayName hasAccessToken } connectionStats { total connectedPlatforms }
                connectorPlatforms { platform } publishJobs { totalCount edges { node { uuid body } } }
                publishingLogs { totalCount edges { node { jobId } } } syncLogs { totalCount }";
    // Workflows, integrations and the learning loop (a second selection: one would
    // exceed the query cost limit over 100 brands).
    let workflows = "uuid approvalRequests { totalCount edges { node { uuid } } } workflowTemplates { uuid }
                workflows { totalCount edges { node { uuid } } } escalationRules { uuid }
                escalationEvents { totalCount edges { node { uuid } } }
                webhookEvents { totalCount edges { node { uuid payload } } }
                socialPosts { totalCount edges { node { uuid } } } platformReviews { totalCount edges { node { uuid } } }
                strategyBriefs { totalCount edges { node { uuid } } } contentPackages { totalCount edges { node { uuid } } }
                brandHistory { totalCount edges { node { uuid } } } collaborationLogs { totalCount edges { node { uuid } } }
                advisorFeedback { totalCount edges { node { uuid } } } averageWeights { category feedbackCount }
                autoPlans { uuid }";
    // Campaigns and leads, with every nested list and the personal fields.
    let marketing = "uuid campaigns(first: 5) { totalCount edges { node { uuid name tasks { uuid }
                metrics(from: \"2026-10-01\", to: \"2026-11-01\") { metric value }
                leads(first: 5) { totalCount edges { node { uuid email } } }
                contentItems(first: 5) { totalCount edges { node { uuid } } } } } }
                leads(first: 10) { totalCount edges { node { uuid email phone campaign { uuid }
                activities(first: 5) { totalCount edges { node { uuid } } } } } }";
    // Email: templates, email campaigns with their relations, contacts (with the address)
    // and automation rules, and a campaign's email campaigns.
    let email = "uuid emailTemplates(first: 5) { totalCount edges { node { uuid name } } }
                emailCampaigns(first: 5) { totalCount edges { node { uuid name template { uuid } campaign { uuid }
                  stats { delivered opened } publishJob { uuid } } } }
                emailContacts(first: 10) { totalCount edges { node { uuid email lead { uuid } } } }
                emailAutomationRules(first: 5) { totalCount edges { node { uuid actionConfig } } }
                campaigns(first: 5) { edges { node { emailCampaigns(first: 5) { totalCount edges { node { uuid } } } } } }";
    let mut paths = vec![
        (
            "{ viewer { memberships { brandId } } }".to_string(),
            json!({}),
        ),
        (
            "{ viewer { reviewQueue(first: 100) { uuid contentItem { uuid } }
                        notifications(first: 100) { uuid workflowId escalationId } } }"
                .to_string(),
            json!({}),
        ),
    ];
    for selection in [full, workflows, marketing, email] {
        paths.extend([
            (
                format!("{{ brands(first: 100) {{ totalCount edges {{ node {{ {selection} }} }} }} }}"),
                json!({}),
            ),
            (
                format!("query($id: ID!) {{ brand(id: $id) {{ {selection} }} }}"),
                json!({ "id": brand }),
            ),
            (
                format!(
                    "query($t: UUID!) {{ brandBySlug(tenantId: $t, slug: \"aurora-coffee\") {{ {selection} }} }}"
                ),
                json!({ "t": DEMO_TENANT }),
            ),
        ]);
    }
    paths.push((
        "query($t: UUID!) { brands(filter: { tenantId: $t }) { totalCount edges { node { uuid } } } }".to_string(),
        json!({ "t": DEMO_TENANT }),
    ));
    // Filters and orders from variables, as clients send them (compiled too).
    let lists = "uuid leads(first: 10, filter: $f, orderBy: $o) { totalCount edges { node { uuid email phone } } }
                contentItems(first: 10, orderBy: $co, filter: { status: $s }) { totalCount edges { node { uuid } } }
                emailContacts(filter: $ec) { totalCount edges { node { uuid email } } }";
    paths.push((
        format!(
            "query($id: ID!, $b: BrandOrder, $bf: BrandFilter, $f: LeadFilter, $o: LeadOrder, $co: ContentOrder,
                   $s: ContentStatus, $ec: EmailContactFilter) {{
               brands(first: 100, orderBy: $b, filter: $bf) {{ totalCount edges {{ node {{ {lists} }} }} }}
               brand(id: $id) {{ {lists} }} }}"
        ),
        json!({ "id": brand, "b": "CREATED_AT_DESC", "bf": { "tenantId": DEMO_TENANT, "nameContains": null },
                "f": { "minScore": 0 }, "o": "SCORE_DESC", "co": "UPDATED_AT_DESC", "ec": {} }),
    ));
    for (kind, id) in ids.iter().filter(|(kind, _)| *kind == NodeKind::Campaign) {
        paths.push((
            "query($id: ID!) { campaign(id: $id) { uuid leads { totalCount } } }".to_string(),
            json!({ "id": encode(*kind, *id) }),
        ));
    }
    for (kind, id) in ids.iter().filter(|(kind, _)| served_by_node(*kind)) {
        paths.push((
            "query($id: ID!) { node(id: $id) { id } }".to_string(),
            json!({ "id": encode(*kind, *id) }),
        ));
    }
    paths
}

/// The kinds `node(id:)` resolves (the others' ids are global ids too, but `node` answers
/// null for them).
fn served_by_node(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Brand
            | NodeKind::ContentItem
            | NodeKind::MediaAsset
            | NodeKind::PostApproval
            | NodeKind::PlatformConnection
            | NodeKind::PublishJob
            | NodeKind::Campaign
            | NodeKind::Lead
            | NodeKind::EmailTemplate
            | NodeKind::EmailCampaign
            | NodeKind::EmailContact
            | NodeKind::EmailAutomationRule
    )
}

fn mentions(response: &Value, ids: &[(NodeKind, Uuid)]) -> Vec<String> {
    let text = response.to_string();
    ids.iter()
        .filter(|(kind, id)| {
            text.contains(&id.to_string()) || text.contains(encode(*kind, *id).as_str())
        })
        .map(|(kind, id)| format!("{} {id}", kind.name()))
        .collect()
}

async fn check_outsiders_and_other_tenants_see_nothing_of_a_brand(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let secret = ids_of_brand(&app, brands::AURORA).await;

    for (who, user) in [("outsider", users::OUTSIDER), ("rival tenant owner", RIVAL)] {
        let token = user_token(user);
        for (query, variables) in paths(brands::AURORA, &secret) {
            let response = app.graphql(Some(&token), &query, variables).await;
            // Without the gateway's filters some paths answer with an error instead of
            // an empty result; what matters is that nothing leaks.
            assert!(
                !filters || response.get("errors").is_none(),
                "{who}: {query}: {response}"
            );
            let leaked = mentions(&response, &secret);
            assert!(
                leaked.is_empty(),
                "{who} saw {leaked:?} through {query}: {response}"
            );
        }
    }
}

async fn check_members_of_one_brand_see_nothing_of_their_tenants_other_brands(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    // Max Member belongs to Aurora only; Cascade is the same tenant's.
    let secret = ids_of_brand(&app, brands::CASCADE).await;
    let token = user_token(users::MEMBER);
    for (query, variables) in paths(brands::CASCADE, &secret) {
        let response = app.graphql(Some(&token), &query, variables).await;
        let leaked = mentions(&response, &secret);
        assert!(
            leaked.is_empty(),
            "member saw {leaked:?} through {query}: {response}"
        );
    }
}

async fn check_every_role_of_a_brand_and_the_service_role_see_all_of_it(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let visible = ids_of_brand(&app, brands::AURORA).await;
    for token in [
        user_token(users::OWNER),
        user_token(users::ADMIN),
        user_token(users::MANAGER),
        user_token(users::MEMBER),
        user_token(users::VIEWER),
        service_token(),
    ] {
        for (kind, id) in visible.iter().filter(|(kind, _)| served_by_node(*kind)) {
            let response = app
                .graphql(
                    Some(&token),
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": encode(*kind, *id) }),
                )
                .await;
            assert_eq!(
                response["data"]["node"]["id"],
                encode(*kind, *id).0,
                "{response}"
            );
        }
        let brand = app
            .graphql(
                Some(&token),
                "query($id: ID!) { brand(id: $id) { contentItems { totalCount } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        assert_eq!(
            brand["data"]["brand"]["contentItems"]["totalCount"], 24,
            "{brand}"
        );
    }
}

async fn check_anonymous_callers_get_unauthenticated_on_every_path(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let secret = ids_of_brand(&app, brands::AURORA).await;
    for (query, variables) in paths(brands::AURORA, &secret) {
        let response = app.graphql(None, &query, variables).await;
        assert_eq!(
            error_code(&response),
            Some("UNAUTHENTICATED"),
            "{query}: {response}"
        );
        assert!(mentions(&response, &secret).is_empty());
    }
}

async fn check_a_rival_tenant_with_the_same_slug_is_told_apart(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let rival_tenant = Uuid::from_u128(0xdead_0000_0000_4000_8000_0000_0000_0003);
    let query = "query($t: UUID!) { brandBySlug(tenantId: $t, slug: \"aurora-coffee\") { uuid } }";
    let own = app
        .graphql(
            Some(&user_token(RIVAL)),
            query,
            json!({ "t": rival_tenant }),
        )
        .await;
    assert_eq!(own["data"]["brandBySlug"]["uuid"], RIVAL_BRAND.to_string());
    let other = app
        .graphql(Some(&user_token(RIVAL)), query, json!({ "t": DEMO_TENANT }))
        .await;
    assert_eq!(other["data"]["brandBySlug"], Value::Null);
}

async fn check_a_removed_member_loses_access_once_the_change_is_published(filters: bool) {
    let app = leak_app(filters).await;
    app.seed_demo().await;
    let token = user_token(users::MEMBER);
    let query = "query($id: ID!) { brand(id: $id) { name } }";
    let vars = json!({ "id": brands::AURORA });
    // Twice: the second answer may come from the membership cache.
    for _ in 0..2 {
        let seen = app.graphql(Some(&token), query, vars.clone()).await;
        assert_eq!(seen["data"]["brand"]["name"], "Aurora Coffee", "{seen}");
    }
    app.remove_membership(users::MEMBER, brands::AURORA).await;
    app.settle_realtime().await;
    let gone = app.graphql(Some(&token), query, vars).await;
    assert_eq!(gone["data"]["brand"], Value::Null, "{gone}");
}

/// Scoring rules, form keys and lead search: outsiders, a rival tenant and members of
/// another brand never reach them; a form key's text is for admins and owners only.
async fn check_scoring_rules_form_keys_and_lead_search_stay_inside_the_brand(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO lead_scoring_rules (brand_id, name, condition, weight)
               VALUES ('{b}', 'secret-rule-name', '{{\"tag\": \"vip\"}}', 10);
             INSERT INTO lead_form_keys (brand_id, key, name, allowed_origins)
               VALUES ('{b}', 'lfk_00000000000000000000000000c0ffee', 'secret-form', '{{https://a.test}}');
             INSERT INTO leads (brand_id, name, email, company)
               VALUES ('{b}', 'Quentin Secret', 'quentin@hidden.example', 'Hidden Works');",
            b = brands::AURORA
        ))
        .await
        .unwrap();
    let secrets = [
        "secret-rule-name",
        "lfk_00000000000000000000000000c0ffee",
        "secret-form",
        "Quentin",
        "quentin@hidden.example",
    ];
    let selection = "uuid leadScoringRules { uuid name condition } leadFormKeys { key name }
        leads(filter: { search: \"quentin\" }) { totalCount edges { node { name email } } }
        hidden: leads(filter: { search: \"quentin@hidden.example\" }) { totalCount edges { node { name } } }";
    let queries = [
        (
            format!("query($id: ID!) {{ brand(id: $id) {{ {selection} }} }}"),
            json!({ "id": brands::AURORA }),
        ),
        (
            format!("{{ brands(first: 10) {{ edges {{ node {{ {selection} }} }} }} }}"),
            json!({}),
        ),
        (
            "{ search(query: \"quentin\") { title } }".to_string(),
            json!({}),
        ),
    ];
    let leaked = |response: &Value| {
        secrets
            .iter()
            .filter(|s| response.to_string().contains(*s))
            .copied()
            .collect::<Vec<_>>()
    };
    for (who, token) in [
        ("outsider", Some(user_token(users::OUTSIDER))),
        ("rival owner", Some(user_token(RIVAL))),
        ("anonymous", None),
    ] {
        for (query, variables) in &queries {
            let response = app
                .graphql(token.as_deref(), query, variables.clone())
                .await;
            assert!(leaked(&response).is_empty(), "{who}: {query}: {response}");
            if token.is_none() {
                assert_eq!(error_code(&response), Some("UNAUTHENTICATED"));
            }
        }
    }
    // Borealis' manager is a member there, not in Aurora.
    let response = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            &format!("query($id: ID!) {{ brand(id: $id) {{ {selection} }} }}"),
            json!({ "id": brands::BOREALIS }),
        )
        .await;
    assert!(leaked(&response).is_empty(), "{response}");
    // Inside Aurora: viewers and members read the rules and find the lead by name, never
    // the key; a viewer cannot find it by its address.
    for (user, finds_by_address) in [(users::VIEWER, false), (users::MEMBER, true)] {
        let response = app
            .graphql(
                Some(&user_token(user)),
                "query($id: ID!) { brand(id: $id) { leadScoringRules { name }
                    leads(filter: { search: \"quentin\" }) { totalCount }
                    hidden: leads(filter: { search: \"quentin@hidden.example\" }) { totalCount } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        let brand = &response["data"]["brand"];
        assert_eq!(brand["leadScoringRules"][0]["name"], "secret-rule-name");
        assert_eq!(brand["leads"]["totalCount"], 1, "{response}");
        assert_eq!(brand["hidden"]["totalCount"], i32::from(finds_by_address));
        let keys = app
            .graphql(
                Some(&user_token(user)),
                "query($id: ID!) { brand(id: $id) { leadFormKeys { key } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        assert_eq!(error_code(&keys), Some("FORBIDDEN"), "{keys}");
        assert!(!keys.to_string().contains("lfk_"));
    }
}

/// The live campaign and lead streams of `brand` (and of `campaign`, one of its campaigns).
fn marketing_subscriptions(brand: Uuid, campaign: Uuid) -> Vec<(&'static str, Value)> {
    use crate::marketing_live::{CAMPAIGN_SUMMARY, CAMPAIGN_UPDATED, LEAD_CAPTURED, LEAD_UPDATED};
    let on_brand = json!({ "brand": brand });
    vec![
        (LEAD_CAPTURED, on_brand.clone()),
        (LEAD_UPDATED, on_brand.clone()),
        (CAMPAIGN_UPDATED, on_brand),
        (
            CAMPAIGN_SUMMARY,
            json!({ "campaign": encode(NodeKind::Campaign, campaign) }),
        ),
    ]
}

async fn check_outsiders_and_other_brands_members_receive_nothing_from_live_campaigns_and_leads(
    filters: bool,
) {
    use crate::ws_client::{LEGACY_WS, TRANSPORT_WS, WsClient, WsEvent};
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let campaign_of = |brand: Uuid, key: &str| format!("md5('campaign:{brand}:{key}')::uuid");
    // (caller, brand they do not belong to, that brand's campaign key, protocol)
    let cases = [
        (users::OUTSIDER, brands::AURORA, "launch", TRANSPORT_WS),
        (RIVAL, brands::AURORA, "launch", LEGACY_WS),
        (users::MEMBER, brands::BOREALIS, "trail", LEGACY_WS),
        (users::VIEWER, brands::BOREALIS, "trail", TRANSPORT_WS),
    ];
    let mut sockets = Vec::new();
    for (user, brand, key, protocol) in cases {
        let campaign: Uuid = app
            .scalar(&format!("SELECT {}::text", campaign_of(brand, key)))
            .await
            .parse()
            .unwrap();
        let secret = [(NodeKind::Brand, brand), (NodeKind::Campaign, campaign)];
        let mut client = WsClient::connect(&app, protocol, &user_token(user)).await;
        let subscriptions = marketing_subscriptions(brand, campaign);
        for (n, (query, variables)) in subscriptions.iter().enumerate() {
            client
                .subscribe(&n.to_string(), query, variables.clone())
                .await;
        }
        // Each is refused as if the brand did not exist, then completed.
        let (mut refused, mut completed) = (0, 0);
        while refused + completed < 2 * subscriptions.len() {
            match client.next().await {
                WsEvent::Message(message) if message["type"] == "complete" => completed += 1,
                WsEvent::Message(message) => {
                    let payload = &message["payload"];
                    assert_eq!(error_code(payload), Some("NOT_FOUND"), "{user}: {message}");
                    assert!(payload["data"].is_null(), "{user}: {message}");
                    assert!(mentions(payload, &secret).is_empty(), "{user}: {message}");
                    refused += 1;
                }
                other => panic!("{user}: {other:?}"),
            }
        }
        sockets.push((user, brand, campaign, client));
    }
    // Then the brands' leads and campaigns change: nothing reaches any of them.
    for (n, (_, brand, campaign, _)) in sockets.iter().enumerate() {
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO leads (brand_id, name, email, campaign_id)
                   VALUES ('{brand}', 'Secret', 'secret-{n}@example.test', '{campaign}');
                 UPDATE leads SET status = 'contacted' WHERE brand_id = '{brand}';
                 UPDATE campaigns SET name = name || ' (renamed)' WHERE id = '{campaign}';"
            ))
            .await
            .unwrap();
    }
    app.settle_realtime().await;
    for (user, _, _, mut client) in sockets {
        if let Some(event) = client
            .next_within(std::time::Duration::from_millis(300))
            .await
        {
            panic!("{user} received {event:?}");
        }
    }
}

/// Campaign task and metric writes aimed at a brand the caller does not belong to: each
/// is `NOT_FOUND` (as if the campaign or task did not exist), names nothing of the brand
/// and changes nothing. With row-level security alone the code may differ; nothing else may.
async fn check_outsiders_and_other_brands_members_change_no_campaign_tasks_or_metrics(
    filters: bool,
) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    let fingerprint = |campaign: Uuid| {
        format!(
            "SELECT (SELECT string_agg(id || title || status || priority, ',' ORDER BY id) FROM campaign_tasks
                      WHERE campaign_id = '{campaign}')
                 || (SELECT count(*) FROM campaign_metrics WHERE campaign_id = '{campaign}')"
        )
    };
    for (user, brand, key) in [
        (users::OUTSIDER, brands::AURORA, "launch"),
        (RIVAL, brands::AURORA, "launch"),
        (users::MEMBER, brands::BOREALIS, "trail"),
        (users::VIEWER, brands::BOREALIS, "trail"),
    ] {
        let campaign: Uuid = app
            .scalar(&format!("SELECT md5('campaign:{brand}:{key}')::uuid::text"))
            .await
            .parse()
            .unwrap();
        let task: Uuid = app
            .scalar(&format!("SELECT md5('task:{campaign}:2')::uuid::text"))
            .await
            .parse()
            .unwrap();
        let secret = [
            (NodeKind::Brand, brand),
            (NodeKind::Campaign, campaign),
            (NodeKind::Campaign, task),
        ];
        let before = app.scalar(&fingerprint(campaign)).await;
        let campaign_id = encode(NodeKind::Campaign, campaign);
        for (query, variables) in [
            (
                "mutation($c: ID!) { createCampaignTask(input: { campaignId: $c, title: \"x\" }) { uuid } }",
                json!({ "c": campaign_id }),
            ),
            (
                "mutation($t: UUID!) { updateCampaignTask(id: $t, input: { title: \"x\", status: CANCELLED }) { uuid } }",
                json!({ "t": task }),
            ),
            (
                "mutation($t: UUID!) { completeCampaignTask(id: $t) { uuid } }",
                json!({ "t": task }),
            ),
            (
                "mutation($t: UUID!) { deleteCampaignTask(id: $t) { uuid title } }",
                json!({ "t": task }),
            ),
            (
                "mutation($c: ID!) { recordCampaignMetric(campaignId: $c, metric: \"reach\", value: 1) { value } }",
                json!({ "c": campaign_id }),
            ),
        ] {
            let response = app.graphql(Some(&user_token(user)), query, variables).await;
            if filters {
                assert_eq!(
                    error_code(&response),
                    Some("NOT_FOUND"),
                    "{user}: {query}: {response}"
                );
            } else {
                assert!(
                    error_code(&response).is_some(),
                    "{user}: {query}: {response}"
                );
            }
            assert!(response["data"].is_null(), "{user}: {response}");
            let leaked = mentions(&response, &secret);
            assert!(leaked.is_empty(), "{user} saw {leaked:?}: {response}");
        }
        assert_eq!(
            app.scalar(&fingerprint(campaign)).await,
            before,
            "{user} changed nothing"
        );
    }
}

/// What a foreign write could change in `brand`: its row and its content, campaigns and
/// leads, as one digest read by the owner.
async fn digest_of(app: &TestApp, brand: Uuid) -> String {
    app.scalar(&format!(
        "SELECT md5(concat_ws('|',
           (SELECT b::text FROM brands b WHERE b.id = '{brand}'),
           (SELECT string_agg(c::text, ',' ORDER BY c.id) FROM content_items c WHERE c.brand_id = '{brand}'),
           (SELECT string_agg(c::text, ',' ORDER BY c.id) FROM campaigns c WHERE c.brand_id = '{brand}'),
           (SELECT string_agg(l::text, ',' ORDER BY l.id) FROM leads l WHERE l.brand_id = '{brand}')))"
    ))
    .await
}

/// Writes aimed at a brand the caller does not belong to are refused and change nothing.
async fn check_foreign_writes_are_refused_and_change_nothing(filters: bool) {
    let app = leak_app(filters).await;
    seed_two_tenants(&app).await;
    // Borealis: Max Member belongs to Aurora only.
    let brand = brands::BOREALIS;
    let id_in = |table: &str| {
        format!("SELECT id::text FROM {table} WHERE brand_id = '{brand}' ORDER BY id LIMIT 1")
    };
    let content = app.scalar(&id_in("content_items")).await;
    let campaign = app.scalar(&id_in("campaigns")).await;
    let lead = app.scalar(&id_in("leads")).await;
    let before = digest_of(&app, brand).await;
    let writes = [
        (
            "mutation($id: ID!) { updateBrand(id: $id, input: { name: \"pwned\" }) { uuid } }",
            json!({ "id": brand }),
        ),
        (
            "mutation($id: ID!) { archiveBrand(id: $id) { uuid } }",
            json!({ "id": brand }),
        ),
        (
            "mutation($b: ID!, $c: JSON!) { createContentItem(input: { brandId: $b, type: \"post\", title: \"pwned\", content: $c }) { uuid } }",
            json!({ "b": brand, "c": { "text": "pwned" } }),
        ),
        (
            "mutation($id: ID!) { updateContentItem(id: $id, input: { title: \"pwned\" }) { uuid } }",
            json!({ "id": encode(NodeKind::ContentItem, content.parse().unwrap()) }),
        ),
        (
            "mutation($b: ID!) { createCampaign(input: { brandId: $b, name: \"pwned\" }) { uuid } }",
            json!({ "b": brand }),
        ),
        (
            "mutation($id: ID!) { updateCampaign(id: $id, input: { name: \"pwned\" }) { uuid } }",
            json!({ "id": encode(NodeKind::Campaign, campaign.parse().unwrap()) }),
        ),
        (
            "mutation($b: ID!) { createLead(input: { brandId: $b, name: \"pwned\", email: \"pwned@example.test\" }) { uuid } }",
            json!({ "b": brand }),
        ),
        (
            "mutation($id: ID!) { updateLead(id: $id, input: { name: \"pwned\" }) { uuid } }",
            json!({ "id": encode(NodeKind::Lead, lead.parse().unwrap()) }),
        ),
    ];
    // The rival owner belongs to another tenant.
    for user in [users::MEMBER, users::OUTSIDER, RIVAL] {
        for (query, variables) in &writes {
            let response = app
                .graphql(Some(&user_token(user)), query, variables.clone())
                .await;
            assert!(
                error_code(&response).is_some(),
                "{user}: {query}: {response}"
            );
            assert!(
                !response.to_string().contains("pwned"),
                "{user}: {query}: {response}"
            );
        }
    }
    assert_eq!(
        digest_of(&app, brand).await,
        before,
        "a foreign write changed the brand"
    );
}
