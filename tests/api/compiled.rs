//! Compiled queries (`brandgraph::compile`) answer exactly as the executor does: every
//! document runs on an app with compiled plans and on an app beside it on the same
//! database with them switched off, for every role, and the answers must be equal after
//! key order. A seeded generator adds random documents over the described fields (set
//! `BRANDGRAPH_FULL_DIFFERENTIAL=1` for 2,000 of them instead of 200).

use brandgraph::graphql::ids::{NodeKind, encode};
use brandgraph::seed::{brands, users};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::Digest;
use uuid::Uuid;

use crate::helpers::{TestApp, service_token, spawn_app, spawn_app_beside, user_token};

/// Every persona of the leak matrix; `None` is anonymous.
fn roles() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("owner", Some(user_token(users::OWNER))),
        ("admin", Some(user_token(users::ADMIN))),
        ("manager", Some(user_token(users::MANAGER))),
        ("member", Some(user_token(users::MEMBER))),
        ("viewer", Some(user_token(users::VIEWER))),
        ("outsider", Some(user_token(users::OUTSIDER))),
        ("service", Some(service_token())),
        ("anonymous", None),
    ]
}

/// The raw body of a POST, as the client receives it.
async fn post(app: &TestApp, token: Option<&str>, query: &str, variables: &Value) -> String {
    let mut request = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.text().await.unwrap()
}

/// Canonical JSON: keys sorted (serde_json's map is ordered by key), and `errors` sorted:
/// the executor resolves sibling fields concurrently, so two failing fields report in
/// either order on the same path.
fn canonical(body: &str) -> String {
    let mut value = serde_json::from_str::<Value>(body)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {body}"));
    if let Some(Value::Array(errors)) = value.get_mut("errors") {
        errors.sort_by_key(|error| error.to_string());
    }
    value.to_string()
}

