//! The number of SQL statements a query runs depends on its depth, not on its rows.

use serde_json::{Value, json};

use brandgraph::seed::{self, seed_demo};
use sea_orm::ConnectionTrait;

use crate::fixtures::brands_with_content;
use crate::helpers::{TestApp, service_token, spawn_app, spawn_app_with};

const CONTENT_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  contentItems(first: 10) { edges { node { title
    approvals { status }
    latestApproval { status approvedBy { displayName } } } } } } } } }";

const ASSET_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  mediaAssets(first: 10) { totalCount edges { node { filename
    usage(first: 5) { totalCount edges { node { usedIn usedBy { displayName } } } } } } } } } } }";

const ANALYTICS_TREE: &str = "query($n: Int) { brands(first: $n) { edges { node { name
  analyticsSummary(days: 30) { totals { reach } byPlatform { platform totals { clicks } } }
  analytics(from: \"2000-01-01\", to: \"2000-12-31\", platform: \"tiktok\") { reach } } } } }";

async fn statements_for(app: &TestApp, query: &str, brands: usize) -> (Value, u64) {
    let (response, count) = app
        .graphql_counted(Some(&service_token()), query, json!({ "n": brands }))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let edges = response["data"]["brands"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), brands);
    (response, count)
}

async fn assert_flat(query: &str, depth: u64) -> u64 {
    // The executor's statements (a compiled plan answers a document it knows in one).
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    brands_with_content(&app.db, 20, 10).await;
    let (_, two) = statements_for(&app, query, 2).await;
    let (twenty, many) = statements_for(&app, query, 20).await;
    assert_eq!(
        two, many,
        "2 brands and 20 brands run the same number of statements"
    );
    assert!(many <= depth + 1, "{many} statements for depth {depth}");
    assert!(
        !twenty.to_string().contains("null"),
        "every relation resolved: {twenty}"
    );
    many
}

#[tokio::test]
async fn the_content_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> contentItems -> approvals / latestApproval -> approvedBy
    assert_eq!(assert_flat(CONTENT_TREE, 4).await, 4);
}

#[tokio::test]
async fn the_asset_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> mediaAssets -> usage -> usedBy; each totalCount rides on its page's statement
    assert_eq!(assert_flat(ASSET_TREE, 4).await, 4);
}

#[tokio::test]
async fn the_analytics_tree_runs_the_same_few_statements_for_2_and_20_brands() {
    // brands -> analyticsSummary, analytics
    assert_eq!(assert_flat(ANALYTICS_TREE, 2).await, 3);
}

#[tokio::test]
async fn a_user_viewer_adds_exactly_one_membership_lookup() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = crate::helpers::user_token(brandgraph::seed::users::OWNER);
    let query = "{ brands { edges { node { name viewerRole contentItems(first: 3) { edges { node { title } } } } } } }";
    let (response, count) = app.graphql_counted(Some(&token), query, json!({})).await;
    assert!(response.get("errors").is_none(), "{response}");
    // memberships (once, although every brand asks for viewerRole) + brands + content pages
    assert_eq!(count, 3);
}

/// The page statement of `query` (the one reading `table` from a LATERAL subquery).
async fn page_sql(app: &TestApp, query: &str, table: &str) -> (Value, String) {
    let (response, sql) = app
        .graphql_logged(Some(&service_token()), query, json!({ "n": 3 }))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let page = sql
        .into_iter()
        .find(|s| s.contains("CROSS JOIN LATERAL") && s.contains(&format!("FROM \"{table}\"")))
        .unwrap_or_else(|| panic!("no page statement over {table}"));
    (response, page)
}

