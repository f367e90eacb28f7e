//! Review queue, workflows and their notifications, escalations (issue 12).

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, error_code, spawn_app, user_token};
use crate::ws_client::{TRANSPORT_WS, WsClient};

async fn create_template(app: &TestApp) -> String {
    let created = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($b: ID!) { createWorkflowTemplate(brandId: $b, name: \"Launch\", steps: [
                 { name: \"Copy check\", role: MEMBER },
                 { name: \"Brand review\", role: MANAGER },
                 { name: \"Final approval\", role: ADMIN }]) { id steps { name role } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        created["data"]["createWorkflowTemplate"]["steps"][2]["role"], "ADMIN",
        "{created}"
    );
    created["data"]["createWorkflowTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The notifications of `user` about workflow `workflow`.
async fn notified(app: &TestApp, user: Uuid, workflow: &str) -> Vec<String> {
    let seen = app
        .graphql(
            Some(&user_token(user)),
            "{ viewer { notifications(first: 100) { type workflowId read } } }",
            json!({}),
        )
        .await;
    seen["data"]["viewer"]["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("{seen}"))
        .iter()
        .filter(|n| n["workflowId"] == workflow)
        .map(|n| n["type"].as_str().unwrap().to_string())
        .collect()
}

const ADVANCE: &str = "mutation($id: ID!, $note: String) {
    advanceWorkflow(id: $id, note: $note) { status currentStep currentStepInfo { role } } }";

#[tokio::test]
async fn a_workflow_walks_three_steps_notifying_exactly_the_role_that_acts_next() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let template = create_template(&app).await;
    let item = app
        .scalar(&format!(
            "SELECT id::text FROM content_items WHERE brand_id = '{}' ORDER BY id LIMIT 1",
            brands::AURORA
        ))
        .await;

    // The manager listens for their own notifications before anything happens.
    let mut manager_socket =
        WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MANAGER)).await;
    manager_socket
        .subscribe(
            "n",
            "subscription($b: ID!, $after: String) { notificationReceived(brandId: $b, after: $after) { type workflowId } }",
            json!({ "b": brands::AURORA, "after": app.cursor_now().await }),
        )
        .await;

    let started = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            "mutation($t: ID!, $i: ID!) { startWorkflow(templateId: $t, contentItemId: $i,
                 context: { campaign: \"winter\" }) { id status currentStep context } }",
            json!({ "t": template, "i": encode(NodeKind::ContentItem, item.parse().unwrap()) }),
        )
        .await;
    let workflow = started["data"]["startWorkflow"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_string();
    assert_eq!(
        started["data"]["startWorkflow"]["context"]["campaign"],
        "winter"
    );
    assert_eq!(
        notified(&app, users::MEMBER, &workflow).await,
        ["step_assigned"]
    );
    for user in [users::OWNER, users::ADMIN, users::MANAGER, users::VIEWER] {
        assert!(notified(&app, user, &workflow).await.is_empty());
    }

    // A viewer cannot act on a member's step; an outsider cannot see the workflow at all.
    let refused = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            ADVANCE,
            json!({ "id": workflow }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let hidden = app
        .graphql(
            Some(&user_token(users::OUTSIDER)),
            ADVANCE,
            json!({ "id": workflow }),
        )
        .await;
    assert_eq!(error_code(&hidden), Some("NOT_FOUND"), "{hidden}");

    let first = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            ADVANCE,
            json!({ "id": workflow, "note": "copy is clean" }),
        )
        .await;
    assert_eq!(
        first["data"]["advanceWorkflow"]["currentStep"], 1,
        "{first}"
    );
    assert_eq!(
        first["data"]["advanceWorkflow"]["currentStepInfo"]["role"],
        "MANAGER"
    );
    assert_eq!(
        notified(&app, users::MANAGER, &workflow).await,
        ["step_assigned"]
    );
    let pushed = manager_socket.next_data().await;
    assert_eq!(
        pushed["data"]["notificationReceived"]["workflowId"], workflow,
        "{pushed}"
    );

    // The member may not act on the manager's step.
    let wrong = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            ADVANCE,
            json!({ "id": workflow }),
        )
        .await;
    assert_eq!(error_code(&wrong), Some("FORBIDDEN"), "{wrong}");

    app.graphql(
        Some(&user_token(users::MANAGER)),
        ADVANCE,
        json!({ "id": workflow }),
    )
    .await;
    assert_eq!(
        notified(&app, users::ADMIN, &workflow).await,
        ["step_assigned"]
    );
    let done = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            ADVANCE,
            json!({ "id": workflow }),
        )
        .await;
    assert_eq!(
        done["data"]["advanceWorkflow"]["status"], "completed",
        "{done}"
    );
    assert_eq!(
        notified(&app, users::MEMBER, &workflow).await,
        ["workflow_completed", "step_assigned"]
    );
    assert!(notified(&app, users::OWNER, &workflow).await.is_empty());
    let history = app
        .scalar(&format!(
            "SELECT jsonb_array_length(context->'history')::text FROM workflow_instances
              WHERE id = '{}'",
            brandgraph::graphql::ids::decode(&workflow).unwrap().1
        ))
        .await;
    assert_eq!(history, "3");
    let again = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            ADVANCE,
            json!({ "id": workflow }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    // Marking read: one's own only.
    let managers = app
        .scalar(&format!(
            "SELECT id::text FROM workflow_notifications WHERE user_id = '{}' ORDER BY created_at DESC LIMIT 1",
            users::MANAGER
        ))
        .await;
    let id = encode(NodeKind::WorkflowNotification, managers.parse().unwrap());
    let mark = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }";
    let foreign = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            mark,
            json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(foreign["data"]["markNotificationsRead"], 0, "{foreign}");
    let own = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            mark,
            json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(own["data"]["markNotificationsRead"], 1, "{own}");
}

#[tokio::test]
async fn templates_are_managed_by_admins_with_valid_steps() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let create = "mutation($b: ID!, $steps: [WorkflowStepInput!]!) {
        createWorkflowTemplate(brandId: $b, name: \"T\", steps: $steps) { id } }";
    let one = json!([{ "name": "Check", "role": "MEMBER" }]);
    let manager = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            create,
            json!({ "b": brands::AURORA, "steps": one }),
        )
        .await;
    assert_eq!(error_code(&manager), Some("FORBIDDEN"), "{manager}");
    let empty = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            create,
            json!({ "b": brands::AURORA, "steps": [] }),
        )
        .await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"), "{empty}");
    let other = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            create,
            json!({ "b": brands::CASCADE, "steps": one }),
        )
        .await;
    assert_eq!(error_code(&other), Some("NOT_FOUND"), "{other}");
}

