//! Running a workspace through the API: brands, members, settings, audit trail, search.

use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app, user_token};
use crate::ws_client::{TRANSPORT_WS, WsClient};

/// Every kind of caller, with a token (none for anonymous).
fn callers() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("owner", Some(user_token(users::OWNER))),
        ("admin", Some(user_token(users::ADMIN))),
        ("manager", Some(user_token(users::MANAGER))),
        ("member", Some(user_token(users::MEMBER))),
        ("viewer", Some(user_token(users::VIEWER))),
        ("outsider", Some(user_token(users::OUTSIDER))),
        ("anonymous", None),
        ("service", Some(service_token())),
    ]
}

/// The code each caller gets (None: allowed).
fn outcome(response: &Value) -> Option<String> {
    error_code(response).map(String::from)
}

#[tokio::test]
async fn the_role_matrix_of_brand_and_member_mutations() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let aurora = json!({ "brand": brands::AURORA });
    // (mutation, who may; everyone else visible gets FORBIDDEN, outsiders NOT_FOUND)
    let cases: Vec<(&str, &[&str])> = vec![
        (
            "mutation($brand: ID!) { updateBrand(id: $brand, input: { description: \"x\" }) { uuid } }",
            &["owner", "admin", "service"],
        ),
        (
            "mutation($brand: ID!) { inviteMember(brandId: $brand, email: \"new@example.test\", role: VIEWER) { status } }",
            &["owner", "admin", "service"],
        ),
        (
            "mutation($brand: ID!) { recordMilestone(brandId: $brand, key: \"first_login\") { key } }",
            &["owner", "admin", "manager", "member", "service"],
        ),
    ];
    for (mutation, allowed) in cases {
        for (who, token) in callers() {
            // Invitations are unique per pending person: clear between callers.
            app.db
                .execute_unprepared("DELETE FROM brand_invitations")
                .await
                .unwrap();
            let response = app
                .graphql(token.as_deref(), mutation, aurora.clone())
                .await;
            let expected = match who {
                _ if allowed.contains(&who) => None,
                "anonymous" => Some("UNAUTHENTICATED".to_string()),
                "outsider" => Some("NOT_FOUND".to_string()),
                _ => Some("FORBIDDEN".to_string()),
            };
            assert_eq!(
                outcome(&response),
                expected,
                "{who}: {mutation}: {response}"
            );
        }
    }
    // Nobody grants a role above their own.
    let response = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($brand: ID!) { inviteMember(brandId: $brand, email: \"boss@example.test\", role: OWNER) { status } }",
            aurora.clone(),
        )
        .await;
    assert_eq!(error_code(&response), Some("FORBIDDEN"), "{response}");
}

