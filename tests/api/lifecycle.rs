//! Content lifecycle mutations: transitions per role, self-approval, locking, audit.

use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, service_token, spawn_app, user_token};

const CREATE: &str = "mutation($brand: ID!, $title: String) {
  createContentItem(input: { brandId: $brand, type: \"post\", title: $title, content: { body: \"hi\" }, platform: \"instagram\" }) { uuid status } }";
const UPDATE: &str = "mutation($id: ID!) { updateContentItem(id: $id, input: { title: \"edited\" }) { status title } }";
const SUBMIT: &str = "mutation($id: ID!) { submitForReview(id: $id, priority: \"high\") { status post { status } } }";
const APPROVE: &str =
    "mutation($id: ID!) { approvePost(id: $id) { status approvedBy { uuid } post { status } } }";
const REJECT: &str = "mutation($id: ID!, $reason: String!) { rejectPost(id: $id, reason: $reason) { status rejectionReason post { status } } }";
const SCHEDULE: &str = "mutation($id: ID!, $at: DateTime!) { scheduleContent(id: $id, scheduledAt: $at, platforms: [\"instagram\"]) { status scheduledAt content { status } } }";

async fn create(app: &TestApp, user: Uuid) -> Uuid {
    let response = app
        .graphql(
            Some(&user_token(user)),
            CREATE,
            json!({ "brand": brands::AURORA, "title": "t" }),
        )
        .await;
    assert_eq!(
        response["data"]["createContentItem"]["status"], "DRAFT",
        "{response}"
    );
    response["data"]["createContentItem"]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn run(app: &TestApp, user: Uuid, query: &str, vars: Value) -> Value {
    app.graphql(Some(&user_token(user)), query, vars).await
}

fn future() -> String {
    (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339()
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    app.scalar(&format!(
        "SELECT status FROM content_items WHERE id = '{id}'"
    ))
    .await
}

#[tokio::test]
async fn the_happy_path_walks_draft_review_approval_and_schedule() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let id = create(&app, users::MEMBER).await;

    let submitted = run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    assert_eq!(
        submitted["data"]["submitForReview"]["post"]["status"], "PENDING_REVIEW",
        "{submitted}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT priority || ':' || status FROM approval_requests WHERE post_id = '{id}'"
        ))
        .await,
        "high:pending"
    );

    let approved = run(&app, users::MANAGER, APPROVE, json!({ "id": id })).await;
    assert_eq!(
        approved["data"]["approvePost"]["status"], "APPROVED",
        "{approved}"
    );
    assert_eq!(
        approved["data"]["approvePost"]["approvedBy"]["uuid"],
        users::MANAGER.to_string()
    );
    assert_eq!(
        approved["data"]["approvePost"]["post"]["status"],
        "APPROVED"
    );

    let scheduled = run(
        &app,
        users::MANAGER,
        SCHEDULE,
        json!({ "id": id, "at": future() }),
    )
    .await;
    assert_eq!(
        scheduled["data"]["scheduleContent"]["content"]["status"], "SCHEDULED",
        "{scheduled}"
    );
    let rescheduled = run(
        &app,
        users::MANAGER,
        SCHEDULE,
        json!({ "id": id, "at": future() }),
    )
    .await;
    assert!(rescheduled.get("errors").is_none(), "{rescheduled}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM scheduled_content WHERE content_id = '{id}'"
        ))
        .await,
        "1"
    );

    let actions = app
        .scalar(&format!(
            "SELECT string_agg(action, ',' ORDER BY created_at, action) FROM audit_logs WHERE resource_id = '{id}'"
        ))
        .await;
    assert_eq!(
        actions,
        "content.create,content.submit_for_review,content.approve,content.schedule,content.schedule"
    );
}

#[tokio::test]
async fn rejection_needs_a_reason_and_editing_returns_the_item_to_draft() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let id = create(&app, users::MEMBER).await;
    run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;

    let no_reason = run(
        &app,
        users::MANAGER,
        REJECT,
        json!({ "id": id, "reason": "  " }),
    )
    .await;
    assert_eq!(error_code(&no_reason), Some("BAD_USER_INPUT"));
    let rejected = run(
        &app,
        users::MANAGER,
        REJECT,
        json!({ "id": id, "reason": "Too long" }),
    )
    .await;
    assert_eq!(
        rejected["data"]["rejectPost"]["rejectionReason"], "Too long",
        "{rejected}"
    );
    assert_eq!(rejected["data"]["rejectPost"]["post"]["status"], "REJECTED");

    let edited = run(&app, users::MEMBER, UPDATE, json!({ "id": id })).await;
    assert_eq!(
        edited["data"]["updateContentItem"]["status"], "DRAFT",
        "{edited}"
    );
    assert_eq!(edited["data"]["updateContentItem"]["title"], "edited");
    let again = run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    assert!(
        again.get("errors").is_none(),
        "a second review round: {again}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*)::text FROM post_approvals WHERE post_id = '{id}'"
        ))
        .await,
        "2"
    );
}