#[tokio::test]
async fn the_review_queue_orders_by_deadline_and_priority_and_only_managers_change_it() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let queue = "query($overdue: Boolean!, $b: ID) { viewer { reviewQueue(brandId: $b, overdueOnly: $overdue, first: 100) {
        id priority deadline overdue assignedTo { uuid } contentItem { uuid } } } }";
    let seen = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            queue,
            json!({ "overdue": false, "b": brands::AURORA }),
        )
        .await;
    let rows = seen["data"]["viewer"]["reviewQueue"]
        .as_array()
        .unwrap_or_else(|| panic!("{seen}"))
        .clone();
    assert!(rows.len() >= 2, "{seen}");
    let expected = app
        .scalar(&format!(
            "SELECT count(*)::text FROM approval_requests r
               JOIN brand_members m ON m.brand_id = r.brand_id AND m.user_id = r.assigned_to
              WHERE r.assigned_to = '{}' AND r.status = 'pending' AND r.brand_id = '{}'",
            users::MANAGER,
            brands::AURORA
        ))
        .await;
    assert_eq!(rows.len().to_string(), expected);
    let deadlines: Vec<&str> = rows
        .iter()
        .map(|r| r["deadline"].as_str().unwrap())
        .collect();
    let mut sorted = deadlines.clone();
    sorted.sort_by_key(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap());
    assert_eq!(deadlines, sorted);
    // Nobody else's queue holds them.
    let member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            queue,
            json!({ "overdue": false, "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        member["data"]["viewer"]["reviewQueue"],
        json!([]),
        "{member}"
    );

    let last = rows.last().unwrap()["id"].as_str().unwrap().to_string();
    let update = "mutation($id: ID!, $p: ReviewPriority, $d: DateTime, $to: ID) {
        updateApprovalRequest(id: $id, priority: $p, deadline: $d, assignedTo: $to) { priority overdue } }";
    let by_member = app
        .graphql(
            Some(&user_token(users::MEMBER)),
            update,
            json!({ "id": last, "p": "URGENT" }),
        )
        .await;
    assert_eq!(error_code(&by_member), Some("FORBIDDEN"), "{by_member}");
    let outsider = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            update,
            json!({ "id": last, "to": users::OUTSIDER }),
        )
        .await;
    assert_eq!(error_code(&outsider), Some("BAD_USER_INPUT"), "{outsider}");
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let changed = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            update,
            json!({ "id": last, "p": "URGENT", "d": past }),
        )
        .await;
    assert_eq!(
        changed["data"]["updateApprovalRequest"],
        json!({ "priority": "URGENT", "overdue": true }),
        "{changed}"
    );
    let overdue = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            queue,
            json!({ "overdue": true, "b": brands::AURORA }),
        )
        .await;
    let overdue = overdue["data"]["viewer"]["reviewQueue"]
        .as_array()
        .unwrap()
        .clone();
    assert!(overdue.iter().any(|r| r["id"] == last.as_str()));
    assert!(overdue.iter().all(|r| r["overdue"] == true));
    // Reassigned, it moves to the admin's queue.
    app.graphql(
        Some(&user_token(users::MANAGER)),
        update,
        json!({ "id": last, "to": users::ADMIN }),
    )
    .await;
    let admin = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            queue,
            json!({ "overdue": false, "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        admin["data"]["viewer"]["reviewQueue"],
        json!([{ "id": last, "priority": "URGENT", "deadline": changed_deadline(&app, &last).await,
                 "overdue": true, "assignedTo": { "uuid": users::ADMIN },
                 "contentItem": overdue.iter().find(|r| r["id"] == last.as_str()).unwrap()["contentItem"] }]),
        "{admin}"
    );
}