pub(crate) async fn compiled_count(app: &TestApp) -> u64 {
    let body = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.lines()
        .find_map(|line| {
            line.strip_prefix("brandgraph_graphql_compiled_operations_total ")?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Data the demo lacks and the renderers must get right: sub-second timestamps (3 and 6
/// fraction digits), characters JSON escapes, keyword lists, nulls and flags.
async fn vary_the_data(app: &TestApp) {
    for sql in [
        r#"UPDATE brands SET name = 'Aurora "North" é \ /', tone_keywords = ARRAY['bold', 'quiet "one"'],
               intake_completed = true, intake_completed_at = '2026-11-02 10:11:12.1+00',
               scraped_at = '2026-11-03 01:02:03.123456+00', description = E'line\nbreak\ttab \u2028'
           WHERE id = '00000000-0000-4000-8000-000000000201'"#,
        "UPDATE brands SET tone_keywords = NULL, intake_completed = NULL, logo_url = NULL,
               updated_at = '2026-11-04 05:06:07.120+00'
           WHERE id = '00000000-0000-4000-8000-000000000202'",
        // Approval rounds that started in the same microsecond: ordered by id on both paths.
        "INSERT INTO post_approvals (id, brand_id, post_id, status, created_at, updated_at)
           SELECT gen_random_uuid(), brand_id, id, 'rejected', '2026-11-05 08:00:00.250+00', '2026-11-05 08:00:00.250+00'
             FROM content_items CROSS JOIN generate_series(1, 2)
            WHERE brand_id = '00000000-0000-4000-8000-000000000201'
              AND id = (SELECT post_id FROM post_approvals WHERE brand_id = '00000000-0000-4000-8000-000000000201' AND post_id IS NOT NULL ORDER BY id LIMIT 1)",
        // Cursors carry timestamps too: 6 and 3 fraction digits.
        "UPDATE media_assets SET created_at = created_at + interval '0.123450 s', used_in = ARRAY['post:1']
           WHERE id = (SELECT id FROM media_assets WHERE brand_id = '00000000-0000-4000-8000-000000000201' ORDER BY id LIMIT 1)",
        "UPDATE media_assets SET created_at = created_at + interval '0.5 s', last_used = now()
           WHERE id = (SELECT id FROM media_assets WHERE brand_id = '00000000-0000-4000-8000-000000000201' ORDER BY id DESC LIMIT 1)",
        // Ties of score (before any rule computes scores): pages by score need the id.
        "UPDATE leads SET score = 40 WHERE brand_id = '00000000-0000-4000-8000-000000000201'
           AND id IN (SELECT id FROM leads WHERE brand_id = '00000000-0000-4000-8000-000000000201' ORDER BY id LIMIT 3)",
        // Form keys, one revoked; sub-second timestamps on email rows.
        "INSERT INTO lead_form_keys (brand_id, key, name, allowed_origins, source, revoked_at, created_at)
         VALUES ('00000000-0000-4000-8000-000000000201', 'lfk_' || md5('aurora-site'), 'Website', ARRAY['https://aurora.example'], 'website', NULL, '2026-11-07 10:00:00.25+00'),
                ('00000000-0000-4000-8000-000000000201', 'lfk_' || md5('aurora-old'), 'Old site', ARRAY[]::text[], 'event', '2026-11-08 10:00:00.123+00', '2026-11-07 10:00:00.25+00'),
                ('00000000-0000-4000-8000-000000000202', 'lfk_' || md5('borealis'), 'Trail form', ARRAY['https://a.example', 'https://b.example'], 'website', NULL, '2026-11-07 11:00:00+00')",
        "UPDATE email_contacts SET created_at = created_at + interval '0.123456 s', status_changed_at = status_changed_at + interval '0.5 s'
           WHERE brand_id = '00000000-0000-4000-8000-000000000201'",
        "UPDATE email_campaigns SET scheduled_for = scheduled_for + interval '0.010 s', name = name || ' \"quoted\" é'
           WHERE brand_id = '00000000-0000-4000-8000-000000000201' AND status = 'scheduled'",
    ] {
        app.db
            .execute_unprepared(sql)
            .await
            .expect("vary the demo data");
    }
    // Scoring rules without their trigger, so no rescore job moves scores mid-comparison
    // (as the migrating role: the gateway's may not switch triggers off).
    let owner = app.test_db.connect().await;
    owner
        .execute_unprepared(
            "BEGIN; SET LOCAL session_replication_role = replica;
         INSERT INTO lead_scoring_rules (brand_id, name, condition, weight, active, created_at)
         VALUES ('00000000-0000-4000-8000-000000000201', 'Clicked an email', '{\"activity\": \"email_clicked\"}', 20, true, '2026-11-06 09:00:00.5+00'),
                ('00000000-0000-4000-8000-000000000201', 'Asked for a demo \"now\"', '{\"activity\": \"meeting\"}', -5, false, '2026-11-06 09:00:00.123456+00'),
                ('00000000-0000-4000-8000-000000000202', 'Visited', '{\"activity\": \"page_visit\"}', 3, true, '2026-11-06 09:00:00+00');
         COMMIT",
        )
        .await
        .expect("scoring rules");
    owner.close().await.expect("close");
}

/// Runs `documents` on both apps for every role and compares; returns how many answers
/// the compiled app gave from a plan.
pub(crate) async fn compare(
    compiled: &TestApp,
    executor: &TestApp,
    documents: &[(String, Value)],
) -> u64 {
    let before = compiled_count(compiled).await;
    let roles = roles();
    for (query, variables) in documents {
        // The first request of a document runs on the executor, which validates it; the
        // plan serves every later one.
        post(compiled, roles[0].1.as_deref(), query, variables).await;
        for (role, token) in &roles {
            let expected = post(executor, token.as_deref(), query, variables).await;
            let answered = post(compiled, token.as_deref(), query, variables).await;
            assert_eq!(
                canonical(&answered),
                canonical(&expected),
                "{role}: {query} {variables}"
            );
        }
    }
    compiled_count(compiled).await - before
}

const BRAND_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "name",
    "slug",
    "workspaceId",
    "logoUrl",
    "primaryColor",
    "websiteUrl",
    "industry",
    "description",
    "voiceSummary",
    "visualSummary",
    "toneKeywords",
    "complianceRules",
    "intakeCompleted",
    "intakeCompletedAt",
    "scrapedAt",
    "scraperStatus",
    "createdAt",
    "updatedAt",
    "archivedAt",
    "__typename",
];

pub(crate) async fn apps() -> (TestApp, TestApp) {
    let compiled = spawn_app().await;
    compiled.seed_demo().await;
    vary_the_data(&compiled).await;
    let executor = spawn_app_beside(&compiled, |config| {
        config.graphql.compiled_queries = false;
    })
    .await;
    (compiled, executor)
}

#[tokio::test]
async fn the_test_suites_brand_documents_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let gid = encode(NodeKind::Brand, brands::AURORA).0;
    let all = BRAND_FIELDS.join(" ");
    let documents: Vec<(String, Value)> = vec![
        // The bench's Q1.
        (
            "query($id: ID!) { brand(id: $id) { id name slug primaryColor } }".into(),
            json!({ "id": brands::AURORA }),
        ),
        (
            format!("query Everything($id: ID!) {{ brand(id: $id) {{ {all} }} }}"),
            json!({ "id": gid }),
        ),
        (
            format!("{{ __typename a: brand(id: \"{}\") {{ name }} b: brand(id: \"{}\") {{ ...F }} }} fragment F on Brand {{ uuid createdAt }}", brands::BOREALIS, encode(NodeKind::Brand, brands::CASCADE).0),
            json!({}),
        ),
        // Archived, missing and another kind's id: null, null, an error.
        (
            "query($id: ID!) { brand(id: $id) { name } }".into(),
            json!({ "id": brands::DRIFTWOOD }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { name } }".into(),
            json!({ "id": Uuid::new_v4() }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { name } }".into(),
            json!({ "id": encode(NodeKind::ContentItem, brands::AURORA).0 }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { name } }".into(),
            json!({ "id": 42 }),
        ),
        (
            "query($id: ID!) { brand(id: $id) { name } }".into(),
            json!({}),
        ),
        (
            "query A($id: ID!) { brand(id: $id) { name } } query B($id: ID!) { brand(id: $id) { ... on Brand { slug __typename } } }".into(),
            json!({ "id": brands::AURORA }),
        ),
        // The bench's Q3, and a brand's assets inside a brands page.
        (
            "query($id: ID!) { brand(id: $id) { mediaAssets(first: 50) { edges { node { filename sizeBytes } } } } }".into(),
            json!({ "id": brands::AURORA }),
        ),
        (
            "{ brands(first: 3) { edges { node { name mediaAssets(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id createdAt usedIn } } } } } } }".into(),
            json!({}),
        ),
        // The bench's Q2, and every part of a brands connection.
        (
            "{ brands(first: 20) { edges { node { name contentItems(first: 10) { edges { node { title status approvals { status } } } } } } } }".into(),
            json!({}),
        ),
        (
            "query($id: ID!) { brand(id: $id) { contentItems(first: 3) { totalCount pageInfo { hasNextPage startCursor endCursor } edges { cursor node { id uuid title status platform scheduledFor publishedAt createdAt updatedAt approvals { __typename id uuid status approvedAt rejectedAt rejectionReason locked createdAt updatedAt } } } } } }".into(),
            json!({ "id": brands::AURORA }),
        ),
    ];
    let connection =
        "query Page($n: Int) { brands(first: $n, orderBy: CREATED_AT_DESC) { __typename totalCount
        pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
        edges { __typename cursor node { id name } } nodes { uuid createdAt } } }";
    let mut documents = documents;
    for n in [
        json!(2),
        json!(0),
        json!(1),
        json!(100),
        json!(101),
        json!(-1),
        Value::Null,
    ] {
        documents.push((connection.into(), json!({ "n": n })));
    }
    documents.push((connection.into(), json!({})));
    documents.push((
        "{ brands(orderBy: NAME_ASC, first: 3) { pageInfo { endCursor } edges { cursor node { slug } } } }"
            .into(),
        json!({}),
    ));
    let planned = compare(&compiled, &executor, &documents).await;
    // Everything but the anonymous caller, the bad ids and the missing variable (the
    // executor's errors) and the document with two operations and no name (a request error).
    assert!(planned >= 7 * 16, "{planned} answers came from plans");

    // A compiled cursor continues a page the executor plans differently (another document).
    let token = user_token(users::OWNER);
    let first = compiled
        .graphql(
            Some(&token),
            "{ brands(first: 1) { edges { cursor node { name } } } }",
            json!({}),
        )
        .await;
    let after = first["data"]["brands"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let next = compiled
        .graphql(
            Some(&token),
            "query($after: String) { brands(first: 1, after: $after) { edges { node { name } } } }",
            json!({ "after": after }),
        )
        .await;
    assert!(next["errors"].is_null(), "{next}");
    assert_ne!(
        next["data"]["brands"]["edges"][0]["node"]["name"],
        first["data"]["brands"]["edges"][0]["node"]["name"]
    );

    // A compiled answer is one SQL statement.
    let token = user_token(users::OWNER);
    let q1 = "query($id: ID!) { brand(id: $id) { id name slug primaryColor } }";
    let (answer, statements) = compiled
        .graphql_counted(Some(&token), q1, json!({ "id": brands::AURORA }))
        .await;
    assert!(answer["data"]["brand"]["name"].is_string(), "{answer}");
    assert_eq!(statements, 1);
}

#[tokio::test]
async fn directives_cursors_filters_and_orders_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let cursors = Cursors::from(&executor).await;
    let aurora = brands::AURORA;
    let mut documents: Vec<(String, Value)> = Vec::new();
    let mut add = |query: &str, variables: Value| documents.push((query.to_string(), variables));

    // @skip/@include: literal, from variables (true, false, null, absent), on fields,
    // fragments and spreads; an object left with no field is null, an empty root too.
    let flags = "query($s: Boolean!, $i: Boolean, $id: ID!) { brand(id: $id) { name @skip(if: $s)
        slug @include(if: $i) ... on Brand @include(if: $s) { uuid } ...F @skip(if: $i)
        mediaAssets(first: 2) @include(if: $s) { totalCount @skip(if: $i) pageInfo { hasNextPage @skip(if: $s) } }
        industry @skip(if: false) description @include(if: false) } }
        fragment F on Brand { createdAt toneKeywords @include(if: $s) }";
    for variables in [
        json!({ "s": true, "i": true }),
        json!({ "s": false, "i": false }),
        json!({ "s": true }),
        json!({ "s": false, "i": null }),
    ] {
        let mut variables = variables;
        variables["id"] = json!(aurora);
        add(flags, variables);
    }
    add(
        &format!(
            "{{ brand(id: \"{aurora}\") {{ name @skip(if: true) }} __typename @skip(if: false) }}"
        ),
        json!({}),
    );
    add("{ __typename @skip(if: true) }", json!({}));
    let empty = format!(
        "query($s: Boolean!) {{ brand(id: \"{aurora}\") @include(if: $s) {{ name }} b: brands @include(if: $s) {{ totalCount }} }}"
    );
    add(&empty, json!({ "s": true }));
    add(&empty, json!({ "s": false }));
    add(
        "query($s: Boolean!) { brands(first: 3) { edges { node { name @skip(if: $s) } } nodes { slug @include(if: $s) } } }",
        json!({ "s": true }),
    );
    // One key selected twice: merged, leaves and objects.
    add(
        &format!(
            "{{ brand(id: \"{aurora}\") {{ name name ...F slug @skip(if: true) }} b: brand(id: \"{aurora}\") {{ uuid }} b: brand(id: \"{aurora}\") {{ mediaAssets(first: 2) {{ totalCount }} }} }} fragment F on Brand {{ name slug }}"
        ),
        json!({}),
    );
    add(
        "{ brands(first: 2) { edges { node { name } } edges { cursor node { uuid } } pageInfo { endCursor } } }",
        json!({}),
    );

    // Cursors from earlier answers: every brands cursor in its order, then in the other.
    let brands_page = "query($a: String, $n: Int) { brands(first: $n, after: $a, orderBy: ORDER) { totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { name } } } }";
    for (order, mine, other) in [
        ("NAME_ASC", &cursors.brands_by_name, &cursors.brands_newest),
        (
            "CREATED_AT_DESC",
            &cursors.brands_newest,
            &cursors.brands_by_name,
        ),
    ] {
        let query = brands_page.replace("ORDER", order);
        for cursor in mine.iter().chain(other.iter().take(1)) {
            add(&query, json!({ "a": cursor, "n": 2 }));
        }
        add(&query, json!({ "a": null }));
        add(&query, json!({}));
        add(
            &format!(
                "{{ brands(first: 1, orderBy: {order}, after: {}) {{ pageInfo {{ hasPreviousPage }} edges {{ cursor }} }} }}",
                json!(mine[0])
            ),
            json!({}),
        );
    }
    for cursor in &cursors.refused {
        add(
            &brands_page.replace("ORDER", "NAME_ASC"),
            json!({ "a": cursor }),
        );
    }
    add(
        &format!(
            "{{ brands(after: {}) {{ totalCount }} }}",
            json!(cursors.refused[0])
        ),
        json!({}),
    );
    // Nested cursors in every order; `created_at` cursors serve both of its orders.
    let content_page = "query($id: ID!, $a: String) { brand(id: $id) { contentItems(first: 3, after: $a, orderBy: ORDER) {
        totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { title updatedAt } } } } }";
    for order in ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC"] {
        let query = content_page.replace("ORDER", order);
        for cursor in cursors
            .content_created
            .iter()
            .step_by(5)
            .chain(cursors.content_updated.iter().step_by(7))
            .chain(cursors.refused.iter())
        {
            add(&query, json!({ "id": aurora, "a": cursor }));
        }
    }
    for cursor in cursors
        .assets
        .iter()
        .step_by(3)
        .chain(cursors.refused.iter().take(2))
    {
        add(
            "query($id: ID!, $a: String) { brand(id: $id) { mediaAssets(first: 4, after: $a) { totalCount pageInfo { hasPreviousPage hasNextPage } edges { cursor node { filename } } } } }",
            json!({ "id": brands::BOREALIS, "a": cursor }),
        );
    }
    // Backward pages and windows: `last` with `before`, and both cursors at once.
    let back_page = "query($id: ID!, $n: Int!, $a: String, $b: String) { brand(id: $id) {
        contentItems(last: $n, after: $a, before: $b, orderBy: ORDER) { totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { title } } } } }";
    let window_page = "query($id: ID!, $n: Int, $a: String, $b: String) { brand(id: $id) {
        contentItems(first: $n, after: $a, before: $b, orderBy: ORDER) { totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor } nodes { title } } } }";
    for order in ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC"] {
        let mine = if order == "UPDATED_AT_DESC" {
            &cursors.content_updated
        } else {
            &cursors.content_created
        };
        for query in [&back_page, &window_page] {
            let query = query.replace("ORDER", order);
            for (i, cursor) in mine.iter().enumerate().step_by(4) {
                let later = mine.get(i + 5);
                for n in [0, 2, 10] {
                    add(&query, json!({ "id": aurora, "n": n, "b": cursor }));
                    add(
                        &query,
                        json!({ "id": aurora, "n": n, "a": cursor, "b": later }),
                    );
                }
            }
            add(&query, json!({ "id": aurora, "n": 3 }));
            add(
                &query,
                json!({ "id": aurora, "n": 3, "b": cursors.refused[0] }),
            );
        }
    }
    add(
        "query($n: Int!, $b: String) { brands(last: $n, before: $b) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { name } } } }",
        json!({ "n": 2, "b": cursors.brands_by_name[2] }),
    );
    add(
        &format!(
            "{{ brands(last: 1, orderBy: CREATED_AT_DESC, after: {}) {{ pageInfo {{ hasPreviousPage hasNextPage }} edges {{ cursor }} }} }}",
            json!(cursors.brands_newest[0])
        ),
        json!({}),
    );
    add(
        "query($n: Int!) { brands(first: 1, last: $n) { totalCount } }",
        json!({ "n": 1 }),
    );
    // Filters and orders.
    for filter in [
        "{ status: PUBLISHED }",
        "{ status: PENDING_REVIEW, platform: \"instagram\" }",
        "{ type: \"blog\", status: null }",
        "{ platform: \"nowhere\" }",
    ] {
        add(
            &format!(
                "query($id: ID!) {{ brand(id: $id) {{ contentItems(first: 4, orderBy: UPDATED_AT_DESC, filter: {filter}) {{ totalCount pageInfo {{ hasNextPage }} nodes {{ title status platform }} }} }} }}"
            ),
            json!({ "id": aurora }),
        );
    }
    for filter in [
        "{ category: \"images\" }",
        "{ status: ARCHIVED }",
        "{ status: ACTIVE, mimeType: \"video/mp4\" }",
        "null",
    ] {
        add(
            &format!(
                "{{ brands {{ nodes {{ mediaAssets(first: 5, filter: {filter}) {{ totalCount edges {{ cursor node {{ filename }} }} }} }} }} }}"
            ),
            json!({}),
        );
    }
    for filter in [
        format!("{{ tenantId: \"{}\" }}", brandgraph::seed::DEMO_TENANT),
        format!("{{ tenantId: \"{}\" }}", Uuid::from_u128(9)),
        "{ nameContains: \"OR\" }".to_string(),
        "{ nameContains: \"\\\\\" }".to_string(),
        "{ nameContains: \"%\", tenantId: null }".to_string(),
        "{ nameContains: \"\\\"North\\\"\" }".to_string(),
    ] {
        add(
            &format!(
                "{{ brands(first: 2, filter: {filter}) {{ totalCount pageInfo {{ hasNextPage }} nodes {{ name }} }} }}"
            ),
            json!({}),
        );
    }
    // node(id:) for every compiled kind, an archived brand's, a missing row's, a kind the
    // plan does not read, a plain UUID (refused) and fragments that select nothing.
    let node = "query($id: ID!) { node(id: $id) { __typename id ... on Brand { name mediaAssets(first: 1) { totalCount } }
        ... on ContentItem { title status approvals { status } } ...A ... on PostApproval { status locked } } }
        fragment A on MediaAsset { filename usedIn }";
    for id in &cursors.nodes {
        add(node, json!({ "id": id }));
    }
    add(
        node,
        json!({ "id": encode(NodeKind::Lead, Uuid::from_u128(5)).0 }),
    );
    add(node, json!({ "id": aurora }));
    add(
        &format!(
            "{{ a: node(id: \"{}\") {{ ... on Brand {{ slug }} }} b: node(id: \"{}\") {{ ... on Brand {{ slug }} }} }}",
            cursors.nodes[1], cursors.nodes[0]
        ),
        json!({}),
    );
    let planned = compare(&compiled, &executor, &documents).await;
    // 53 of them and the node documents of compiled kinds are answered from plans for the
    // seven signed-in personas (the others carry a cursor, a null flag or an id the
    // executor refuses or the plan does not read).
    let nodes = cursors.nodes.len() as u64 + 1;
    assert!(
        planned >= 7 * (53 + nodes),
        "{planned} answers came from plans"
    );

    // A continued page on the compiled path is the executor's next page, and the last
    // page says so.
    let token = user_token(users::OWNER);
    let query = "query($a: String) { brands(first: 1, after: $a) { pageInfo { hasNextPage endCursor } nodes { name } } }";
    compiled.graphql(Some(&token), query, json!({})).await;
    let mut after = Value::Null;
    let mut names = Vec::new();
    loop {
        let (page, statements) = compiled
            .graphql_counted(Some(&token), query, json!({ "a": after }))
            .await;
        assert_eq!(statements, 1, "{page}");
        let page = &page["data"]["brands"];
        names.push(page["nodes"][0]["name"].clone());
        if page["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(names.len(), 3, "{names:?}");
}

/// Cursors taken from earlier answers (the executor's, as the service role), by the
/// order they belong to, and cursors the executor refuses.
#[derive(Default)]
pub(crate) struct Cursors {
    pub(crate) brands_by_name: Vec<String>,
    pub(crate) brands_newest: Vec<String>,
    pub(crate) content_created: Vec<String>,
    pub(crate) content_updated: Vec<String>,
    pub(crate) assets: Vec<String>,
    /// Aurora's leads and campaigns, newest first.
    pub(crate) leads: Vec<String>,
    /// Aurora's leads, highest score first.
    pub(crate) leads_by_score: Vec<String>,
    pub(crate) campaigns: Vec<String>,
    pub(crate) refused: Vec<String>,
    /// Global ids of every compiled node kind (some of an archived brand).
    pub(crate) nodes: Vec<String>,
}

impl Cursors {
    pub(crate) async fn from(app: &TestApp) -> Self {
        let token = service_token();
        let edges = |answer: &Value, path: &[&str]| -> Vec<String> {
            let mut at = answer;
            for key in path {
                at = &at[*key];
            }
            at["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("no edges: {answer}"))
                .iter()
                .map(|edge| edge["cursor"].as_str().unwrap().to_string())
                .collect()
        };
        let mut cursors = Cursors::default();
        for (order, into) in [
            ("NAME_ASC", &mut cursors.brands_by_name),
            ("CREATED_AT_DESC", &mut cursors.brands_newest),
        ] {
            let query =
                format!("{{ brands(first: 10, orderBy: {order}) {{ edges {{ cursor }} }} }}");
            let answer = app.graphql(Some(&token), &query, json!({})).await;
            *into = edges(&answer, &["data", "brands"]);
        }
        for (order, into) in [
            ("CREATED_AT_DESC", &mut cursors.content_created),
            ("UPDATED_AT_DESC", &mut cursors.content_updated),
        ] {
            let query = format!(
                "query($id: ID!) {{ brand(id: $id) {{ contentItems(first: 30, orderBy: {order}) {{ edges {{ cursor }} }} }} }}"
            );
            let answer = app
                .graphql(Some(&token), &query, json!({ "id": brands::AURORA }))
                .await;
            *into = edges(&answer, &["data", "brand", "contentItems"]);
        }
        let answer = app
            .graphql(
                Some(&token),
                "query($id: ID!) { brand(id: $id) { mediaAssets(first: 12) { edges { cursor } } } }",
                json!({ "id": brands::BOREALIS }),
            )
            .await;
        cursors.assets = edges(&answer, &["data", "brand", "mediaAssets"]);
        let answer = app
            .graphql(
                Some(&token),
                "query($id: ID!) { brand(id: $id) { leads(first: 10) { edges { cursor } } campaigns { edges { cursor } } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        cursors.leads = edges(&answer, &["data", "brand", "leads"]);
        cursors.campaigns = edges(&answer, &["data", "brand", "campaigns"]);
        let answer = app
            .graphql(
                Some(&token),
                "query($id: ID!) { brand(id: $id) { leads(first: 10, orderBy: SCORE_DESC) { edges { cursor } } } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        cursors.leads_by_score = edges(&answer, &["data", "brand", "leads"]);
        assert_eq!(cursors.leads_by_score.len(), 6);
        assert!(cursors.leads.len() == 6 && cursors.campaigns.len() == 3);
        let answer = app
            .graphql(
                Some(&token),
                "{ brands { nodes { id contentItems(first: 4) { nodes { id approvals { id } } } mediaAssets(first: 2) { nodes { id } } } } }",
                json!({}),
            )
            .await;
        let mut ids = Vec::new();
        collect_ids(&answer["data"], &mut ids);
        assert!(ids.len() > 20, "{answer}");
        ids.push(encode(NodeKind::Brand, brands::DRIFTWOOD).0);
        ids.push(encode(NodeKind::ContentItem, Uuid::from_u128(3)).0);
        cursors.nodes = ids;
        assert!(cursors.assets.len() == 12 && cursors.content_updated.len() == 24);
        let b64 = |text: &str| {
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text)
        };
        cursors.refused = vec![
            "not a cursor!".into(),
            String::new(),
            b64(
                "{\"s\":\"scheduled_at\",\"v\":\"2026-01-01T00:00:00Z\",\"i\":\"00000000-0000-4000-8000-000000000201\"}",
            ),
            b64(
                "{\"o\":\"created\",\"v\":\"yesterday\",\"i\":\"00000000-0000-4000-8000-000000000201\"}",
            ),
            b64("[1,2]"),
        ];
        cursors
    }

    /// A cursor for a page in `order` (sometimes one of another order, which the
    /// executor may refuse) and whether the executor surely accepts it.
    fn pick(
        &self,
        rng: &mut StdRng,
        mine: &[&Vec<String>],
        others: &[&Vec<String>],
    ) -> (String, bool) {
        if rng.random_bool(0.08) {
            return (self.refused.choose(rng).unwrap().clone(), false);
        }
        if rng.random_bool(0.08) {
            let list = others.choose(rng).unwrap();
            return (list.choose(rng).unwrap().clone(), false);
        }
        let list = mine.choose(rng).unwrap();
        (list.choose(rng).unwrap().clone(), true)
    }
}

/// Every `id` in `value`.
fn collect_ids(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                match value {
                    Value::String(id) if key == "id" => into.push(id.clone()),
                    other => collect_ids(other, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_ids(item, into)),
        _ => {}
    }
}

/// A random `node(id:)` root: fragments on each compiled kind, the id from the pool (at
/// times of a kind the plan does not read).
fn random_node(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars, r: usize) -> String {
    let id = if rng.random_bool(0.1) {
        vars.compiles = false;
        encode(NodeKind::Lead, Uuid::from_u128(5)).0
    } else {
        cursors.nodes.choose(rng).unwrap().clone()
    };
    let argument = if rng.random_bool(0.6) {
        vars.declare("ID!", Some(json!(id)))
    } else {
        json!(id).to_string()
    };
    let mut parts = vec![];
    if rng.random_bool(0.5) {
        parts.push("id".to_string());
    }
    if rng.random_bool(0.3) {
        parts.push("__typename".to_string());
    }
    let kinds: [(&str, &[&str]); 4] = [
        ("Brand", &["name", "slug", "uuid", "createdAt"]),
        ("ContentItem", &["title", "status", "platform", "updatedAt"]),
        ("MediaAsset", &["filename", "sizeBytes", "usedIn"]),
        ("PostApproval", &["status", "locked", "rejectionReason"]),
    ];
    for (kind, fields) in kinds {
        if rng.random_bool(0.6) {
            let selected = random_fields(rng, fields, 3, vars, "");
            if rng.random_bool(0.3) {
                parts.push(format!("...N{r}{kind}"));
                vars.fragments.push(format!(
                    "fragment N{r}{kind} on {kind} {{ {} }}",
                    selected.join(" ")
                ));
            } else {
                parts.push(format!("... on {kind} {{ {} }}", selected.join(" ")));
            }
        }
    }
    if parts.is_empty() {
        parts.push("id".into());
    }
    format!("n{r}: node(id: {argument}) {{ {} }}", parts.join(" "))
}

/// The variables a random document declares, and whether every request of it should be
/// answered from a plan (false when it carries a cursor the executor may refuse).
struct Vars {
    declared: Vec<String>,
    values: serde_json::Map<String, Value>,
    count: usize,
    compiles: bool,
    /// It selects an admin-only list: only viewers with that role in every brand they
    /// see (the owner, the outsider who sees none, the service) are answered from a plan.
    gated: bool,
    fragments: Vec<String>,
}

impl Vars {
    fn new() -> Self {
        Self {
            declared: Vec::new(),
            values: serde_json::Map::new(),
            count: 0,
            compiles: true,
            gated: false,
            fragments: Vec::new(),
        }
    }

    /// A fresh variable of `ty`: `Some(value)` is sent, `None` left out.
    fn declare(&mut self, ty: &str, value: Option<Value>) -> String {
        self.count += 1;
        let name = format!("v{}", self.count);
        self.declared.push(format!("${name}: {ty}"));
        if let Some(value) = value {
            self.values.insert(name.clone(), value);
        }
        format!("${name}")
    }

    /// The `orderBy` argument for `order` (empty: none), a literal or (40%) a variable of
    /// the enum `ty` (null or absent for the default order); rarely a value the executor
    /// refuses.
    fn order(&mut self, rng: &mut StdRng, ty: &str, order: &str) -> Option<String> {
        if !rng.random_bool(0.4) {
            return (!order.is_empty()).then(|| format!("orderBy: {order}"));
        }
        let variable = if rng.random_bool(0.02) {
            self.compiles = false;
            self.declare(ty, Some(json!("NOT_AN_ORDER")))
        } else if order.is_empty() {
            let value = rng.random_bool(0.5).then_some(Value::Null);
            self.declare(ty, value)
        } else if rng.random_bool(0.5) {
            self.declare(&format!("{ty}!"), Some(json!(order)))
        } else {
            self.declare(ty, Some(json!(order)))
        };
        Some(format!("orderBy: {variable}"))
    }

    /// Sometimes a `@skip`/`@include`, literal or from a (maybe absent) variable.
    fn directive(&mut self, rng: &mut StdRng, p: f64) -> String {
        if !rng.random_bool(p) {
            return String::new();
        }
        let name = if rng.random_bool(0.5) {
            "skip"
        } else {
            "include"
        };
        // A null or absent value is refused by the executor's validation: rarely.
        let condition = match rng.random_range(0..40) {
            0..=11 => rng.random_bool(0.5).to_string(),
            12 => {
                self.compiles = false;
                self.declare(
                    "Boolean",
                    if rng.random_bool(0.5) {
                        None
                    } else {
                        Some(Value::Null)
                    },
                )
            }
            13..=25 => self.declare("Boolean", Some(json!(rng.random_bool(0.5)))),
            _ => self.declare("Boolean!", Some(json!(rng.random_bool(0.5)))),
        };
        format!(" @{name}(if: {condition})")
    }

    /// An `after` (sometimes `before`) argument with `cursor`, as a literal or a variable.
    fn after(&mut self, rng: &mut StdRng, cursor: (String, bool)) -> String {
        let key = if rng.random_bool(0.3) {
            "before"
        } else {
            "after"
        };
        self.cursor(rng, key, cursor)
    }

    /// A `key` (`after` or `before`) argument with `cursor`, as a literal or a variable.
    fn cursor(
        &mut self,
        rng: &mut StdRng,
        key: &str,
        (cursor, accepted): (String, bool),
    ) -> String {
        self.compiles &= accepted;
        if rng.random_bool(0.5) {
            format!("{key}: {}", self.declare("String", Some(json!(cursor))))
        } else {
            format!("{key}: {}", json!(cursor))
        }
    }

    /// The page size `n` as `first` or (a third of the time) `last`, a literal or a
    /// variable (`last`'s non-null: a plan must know the direction); rarely both, which
    /// the executor refuses.
    fn size(&mut self, rng: &mut StdRng, n: i64) -> Vec<String> {
        let (key, ty) = if rng.random_bool(0.33) {
            ("last", "Int!")
        } else {
            ("first", "Int")
        };
        let mut sizes = vec![if rng.random_bool(0.3) {
            format!("{key}: {}", self.declare(ty, Some(json!(n))))
        } else {
            format!("{key}: {n}")
        }];
        if rng.random_bool(0.01) {
            self.compiles = false;
            let other = if key == "last" { "first" } else { "last" };
            sizes.push(format!("{other}: {n}"));
        }
        sizes
    }

    /// Sometimes a second cursor, bounding the page's other end.
    fn window(&mut self, rng: &mut StdRng, arguments: &mut Vec<String>, cursor: (String, bool)) {
        if !rng.random_bool(0.25) {
            return;
        }
        let Some(given) = arguments
            .iter()
            .find(|a| a.starts_with("after:") || a.starts_with("before:"))
        else {
            return;
        };
        let key = if given.starts_with("after:") {
            "before"
        } else {
            "after"
        };
        let bound = self.cursor(rng, key, cursor);
        arguments.push(bound);
    }
}

/// Some of `fields`, each maybe aliased or under a directive.
fn random_fields(
    rng: &mut StdRng,
    fields: &[&str],
    most: usize,
    vars: &mut Vars,
    tag: &str,
) -> Vec<String> {
    let count = rng.random_range(1..=most.min(fields.len()));
    fields
        .choose_multiple(rng, count)
        .enumerate()
        .map(|(i, field)| {
            let field = if !tag.is_empty() && i < 2 && rng.random_bool(0.2) {
                format!("{tag}{i}: {field}")
            } else {
                field.to_string()
            };
            // The executor refuses variables in directives on `__typename`.
            let directive = if field.ends_with("__typename") {
                [" @skip(if: false)", " @include(if: true)", ""]
                    .choose(rng)
                    .unwrap()
                    .to_string()
            } else {
                vars.directive(rng, 0.15)
            };
            format!("{field}{directive}")
        })
        .collect()
}

/// A random document over the described fields of `Brand`, with aliases, fragments,
/// directives and several roots, the variables it needs and whether it compiles.
fn random_document(rng: &mut StdRng, cursors: &Cursors) -> (String, Value, bool, bool) {
    let ids = [
        brands::AURORA,
        brands::BOREALIS,
        brands::CASCADE,
        brands::DRIFTWOOD,
        Uuid::from_u128(0xdead_beef),
    ];
    let mut fragments = Vec::new();
    let mut roots = Vec::new();
    let mut vars = Vars::new();
    let root_count = rng.random_range(1..=3);
    for r in 0..root_count {
        let mut selection = random_fields(
            rng,
            BRAND_FIELDS,
            BRAND_FIELDS.len(),
            &mut vars,
            &format!("k{r}_"),
        );
        if selection.len() > 1 && rng.random_bool(0.3) {
            let split = rng.random_range(1..selection.len());
            let moved = selection.split_off(split).join(" ");
            let directive = vars.directive(rng, 0.3);
            if rng.random_bool(0.5) {
                fragments.push(format!("fragment F{r} on Brand {{ {moved} }}"));
                selection.push(format!("...F{r}{directive}"));
            } else {
                selection.push(format!("... on Brand{directive} {{ {moved} }}"));
            }
        }
        if rng.random_bool(0.15) {
            // The same field twice under one key: merged.
            selection.push(selection[0].clone());
        }
        if rng.random_bool(0.3) {
            selection.push(random_assets(rng, cursors, &mut vars));
        }
        if rng.random_bool(0.3) {
            selection.push(random_content(rng, cursors, &mut vars));
        }
        if rng.random_bool(0.25) {
            selection.push(random_leads(rng, cursors, &mut vars));
        }
        if rng.random_bool(0.25) {
            selection.push(random_campaigns(rng, cursors, &mut vars));
        }
        if rng.random_bool(0.25) {
            selection.push(random_analytics(rng, &mut vars));
        }
        if rng.random_bool(0.3) {
            selection.push(random_email(rng, cursors, &mut vars));
        }
        let brand = *ids.choose(rng).unwrap();
        let id = if rng.random_bool(0.5) {
            encode(NodeKind::Brand, brand).0
        } else {
            brand.to_string()
        };
        let argument = if rng.random_bool(0.6) {
            vars.declare("ID!", Some(Value::String(id)))
        } else {
            format!("\"{id}\"")
        };
        let directive = vars.directive(rng, 0.15);
        roots.push(format!(
            "r{r}: brand(id: {argument}){directive} {{ {} }}",
            selection.join(" ")
        ));
    }
    if rng.random_bool(0.3) {
        roots.push(random_connection(rng, cursors, &mut vars));
    }
    if rng.random_bool(0.25) {
        roots.push(random_node(rng, cursors, &mut vars, 0));
    }
    if rng.random_bool(0.2) {
        roots.push(random_viewer(rng, &mut vars));
    }
    if rng.random_bool(0.2) {
        let directive = match rng.random_range(0..4) {
            0 => " @skip(if: true)",
            1 => " @include(if: true)",
            _ => "",
        };
        roots.push(format!("__typename{directive}"));
    }
    let header = if vars.declared.is_empty() {
        "query".to_string()
    } else {
        format!("query({})", vars.declared.join(", "))
    };
    fragments.append(&mut vars.fragments);
    let document = format!("{header} {{ {} }} {}", roots.join(" "), fragments.join(" "));
    (
        document,
        Value::Object(vars.values),
        vars.compiles,
        vars.gated,
    )
}

/// A random `viewer` selection.
fn random_viewer(rng: &mut StdRng, vars: &mut Vars) -> String {
    // Sub-selections are drawn only when used: their directives declare variables.
    let mut fields = random_fields(rng, &["isServiceRole", "__typename"], 2, vars, "v");
    if rng.random_bool(0.6) {
        let directive = vars.directive(rng, 0.15);
        let user = random_fields(
            rng,
            &["id", "uuid", "displayName", "__typename"],
            3,
            vars,
            "u",
        );
        fields.push(format!("user{directive} {{ {} }}", user.join(" ")));
    }
    if rng.random_bool(0.6) {
        let directive = vars.directive(rng, 0.15);
        let membership = random_fields(rng, &["brandId", "role", "__typename"], 3, vars, "m");
        fields.push(format!(
            "memberships{directive} {{ {} }}",
            membership.join(" ")
        ));
    }
    fields.shuffle(rng);
    let directive = vars.directive(rng, 0.1);
    format!("viewer{directive} {{ {} }}", fields.join(" "))
}

/// A random `analytics` range (around the demo's last days, literal or from variables)
/// or `analyticsSummary` selection (inside a brand).
fn random_analytics(rng: &mut StdRng, vars: &mut Vars) -> String {
    const METRIC_FIELDS: &[&str] = &[
        "id",
        "uuid",
        "date",
        "platform",
        "postId",
        "reach",
        "impressions",
        "engagement",
        "likes",
        "comments",
        "shares",
        "clicks",
        "followers",
        "ctr",
        "engagementRate",
        "__typename",
    ];
    const TOTALS_FIELDS: &[&str] = &[
        "reach",
        "impressions",
        "engagement",
        "likes",
        "comments",
        "shares",
        "clicks",
        "followers",
        "ctr",
        "engagementRate",
        "rows",
        "__typename",
    ];
    let platform = *["", "\"instagram\"", "\"tiktok\"", "\"nowhere\""]
        .choose(rng)
        .unwrap();
    if rng.random_bool(0.5) {
        let (from, to) = *[
            ("2026-10-25", "2026-11-01"),
            ("2026-08-01", "2026-08-10"),
            ("2026-10-31", "2026-12-31"),
            ("2026-11-01", "2026-11-01"),
        ]
        .choose(rng)
        .unwrap();
        let mut arguments = Vec::new();
        for (key, day) in [("from", from), ("to", to)] {
            arguments.push(if rng.random_bool(0.5) {
                format!("{key}: {}", vars.declare("NaiveDate!", Some(json!(day))))
            } else {
                format!("{key}: \"{day}\"")
            });
        }
        if !platform.is_empty() {
            arguments.push(format!("platform: {platform}"));
        }
        let node = random_fields(rng, METRIC_FIELDS, 6, vars, "x");
        return format!(
            "analytics({}) {{ {} }}",
            arguments.join(", "),
            node.join(" ")
        );
    }
    let mut arguments = Vec::new();
    if rng.random_bool(0.6) {
        arguments.push(format!(
            "days: {}",
            [1, 7, 30, 120, 366].choose(rng).unwrap()
        ));
    }
    if !platform.is_empty() {
        arguments.push(format!("platform: {platform}"));
    }
    let mut fields = random_fields(rng, &["days", "__typename"], 2, vars, "s");
    // One totals selection for both places, drawn only when used (its directives
    // declare variables).
    let (with_totals, by_platform) = (rng.random_bool(0.7), rng.random_bool(0.5));
    if with_totals || by_platform {
        let totals = random_fields(rng, TOTALS_FIELDS, 5, vars, "t").join(" ");
        if with_totals {
            let directive = vars.directive(rng, 0.15);
            fields.push(format!("totals{directive} {{ {totals} }}"));
        }
        if by_platform {
            let directive = vars.directive(rng, 0.15);
            fields.push(format!(
                "byPlatform{directive} {{ platform totals {{ {totals} }} }}"
            ));
        }
    }
    fields.shuffle(rng);
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({})", arguments.join(", "))
    };
    format!("analyticsSummary{arguments} {{ {} }}", fields.join(" "))
}

/// A filter's described fields: name, GraphQL type and values (GraphQL literals).
type Filters<'a> = &'a [(&'a str, &'a str, &'a [&'a str])];

/// A random `filter` argument of the described fields (of the input type `input`), with
/// values the demo has (and some it has not): a literal object, fields from variables,
/// or the whole object from one variable, as clients send them; rarely a value the
/// executor refuses.
fn random_filter(rng: &mut StdRng, vars: &mut Vars, input: &str, fields: Filters) -> String {
    let count = rng.random_range(1..=2);
    let chosen: Vec<(&str, &str, &str)> = fields
        .choose_multiple(rng, count)
        .map(|(field, ty, values)| (*field, *ty, *values.choose(rng).unwrap()))
        .collect();
    match rng.random_range(0..10) {
        0..=3 => {
            let parts: Vec<String> = chosen
                .iter()
                .map(|(field, _, value)| format!("{field}: {value}"))
                .collect();
            format!("filter: {{ {} }}", parts.join(", "))
        }
        4..=6 => {
            let parts: Vec<String> = chosen
                .iter()
                .map(|(field, ty, value)| {
                    let value = if rng.random_bool(0.5) {
                        return format!("{field}: {value}");
                    } else if rng.random_bool(0.03) {
                        vars.compiles = false;
                        Some(refused_value(ty))
                    } else {
                        match literal_json(value) {
                            Value::Null if rng.random_bool(0.5) => None,
                            value => Some(value),
                        }
                    };
                    format!("{field}: {}", vars.declare(ty, value))
                })
                .collect();
            format!("filter: {{ {} }}", parts.join(", "))
        }
        _ => {
            let mut object = serde_json::Map::new();
            for (field, ty, value) in &chosen {
                match literal_json(value) {
                    Value::Null if rng.random_bool(0.5) => {}
                    _ if rng.random_bool(0.03) => {
                        vars.compiles = false;
                        object.insert(field.to_string(), refused_value(ty));
                    }
                    value => {
                        object.insert(field.to_string(), value);
                    }
                }
            }
            if rng.random_bool(0.02) {
                vars.compiles = false;
                object.insert("notAField".into(), json!(1));
            }
            let value = match rng.random_range(0..10) {
                0 => None,
                1 => Some(Value::Null),
                _ => Some(Value::Object(object)),
            };
            format!("filter: {}", vars.declare(input, value))
        }
    }
}

/// The JSON a client sends for a GraphQL literal of the generators' tables (an enum value
/// as its name).
fn literal_json(literal: &str) -> Value {
    match serde_json::from_str(literal) {
        Ok(value) => value,
        Err(_) => json!(literal),
    }
}

/// A value of GraphQL type `ty` that the executor refuses.
fn refused_value(ty: &str) -> Value {
    match ty {
        "String" => json!(5),
        "Int" => json!("5"),
        "UUID" => json!("not-a-uuid"),
        _ => json!("NOT_A_VALUE"),
    }
}

/// A random `mediaAssets` page selection (inside a brand).
fn random_assets(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    const ASSET_FIELDS: &[&str] = &[
        "id",
        "uuid",
        "category",
        "filename",
        "mimeType",
        "path",
        "sizeBytes",
        "hash",
        "usedIn",
        "usageCount",
        "lastUsed",
        "createdAt",
        "updatedAt",
        "__typename",
    ];
    let node = random_fields(rng, ASSET_FIELDS, 5, vars, "a").join(" ");
    let mut arguments = Vec::new();
    if rng.random_bool(0.7) {
        let n = rng.random_range(0..=4);
        arguments.extend(vars.size(rng, n));
    }
    if rng.random_bool(0.3) {
        let cursor = cursors.pick(
            rng,
            &[&cursors.assets],
            &[&cursors.content_updated, &cursors.brands_by_name],
        );
        arguments.push(vars.after(rng, cursor));
        let other = cursors.assets.choose(rng).unwrap().clone();
        vars.window(rng, &mut arguments, (other, true));
    }
    if rng.random_bool(0.3) {
        arguments.push(random_filter(
            rng,
            vars,
            "MediaAssetFilter",
            &[
                (
                    "category",
                    "String",
                    &["\"images\"", "\"videos\"", "\"none\"", "null"],
                ),
                (
                    "status",
                    "AssetStatus",
                    &["ACTIVE", "ARCHIVED", "DELETED", "null"],
                ),
                ("mimeType", "String", &["\"image/png\"", "\"video/mp4\""]),
            ],
        ));
    }
    let mut parts = vec![format!("edges {{ cursor node {{ {node} }} }}")];
    if rng.random_bool(0.5) {
        parts.push("pageInfo { hasNextPage hasPreviousPage endCursor startCursor }".into());
    }
    if rng.random_bool(0.5) {
        parts.push(format!("totalCount{}", vars.directive(rng, 0.3)));
    }
    if rng.random_bool(0.3) {
        parts.push(format!("nodes {{ {node} }}"));
    }
    parts.shuffle(rng);
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({})", arguments.join(", "))
    };
    format!("mediaAssets{arguments} {{ {} }}", parts.join(" "))
}