async fn promote(app: &TestApp, user: Uuid, role: &str) -> Value {
    app.graphql(
        Some(&user_token(users::OWNER)),
        "mutation($brand: ID!, $user: UUID!, $role: Role!) { updateMemberRole(brandId: $brand, userId: $user, role: $role) { role } }",
        json!({ "brand": brands::AURORA, "user": user, "role": role }),
    )
    .await
}

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_exactly_one_owner() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let promoted = promote(&app, users::ADMIN, "OWNER").await;
    assert_eq!(
        promoted["data"]["updateMemberRole"]["role"], "OWNER",
        "{promoted}"
    );
    let demote = |by: Uuid, whom: Uuid| {
        let app = &app;
        async move {
            app.graphql(
                Some(&user_token(by)),
                "mutation($brand: ID!, $user: UUID!) { updateMemberRole(brandId: $brand, userId: $user, role: ADMIN) { role } }",
                json!({ "brand": brands::AURORA, "user": whom }),
            )
            .await
        }
    };
    let (a, b) = tokio::join!(
        demote(users::OWNER, users::ADMIN),
        demote(users::ADMIN, users::OWNER)
    );
    let succeeded = [&a, &b]
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(succeeded, 1, "{a}\n{b}");
    let owners = app
        .scalar(&format!(
            "SELECT count(*)::text FROM brand_members WHERE brand_id = '{}' AND role = 'owner'",
            brands::AURORA
        ))
        .await;
    assert_eq!(owners, "1");
    // And the last owner can neither leave nor be removed.
    let last: Uuid = app
        .scalar(&format!(
            "SELECT user_id::text FROM brand_members WHERE brand_id = '{}' AND role = 'owner'",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    let leave = app
        .graphql(
            Some(&user_token(last)),
            "mutation($brand: ID!) { leaveBrand(brandId: $brand) }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&leave), Some("CONFLICT"), "{leave}");
}

#[tokio::test]
async fn invitations_are_accepted_by_the_invited_user_and_revocable_before() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let invite = "mutation($brand: ID!, $email: String!) { inviteMember(brandId: $brand, email: $email, role: MEMBER) { uuid status } }";
    let invited = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            invite,
            json!({ "brand": brands::AURORA, "email": "New.Person@Example.test" }),
        )
        .await;
    let invitation = invited["data"]["inviteMember"]["uuid"].clone();
    let newcomer: Uuid = app
        .scalar("SELECT id::text FROM users WHERE email = 'new.person@example.test'")
        .await
        .parse()
        .unwrap();
    let mine = app
        .graphql(
            Some(&user_token(newcomer)),
            "{ viewer { invitations { uuid brand { name } role } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine["data"]["viewer"]["invitations"][0]["role"], "MEMBER",
        "{mine}"
    );
    let accept = "mutation($id: UUID!) { acceptInvitation(id: $id) { role } }";
    let stolen = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            accept,
            json!({ "id": invitation }),
        )
        .await;
    assert_eq!(error_code(&stolen), Some("NOT_FOUND"), "{stolen}");
    let accepted = app
        .graphql(
            Some(&user_token(newcomer)),
            accept,
            json!({ "id": invitation }),
        )
        .await;
    assert_eq!(
        accepted["data"]["acceptInvitation"]["role"], "MEMBER",
        "{accepted}"
    );
    let again = app
        .graphql(
            Some(&user_token(newcomer)),
            accept,
            json!({ "id": invitation }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    // A second invitation is revoked before anyone accepts it.
    let second = app
        .graphql(
            Some(&user_token(users::OWNER)),
            invite,
            json!({ "brand": brands::AURORA, "email": "late@example.test" }),
        )
        .await;
    let revoked = app
        .graphql(
            Some(&user_token(users::OWNER)),
            "mutation($id: UUID!) { revokeInvitation(id: $id) { status } }",
            json!({ "id": second["data"]["inviteMember"]["uuid"] }),
        )
        .await;
    assert_eq!(
        revoked["data"]["revokeInvitation"]["status"], "REVOKED",
        "{revoked}"
    );
}

#[tokio::test]
async fn an_archived_brand_disappears_everywhere_until_restored() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let owner = user_token(users::OWNER);
    let item = app
        .scalar(&format!(
            "SELECT id::text FROM content_items WHERE brand_id = '{}' LIMIT 1",
            brands::AURORA
        ))
        .await;
    let archived = app
        .graphql(
            Some(&owner),
            "mutation($id: ID!) { archiveBrand(id: $id) { archivedAt } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert!(
        archived["data"]["archiveBrand"]["archivedAt"].is_string(),
        "{archived}"
    );
    app.settle_realtime().await;
    for token in [owner.clone(), service_token()] {
        let seen = app
            .graphql(
                Some(&token),
                "query($id: ID!, $item: ID!) { brands(first: 100) { edges { node { uuid } } }
                   brand(id: $id) { uuid } node(id: $item) { id } viewer { memberships { brandId } } }",
                json!({ "id": brands::AURORA, "item": brandgraph::graphql::ids::encode(brandgraph::graphql::ids::NodeKind::ContentItem, item.parse().unwrap()) }),
            )
            .await;
        let text = seen.to_string();
        assert!(!text.contains(&brands::AURORA.to_string()), "{seen}");
        assert!(seen["data"]["node"].is_null(), "{seen}");
    }
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &owner).await;
    client
        .subscribe(
            "1",
            "subscription($brand: ID!) { contentStatusChanged(brandId: $brand) { cursor } }",
            json!({ "brand": brands::AURORA }),
        )
        .await;
    let refused = client.next_data().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );

    let restored = app
        .graphql(
            Some(&owner),
            "mutation($id: ID!) { restoreBrand(id: $id) { name archivedAt } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(
        restored["data"]["restoreBrand"]["archivedAt"],
        Value::Null,
        "{restored}"
    );
    app.settle_realtime().await;
    let back = app
        .graphql(
            Some(&owner),
            "query($id: ID!) { brand(id: $id) { name } }",
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(back["data"]["brand"]["name"], "Aurora Coffee", "{back}");
}