async fn changed_deadline(app: &TestApp, id: &str) -> Value {
    let seen = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "{ viewer { reviewQueue { id deadline } } }",
            json!({}),
        )
        .await;
    seen["data"]["viewer"]["reviewQueue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| r["deadline"].clone())
        .unwrap_or(Value::Null)
}

async fn escalations_of(app: &TestApp, approval: Uuid) -> Vec<(i64, String)> {
    let rows = app
        .scalar(&format!(
            "SELECT coalesce(string_agg(level || ':' || status, ',' ORDER BY level), '')
               FROM escalation_events WHERE approval_id = '{approval}'"
        ))
        .await;
    rows.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (level, status) = s.split_once(':').unwrap();
            (level.parse().unwrap(), status.to_string())
        })
        .collect()
}

#[tokio::test]
async fn an_overdue_approval_escalates_once_per_level_even_with_two_evaluators() {
    use brandgraph::jobs::escalations::run_once;
    let app = spawn_app().await;
    app.seed_demo().await;
    // Only the rule made here counts.
    app.db
        .execute_unprepared("UPDATE escalation_rules SET enabled = false")
        .await
        .unwrap();
    let rule = app
        .graphql(
            Some(&user_token(users::ADMIN)),
            "mutation($b: ID!) { createEscalationRule(brandId: $b, triggerHours: 1, escalateToRole: MANAGER) { id enabled } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        rule["data"]["createEscalationRule"]["enabled"], true,
        "{rule}"
    );
    let item: Uuid = app
        .scalar(&format!(
            "SELECT id::text FROM content_items WHERE brand_id = '{}' AND status = 'pending_review'
              ORDER BY id LIMIT 1",
            brands::AURORA
        ))
        .await
        .parse()
        .unwrap();
    let approval: Uuid = app
        .scalar(&format!(
            "UPDATE post_approvals SET created_at = now() - interval '2 hours 10 minutes'
              WHERE post_id = '{item}' AND status = 'pending' RETURNING id::text"
        ))
        .await
        .parse()
        .unwrap();
    let mut admin_socket = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::ADMIN)).await;
    admin_socket
        .subscribe(
            "e",
            "subscription($b: ID!, $after: String) { escalationRaised(brandId: $b, after: $after) { approvalId level } }",
            json!({ "b": brands::AURORA, "after": app.cursor_now().await }),
        )
        .await;

    // Two evaluators at once, as two gateway processes would run them.
    let (a, b) = tokio::join!(run_once(&app.db), run_once(&app.db));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_some() || b.is_some());
    assert_eq!(
        escalations_of(&app, approval).await,
        [(1, "pending".into()), (2, "pending".into())]
    );
    // Without the advisory lock, the unique level still holds.
    let again = brandgraph::domain::workflows::escalations::evaluate(&app.db)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(escalations_of(&app, approval).await.len(), 2);

    // Other overdue demo approvals escalate too; this one's level 1 arrives among them.
    let wanted = encode(NodeKind::PostApproval, approval).0;
    let mut levels = Vec::new();
    while levels.len() < 2 {
        let pushed = admin_socket.next_data().await;
        let event = &pushed["data"]["escalationRaised"];
        assert!(event.is_object(), "{pushed}");
        if event["approvalId"] == wanted.as_str() {
            levels.push(event["level"].as_i64().unwrap());
        }
    }
    assert_eq!(levels, [1, 2]);
    // The manager (the rule's role) was told, once per level; nobody else.
    let told = app
        .scalar(&format!(
            "SELECT string_agg(DISTINCT n.user_id::text, ',') || ':' || count(*)::text
               FROM workflow_notifications n JOIN escalation_events e ON e.id = n.escalation_event_id
              WHERE e.approval_id = '{approval}'"
        ))
        .await;
    assert_eq!(told, format!("{}:2", users::MANAGER));

    // The next period raises the next level, once.
    app.db
        .execute_unprepared(&format!(
            "UPDATE post_approvals SET created_at = created_at - interval '1 hour' WHERE id = '{approval}'"
        ))
        .await
        .unwrap();
    run_once(&app.db).await.unwrap();
    run_once(&app.db).await.unwrap();
    assert_eq!(escalations_of(&app, approval).await.len(), 3);

    // Deciding the approval resolves its escalations.
    let approved = app
        .graphql(
            Some(&user_token(users::MANAGER)),
            "mutation($id: ID!) { approvePost(id: $id) { status } }",
            json!({ "id": encode(NodeKind::ContentItem, item) }),
        )
        .await;
    assert!(approved.get("errors").is_none(), "{approved}");
    assert!(
        escalations_of(&app, approval)
            .await
            .iter()
            .all(|(_, status)| status == "resolved")
    );
    app.db
        .execute_unprepared(&format!(
            "UPDATE post_approvals SET created_at = created_at - interval '5 hours' WHERE id = '{approval}'"
        ))
        .await
        .unwrap();
    run_once(&app.db).await.unwrap();
    assert_eq!(escalations_of(&app, approval).await.len(), 3);
    let listed = app
        .graphql(
            Some(&user_token(users::VIEWER)),
            "query($b: ID!) { brand(id: $b) { escalationRules { triggerHours escalateToRole }
                 escalationEvents(status: \"resolved\") { totalCount } } }",
            json!({ "b": brands::AURORA }),
        )
        .await;
    assert_eq!(
        listed["data"]["brand"]["escalationEvents"]["totalCount"], 3,
        "{listed}"
    );
    let _: Value = listed;
}