/// A random `contentItems` page selection (inside a brand), approvals included at times.
fn random_content(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    const CONTENT_FIELDS: &[&str] = &[
        "id",
        "uuid",
        "title",
        "status",
        "platform",
        "scheduledFor",
        "publishedAt",
        "createdAt",
        "updatedAt",
        "__typename",
    ];
    const APPROVAL_FIELDS: &[&str] = &[
        "id",
        "uuid",
        "status",
        "approvedAt",
        "rejectedAt",
        "rejectionReason",
        "locked",
        "createdAt",
        "updatedAt",
        "__typename",
    ];
    let mut node = random_fields(rng, CONTENT_FIELDS, 5, vars, "c");
    if rng.random_bool(0.5) {
        let approval = random_fields(rng, APPROVAL_FIELDS, 4, vars, "p");
        node.push(format!(
            "approvals{} {{ {} }}",
            vars.directive(rng, 0.2),
            approval.join(" ")
        ));
    }
    let n = rng.random_range(0..=6);
    let mut arguments = vars.size(rng, n);
    let order = ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC", ""]
        .choose(rng)
        .unwrap();
    arguments.extend(vars.order(rng, "ContentOrder", order));
    if rng.random_bool(0.3) {
        let (mine, other) = if *order == "UPDATED_AT_DESC" {
            (&cursors.content_updated, &cursors.content_created)
        } else {
            (&cursors.content_created, &cursors.content_updated)
        };
        let cursor = cursors.pick(rng, &[mine], &[other, &cursors.brands_newest]);
        arguments.push(vars.after(rng, cursor));
        let bound = mine.choose(rng).unwrap().clone();
        vars.window(rng, &mut arguments, (bound, true));
    }
    if rng.random_bool(0.3) {
        arguments.push(random_filter(
            rng,
            vars,
            "ContentItemFilter",
            &[
                (
                    "status",
                    "ContentStatus",
                    &["PUBLISHED", "DRAFT", "PENDING_REVIEW", "null"],
                ),
                ("type", "String", &["\"post\"", "\"blog\"", "\"nothing\""]),
                (
                    "platform",
                    "String",
                    &["\"instagram\"", "\"tiktok\"", "null"],
                ),
            ],
        ));
    }
    let mut parts = vec![format!("edges {{ cursor node {{ {} }} }}", node.join(" "))];
    if rng.random_bool(0.5) {
        parts.push("pageInfo { hasNextPage hasPreviousPage endCursor }".into());
    }
    if rng.random_bool(0.4) {
        parts.push("totalCount".into());
    }
    format!(
        "contentItems({}) {{ {} }}",
        arguments.join(", "),
        parts.join(" ")
    )
}