#[tokio::test]
async fn a_page_fetches_only_the_columns_its_nodes_select() {
    let app = spawn_app().await;
    brands_with_content(&app.db, 3, 10).await;
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(
            "UPDATE media_assets SET metadata = jsonb_build_object('w', 640), size_bytes = 1234",
        )
        .await
        .unwrap();

    let narrow = "query($n: Int) { brands(first: $n) { edges { node {
        mediaAssets(first: 5) { edges { node { filename sizeBytes } } } } } } }";
    let (response, sql) = page_sql(&app, narrow, "media_assets").await;
    assert!(
        sql.contains("page.\"filename\"") && sql.contains("page.\"size_bytes\""),
        "{sql}"
    );
    assert!(
        !sql.contains("page.\"metadata\"") && !sql.contains("AS \"metadata\""),
        "metadata not fetched, not even as a constant: {sql}"
    );
    assert!(!sql.contains("page.*"), "{sql}");
    let sizes: Vec<i64> = response["data"]["brands"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            b["node"]["mediaAssets"]["edges"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|e| e["node"]["sizeBytes"].as_i64().unwrap())
        .collect();
    assert!(
        !sizes.is_empty() && sizes.iter().all(|s| *s == 1234),
        "{sizes:?}"
    );

    // Asking for the JSON column (through a fragment) fetches it, with its real value.
    let wide = "query($n: Int) { brands(first: $n) { edges { node {
        mediaAssets(first: 5) { edges { node { ...Meta } } } } } } }
        fragment Meta on MediaAsset { filename metadata }";
    let (response, sql) = page_sql(&app, wide, "media_assets").await;
    assert!(sql.contains("page.\"metadata\""), "{sql}");
    let first = &response["data"]["brands"]["edges"][0]["node"]["mediaAssets"]["edges"][0];
    assert_eq!(first["node"]["metadata"], json!({ "w": 640 }), "{response}");

    // A field that is not a column of its own name falls back to every column.
    let computed = "query($n: Int) { brands(first: $n) { edges { node {
        contentItems(first: 5) { edges { node { title brand { name } approvals { status } } } } } } } }";
    let (_, sql) = page_sql(&app, computed, "content_items").await;
    assert!(
        sql.contains("page.\"brand_id\"") && !sql.contains("page.\"content\""),
        "{sql}"
    );
    let unknown = "query($n: Int) { brands(first: $n) { edges { node {
        approvals(first: 5) { edges { node { status } } } } } } }";
    let (_, sql) = page_sql(&app, unknown, "post_approvals").await;
    assert!(
        sql.contains("page.*"),
        "relations that did not opt in fetch whole rows: {sql}"
    );
}

/// The statement of `query` that reads `post_approvals` by post.
async fn approvals_sql(app: &TestApp, query: &str) -> (Value, String) {
    let (response, sql) = app
        .graphql_logged(Some(&service_token()), query, json!({ "n": 3 }))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let mut statements = sql
        .into_iter()
        .filter(|s| s.contains("FROM \"post_approvals\"") && s.contains("ANY("));
    let statement = statements
        .next()
        .expect("a statement reading approvals by post");
    assert!(statements.next().is_none(), "approvals in one statement");
    (response, statement)
}

/// Every item's approvals of a response, as `field` of each round.
fn rounds(response: &Value, list: &str, field: &str) -> Vec<Value> {
    response["data"]["brands"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            b["node"]["contentItems"]["edges"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|item| match &item["node"][list] {
            Value::Array(rounds) => Value::Array(rounds.iter().map(|r| r[field].clone()).collect()),
            round => round[field].clone(),
        })
        .collect()
}

#[tokio::test]
async fn approvals_fetch_only_the_columns_their_selections_read() {
    let app = spawn_app().await;
    brands_with_content(&app.db, 3, 4).await;
    // A second, rejected round on every item, so order and nullable columns are exercised.
    app.db
        .execute_unprepared(
            "INSERT INTO post_approvals (brand_id, post_id, status, rejection_reason, created_at)
             SELECT brand_id, id, 'rejected', 'off-brand ' || title, now() + interval '1 hour'
               FROM content_items",
        )
        .await
        .unwrap();

    let narrow = "query($n: Int) { brands(first: $n) { edges { node {
        contentItems(first: 4) { edges { node { title
          approvals { status }
          latestApproval { rejectionReason approvedBy { displayName } } } } } } } } }";
    let (narrowed, sql) = approvals_sql(&app, narrow).await;
    for read in ["status", "rejection_reason", "approved_by", "post_id"] {
        assert!(sql.contains(&format!("\"{read}\"")), "{read} read: {sql}");
    }
    for unread in ["approved_at", "rejected_by", "locked", "updated_at"] {
        assert!(
            !sql.contains(&format!("\"{unread}\"")),
            "{unread} not read: {sql}"
        );
    }

    // Every field of a round selected: every column fetched, the same values.
    let wide = "query($n: Int) { brands(first: $n) { edges { node {
        contentItems(first: 4) { edges { node { title
          approvals { uuid status approvedAt approvedBy { displayName } rejectedAt rejectedBy { displayName }
                      rejectionReason locked createdAt updatedAt post { title } }
          latestApproval { uuid status rejectionReason approvedBy { displayName } } } } } } } } }";
    let (full, sql) = approvals_sql(&app, wide).await;
    assert!(
        sql.contains("\"rejected_by\"") && sql.contains("\"locked\""),
        "{sql}"
    );

    let statuses = rounds(&narrowed, "approvals", "status");
    assert_eq!(statuses.len(), 12, "{narrowed}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == json!(["REJECTED", "APPROVED"])),
        "newest first: {statuses:?}"
    );
    assert_eq!(statuses, rounds(&full, "approvals", "status"));
    for field in ["rejectionReason", "approvedBy"] {
        assert_eq!(
            rounds(&narrowed, "latestApproval", field),
            rounds(&full, "latestApproval", field),
            "{field}"
        );
    }
    let reasons = rounds(&narrowed, "latestApproval", "rejectionReason");
    assert!(
        reasons
            .iter()
            .all(|r| r.as_str().is_some_and(|r| r.starts_with("off-brand "))),
        "{reasons:?}"
    );
}