#[tokio::test]
async fn illegal_transitions_are_bad_user_input_naming_both_statuses() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let id = create(&app, users::MEMBER).await;

    let approve_draft = run(&app, users::MANAGER, APPROVE, json!({ "id": id })).await;
    assert_eq!(
        error_code(&approve_draft),
        Some("BAD_USER_INPUT"),
        "{approve_draft}"
    );
    let message = approve_draft["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("draft") && message.contains("approved"),
        "{message}"
    );

    let schedule_draft = run(
        &app,
        users::MANAGER,
        SCHEDULE,
        json!({ "id": id, "at": future() }),
    )
    .await;
    assert_eq!(error_code(&schedule_draft), Some("BAD_USER_INPUT"));

    run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    let submit_twice = run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    assert_eq!(error_code(&submit_twice), Some("BAD_USER_INPUT"));
    let edit_pending = run(&app, users::MEMBER, UPDATE, json!({ "id": id })).await;
    assert_eq!(error_code(&edit_pending), Some("BAD_USER_INPUT"));

    run(&app, users::MANAGER, APPROVE, json!({ "id": id })).await;
    let past = run(
        &app,
        users::MANAGER,
        SCHEDULE,
        json!({ "id": id, "at": "2020-01-01T00:00:00Z" }),
    )
    .await;
    assert_eq!(error_code(&past), Some("BAD_USER_INPUT"));
    assert_eq!(
        status_of(&app, id).await,
        "approved",
        "failed calls changed nothing"
    );
}

#[tokio::test]
async fn roles_gate_every_step() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let viewer_create = run(
        &app,
        users::VIEWER,
        CREATE,
        json!({ "brand": brands::AURORA }),
    )
    .await;
    assert_eq!(error_code(&viewer_create), Some("FORBIDDEN"));
    let outsider_create = run(
        &app,
        users::OUTSIDER,
        CREATE,
        json!({ "brand": brands::AURORA }),
    )
    .await;
    assert_eq!(
        error_code(&outsider_create),
        Some("NOT_FOUND"),
        "no hint that the brand exists"
    );
    let anonymous = app
        .graphql(None, CREATE, json!({ "brand": brands::AURORA }))
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    let id = create(&app, users::MEMBER).await;
    run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    let member_approves = run(&app, users::MEMBER, APPROVE, json!({ "id": id })).await;
    assert_eq!(error_code(&member_approves), Some("FORBIDDEN"));
    let viewer_rejects = run(
        &app,
        users::VIEWER,
        REJECT,
        json!({ "id": id, "reason": "no" }),
    )
    .await;
    assert_eq!(error_code(&viewer_rejects), Some("FORBIDDEN"));
    let outsider_approves = run(&app, users::OUTSIDER, APPROVE, json!({ "id": id })).await;
    assert_eq!(error_code(&outsider_approves), Some("NOT_FOUND"));
    assert_eq!(status_of(&app, id).await, "pending_review");

    let service = app
        .graphql(Some(&service_token()), APPROVE, json!({ "id": id }))
        .await;
    assert_eq!(
        service["data"]["approvePost"]["status"], "APPROVED",
        "{service}"
    );
}

#[tokio::test]
async fn authors_cannot_decide_on_their_own_posts_unless_they_own_the_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let by_manager = create(&app, users::MANAGER).await;
    run(&app, users::MANAGER, SUBMIT, json!({ "id": by_manager })).await;
    let own = run(&app, users::MANAGER, APPROVE, json!({ "id": by_manager })).await;
    assert_eq!(error_code(&own), Some("FORBIDDEN"), "{own}");
    let other = run(&app, users::ADMIN, APPROVE, json!({ "id": by_manager })).await;
    assert_eq!(
        other["data"]["approvePost"]["status"], "APPROVED",
        "{other}"
    );

    let by_owner = create(&app, users::OWNER).await;
    run(&app, users::OWNER, SUBMIT, json!({ "id": by_owner })).await;
    let owner_own = run(&app, users::OWNER, APPROVE, json!({ "id": by_owner })).await;
    assert_eq!(
        owner_own["data"]["approvePost"]["status"], "APPROVED",
        "{owner_own}"
    );
}