#[tokio::test]
async fn brand_changes_are_audited_with_before_and_after_and_audit_rows_are_append_only() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let owner = user_token(users::OWNER);
    for color in ["#111111", "#222222", "#333333"] {
        let response = app
            .graphql(
                Some(&owner),
                "mutation($id: ID!, $c: String!) { updateBrand(id: $id, input: { primaryColor: $c }) { primaryColor } }",
                json!({ "id": brands::AURORA, "c": color }),
            )
            .await;
        assert_eq!(
            response["data"]["updateBrand"]["primaryColor"], color,
            "{response}"
        );
    }
    let query = "query($id: ID!, $after: String) { brand(id: $id) {
        auditLog(first: 2, after: $after, filter: { action: \"brand.update\" }) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { action metadata actor { uuid } } } } } }";
    let first = app
        .graphql(Some(&owner), query, json!({ "id": brands::AURORA }))
        .await;
    let log = &first["data"]["brand"]["auditLog"];
    assert_eq!(log["totalCount"], 3, "{first}");
    let newest = &log["edges"][0]["node"];
    assert_eq!(
        newest["metadata"]["before"]["primary_color"], "#222222",
        "{first}"
    );
    assert_eq!(newest["metadata"]["after"]["primary_color"], "#333333");
    assert_eq!(newest["actor"]["uuid"], users::OWNER.to_string());
    // A concurrent write does not shift the next page.
    app.graphql(
        Some(&owner),
        "mutation($id: ID!) { updateBrand(id: $id, input: { primaryColor: \"#444444\" }) { uuid } }",
        json!({ "id": brands::AURORA }),
    )
    .await;
    let second = app
        .graphql(
            Some(&owner),
            query,
            json!({ "id": brands::AURORA, "after": log["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &second["data"]["brand"]["auditLog"]["edges"];
    assert_eq!(rest.as_array().unwrap().len(), 1, "{second}");
    assert_eq!(
        rest[0]["node"]["metadata"]["after"]["primary_color"],
        "#111111"
    );
    // Members below admin do not read the trail.
    let refused = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            query,
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    // The database refuses to rewrite or delete history: the gateway's role holds no
    // UPDATE or DELETE on it, and a trigger stops even the owner.
    let owner = app.owner().await;
    for sql in [
        "UPDATE audit_logs SET action = 'forged'",
        "DELETE FROM audit_logs",
    ] {
        let err = app.db.execute_unprepared(sql).await.expect_err(sql);
        assert!(err.to_string().contains("permission denied"), "{err}");
        let err = owner.execute_unprepared(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}

#[tokio::test]
async fn settings_are_typed_validated_and_unsubscribe_needs_only_the_token() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let member = user_token(users::MEMBER);
    let read = app
        .graphql(
            Some(&member),
            "query($b: ID!) { viewer { settings(brandId: $b) { timezone language unsubscribeToken
               emailPreferences { approvalsNeeded publishSuccess maxEmailsPerDay digestFrequency } } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    let settings = &read["data"]["viewer"]["settings"];
    assert_eq!(
        settings["emailPreferences"]["approvalsNeeded"], true,
        "{read}"
    );
    assert_eq!(settings["emailPreferences"]["maxEmailsPerDay"], 20);
    assert_eq!(settings["timezone"], "America/Chicago");
    let token = settings["unsubscribeToken"].as_str().unwrap().to_string();
    let update = "mutation($b: ID!, $tz: String, $lang: String) { updateClientSettings(brandId: $b,
        input: { timezone: $tz, language: $lang, publishSuccess: true }) { timezone language emailPreferences { publishSuccess } } }";
    for (tz, lang, field) in [
        ("Mars/Olympus", "en", "timezone"),
        ("Europe/Berlin", "not a tag!", "language"),
    ] {
        let refused = app
            .graphql(
                Some(&member),
                update,
                json!({ "b": brands::AURORA, "tz": tz, "lang": lang }),
            )
            .await;
        assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], field);
    }
    let updated = app
        .graphql(
            Some(&member),
            update,
            json!({ "b": brands::AURORA, "tz": "Europe/Berlin", "lang": "pt-BR" }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateClientSettings"],
        json!({ "timezone": "Europe/Berlin", "language": "pt-BR", "emailPreferences": { "publishSuccess": true } })
    );
    let unsubscribe = "mutation($t: String!) { unsubscribe(token: $t, types: [\"weeklyDigest\"]) }";
    for _ in 0..2 {
        let done = app.graphql(None, unsubscribe, json!({ "t": token })).await;
        assert_eq!(done["data"]["unsubscribe"], true, "{done}");
    }
    let types = app
        .scalar(&format!(
            "SELECT array_to_string(unsubscribed_types, ',') FROM client_settings WHERE unsubscribe_token = '{token}'"
        ))
        .await;
    assert_eq!(types, "weeklyDigest");
    let wrong = app.graphql(None, unsubscribe, json!({ "t": "nope" })).await;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"), "{wrong}");
}

#[tokio::test]
async fn search_ranks_titles_first_stays_in_scope_and_uses_the_index() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let create = "mutation($b: ID!, $title: String!, $body: String!) { createContentItem(input: {
        brandId: $b, type: \"post\", title: $title, content: { body: $body } }) { uuid } }";
    let owner = user_token(users::OWNER);
    for (brand, title, body) in [
        (
            brands::AURORA,
            "Espresso masterclass",
            "Pull the perfect shot",
        ),
        (
            brands::AURORA,
            "Weekend hours",
            "Our espresso bar opens at nine",
        ),
        (brands::BOREALIS, "Espresso secrets", "Borealis only"),
    ] {
        let r = app
            .graphql(
                Some(&owner),
                create,
                json!({ "b": brand, "title": title, "body": body }),
            )
            .await;
        assert!(r.get("errors").is_none(), "{r}");
    }
    let search = "query($q: String!, $b: ID) { search(query: $q, brandId: $b) { kind title highlight brandId } }";
    let hits = app
        .graphql(
            Some(&owner),
            search,
            json!({ "q": "espresso", "b": brands::AURORA }),
        )
        .await;
    let hits = hits["data"]["search"].as_array().unwrap().clone();
    assert_eq!(hits[0]["title"], "Espresso masterclass", "{hits:?}");
    assert!(
        hits.iter().any(|h| h["title"] == "Weekend hours"),
        "a word in a body is found"
    );
    assert!(
        hits.iter()
            .all(|h| h["brandId"] == brands::AURORA.to_string())
    );
    assert!(
        hits[1]["highlight"]
            .as_str()
            .unwrap()
            .contains("<b>espresso</b>"),
        "{hits:?}"
    );
    // The Aurora-only member never sees Borealis rows.
    app.db
        .execute_unprepared(&format!(
            "DELETE FROM brand_members WHERE user_id = '{}' AND brand_id <> '{}'",
            users::MEMBER,
            brands::AURORA
        ))
        .await
        .unwrap();
    let scoped = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            search,
            json!({ "q": "espresso secrets" }),
        )
        .await;
    assert!(!scoped.to_string().contains("Borealis"), "{scoped}");
    let outsider = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            search,
            json!({ "q": "espresso" }),
        )
        .await;
    assert_eq!(outsider["data"]["search"], json!([]), "{outsider}");
    // The GIN index serves the match (sequential scans off: the demo tables are tiny).
    let txn = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    txn.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .unwrap();
    let rows = txn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "EXPLAIN SELECT entity_id FROM search_documents WHERE search @@ websearch_to_tsquery('simple', 'espresso')",
        ))
        .await
        .unwrap();
    let plan: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert!(
        plan.iter()
            .any(|line| line.contains("search_documents_search_idx")),
        "{plan:#?}"
    );
}