const ASSETS_PAGE: &str = "mediaAssets(first: 4, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } edges { cursor node { filename sizeBytes } } }";

const CONTENT_PAGE: &str =
    "contentItems(first: 3, after: $after, filter: { status: APPROVED }, orderBy: CREATED_AT_ASC) {
  pageInfo { hasNextPage } edges { cursor node { title status } } }";

/// `brand(id)` selecting its name and `page` once.
fn brand_with(page: &str) -> String {
    format!("query($id: ID!, $after: String) {{ brand(id: $id) {{ name slug {page} }} }}")
}

/// The same `page` twice under aliases: the brand resolver does not fetch ahead for a field
/// selected twice, so this is the two-statement path (brand, then the page loader).
fn brand_with_twice(page: &str) -> String {
    format!(
        "query($id: ID!, $after: String) {{ brand(id: $id) {{ name slug a: {page} b: {page} }} }}"
    )
}

async fn counted(app: &TestApp, query: &str, variables: Value) -> (Value, u64) {
    let (response, count) = app
        .graphql_counted(Some(&service_token()), query, variables)
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    (response["data"]["brand"].clone(), count)
}

#[tokio::test]
async fn a_brand_and_the_page_its_selection_starts_with_are_one_statement() {
    // The executor's own prefetch is counted here; a compiled plan (learned after the first
    // page) would answer both documents in one statement.
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    let brands = brands_with_content(&app.db, 2, 10).await;
    let id = brands[0].to_string();

    let mut after = Value::Null;
    for page in 0..3 {
        let variables = json!({ "id": id, "after": after });
        let (one, statements) = counted(&app, &brand_with(ASSETS_PAGE), variables.clone()).await;
        assert_eq!(
            statements, 1,
            "page {page}: the brand and its assets in one statement"
        );
        let (two, statements) = counted(&app, &brand_with_twice(ASSETS_PAGE), variables).await;
        assert_eq!(
            statements, 2,
            "page {page}: the brand, then the page loader"
        );
        assert_eq!(one["name"], two["name"]);
        assert_eq!(
            one["mediaAssets"], two["a"],
            "page {page}: the same answer both ways"
        );
        assert_eq!(one["mediaAssets"], two["b"]);
        assert_eq!(one["mediaAssets"]["totalCount"], 10);
        let edges = one["mediaAssets"]["edges"].as_array().unwrap().len();
        assert_eq!(edges, [4, 4, 2][page], "page {page}");
        assert_eq!(one["mediaAssets"]["pageInfo"]["hasNextPage"], page < 2);
        after = one["mediaAssets"]["pageInfo"]["endCursor"].clone();
    }

    let (one, statements) = counted(&app, &brand_with(CONTENT_PAGE), json!({ "id": id })).await;
    assert_eq!(statements, 1);
    let (two, _) = counted(&app, &brand_with_twice(CONTENT_PAGE), json!({ "id": id })).await;
    assert_eq!(one["contentItems"], two["a"]);
    let titles: Vec<_> = one["contentItems"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["title"].as_str().unwrap().to_string())
        .collect();
    // Oldest first: the fixture's item n was created n minutes ago.
    assert_eq!(titles.len(), 3);
    for (title, n) in titles.iter().zip([10, 9, 8]) {
        assert!(title.ends_with(&format!(" item {n}")), "{titles:?}");
    }

    let tenant = app
        .scalar(&format!(
            "SELECT tenant_id::text FROM brands WHERE id = '{id}'"
        ))
        .await;
    let slug = one["slug"].as_str().unwrap();
    let by_slug =
        "query($tenant: UUID!, $slug: String!) { brandBySlug(tenantId: $tenant, slug: $slug) {
      mediaAssets(first: 2) { totalCount edges { node { filename } } } } }";
    let (response, statements) = app
        .graphql_counted(
            Some(&service_token()),
            by_slug,
            json!({ "tenant": tenant, "slug": slug }),
        )
        .await;
    assert_eq!(statements, 1, "{response}");
    assert_eq!(
        response["data"]["brandBySlug"]["mediaAssets"]["totalCount"],
        10
    );
}