/// A random `brands` connection selection.
fn random_connection(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    let mut arguments = Vec::new();
    if rng.random_bool(0.7) {
        let first = rng.random_range(0..=5);
        if rng.random_bool(0.5) {
            arguments.push(format!(
                "first: {}",
                vars.declare("Int", Some(json!(first)))
            ));
        } else {
            arguments.extend(vars.size(rng, first));
        }
    }
    let newest = rng.random_bool(0.5);
    let order = match newest {
        true => "CREATED_AT_DESC",
        false if rng.random_bool(0.5) => "NAME_ASC",
        false => "",
    };
    arguments.extend(vars.order(rng, "BrandOrder", order));
    if rng.random_bool(0.4) {
        let (mine, other) = if newest {
            (&cursors.brands_newest, &cursors.brands_by_name)
        } else {
            (&cursors.brands_by_name, &cursors.brands_newest)
        };
        let cursor = cursors.pick(rng, &[mine], &[other, &cursors.assets]);
        arguments.push(vars.after(rng, cursor));
        let bound = mine.choose(rng).unwrap().clone();
        vars.window(rng, &mut arguments, (bound, true));
    }
    if rng.random_bool(0.3) {
        let tenant = format!("\"{}\"", brandgraph::seed::DEMO_TENANT);
        let other = format!("\"{}\"", Uuid::from_u128(7));
        arguments.push(random_filter(
            rng,
            vars,
            "BrandFilter",
            &[
                (
                    "tenantId",
                    "UUID",
                    &[tenant.as_str(), other.as_str(), "null"],
                ),
                (
                    "nameContains",
                    "String",
                    &[
                        "\"or\"",
                        "\"\\\\\"",
                        "\"%\"",
                        "\"_\"",
                        "\"CASCADE\"",
                        "null",
                    ],
                ),
            ],
        ));
    }
    let (edges, nodes) = (rng.random_bool(0.6), rng.random_bool(0.3));
    let mut parts = Vec::new();
    if edges || nodes {
        // Fields (and the variables of their directives) only where they are selected.
        let node = random_fields(rng, BRAND_FIELDS, 4, vars, "n").join(" ");
        if edges {
            let cursor = if rng.random_bool(0.5) { "cursor " } else { "" };
            parts.push(format!("edges {{ {cursor}node {{ {node} }} }}"));
        }
        if nodes {
            parts.push(format!("nodes {{ {node} }}"));
        }
    }
    if rng.random_bool(0.5) {
        let count = rng.random_range(1..=4);
        let info: Vec<&str> = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]
            .choose_multiple(rng, count)
            .copied()
            .collect();
        parts.push(format!("pageInfo {{ {} }}", info.join(" ")));
    }
    if parts.is_empty() || rng.random_bool(0.3) {
        parts.push("totalCount".into());
    }
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({})", arguments.join(", "))
    };
    format!(
        "list: brands{arguments}{} {{ {} }}",
        vars.directive(rng, 0.15),
        parts.join(" ")
    )
}

