//! Compiled plans with filters and `orderBy` from variables (issue 27), as clients such as
//! Apollo and urql send them: each filter field from a variable, the whole filter input
//! from one, and the order from an enum variable. Answers and errors must be the
//! executor's for every persona; values the executor refuses (an unknown enum value, a
//! wrong type, an unknown or undescribed input field, a cursor of another order) go to it.

use brandgraph::seed::{brands, users};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::compiled::{Cursors, apps, compare, compiled_count};
use crate::helpers::{error_code, user_token};

/// Documents and whether each request is answered from a plan (for the seven signed-in
/// personas; anonymous callers always get the executor's `UNAUTHENTICATED`).
#[derive(Default)]
struct Corpus {
    documents: Vec<(String, Value)>,
    compiles: Vec<bool>,
}

impl Corpus {
    fn add(&mut self, query: &str, variables: Value, compiles: bool) {
        self.documents.push((query.to_string(), variables));
        self.compiles.push(compiles);
    }

    /// The answers `compare` should count as compiled: seven per compiling request, and
    /// the owner's first request of a text already planned.
    fn expected(&self) -> u64 {
        let mut seen = std::collections::HashSet::new();
        let mut expected = 0;
        for ((text, _), compiles) in self.documents.iter().zip(&self.compiles) {
            let again = !seen.insert(text);
            if *compiles {
                expected += 7 + u64::from(again);
            }
        }
        expected
    }
}

const PAGE: &str = "totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor }";

