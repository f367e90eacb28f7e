use brandgraph::seed::{brands, users};
use serde_json::{Value, json};

use crate::helpers::{
    TEST_SECRET, error_code, service_token, spawn_app, spawn_app_with, user_token,
};

const BRANDS: &str = "query($first: Int, $after: String) {
  brands(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { uuid name tenant { name } viewerRole } }
  }
}";

fn names(response: &Value) -> Vec<String> {
    response["data"]["brands"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_member_sees_only_the_brands_they_belong_to() {
    let app = spawn_app().await;
    app.seed_demo().await;

    let manager = app
        .graphql(Some(&user_token(users::MANAGER)), BRANDS, json!({}))
        .await;
    assert_eq!(names(&manager), ["Aurora Coffee", "Borealis Outdoor"]);
    assert_eq!(manager["data"]["brands"]["totalCount"], 2);
    assert_eq!(
        manager["data"]["brands"]["edges"][0]["node"]["viewerRole"],
        "MANAGER"
    );
    assert_eq!(
        manager["data"]["brands"]["edges"][1]["node"]["viewerRole"],
        "MEMBER"
    );

    let outsider = app
        .graphql(Some(&user_token(users::OUTSIDER)), BRANDS, json!({}))
        .await;
    assert_eq!(outsider["data"]["brands"]["totalCount"], 0);
    assert!(!outsider.to_string().contains(&brands::AURORA.to_string()));

    let service = app.graphql(Some(&service_token()), BRANDS, json!({})).await;
    assert_eq!(
        names(&service),
        ["Aurora Coffee", "Borealis Outdoor", "Cascade Studio"]
    );
}

#[tokio::test]
async fn a_brand_the_viewer_cannot_see_is_null_as_if_it_did_not_exist() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "query($id: ID!) { brand(id: $id) { name } }";

    let cascade = json!({ "id": brands::CASCADE.to_string() });
    let manager = app
        .graphql(Some(&user_token(users::MANAGER)), query, cascade.clone())
        .await;
    assert_eq!(manager, json!({ "data": { "brand": null } }));
    let missing = json!({ "id": uuid::Uuid::new_v4().to_string() });
    let absent = app
        .graphql(Some(&user_token(users::MANAGER)), query, missing)
        .await;
    assert_eq!(absent, manager, "invisible and nonexistent look the same");

    let owner = app
        .graphql(Some(&user_token(users::OWNER)), query, cascade)
        .await;
    assert_eq!(owner["data"]["brand"]["name"], "Cascade Studio");
}

#[tokio::test]
async fn brand_by_slug_respects_visibility() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let query = "query($t: UUID!, $s: String!) { brandBySlug(tenantId: $t, slug: $s) { uuid } }";
    let vars = json!({ "t": brandgraph::seed::DEMO_TENANT, "s": "cascade-studio" });
    let owner = app
        .graphql(Some(&user_token(users::OWNER)), query, vars.clone())
        .await;
    assert_eq!(
        owner["data"]["brandBySlug"]["uuid"],
        brands::CASCADE.to_string()
    );
    let member = app
        .graphql(Some(&user_token(users::MEMBER)), query, vars)
        .await;
    assert_eq!(member["data"]["brandBySlug"], Value::Null);
}

#[tokio::test]
async fn pages_of_brands_follow_each_other_without_gaps() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .graphql(Some(&token), BRANDS, json!({ "first": 1, "after": after }))
            .await;
        seen.extend(names(&page));
        let info = &page["data"]["brands"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(String::from);
    }
    assert_eq!(
        seen,
        ["Aurora Coffee", "Borealis Outdoor", "Cascade Studio"]
    );
}

#[tokio::test]
async fn bad_page_arguments_are_bad_user_input() {
    let app = spawn_app().await;
    let token = service_token();
    let too_many = app
        .graphql(Some(&token), BRANDS, json!({ "first": 101 }))
        .await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"));
    let garbage = app
        .graphql(Some(&token), BRANDS, json!({ "after": "not-a-cursor" }))
        .await;
    assert_eq!(error_code(&garbage), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn anonymous_callers_get_unauthenticated_and_bad_tokens_are_not_anonymous() {
    let app = spawn_app().await;
    let anonymous = app.graphql(None, BRANDS, json!({})).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    let expired = brandgraph::auth::jwt::mint_hs256(TEST_SECRET, &{
        let mut claims = brandgraph::auth::jwt::claims_for(users::OWNER, "authenticated", 0);
        claims.exp -= 3600;
        claims
    })
    .unwrap();
    for token in ["garbage", expired.as_str()] {
        let response = app.graphql(Some(token), "{ __typename }", json!({})).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"), "{token}");
        assert!(response["data"].is_null());
    }
}

#[tokio::test]
async fn get_requests_run_queries_but_refuse_mutations() {
    let app = spawn_app().await;
    let ok = reqwest::get(app.url("/graphql?query=%7B__typename%7D"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({ "data": { "__typename": "Query" } })
    );
    let mutation = reqwest::get(app.url("/graphql?query=mutation%7B__typename%7D"))
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);

    let graphiql = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(graphiql.text().await.unwrap().contains("graphiql"));
}

#[tokio::test]
async fn invalid_documents_and_variables_are_bad_user_input() {
    let app = spawn_app().await;
    let token = service_token();
    for (query, variables) in [
        ("{ nope }", json!({})),
        ("{ brands(first: \"ten\") { totalCount } }", json!({})),
        (
            "query($n: Int!) { brands(first: $n) { totalCount } }",
            json!({ "n": "x" }),
        ),
        ("{ brands { ", json!({})),
    ] {
        let response = app.graphql(Some(&token), query, variables).await;
        assert_eq!(
            error_code(&response),
            Some("BAD_USER_INPUT"),
            "{query}: {response}"
        );
    }
}

#[tokio::test]
async fn queries_deeper_than_the_limit_are_refused() {
    let app = spawn_app_with(|config| config.graphql.max_depth = 3).await;
    let deep = "{ brands { edges { node { contentItems { edges { node { uuid } } } } } } }";
    let response = app.graphql(Some(&service_token()), deep, json!({})).await;
    assert_eq!(error_code(&response), Some("BAD_USER_INPUT"), "{response}");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{response}"
    );
}

#[tokio::test]
async fn brands_can_be_paged_newest_first_and_cursors_keep_their_order() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = service_token();
    let query = "query($after: String, $order: BrandOrder) {
        brands(first: 2, after: $after, orderBy: $order) { pageInfo { hasNextPage endCursor } edges { node { name } } } }";
    let first = app
        .graphql(Some(&token), query, json!({ "order": "CREATED_AT_DESC" }))
        .await;
    assert_eq!(
        names(&first),
        ["Cascade Studio", "Borealis Outdoor"],
        "{first}"
    );
    let cursor = first["data"]["brands"]["pageInfo"]["endCursor"].clone();
    let second = app
        .graphql(
            Some(&token),
            query,
            json!({ "order": "CREATED_AT_DESC", "after": cursor }),
        )
        .await;
    assert_eq!(names(&second), ["Aurora Coffee"], "{second}");
    let mixed = app
        .graphql(
            Some(&token),
            query,
            json!({ "order": "NAME_ASC", "after": cursor }),
        )
        .await;
    assert_eq!(error_code(&mixed), Some("BAD_USER_INPUT"));
}