/// `last`/`before` pages read backward in the same statements as forward ones.
const BACKWARD_TREE: &str = "query($n: Int!) { brands(last: $n) { edges { node { name
  contentItems(last: 10, orderBy: CREATED_AT_ASC) { totalCount pageInfo { hasPreviousPage }
    edges { node { title approvals { status } } } } } } } }";

const ASSETS_BACK: &str = "mediaAssets(last: 4, before: $after) { totalCount
  pageInfo { hasPreviousPage startCursor } edges { cursor node { filename sizeBytes } } }";

#[tokio::test]
async fn backward_pages_cost_one_statement_per_level_and_a_brand_with_its_page_one() {
    let app = spawn_app_with(|config| config.graphql.compiled_queries = false).await;
    let brands = brands_with_content(&app.db, 20, 10).await;
    let (_, two) = statements_for(&app, BACKWARD_TREE, 2).await;
    let (twenty, many) = statements_for(&app, BACKWARD_TREE, 20).await;
    // brands -> contentItems (with its count) -> approvals
    assert_eq!((two, many), (3, 3), "{twenty}");
    let page = &twenty["data"]["brands"]["edges"][19]["node"]["contentItems"];
    assert_eq!(page["totalCount"], 10);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);

    let id = brands[0].to_string();
    let mut before = Value::Null;
    for page in 0..3 {
        let variables = json!({ "id": id, "after": before });
        let (one, statements) = counted(&app, &brand_with(ASSETS_BACK), variables.clone()).await;
        assert_eq!(
            statements, 1,
            "page {page}: the brand and its assets in one statement"
        );
        let (two, statements) = counted(&app, &brand_with_twice(ASSETS_BACK), variables).await;
        assert_eq!(
            statements, 2,
            "page {page}: the brand, then the page loader"
        );
        assert_eq!(
            one["mediaAssets"], two["a"],
            "page {page}: the same answer both ways"
        );
        let edges = one["mediaAssets"]["edges"].as_array().unwrap().len();
        assert_eq!(edges, [4, 4, 2][page], "page {page}");
        assert_eq!(one["mediaAssets"]["pageInfo"]["hasPreviousPage"], page < 2);
        before = one["mediaAssets"]["pageInfo"]["startCursor"].clone();
    }
}