#[tokio::test]
async fn variable_filters_and_orders_answer_alike_on_both_paths_for_every_role() {
    let (compiled, executor) = apps().await;
    let cursors = Cursors::from(&executor).await;
    let aurora = brands::AURORA;
    let mut corpus = Corpus::default();

    // brands: the order from a variable, with cursors of either order (a literal one
    // too), and values the executor refuses.
    let query = format!(
        "query($o: BrandOrder, $a: String, $n: Int) {{ brands(first: $n, after: $a, orderBy: $o) {{ {PAGE} edges {{ cursor node {{ name }} }} }} }}"
    );
    for (order, mine, other) in [
        (
            json!("NAME_ASC"),
            &cursors.brands_by_name,
            &cursors.brands_newest,
        ),
        (
            json!("CREATED_AT_DESC"),
            &cursors.brands_newest,
            &cursors.brands_by_name,
        ),
        (Value::Null, &cursors.brands_by_name, &cursors.brands_newest),
    ] {
        corpus.add(&query, json!({ "o": order, "n": 2 }), true);
        for cursor in mine.iter().take(3) {
            corpus.add(&query, json!({ "o": order, "a": cursor, "n": 2 }), true);
        }
        corpus.add(&query, json!({ "o": order, "a": other[1] }), false);
        corpus.add(
            &query,
            json!({ "o": order, "a": cursors.refused[0] }),
            false,
        );
    }
    corpus.add(&query, json!({ "n": 3 }), true);
    for refused in [
        json!("NOPE"),
        json!("name_asc"),
        json!(1),
        json!(["NAME_ASC"]),
    ] {
        corpus.add(&query, json!({ "o": refused }), false);
    }
    let literal = format!(
        "query($o: BrandOrder!) {{ brands(first: 2, orderBy: $o, after: {}) {{ {PAGE} edges {{ cursor }} }} }}",
        json!(cursors.brands_by_name[0])
    );
    corpus.add(&literal, json!({ "o": "NAME_ASC" }), true);
    corpus.add(&literal, json!({ "o": "CREATED_AT_DESC" }), false);
    corpus.add(&literal, json!({}), false);

    // brands: filter fields from variables, and the whole filter from one.
    let tenant = brandgraph::seed::DEMO_TENANT.to_string();
    let fields = "query($t: UUID, $n: String) { brands(first: 3, filter: { tenantId: $t, nameContains: $n }) { totalCount nodes { name } } }";
    let whole =
        "query($f: BrandFilter) { brands(first: 3, filter: $f) { totalCount nodes { name } } }";
    for (t, n) in [
        (json!(tenant), json!("or")),
        (json!(Uuid::from_u128(9).to_string()), Value::Null),
        (Value::Null, json!("%")),
        (Value::Null, json!("\\")),
        (Value::Null, json!("\"North\"")),
        (json!(tenant.to_uppercase()), json!("_")),
    ] {
        corpus.add(fields, json!({ "t": t, "n": n }), true);
        corpus.add(
            whole,
            json!({ "f": { "tenantId": t, "nameContains": n } }),
            true,
        );
    }
    corpus.add(fields, json!({}), true);
    corpus.add(whole, json!({}), true);
    corpus.add(whole, json!({ "f": null }), true);
    corpus.add(whole, json!({ "f": {} }), true);
    for (t, n) in [(json!("not a uuid"), Value::Null), (Value::Null, json!(5))] {
        corpus.add(fields, json!({ "t": t, "n": n }), false);
        corpus.add(
            whole,
            json!({ "f": { "tenantId": t, "nameContains": n } }),
            false,
        );
    }
    corpus.add(whole, json!({ "f": { "nope": 1 } }), false);
    corpus.add(whole, json!({ "f": "nameContains" }), false);

    // contentItems: order, cursor and filter fields all from variables.
    let query = format!(
        "query($id: ID!, $o: ContentOrder!, $a: String, $s: ContentStatus, $p: String) {{ brand(id: $id) {{
           contentItems(first: 3, after: $a, orderBy: $o, filter: {{ status: $s, platform: $p }}) {{ {PAGE} edges {{ cursor node {{ title status platform updatedAt }} }} }} }} }}"
    );
    for order in ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC"] {
        let (mine, other) = if order == "UPDATED_AT_DESC" {
            (&cursors.content_updated, &cursors.content_created)
        } else {
            (&cursors.content_created, &cursors.content_updated)
        };
        for (s, p) in [
            (Value::Null, Value::Null),
            (json!("PUBLISHED"), Value::Null),
            (json!("DRAFT"), json!("instagram")),
            (Value::Null, json!("nowhere")),
        ] {
            let variables = json!({ "id": aurora, "o": order, "s": s, "p": p });
            corpus.add(&query, variables, true);
        }
        for cursor in mine.iter().step_by(6) {
            let variables = json!({ "id": aurora, "o": order, "a": cursor });
            corpus.add(&query, variables, true);
        }
        corpus.add(
            &query,
            json!({ "id": aurora, "o": order, "a": other[2] }),
            false,
        );
        corpus.add(
            &query,
            json!({ "id": aurora, "o": order, "s": "NOPE" }),
            false,
        );
    }
    corpus.add(&query, json!({ "id": aurora }), false);
    corpus.add(&query, json!({ "id": aurora, "o": "SCORE_DESC" }), false);
    corpus.add(
        &query,
        json!({ "id": aurora, "o": "CREATED_AT_DESC", "s": 3 }),
        false,
    );
    corpus.add(
        &query,
        json!({ "id": aurora, "o": "CREATED_AT_DESC", "p": ["instagram"] }),
        false,
    );
    let whole = "query($id: ID!, $f: ContentItemFilter) { brand(id: $id) { contentItems(first: 4, filter: $f) { totalCount nodes { title status } } } }";
    for filter in [
        json!({ "status": "PENDING_REVIEW", "type": "post" }),
        json!({ "type": "blog", "status": null, "platform": null }),
        json!({ "platform": "tiktok" }),
    ] {
        corpus.add(whole, json!({ "id": aurora, "f": filter }), true);
    }
    for filter in [
        json!({ "scheduledFrom": "2026-01-01T00:00:00Z" }),
        json!({ "scheduledTo": null }),
        json!({ "status": "published" }),
        json!({ "kind": "post" }),
    ] {
        corpus.add(whole, json!({ "id": aurora, "f": filter }), false);
    }

    // mediaAssets and campaigns: fields from variables beside literal ones, and whole.
    let assets = "query($s: AssetStatus, $m: String) { brands { nodes { mediaAssets(first: 5, filter: { status: $s, mimeType: $m, category: \"images\" }) { totalCount edges { cursor node { filename } } } } } }";
    for (s, m) in [
        (json!("ACTIVE"), Value::Null),
        (json!("ARCHIVED"), json!("image/png")),
        (Value::Null, json!("video/mp4")),
    ] {
        corpus.add(assets, json!({ "s": s, "m": m }), true);
    }
    corpus.add(assets, json!({ "s": "GONE" }), false);
    let assets = "query($f: MediaAssetFilter) { brands { nodes { mediaAssets(first: 5, filter: $f) { totalCount nodes { filename } } } } }";
    corpus.add(
        assets,
        json!({ "f": { "category": "videos", "status": "ACTIVE" } }),
        true,
    );
    corpus.add(assets, json!({ "f": { "mimeType": 7 } }), false);
    let campaigns = "query($id: ID!, $s: CampaignStatus, $t: CampaignType, $f: CampaignFilter) { brand(id: $id) {
        a: campaigns(filter: { status: $s, type: $t }) { totalCount nodes { name status type } }
        b: campaigns(first: 2, filter: $f) { totalCount edges { cursor node { name } } } } }";
    for (s, t, f) in [
        (json!("ACTIVE"), Value::Null, json!({ "type": "EMAIL" })),
        (
            Value::Null,
            json!("PRODUCT_LAUNCH"),
            json!({ "status": "DRAFT" }),
        ),
        (json!("PAUSED"), json!("EVENT"), Value::Null),
    ] {
        corpus.add(
            campaigns,
            json!({ "id": aurora, "s": s, "t": t, "f": f }),
            true,
        );
    }
    corpus.add(
        campaigns,
        json!({ "id": aurora, "f": { "startsAfter": "2026-01-01T00:00:00Z" } }),
        false,
    );
    corpus.add(campaigns, json!({ "id": aurora, "t": "WEBINARS" }), false);

    // leads: order and whole filter from variables.
    let leads = format!(
        "query($id: ID!, $o: LeadOrder, $a: String, $f: LeadFilter) {{ brand(id: $id) {{
           leads(first: 3, after: $a, orderBy: $o, filter: $f) {{ {PAGE} edges {{ cursor node {{ name score status source }} }} }} }} }}"
    );
    for filter in [
        Value::Null,
        json!({}),
        json!({ "minScore": 40 }),
        json!({ "status": "NEW", "source": "website" }),
        json!({ "minScore": null, "status": "QUALIFIED" }),
    ] {
        for order in [json!("SCORE_DESC"), json!("CREATED_AT_DESC"), Value::Null] {
            let variables = json!({ "id": aurora, "o": order, "f": filter });
            corpus.add(&leads, variables, true);
        }
    }
    for cursor in cursors.leads_by_score.iter().take(3) {
        let variables = json!({ "id": aurora, "o": "SCORE_DESC", "a": cursor });
        corpus.add(&leads, variables, true);
        corpus.add(&leads, json!({ "id": aurora, "a": cursor }), false);
    }
    for cursor in cursors.leads.iter().take(2) {
        corpus.add(&leads, json!({ "id": aurora, "a": cursor }), true);
        let variables = json!({ "id": aurora, "o": "SCORE_DESC", "a": cursor });
        corpus.add(&leads, variables, false);
    }
    for filter in [
        json!({ "status": "NOPE" }),
        json!({ "minScore": "40" }),
        json!({ "minScore": 2_147_483_648_i64 }),
        json!({ "minScore": 4.5 }),
        json!({ "tag": "vip" }),
        json!({ "bogus": true }),
    ] {
        corpus.add(&leads, json!({ "id": aurora, "f": filter }), false);
    }

    // The email lists' filters, one field from a variable and whole.
    let email = "query($id: ID!, $s: EmailCampaignStatus, $c: SubscriptionStatus, $f: EmailContactFilter) { brand(id: $id) {
        emailCampaigns(filter: { status: $s }) { totalCount nodes { name status } }
        emailContacts(first: 4, filter: $f) { totalCount nodes { subscriptionStatus } }
        c: emailContacts(filter: { subscriptionStatus: $c }) { totalCount } } }";
    for (s, c, f) in [
        (
            json!("SENT"),
            json!("UNSUBSCRIBED"),
            json!({ "subscriptionStatus": "SUBSCRIBED" }),
        ),
        (Value::Null, json!("BOUNCED"), Value::Null),
        (json!("DRAFT"), Value::Null, json!({})),
    ] {
        corpus.add(email, json!({ "id": aurora, "s": s, "c": c, "f": f }), true);
    }
    corpus.add(
        email,
        json!({ "id": aurora, "f": { "tag": "loyalty" } }),
        false,
    );
    corpus.add(email, json!({ "id": aurora, "s": "SENDING_NOW" }), false);

    let expected = corpus.expected();
    let planned = compare(&compiled, &executor, &corpus.documents).await;
    assert_eq!(
        planned,
        expected,
        "answers from plans ({} documents, {} compiling)",
        corpus.documents.len(),
        corpus.compiles.iter().filter(|c| **c).count()
    );
}