#[tokio::test]
async fn goals_become_achieved_or_missed_instead_of_staying_active() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let upsert =
        "mutation($b: ID!, $metric: String!) { upsertAnalyticsGoal(brandId: $b, metric: $metric,
        target: 1000000000, deadline: \"2030-01-01T00:00:00Z\") { uuid status } }";
    let mut ids = Vec::new();
    for metric in ["saves", "mentions"] {
        let r = app
            .graphql(
                Some(&user_token(users::OWNER)),
                upsert,
                json!({ "b": brands::AURORA, "metric": metric }),
            )
            .await;
        assert_eq!(r["data"]["upsertAnalyticsGoal"]["status"], "active", "{r}");
        ids.push(
            r["data"]["upsertAnalyticsGoal"]["uuid"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // The deadline of the first passes; the background pass settles it.
    app.db
        .execute_unprepared(&format!(
            "UPDATE analytics_goals SET deadline = now() - interval '1 day' WHERE id = '{}'",
            ids[0]
        ))
        .await
        .unwrap();
    brandgraph::jobs::goal_status::run_once(&app.db)
        .await
        .unwrap();
    let status = |id: String| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT status FROM analytics_goals WHERE id = '{id}'"
            ))
            .await
        }
    };
    assert_eq!(status(ids[0].clone()).await, "missed");
    assert_eq!(status(ids[1].clone()).await, "active");
    // The second reaches its target through progress set from outside.
    let set = "mutation($g: UUID!) { setGoalProgress(goalId: $g, current: 2000000000) { status current } }";
    let refused = app
        .graphql(Some(&user_token(users::OWNER)), set, json!({ "g": ids[1] }))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let done = app
        .graphql(Some(&service_token()), set, json!({ "g": ids[1] }))
        .await;
    assert_eq!(
        done["data"]["setGoalProgress"]["status"], "achieved",
        "{done}"
    );
}

