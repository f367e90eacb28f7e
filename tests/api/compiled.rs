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

/// Canonical JSON: keys sorted (serde_json's map is ordered by key).
fn canonical(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {body}"))
        .to_string()
}

async fn compiled_count(app: &TestApp) -> u64 {
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
    ] {
        app.db
            .execute_unprepared(sql)
            .await
            .expect("vary the demo data");
    }
}

/// Runs `documents` on both apps for every role and compares; returns how many answers
/// the compiled app gave from a plan.
async fn compare(compiled: &TestApp, executor: &TestApp, documents: &[(String, Value)]) -> u64 {
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

async fn apps() -> (TestApp, TestApp) {
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

    // A compiled cursor continues on the executor (`after` is not compiled yet).
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

/// A random document over the described fields of `Brand`, with aliases, fragments and
/// several roots, and the variables it needs.
fn random_document(rng: &mut StdRng) -> (String, Value) {
    let ids = [
        brands::AURORA,
        brands::BOREALIS,
        brands::CASCADE,
        brands::DRIFTWOOD,
        Uuid::from_u128(0xdead_beef),
    ];
    let mut fragments = Vec::new();
    let mut roots = Vec::new();
    let mut variables = serde_json::Map::new();
    let mut declared = Vec::new();
    let root_count = rng.random_range(1..=3);
    for r in 0..root_count {
        let mut fields: Vec<&str> = BRAND_FIELDS.to_vec();
        fields.shuffle(rng);
        fields.truncate(rng.random_range(1..=BRAND_FIELDS.len()));
        let mut selection: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                // At most five aliases a root: the gateway refuses more than 30 a document.
                if i < 5 && rng.random_bool(0.3) {
                    format!("k{r}_{i}: {field}")
                } else {
                    field.to_string()
                }
            })
            .collect();
        if selection.len() > 1 && rng.random_bool(0.3) {
            let split = rng.random_range(1..selection.len());
            let moved = selection.split_off(split).join(" ");
            if rng.random_bool(0.5) {
                fragments.push(format!("fragment F{r} on Brand {{ {moved} }}"));
                selection.push(format!("...F{r}"));
            } else {
                selection.push(format!("... on Brand {{ {moved} }}"));
            }
        }
        if rng.random_bool(0.3) {
            selection.push(random_assets(rng));
        }
        if rng.random_bool(0.3) {
            selection.push(random_content(rng));
        }
        let brand = *ids.choose(rng).unwrap();
        let id = if rng.random_bool(0.5) {
            encode(NodeKind::Brand, brand).0
        } else {
            brand.to_string()
        };
        let argument = if rng.random_bool(0.6) {
            declared.push(format!("$id{r}: ID!"));
            variables.insert(format!("id{r}"), Value::String(id));
            format!("$id{r}")
        } else {
            format!("\"{id}\"")
        };
        roots.push(format!(
            "r{r}: brand(id: {argument}) {{ {} }}",
            selection.join(" ")
        ));
    }
    if rng.random_bool(0.3) {
        roots.push(random_connection(rng, &mut declared, &mut variables));
    }
    if rng.random_bool(0.2) {
        roots.push("__typename".into());
    }
    let header = if declared.is_empty() {
        "query".to_string()
    } else {
        format!("query({})", declared.join(", "))
    };
    let document = format!("{header} {{ {} }} {}", roots.join(" "), fragments.join(" "));
    (document, Value::Object(variables))
}