#[tokio::test]
async fn a_document_with_variable_filters_and_order_is_answered_by_one_planned_statement() {
    let (compiled, _executor) = apps().await;
    let token = user_token(users::MEMBER);
    let query = "query($id: ID!, $o: ContentOrder, $s: ContentStatus, $f: LeadFilter) { brand(id: $id) {
        contentItems(first: 5, orderBy: $o, filter: { status: $s }) { totalCount edges { cursor node { title } } }
        leads(filter: $f) { totalCount nodes { name } } } }";
    let variables = json!({ "id": brands::AURORA, "o": "UPDATED_AT_DESC", "s": "PUBLISHED", "f": { "minScore": 10 } });
    // The first request of a document runs on the executor, which validates it.
    let first = compiled
        .graphql(Some(&token), query, variables.clone())
        .await;
    assert!(first["errors"].is_null(), "{first}");
    let before = compiled_count(&compiled).await;
    let (answer, statements) = compiled
        .graphql_counted(Some(&token), query, variables)
        .await;
    assert_eq!(statements, 1, "{answer}");
    assert_eq!(compiled_count(&compiled).await, before + 1);
    assert_eq!(answer, first);
    let items = answer["data"]["brand"]["contentItems"]["totalCount"]
        .as_i64()
        .unwrap();
    assert!(items > 0, "{answer}");
}