#[tokio::test]
async fn a_locked_approval_cannot_change() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let id = create(&app, users::MEMBER).await;
    run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
    app.scalar(&format!(
        "UPDATE post_approvals SET locked = true WHERE post_id = '{id}' RETURNING 'x'"
    ))
    .await;
    let response = run(&app, users::MANAGER, APPROVE, json!({ "id": id })).await;
    assert_eq!(error_code(&response), Some("CONFLICT"), "{response}");
    assert_eq!(status_of(&app, id).await, "pending_review");
}

#[tokio::test]
async fn concurrent_approve_and_reject_let_exactly_one_win() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for round in 0..8 {
        let id = create(&app, users::MEMBER).await;
        run(&app, users::MEMBER, SUBMIT, json!({ "id": id })).await;
        let (a, b) = tokio::join!(
            run(&app, users::MANAGER, APPROVE, json!({ "id": id })),
            run(
                &app,
                users::ADMIN,
                REJECT,
                json!({ "id": id, "reason": "race" })
            ),
        );
        let winners = [&a, &b]
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(winners, 1, "round {round}: {a} / {b}");
        let loser = if a.get("errors").is_some() { &a } else { &b };
        assert_eq!(
            error_code(loser),
            Some("CONFLICT"),
            "round {round}: {loser}"
        );

        let status = status_of(&app, id).await;
        let approval = app
            .scalar(&format!(
                "SELECT status FROM post_approvals WHERE post_id = '{id}'"
            ))
            .await;
        let decisions = app
            .scalar(&format!(
                "SELECT string_agg(action, ',') FROM audit_logs WHERE resource_id = '{id}' AND action IN ('content.approve', 'content.reject')"
            ))
            .await;
        match status.as_str() {
            "approved" => assert_eq!(
                (approval.as_str(), decisions.as_str()),
                ("approved", "content.approve")
            ),
            "rejected" => assert_eq!(
                (approval.as_str(), decisions.as_str()),
                ("rejected", "content.reject")
            ),
            other => panic!("round {round}: unexpected status {other}"),
        }
    }
}

#[tokio::test]
async fn an_outsider_changes_nothing_in_another_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let before = app
        .scalar("SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY id)) FROM content_items c")
        .await;
    let victim: Uuid = app
        .scalar(&format!(
            "SELECT id::text FROM content_items WHERE brand_id = '{}' AND status = 'draft' LIMIT 1",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    for (query, vars) in [
        (UPDATE, json!({ "id": victim })),
        (SUBMIT, json!({ "id": victim })),
        (APPROVE, json!({ "id": victim })),
        (REJECT, json!({ "id": victim, "reason": "x" })),
        (SCHEDULE, json!({ "id": victim, "at": future() })),
        (CREATE, json!({ "brand": brands::AURORA })),
    ] {
        let response = run(&app, users::OUTSIDER, query, vars).await;
        assert_eq!(
            error_code(&response),
            Some("NOT_FOUND"),
            "{query}: {response}"
        );
    }
    let after = app
        .scalar("SELECT md5(string_agg(to_jsonb(c)::text, '' ORDER BY id)) FROM content_items c")
        .await;
    assert_eq!(before, after);
    assert_eq!(
        app.scalar("SELECT count(*)::text FROM audit_logs").await,
        "0"
    );
}

#[tokio::test]
async fn a_failure_in_the_audit_write_rolls_the_change_back() {
    let app = spawn_app().await;
    app.seed_demo().await;
    app.owner()
        .await
        .execute_unprepared(
            "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected audit failure'; END $$;
             CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_audit();",
        )
        .await
        .unwrap();
    let before = app.scalar("SELECT count(*)::text FROM content_items").await;
    let response = run(
        &app,
        users::MEMBER,
        CREATE,
        json!({ "brand": brands::AURORA, "title": "ghost" }),
    )
    .await;
    assert_eq!(error_code(&response), Some("INTERNAL"), "{response}");
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("injected"),
        "no database text reaches the client: {message}"
    );
    assert_eq!(
        app.scalar("SELECT count(*)::text FROM content_items").await,
        before
    );
    assert_eq!(
        app.scalar("SELECT count(*)::text FROM content_items WHERE title = 'ghost'")
            .await,
        "0"
    );
}

#[tokio::test]
async fn audit_rows_record_actor_address_and_user_agent() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let response: Value = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(user_token(users::MEMBER))
        .header("user-agent", "lifecycle-test/1.0")
        .json(&json!({ "query": CREATE, "variables": { "brand": brands::AURORA } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(response.get("errors").is_none(), "{response}");
    let row = app
        .scalar("SELECT user_id || '|' || ip_address || '|' || user_agent || '|' || resource_type FROM audit_logs")
        .await;
    assert_eq!(
        row,
        format!(
            "{}|127.0.0.1|lifecycle-test/1.0|content_item",
            users::MEMBER
        )
    );
}