const LEAD_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "name",
    "email",
    "phone",
    "company",
    "source",
    "status",
    "score",
    "tags",
    "notes",
    "convertedAt",
    "lostReason",
    "createdAt",
    "updatedAt",
    "__typename",
];

const CAMPAIGN_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "name",
    "description",
    "type",
    "channel",
    "channels",
    "status",
    "budgetTotal",
    "budgetAllocated",
    "budgetSpent",
    "startDate",
    "endDate",
    "objective",
    "createdAt",
    "updatedAt",
    "__typename",
];

const ACTIVITY_FIELDS: &[&str] = &["uuid", "leadId", "type", "description", "createdAt"];

const TASK_FIELDS: &[&str] = &[
    "uuid",
    "title",
    "description",
    "status",
    "priority",
    "dueDate",
    "completedAt",
    "createdAt",
];

/// A random nested page's arguments: `first`, sometimes a cursor of `mine`.
fn random_page_arguments(
    rng: &mut StdRng,
    cursors: &Cursors,
    vars: &mut Vars,
    mine: &Vec<String>,
) -> Vec<String> {
    let mut arguments = Vec::new();
    if rng.random_bool(0.7) {
        let n = rng.random_range(0..=4);
        arguments.extend(vars.size(rng, n));
    }
    // Rarely: the other generators' cursors already make a document's requests fall back
    // often enough.
    if rng.random_bool(0.12) {
        let cursor = cursors.pick(rng, &[mine], &[&cursors.brands_newest]);
        arguments.push(vars.after(rng, cursor));
    }
    arguments
}