#[tokio::test]
async fn a_bad_enum_value_in_a_variable_gets_the_executors_error() {
    let (compiled, executor) = apps().await;
    let token = user_token(users::OWNER);
    let query = "query($id: ID!, $s: ContentStatus, $o: ContentOrder) { brand(id: $id) { contentItems(orderBy: $o, filter: { status: $s }) { totalCount } } }";
    let good = json!({ "id": brands::AURORA, "s": "DRAFT" });
    compiled.graphql(Some(&token), query, good.clone()).await;
    let before = compiled_count(&compiled).await;
    compiled.graphql(Some(&token), query, good).await;
    assert_eq!(compiled_count(&compiled).await, before + 1, "planned");
    for bad in [
        json!({ "id": brands::AURORA, "s": "NOT_A_STATUS" }),
        json!({ "id": brands::AURORA, "o": "SIDEWAYS" }),
    ] {
        let before = compiled_count(&compiled).await;
        let answer = compiled.graphql(Some(&token), query, bad.clone()).await;
        let expected = executor.graphql(Some(&token), query, bad.clone()).await;
        assert_eq!(answer, expected, "{bad}");
        assert!(error_code(&answer).is_some(), "{answer}");
        assert!(answer["data"].is_null(), "{answer}");
        assert_eq!(compiled_count(&compiled).await, before, "{bad}");
    }
}

/// The executor coerces every declared variable, also one used only under a literal
/// `@skip`: a plan checks it per request all the same.
#[tokio::test]
async fn a_variable_under_a_literal_skip_is_still_checked_as_the_executor_checks_it() {
    let (compiled, executor) = apps().await;
    let query = "query($id: ID!, $f: LeadFilter, $o: LeadOrder) { brand(id: $id) { name leads(filter: $f, orderBy: $o) @skip(if: true) { totalCount } } }";
    let mut corpus = Corpus::default();
    corpus.add(
        query,
        json!({ "id": brands::AURORA, "f": { "minScore": 5 }, "o": "SCORE_DESC" }),
        true,
    );
    corpus.add(query, json!({ "id": brands::AURORA }), true);
    corpus.add(
        query,
        json!({ "id": brands::AURORA, "f": { "minScore": "5" } }),
        false,
    );
    corpus.add(query, json!({ "id": brands::AURORA, "o": "NOPE" }), false);
    let planned = compare(&compiled, &executor, &corpus.documents).await;
    assert_eq!(planned, corpus.expected());
}