/// A random `mediaAssets` page selection (inside a brand).
fn random_assets(rng: &mut StdRng) -> String {
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
    let count = rng.random_range(1..=5);
    let node: Vec<&str> = ASSET_FIELDS.choose_multiple(rng, count).copied().collect();
    let first = if rng.random_bool(0.7) {
        format!("(first: {})", rng.random_range(0..=4))
    } else {
        String::new()
    };
    let mut parts = vec![format!("edges {{ cursor node {{ {} }} }}", node.join(" "))];
    if rng.random_bool(0.5) {
        parts.push("pageInfo { hasNextPage endCursor startCursor }".into());
    }
    if rng.random_bool(0.5) {
        parts.push("totalCount".into());
    }
    if rng.random_bool(0.3) {
        parts.push(format!("nodes {{ {} }}", node.join(" ")));
    }
    parts.shuffle(rng);
    format!("mediaAssets{first} {{ {} }}", parts.join(" "))
}

/// A random `contentItems` page selection (inside a brand), approvals included at times.
fn random_content(rng: &mut StdRng) -> String {
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
    let count = rng.random_range(1..=5);
    let mut node: Vec<String> = CONTENT_FIELDS
        .choose_multiple(rng, count)
        .map(|f| f.to_string())
        .collect();
    if rng.random_bool(0.5) {
        let count = rng.random_range(1..=4);
        let approval: Vec<&str> = APPROVAL_FIELDS
            .choose_multiple(rng, count)
            .copied()
            .collect();
        node.push(format!("approvals {{ {} }}", approval.join(" ")));
    }
    let first = format!("(first: {})", rng.random_range(0..=6));
    let mut parts = vec![format!("edges {{ cursor node {{ {} }} }}", node.join(" "))];
    if rng.random_bool(0.5) {
        parts.push("pageInfo { hasNextPage endCursor }".into());
    }
    if rng.random_bool(0.4) {
        parts.push("totalCount".into());
    }
    format!("contentItems{first} {{ {} }}", parts.join(" "))
}

/// A random `brands` connection selection.
fn random_connection(
    rng: &mut StdRng,
    declared: &mut Vec<String>,
    variables: &mut serde_json::Map<String, Value>,
) -> String {
    let mut arguments = Vec::new();
    if rng.random_bool(0.7) {
        let first = rng.random_range(0..=5);
        if rng.random_bool(0.5) {
            declared.push("$first: Int".into());
            variables.insert("first".into(), json!(first));
            arguments.push("first: $first".to_string());
        } else {
            arguments.push(format!("first: {first}"));
        }
    }
    if rng.random_bool(0.5) {
        let order = ["NAME_ASC", "CREATED_AT_DESC"].choose(rng).unwrap();
        arguments.push(format!("orderBy: {order}"));
    }
    let count = rng.random_range(1..=4);
    let node: Vec<&str> = BRAND_FIELDS.choose_multiple(rng, count).copied().collect();
    let mut parts = Vec::new();
    if rng.random_bool(0.6) {
        let cursor = if rng.random_bool(0.5) { "cursor " } else { "" };
        parts.push(format!("edges {{ {cursor}node {{ {} }} }}", node.join(" ")));
    }
    if rng.random_bool(0.3) {
        parts.push(format!("nodes {{ {} }}", node.join(" ")));
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
    format!("list: brands{arguments} {{ {} }}", parts.join(" "))
}

#[tokio::test]
async fn random_documents_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let count = if std::env::var("BRANDGRAPH_FULL_DIFFERENTIAL").is_ok_and(|v| v == "1") {
        2000
    } else {
        200
    };
    let mut rng = StdRng::seed_from_u64(27);
    let mut documents: Vec<(String, Value)> = Vec::new();
    while documents.len() < count {
        let document = random_document(&mut rng);
        if !documents.contains(&document) {
            documents.push(document);
        }
    }
    let planned = compare(&compiled, &executor, &documents).await;
    // Every generated document compiles; only the anonymous caller's answers are the
    // executor's (UNAUTHENTICATED). A text generated again with other variables is
    // planned already, so its first request is compiled too.
    let texts: std::collections::HashSet<&String> =
        documents.iter().map(|(text, _)| text).collect();
    let repeated = (documents.len() - texts.len()) as u64;
    assert_eq!(planned, count as u64 * 7 + repeated);
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