/// A connection selection `field(arguments) { … }` over `node`.
fn random_page(
    rng: &mut StdRng,
    vars: &mut Vars,
    field: &str,
    arguments: &[String],
    node: &str,
) -> String {
    let mut parts = vec![format!("edges {{ cursor node {{ {node} }} }}")];
    if rng.random_bool(0.4) {
        parts.push("pageInfo { hasNextPage hasPreviousPage endCursor startCursor }".into());
    }
    if rng.random_bool(0.4) {
        parts.push(format!("totalCount{}", vars.directive(rng, 0.2)));
    }
    if rng.random_bool(0.3) {
        parts.push(format!("nodes {{ {node} }}"));
    }
    parts.shuffle(rng);
    let arguments = if arguments.is_empty() {
        String::new()
    } else {
        format!("({})", arguments.join(", "))
    };
    format!("{field}{arguments} {{ {} }}", parts.join(" "))
}

/// A random `leads` page (inside a brand or a campaign), activities included at times.
fn random_leads(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    let mut node = random_fields(rng, LEAD_FIELDS, 6, vars, "l");
    if rng.random_bool(0.3) {
        let activity = random_fields(rng, ACTIVITY_FIELDS, 3, vars, "");
        let arguments = random_page_arguments(rng, cursors, vars, &cursors.content_created);
        node.push(random_page(
            rng,
            vars,
            "activities",
            &arguments,
            &activity.join(" "),
        ));
    }
    let by_score = rng.random_bool(0.3);
    let mine = if by_score {
        &cursors.leads_by_score
    } else {
        &cursors.leads
    };
    let mut arguments = random_page_arguments(rng, cursors, vars, mine);
    let order = match by_score {
        true => "SCORE_DESC",
        false if rng.random_bool(0.1) => "CREATED_AT_DESC",
        false => "",
    };
    arguments.extend(vars.order(rng, "LeadOrder", order));
    if rng.random_bool(0.4) {
        arguments.push(random_filter(
            rng,
            vars,
            "LeadFilter",
            &[
                (
                    "status",
                    "LeadStatus",
                    &["NEW", "QUALIFIED", "LOST", "null"],
                ),
                (
                    "source",
                    "String",
                    &["\"website\"", "\"event\"", "\"nowhere\"", "null"],
                ),
                ("minScore", "Int", &["0", "50", "90", "101", "null"]),
            ],
        ));
    }
    random_page(rng, vars, "leads", &arguments, &node.join(" "))
}

/// A random `campaigns` page (inside a brand), with tasks, leads and content at times.
fn random_campaigns(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    let mut node = random_fields(rng, CAMPAIGN_FIELDS, 6, vars, "m");
    if rng.random_bool(0.3) {
        let task = random_fields(rng, TASK_FIELDS, 3, vars, "t");
        node.push(format!(
            "tasks{} {{ {} }}",
            vars.directive(rng, 0.2),
            task.join(" ")
        ));
    }
    if rng.random_bool(0.3) {
        let lead = random_fields(rng, LEAD_FIELDS, 4, vars, "cl");
        let arguments = random_page_arguments(rng, cursors, vars, &cursors.leads);
        node.push(random_page(rng, vars, "leads", &arguments, &lead.join(" ")));
    }
    if rng.random_bool(0.2) {
        let arguments = random_page_arguments(rng, cursors, vars, &cursors.content_created);
        node.push(random_page(
            rng,
            vars,
            "contentItems",
            &arguments,
            "title status",
        ));
    }
    if rng.random_bool(0.25) {
        let summary = random_fields(rng, SUMMARY_FIELDS, 5, vars, "cs");
        node.push(format!(
            "summary{} {{ {} }}",
            vars.directive(rng, 0.2),
            summary.join(" ")
        ));
    }
    if rng.random_bool(0.2) {
        let email = random_fields(rng, EMAIL_CAMPAIGN_FIELDS, 4, vars, "ce");
        let arguments = random_page_arguments(rng, cursors, vars, &cursors.leads);
        node.push(random_page(
            rng,
            vars,
            "emailCampaigns",
            &arguments,
            &email.join(" "),
        ));
    }
    let mut arguments = random_page_arguments(rng, cursors, vars, &cursors.campaigns);
    if rng.random_bool(0.4) {
        arguments.push(random_filter(
            rng,
            vars,
            "CampaignFilter",
            &[
                (
                    "status",
                    "CampaignStatus",
                    &["ACTIVE", "DRAFT", "PAUSED", "null"],
                ),
                (
                    "type",
                    "CampaignType",
                    &["EMAIL", "PRODUCT_LAUNCH", "EVENT", "null"],
                ),
            ],
        ));
    }
    random_page(rng, vars, "campaigns", &arguments, &node.join(" "))
}

/// Metric rows the renderers must get right: floats PostgreSQL and serde_json print
/// differently (`0.1`, `1e20`, `-0.0`, `1.5e-7`, integers beyond 2^53, the longest
/// integer printed from its own text and a negative one), values that are
/// not numbers (read as null), missing keys, and a post's own row beside the brand's.
async fn vary_the_metrics(app: &TestApp) {
    let sql = format!(
        r#"INSERT INTO analytics_metrics (id, brand_id, tenant_id, platform, post_id, date, metrics, created_at)
           VALUES (gen_random_uuid(), '{aurora}', '{tenant}', 'instagram', 'post-1', current_date - 3,
                   '{{"reach": 0.1, "impressions": 1e20, "engagement": "12", "likes": true, "comments": -0.0,
                      "shares": 1.5e-7, "clicks": 123456789012345678, "ctr": 0.30000000000000004,
                      "engagementRate": 0.0500}}', now()),
                  (gen_random_uuid(), '{aurora}', '{tenant}', 'instagram', 'post-2', current_date - 3,
                   '{{"reach": 2.5, "followers": 12345.678, "likes": -42, "comments": 123456789012345,
                      "shares": 0, "clicks": 9007199254740993}}', now()),
                  (gen_random_uuid(), '{aurora}', '{tenant}', 'new_platform', NULL, current_date,
                   '{{}}', now())"#,
        aurora = brands::AURORA,
        tenant = brandgraph::seed::DEMO_TENANT,
    );
    app.db
        .execute_unprepared(&sql)
        .await
        .expect("vary the metrics");
}