#[tokio::test]
async fn brand_and_membership_changes_are_streamed() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let mut client = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OWNER)).await;
    let after = app.cursor_now().await;
    client
        .subscribe(
            "b",
            "subscription($b: ID!, $after: String) { brandUpdated(brandId: $b, after: $after) { name archived } }",
            json!({ "b": brands::AURORA, "after": after }),
        )
        .await;
    client
        .subscribe(
            "m",
            "subscription($b: ID!, $after: String) { membershipChanged(brandId: $b, after: $after) { op userId role } }",
            json!({ "b": brands::AURORA, "after": after }),
        )
        .await;
    app.graphql(
        Some(&user_token(users::OWNER)),
        "mutation($b: ID!) { updateBrand(id: $b, input: { name: \"Aurora Roasters\" }) { name } }",
        json!({ "b": brands::AURORA }),
    )
    .await;
    promote(&app, users::VIEWER, "MEMBER").await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let event = client.next_data().await;
        assert!(event["errors"].is_null(), "{event}");
        seen.push(event["data"].clone());
    }
    assert!(
        seen.contains(&json!({ "brandUpdated": { "name": "Aurora Roasters", "archived": false } })),
        "{seen:?}"
    );
    assert!(
        seen.contains(&json!({ "membershipChanged": { "op": "UPDATE", "userId": users::VIEWER.to_string(), "role": "MEMBER" } })),
        "{seen:?}"
    );
}
