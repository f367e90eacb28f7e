use crate::helpers::spawn_app;

#[tokio::test]
async fn checked_in_schema_graphql_equals_the_served_sdl() {
    let app = spawn_app().await;
    let checked_in = include_str!("../../schema.graphql");
    assert!(
        app.schema.sdl() == checked_in,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_and_field_has_a_description() {
    let app = spawn_app().await;
    let introspection = app
        .graphql(
            None,
            "{ __schema { types { name kind description
                 fields { name description } inputFields { name description } } } }",
            serde_json::json!({}),
        )
        .await;
    let mut undocumented = Vec::new();
    for ty in introspection["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
    {
        let name = ty["name"].as_str().unwrap();
        let kind = ty["kind"].as_str().unwrap();
        if name.starts_with("__") || kind == "SCALAR" {
            continue;
        }
        let described =
            |v: &serde_json::Value| v["description"].as_str().is_some_and(|d| !d.is_empty());
        // Root types need no prose (their fields do); `XConnection` types are generated
        // by async-graphql's Relay helper, which gives them none.
        let root = ["Query", "Mutation", "Subscription"].contains(&name);
        if !root && !name.ends_with("Connection") && !described(ty) {
            undocumented.push(name.to_string());
        }
        for field in ty["fields"]
            .as_array()
            .into_iter()
            .chain(ty["inputFields"].as_array())
            .flatten()
        {
            if !described(field) {
                undocumented.push(format!("{name}.{}", field["name"].as_str().unwrap()));
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let app = crate::helpers::spawn_app_with(|config| config.graphql.introspection = false).await;
    let response = app
        .graphql(
            None,
            "{ __schema { types { name } } }",
            serde_json::json!({}),
        )
        .await;
    assert!(
        response["data"]["__schema"].is_null(),
        "no schema is revealed: {response}"
    );
    let on = crate::helpers::spawn_app().await;
    let served = on
        .graphql(
            None,
            "{ __schema { types { name } } }",
            serde_json::json!({}),
        )
        .await;
    assert!(
        served["data"]["__schema"]["types"].is_array(),
        "on by default: {served}"
    );
}