/// `viewer`, `analytics` by date range and `analyticsSummary` from the rollups: equal
/// answers for every persona, and the bench's Q4/Q5 answered from plans.
#[tokio::test]
async fn viewer_and_analytics_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    vary_the_metrics(&compiled).await;
    let day = |back: i32| {
        let sql = format!("SELECT to_char(current_date - {back}, 'YYYY-MM-DD')");
        let compiled = &compiled;
        async move { compiled.scalar(&sql).await }
    };
    let (today, month_ago, year_ago) = (day(0).await, day(29).await, day(366).await);
    let metric = "id uuid date platform postId reach impressions engagement likes comments shares clicks followers ctr engagementRate __typename";
    let totals = "reach impressions engagement likes comments shares clicks followers ctr engagementRate rows __typename";
    let q4 = "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) { brand(id: $id) { analytics(from: $from, to: $to, platform: \"instagram\") { date reach } } }";
    let q5 = "query($id: ID!) { brand(id: $id) { analyticsSummary(days: 30) { totals { reach rows } byPlatform { platform totals { reach } } } } }";
    let mut documents: Vec<(String, Value)> = Vec::new();
    let mut add = |query: &str, variables: Value| documents.push((query.to_string(), variables));
    // The viewer: every field the plan reads, aliases, fragments; the rest falls back.
    add(
        "{ viewer { __typename isServiceRole user { __typename id uuid displayName } memberships { __typename brandId role } } }",
        json!({}),
    );
    add(
        "query($s: Boolean!) { viewer { ...V m: memberships @skip(if: $s) { role } } } fragment V on ViewerInfo { user { uuid } memberships { brandId } }",
        json!({ "s": false }),
    );
    add(
        "{ v: viewer { isServiceRole } w: viewer { user { displayName } } }",
        json!({}),
    );
    add("{ viewer { invitations { id } } }", json!({}));
    // Objects emptied by a literal directive are `null`, in lists and aggregates too.
    let emptied = format!(
        "{{ viewer {{ memberships {{ role @skip(if: true) }} }} brand(id: \"{}\") {{
           analytics(from: \"2026-10-30\", to: \"2026-11-01\") {{ reach @skip(if: true) }}
           analyticsSummary(days: 366) {{ totals {{ reach @skip(if: true) }} byPlatform {{ totals {{ rows @include(if: false) }} }} }}
           contentItems(first: 2) {{ edges {{ node {{ approvals {{ status @skip(if: true) }} }} }} }} }} }}",
        brands::AURORA
    );
    add(&emptied, json!({}));
    // Q4 and Q5, and every field of both (the demo's days end at the seed's anchor).
    let (october, anchor) = ("2026-10-03".to_string(), "2026-11-01".to_string());
    for (id, from, to) in [
        (brands::AURORA, &month_ago, &today),
        (brands::AURORA, &october, &anchor),
        (brands::BOREALIS, &october, &anchor),
        (brands::BOREALIS, &month_ago, &today),
        (brands::CASCADE, &year_ago, &today),
    ] {
        add(q4, json!({ "id": id, "from": from, "to": to }));
        add(q5, json!({ "id": id }));
    }
    let everything = format!(
        "query($id: ID!, $from: NaiveDate!, $to: NaiveDate!) {{ brand(id: $id) {{ name
           analytics(from: $from, to: $to) {{ {metric} }}
           a: analyticsSummary {{ __typename days totals {{ {totals} }} byPlatform {{ __typename platform totals {{ {totals} }} }} }} }} }}"
    );
    for (from, to) in [
        (&month_ago, &today),
        (&october, &anchor),
        (&today, &today),
        (&year_ago, &today),
        // Refused by the executor: backwards, too long, not a date.
        (&today, &month_ago),
        (&day(367).await, &today),
        (&"2026-13-01".to_string(), &today),
    ] {
        add(
            &everything,
            json!({ "id": brands::AURORA, "from": from, "to": to }),
        );
    }
    for arguments in [
        "days: 1",
        "days: 7, platform: \"tiktok\"",
        "days: 366, platform: \"instagram\"",
        "platform: \"nowhere\"",
        "platform: \"new_platform\"",
        "days: 0",
        "platform: \"Not a platform\"",
    ] {
        add(
            &format!(
                "{{ brands {{ nodes {{ name analyticsSummary({arguments}) {{ days totals {{ {totals} }} byPlatform {{ platform totals {{ rows reach ctr }} }} }} }} }} }}"
            ),
            json!({}),
        );
    }
    add(
        &format!(
            "{{ brand(id: \"{}\") {{ analytics(from: \"{month_ago}\", to: \"{today}\", platform: \"instagram\") {{ {metric} }} }} }}",
            brands::AURORA
        ),
        json!({}),
    );
    let planned = compare(&compiled, &executor, &documents).await;
    // The viewer's documents but `invitations` and the analytics ones the executor
    // accepts, for the seven signed-in personas.
    assert!(planned >= 7 * 19, "{planned} answers came from plans");

    let token = user_token(users::OWNER);
    for (query, variables) in [
        (
            q4,
            json!({ "id": brands::AURORA, "from": month_ago, "to": today }),
        ),
        (q5, json!({ "id": brands::AURORA })),
    ] {
        let before = compiled_count(&compiled).await;
        let (answer, statements) = compiled
            .graphql_counted(Some(&token), query, variables)
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        assert_eq!(statements, 1, "{query}");
        assert_eq!(compiled_count(&compiled).await, before + 1, "{query}");
    }
}

const EMAIL_TEMPLATE_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "name",
    "subject",
    "htmlContent",
    "plainText",
    "variables",
    "createdAt",
    "updatedAt",
    "__typename",
];

const EMAIL_CAMPAIGN_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "name",
    "subject",
    "fromName",
    "fromAddress",
    "htmlContent",
    "plainText",
    "audienceTags",
    "status",
    "scheduledFor",
    "sentAt",
    "recipientCount",
    "createdAt",
    "updatedAt",
    "__typename",
];

const EMAIL_CONTACT_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "email",
    "name",
    "company",
    "tags",
    "subscriptionStatus",
    "statusChangedAt",
    "createdAt",
    "updatedAt",
    "__typename",
];

const AUTOMATION_RULE_FIELDS: &[&str] = &[
    "id",
    "uuid",
    "brandId",
    "name",
    "triggerType",
    "actionType",
    "isActive",
    "createdAt",
    "updatedAt",
    "__typename",
];

const SCORING_RULE_FIELDS: &[&str] = &[
    "uuid",
    "brandId",
    "name",
    "weight",
    "active",
    "createdAt",
    "updatedAt",
    "__typename",
];

const SUMMARY_FIELDS: &[&str] = &[
    "campaignId",
    "budgetTotal",
    "budgetAllocated",
    "budgetSpent",
    "leads",
    "conversions",
    "conversionRate",
    "costPerLead",
    "costPerConversion",
    "emailsSent",
    "emailsOpened",
    "emailsClicked",
    "openRate",
    "clickRate",
    "updatedAt",
    "__typename",
];

const FORM_KEY_FIELDS: &[&str] = &[
    "uuid",
    "brandId",
    "key",
    "name",
    "allowedOrigins",
    "source",
    "revokedAt",
    "createdAt",
    "__typename",
];

/// A random email or scoring list of a brand: a page of templates, email campaigns,
/// contacts or automation rules, the scoring rules, or the (admin-only) form keys.
fn random_email(rng: &mut StdRng, cursors: &Cursors, vars: &mut Vars) -> String {
    let list = |rng: &mut StdRng, vars: &mut Vars, field: &str, fields: &[&str]| {
        let selected = random_fields(rng, fields, 4, vars, "x");
        format!(
            "{field}{} {{ {} }}",
            vars.directive(rng, 0.2),
            selected.join(" ")
        )
    };
    let (field, fields, input, filter): (&str, &[&str], &str, Filters) =
        match rng.random_range(0..6) {
            0 => ("emailTemplates", EMAIL_TEMPLATE_FIELDS, "", &[]),
            1 => (
                "emailCampaigns",
                EMAIL_CAMPAIGN_FIELDS,
                "EmailCampaignFilter",
                &[(
                    "status",
                    "EmailCampaignStatus",
                    &["SENT", "SCHEDULED", "DRAFT", "FAILED", "null"],
                )],
            ),
            2 => (
                "emailContacts",
                EMAIL_CONTACT_FIELDS,
                "EmailContactFilter",
                &[(
                    "subscriptionStatus",
                    "SubscriptionStatus",
                    &["SUBSCRIBED", "UNSUBSCRIBED", "BOUNCED", "null"],
                )],
            ),
            3 => ("emailAutomationRules", AUTOMATION_RULE_FIELDS, "", &[]),
            4 => return list(rng, vars, "leadScoringRules", SCORING_RULE_FIELDS),
            _ => {
                vars.gated = true;
                return list(rng, vars, "leadFormKeys", FORM_KEY_FIELDS);
            }
        };
    let node = random_fields(rng, fields, 5, vars, "e");
    let mut arguments = random_page_arguments(rng, cursors, vars, &cursors.leads);
    if !filter.is_empty() && rng.random_bool(0.4) {
        arguments.push(random_filter(rng, vars, input, filter));
    }
    random_page(rng, vars, field, &arguments, &node.join(" "))
}

/// Campaigns, leads and their lists, every field, filters and cursors: equal answers for
/// every persona (a lead's email and phone are null below member, on both paths).
#[tokio::test]
async fn marketing_documents_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let cursors = Cursors::from(&executor).await;
    let lead = LEAD_FIELDS.join(" ");
    let campaign = CAMPAIGN_FIELDS.join(" ");
    let activity = ACTIVITY_FIELDS.join(" ");
    let task = TASK_FIELDS.join(" ");
    let mut documents: Vec<(String, Value)> = Vec::new();
    for id in [brands::AURORA, brands::BOREALIS, brands::DRIFTWOOD] {
        documents.push((
            format!(
                "query($id: ID!) {{ brand(id: $id) {{
                   campaigns(first: 5) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                     edges {{ cursor node {{ {campaign} tasks {{ {task} }}
                       leads(first: 2) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {lead} }} }}
                       contentItems(first: 2) {{ totalCount edges {{ cursor node {{ title status }} }} }} }} }} }}
                   leads(first: 10) {{ totalCount edges {{ cursor node {{ {lead}
                     activities {{ totalCount pageInfo {{ hasNextPage }} edges {{ cursor node {{ {activity} }} }} }} }} }} }} }} }}"
            ),
            json!({ "id": id }),
        ));
    }
    // Only the gated fields, in a fragment, aliased, in a brands page.
    documents.push((
        "{ brands { nodes { name leads(first: 3) { nodes { ...P e: email } } } } } fragment P on Lead { email phone }".into(),
        json!({}),
    ));
    for filter in [
        "{ status: NEW }",
        "{ source: \"website\" }",
        "{ minScore: 50 }",
        "{ minScore: 0, status: QUALIFIED }",
        "{ minScore: null, source: null, status: null }",
        "{ minScore: 3000000000 }",
        "{ tag: \"vip\" }",
    ] {
        documents.push((
            format!(
                "query($id: ID!) {{ brand(id: $id) {{ leads(first: 3, filter: {filter}) {{ totalCount pageInfo {{ hasNextPage }} nodes {{ name score email }} }} }} }}"
            ),
            json!({ "id": brands::AURORA }),
        ));
    }
    for filter in [
        "{ status: ACTIVE }",
        "{ type: EMAIL, status: DRAFT }",
        "{ type: null }",
        "{ startsAfter: \"2026-01-01T00:00:00Z\" }",
    ] {
        documents.push((
            format!(
                "query($id: ID!) {{ brand(id: $id) {{ campaigns(filter: {filter}) {{ totalCount nodes {{ name type status budgetSpent }} }} }} }}"
            ),
            json!({ "id": brands::AURORA }),
        ));
    }
    let pages = "query($id: ID!, $a: String, $n: Int) { brand(id: $id) {
        leads(first: $n, after: $a) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { name phone } } }
        campaigns(first: $n, after: $a) { pageInfo { hasPreviousPage hasNextPage endCursor } edges { cursor node { name } } } } }";
    for cursor in cursors
        .leads
        .iter()
        .chain(cursors.campaigns.iter())
        .chain(cursors.refused.iter().take(2))
    {
        documents.push((
            pages.into(),
            json!({ "id": brands::AURORA, "a": cursor, "n": 2 }),
        ));
    }
    documents.push((pages.into(), json!({ "id": brands::AURORA })));
    let planned = compare(&compiled, &executor, &documents).await;
    // All but the anonymous caller's, the three filters the plan does not read
    // (`minScore` out of range, `tag`, `startsAfter`) and the refused cursors.
    let compiled_documents = documents.len() as u64 - 3 - 2;
    assert!(
        planned >= 7 * compiled_documents,
        "{planned} answers came from plans, expected {}",
        7 * compiled_documents
    );

    // A compiled answer with gated fields is still one statement, and the viewer persona
    // reads no personal data while the member does.
    let query = "query($id: ID!) { brand(id: $id) { leads(first: 10) { nodes { email phone activities { nodes { type } } } } campaigns { nodes { tasks { title } } } } }";
    for (user, reads) in [(users::MEMBER, true), (users::VIEWER, false)] {
        let token = user_token(user);
        compiled
            .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
            .await;
        let (answer, statements) = compiled
            .graphql_counted(Some(&token), query, json!({ "id": brands::AURORA }))
            .await;
        assert_eq!(statements, 1, "{answer}");
        let leads = answer["data"]["brand"]["leads"]["nodes"]
            .as_array()
            .unwrap();
        assert_eq!(leads.len(), 6, "{answer}");
        assert!(
            leads.iter().all(|lead| lead["email"].is_string() == reads),
            "{answer}"
        );
    }
}