#[tokio::test]
async fn a_brand_without_children_or_out_of_sight_stays_one_statement() {
    let app = spawn_app().await;
    let empty = brands_with_content(&app.db, 1, 0).await[0].to_string();
    let missing = uuid::Uuid::new_v4().to_string();
    let query = brand_with(ASSETS_PAGE);
    let [(brand, statements), (nothing, statements_missing)] = [
        counted(&app, &query, json!({ "id": empty })).await,
        counted(&app, &query, json!({ "id": missing })).await,
    ];
    assert_eq!((statements, statements_missing), (1, 1));
    assert_eq!(brand["name"], "Fixture 001");
    assert_eq!(brand["mediaAssets"]["totalCount"], 0);
    assert_eq!(brand["mediaAssets"]["edges"], json!([]));
    assert_eq!(brand["mediaAssets"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(nothing, Value::Null);

    // Another tenant's user: the brand is out of sight, its assets are not fetched.
    app.seed_demo().await;
    let outsider = crate::helpers::user_token(brandgraph::seed::users::OUTSIDER);
    let response = app
        .graphql(Some(&outsider), &query, json!({ "id": empty }))
        .await;
    assert_eq!(response["data"]["brand"], Value::Null, "{response}");
}

const METRIC_ROWS: &str =
    "analytics(from: $from, to: $to, platform: \"instagram\") { date platform reach raw }";

const SUMMARY: &str = "analyticsSummary { days totals { reach clicks followers rows }
  byPlatform { platform totals { reach rows } } }";

/// `brand(id)` selecting its name and the analytics field `field` once, or twice under
/// aliases (the two-statement path: the brand, then the field's loader).
fn brand_with_analytics(field: &str, twice: bool) -> String {
    let fields = if twice {
        format!("a: {field} b: {field}")
    } else {
        field.to_string()
    };
    let variables = if field.contains("$from") {
        "$id: ID!, $from: NaiveDate!, $to: NaiveDate!"
    } else {
        "$id: ID!"
    };
    format!("query({variables}) {{ brand(id: $id) {{ name {fields} }} }}")
}

#[tokio::test]
async fn a_brand_and_its_analytics_are_one_statement() {
    let app = spawn_app().await;
    let today = chrono::Utc::now().date_naive();
    seed_demo(&app.db, today).await.unwrap();
    let variables = json!({
        "id": seed::brands::AURORA,
        "from": today - chrono::Days::new(29),
        "to": today,
    });
    for (field, name) in [(METRIC_ROWS, "analytics"), (SUMMARY, "analyticsSummary")] {
        let (one, statements) =
            counted(&app, &brand_with_analytics(field, false), variables.clone()).await;
        assert_eq!(statements, 1, "the brand and its {name} in one statement");
        let (two, statements) =
            counted(&app, &brand_with_analytics(field, true), variables.clone()).await;
        assert_eq!(statements, 2, "{name}: the brand, then the loader");
        assert_eq!(one["name"], two["name"]);
        assert_eq!(one[name], two["a"], "{name}: the same answer both ways");
        assert_eq!(one[name], two["b"]);
    }

    let (rows, _) = counted(
        &app,
        &brand_with_analytics(METRIC_ROWS, false),
        variables.clone(),
    )
    .await;
    let rows = rows["analytics"].as_array().unwrap();
    assert_eq!(rows.len(), 30, "one instagram row a day");
    let dates: Vec<_> = rows
        .iter()
        .map(|row| row["date"].as_str().unwrap())
        .collect();
    assert!(dates.is_sorted(), "oldest first: {dates:?}");
    assert!(rows.iter().all(|row| row["platform"] == "instagram"));

    let (summary, _) = counted(&app, &brand_with_analytics(SUMMARY, false), variables).await;
    let summary = &summary["analyticsSummary"];
    assert_eq!(summary["days"], 30, "the default window");
    assert_eq!(summary["totals"]["rows"], 4 * 30, "four platforms a day");
    let platforms: Vec<_> = summary["byPlatform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms.len(), 4);
    assert!(platforms.is_sorted(), "{platforms:?}");
}

#[tokio::test]
async fn a_brand_without_analytics_or_out_of_sight_stays_one_statement() {
    let app = spawn_app().await;
    let today = chrono::Utc::now().date_naive();
    seed_demo(&app.db, today).await.unwrap();
    let quiet = brands_with_content(&app.db, 1, 0).await[0].to_string();
    app.db
        .execute_unprepared(&format!(
            "DELETE FROM analytics_metrics WHERE brand_id = '{quiet}';
             DELETE FROM analytics_daily_rollups WHERE brand_id = '{quiet}';"
        ))
        .await
        .unwrap();
    let missing = uuid::Uuid::new_v4().to_string();
    let variables = |id: &str| json!({ "id": id, "from": today, "to": today });
    let both = format!("{METRIC_ROWS} {SUMMARY}");
    for field in [METRIC_ROWS, SUMMARY] {
        let query = brand_with_analytics(field, false);
        let [(brand, statements), (nothing, statements_missing)] = [
            counted(&app, &query, variables(&quiet)).await,
            counted(&app, &query, variables(&missing)).await,
        ];
        assert_eq!((statements, statements_missing), (1, 1), "{field}");
        assert_eq!(brand["name"], "Fixture 001");
        assert_eq!(nothing, Value::Null);
        if field == METRIC_ROWS {
            assert_eq!(brand["analytics"], json!([]));
        } else {
            assert_eq!(brand["analyticsSummary"]["totals"]["rows"], 0);
            assert_eq!(brand["analyticsSummary"]["byPlatform"], json!([]));
        }

        // Another tenant's user: the brand is out of sight, its analytics are not read.
        let outsider = crate::helpers::user_token(seed::users::OUTSIDER);
        let variables = variables(&seed::brands::AURORA.to_string());
        let response = app.graphql(Some(&outsider), &query, variables).await;
        assert_eq!(response["data"]["brand"], Value::Null, "{response}");
    }

    // Both analytics fields: the first is fetched ahead, the second by its loader.
    let (brand, statements) =
        counted(&app, &brand_with_analytics(&both, false), variables(&quiet)).await;
    assert_eq!(statements, 2, "{brand}");
}