#[tokio::test]
async fn outsiders_subscribe_to_nothing_and_notifications_are_the_viewers_own() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for (id, query) in [
        (
            "1",
            "subscription($b: ID!) { escalationRaised(brandId: $b) { level } }",
        ),
        (
            "2",
            "subscription($b: ID!) { notificationReceived(brandId: $b) { type } }",
        ),
    ] {
        let mut outsider =
            WsClient::connect(&app, TRANSPORT_WS, &user_token(users::OUTSIDER)).await;
        outsider
            .subscribe(id, query, json!({ "b": brands::AURORA }))
            .await;
        let refused = outsider.next_data().await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{refused}"
        );
    }
    // The member listens; a notification for the manager is not delivered to them, their
    // own is.
    let mut member = WsClient::connect(&app, TRANSPORT_WS, &user_token(users::MEMBER)).await;
    member
        .subscribe(
            "n",
            "subscription($b: ID!, $after: String) { notificationReceived(brandId: $b, after: $after) { message } }",
            json!({ "b": brands::AURORA, "after": app.cursor_now().await }),
        )
        .await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO workflow_notifications (brand_id, user_id, type, message) VALUES
               ('{b}', '{m}', 'step_assigned', 'for the manager'),
               ('{b}', '{me}', 'step_assigned', 'for the member')",
            b = brands::AURORA,
            m = users::MANAGER,
            me = users::MEMBER
        ))
        .await
        .unwrap();
    let delivered = member.next_data().await;
    assert_eq!(
        delivered["data"]["notificationReceived"]["message"], "for the member",
        "{delivered}"
    );
}