/// Email lists, scoring rules, form keys and leads by score, every field, filters and
/// cursors: equal answers for every persona (a contact's email is null below member; the
/// form keys are admins' and the executor answers everyone else, `FORBIDDEN` included).
#[tokio::test]
async fn email_scoring_and_score_ordered_documents_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let cursors = Cursors::from(&executor).await;
    let [template, campaign, contact, rule, scoring, key, summary] = [
        EMAIL_TEMPLATE_FIELDS,
        EMAIL_CAMPAIGN_FIELDS,
        EMAIL_CONTACT_FIELDS,
        AUTOMATION_RULE_FIELDS,
        SCORING_RULE_FIELDS,
        FORM_KEY_FIELDS,
        SUMMARY_FIELDS,
    ]
    .map(|fields| fields.join(" "));
    let mut documents: Vec<(String, Value)> = Vec::new();
    for id in [brands::AURORA, brands::BOREALIS, brands::DRIFTWOOD] {
        documents.push((
            format!(
                "query($id: ID!) {{ brand(id: $id) {{
                   emailTemplates(first: 5) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {template} }} }} }}
                   emailCampaigns {{ totalCount nodes {{ {campaign} }} }}
                   emailContacts(first: 6) {{ totalCount pageInfo {{ hasNextPage startCursor }} edges {{ cursor node {{ {contact} }} }} }}
                   emailAutomationRules {{ totalCount nodes {{ {rule} }} }}
                   leadScoringRules {{ {scoring} }}
                   campaigns {{ nodes {{ name summary {{ {summary} }} emailCampaigns(first: 2) {{ totalCount edges {{ cursor node {{ {campaign} }} }} }} }} }}
                   leads(first: 4, orderBy: SCORE_DESC) {{ totalCount pageInfo {{ hasNextPage endCursor }}
                     edges {{ cursor node {{ name score email activities(first: 3) {{ nodes {{ type createdAt }} }} }} }} }} }} }}"
            ),
            json!({ "id": id }),
        ));
        documents.push((
            format!("query($id: ID!) {{ brand(id: $id) {{ name leadFormKeys {{ {key} }} }} }}"),
            json!({ "id": id }),
        ));
    }
    documents.push((
        "{ brands { nodes { name emailContacts { nodes { ...C e: email } } } } } fragment C on EmailContact { email subscriptionStatus }".into(),
        json!({}),
    ));
    // Not described: the executor answers.
    documents.push((
        "{ brands { nodes { campaigns { nodes { summary { budgetUsed leadsByStatus { status count } } } } } } }".into(),
        json!({}),
    ));
    for filter in [
        "emailCampaigns(filter: { status: SENT })",
        "emailCampaigns(filter: { status: null })",
        "emailCampaigns(filter: { campaignId: \"00000000-0000-4000-8000-000000000001\" })",
        "emailContacts(filter: { subscriptionStatus: UNSUBSCRIBED })",
        "emailContacts(filter: { tag: \"loyalty\" })",
        "leads(orderBy: SCORE_DESC, filter: { minScore: 40 })",
        "leads(orderBy: CREATED_AT_DESC, first: 2)",
    ] {
        documents.push((
            format!(
                "query($id: ID!) {{ brand(id: $id) {{ {filter} {{ totalCount edges {{ cursor node {{ __typename uuid }} }} }} }} }}"
            ),
            json!({ "id": brands::AURORA }),
        ));
    }
    let pages = "query($id: ID!, $a: String, $n: Int) { brand(id: $id) {
        leads(first: $n, after: $a, orderBy: SCORE_DESC) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { name score } } } } }";
    for cursor in cursors
        .leads_by_score
        .iter()
        .chain(cursors.leads.iter().take(1))
        .chain(cursors.refused.iter().take(2))
    {
        documents.push((
            pages.into(),
            json!({ "id": brands::AURORA, "a": cursor, "n": 2 }),
        ));
    }
    // A score cursor in the newest-first order: refused on both paths.
    documents.push((
        "query($id: ID!, $a: String) { brand(id: $id) { leads(after: $a) { totalCount } } }".into(),
        json!({ "id": brands::AURORA, "a": cursors.leads_by_score[0] }),
    ));
    let planned = compare(&compiled, &executor, &documents).await;
    // 3 form-key documents answered from plans for 3 personas (owner, outsider,
    // service); the rest for the 7 authenticated ones, but for the two filters the plan
    // does not read (`campaignId`, `tag`), the summary's undescribed fields and the four
    // refused cursors.
    let compiled_documents = documents.len() as u64 - 3 - 2 - 1 - 4;
    assert!(
        planned >= 7 * compiled_documents + 3 * 3,
        "{planned} answers came from plans, expected {}",
        7 * compiled_documents + 3 * 3
    );

    // The bench's leads shape and every email list in one statement, as a member.
    for (user, query) in [
        (
            users::MEMBER,
            "query($id: ID!) { brand(id: $id) { leads(first: 50, orderBy: SCORE_DESC) { edges { node { name score activities(first: 3) { edges { node { type createdAt } } } } } } } }",
        ),
        (
            users::MEMBER,
            "query($id: ID!) { brand(id: $id) { emailTemplates { nodes { name } } emailCampaigns { nodes { name status } } emailContacts { nodes { email } } emailAutomationRules { nodes { name } } leadScoringRules { name weight } campaigns { nodes { emailCampaigns { totalCount } } } } }",
        ),
        (
            users::OWNER,
            "query($id: ID!) { brand(id: $id) { leadFormKeys { key revokedAt } } }",
        ),
    ] {
        let token = user_token(user);
        compiled
            .graphql(Some(&token), query, json!({ "id": brands::AURORA }))
            .await;
        let before = compiled_count(&compiled).await;
        let (answer, statements) = compiled
            .graphql_counted(Some(&token), query, json!({ "id": brands::AURORA }))
            .await;
        assert_eq!(statements, 1, "{answer}");
        assert_eq!(compiled_count(&compiled).await, before + 1, "{query}");
        assert!(answer["errors"].is_null(), "{answer}");
    }
    // Below admin in a brand it sees, the form keys are the executor's `FORBIDDEN`.
    let query = "query($id: ID!) { brand(id: $id) { leadFormKeys { key } } }";
    let before = compiled_count(&compiled).await;
    let answer = compiled
        .graphql(
            Some(&user_token(users::MANAGER)),
            query,
            json!({ "id": brands::AURORA }),
        )
        .await;
    assert_eq!(
        crate::helpers::error_code(&answer),
        Some("FORBIDDEN"),
        "{answer}"
    );
    assert_eq!(compiled_count(&compiled).await, before);
}

#[tokio::test]
async fn random_documents_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let cursors = Cursors::from(&executor).await;
    let count = if std::env::var("BRANDGRAPH_FULL_DIFFERENTIAL").is_ok_and(|v| v == "1") {
        2000
    } else {
        200
    };
    let mut rng = StdRng::seed_from_u64(27);
    let mut generated: Vec<(String, Value, bool, bool)> = Vec::new();
    while generated.len() < count {
        let document = random_document(&mut rng, &cursors);
        if !generated
            .iter()
            .any(|(text, variables, ..)| (text, variables) == (&document.0, &document.1))
        {
            generated.push(document);
        }
    }
    let documents: Vec<(String, Value)> = generated
        .iter()
        .map(|(text, variables, ..)| (text.clone(), variables.clone()))
        .collect();
    let planned = compare(&compiled, &executor, &documents).await;
    // Every generated document compiles; only the anonymous caller's answers are the
    // executor's (UNAUTHENTICATED), and those of documents with a cursor the executor
    // may refuse; documents with the admin-only form keys are answered from plans only
    // for the owner, the outsider and the service. A text seen before is planned already,
    // so its first request (the owner's, before the comparison) is compiled too.
    let mut seen = std::collections::HashSet::new();
    let mut expected = 0;
    for (text, _, compiles, gated) in &generated {
        let again = !seen.insert(text);
        if *compiles {
            expected += if *gated { 3 } else { 7 } + u64::from(again);
        }
    }
    assert!(generated.iter().any(|(.., gated)| *gated));
    let refused = generated.iter().filter(|(_, _, c, _)| !c).count();
    // Each construct has a small chance of an argument the executor may refuse (a
    // cursor, a null flag, first with last): most documents still compile whole.
    assert!(
        refused > 0 && refused < count / 3,
        "{refused} documents with refused arguments"
    );
    // A cursor of another order is sometimes accepted (the nested orders by `created_at`
    // share their cursors): those answers come from plans too.
    let at_most = expected + refused as u64 * 8;
    assert!(
        (expected..=at_most).contains(&planned),
        "{planned} answers came from plans, expected {expected}..={at_most}"
    );
}

#[tokio::test]
async fn a_persisted_query_the_executor_would_refuse_is_refused_after_it_compiled() {
    let (compiled, _executor) = apps().await;
    let token = user_token(users::OWNER);
    let query = "{ brands(first: 2) { edges { node { name } } } }";
    let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
    let send = |body: Value| {
        let request = compiled
            .http
            .post(compiled.url("/graphql"))
            .bearer_auth(&token)
            .json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let registered = send(json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })).await;
    assert!(registered["errors"].is_null(), "{registered}");
    let by_hash =
        send(json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }))
            .await;
    assert_eq!(by_hash, registered);
    assert!(compiled_count(&compiled).await >= 1);
    for refused in [
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }),
        json!({ "query": "{ viewer { user { uuid } } }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
        json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "not-hex" } } }),
    ] {
        let answer = send(refused.clone()).await;
        assert_eq!(
            crate::helpers::error_code(&answer),
            Some("BAD_USER_INPUT"),
            "{refused}: {answer}"
        );
    }
}

#[tokio::test]
async fn switched_off_nothing_is_compiled() {
    // Both apps stay alive: the first owns the database.
    let (_compiled, executor) = apps().await;
    let token = user_token(users::OWNER);
    for _ in 0..3 {
        let answer = executor
            .graphql(
                Some(&token),
                "query($id: ID!) { brand(id: $id) { name } }",
                json!({ "id": brands::AURORA }),
            )
            .await;
        assert!(answer["data"]["brand"]["name"].is_string(), "{answer}");
    }
    assert_eq!(compiled_count(&executor).await, 0);
}
