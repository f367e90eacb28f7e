//! JWT verification over HTTP: every bad token is a clear UNAUTHENTICATED, never anonymous.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use brandgraph::auth::jwt::{Claims, claims_for, mint_hs256};
use brandgraph::config::JwtAlgorithm;
use brandgraph::seed::users;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{TEST_SECRET, error_code, spawn_app, spawn_app_with};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt");
const WHO: &str = "{ viewer { isServiceRole user { uuid } } }";

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(FIXTURES).join(name)
}

fn owner_claims() -> Claims {
    claims_for(users::OWNER, "authenticated", 3600)
}

fn sign(alg: Algorithm, key: &EncodingKey, claims: &Claims, kid: Option<&str>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(String::from);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&std::fs::read(fixture("rs256_private.pem")).unwrap()).unwrap()
}

fn assert_unauthenticated(response: &Value, why: &str) {
    assert_eq!(
        error_code(response),
        Some("UNAUTHENTICATED"),
        "{why}: {response}"
    );
    assert!(response["data"].is_null(), "{why}: no data at all");
}

fn assert_is_owner(response: &Value) {
    assert_eq!(
        response["data"]["viewer"]["user"]["uuid"],
        users::OWNER.to_string(),
        "{response}"
    );
}

#[tokio::test]
async fn hs256_tokens_are_checked_for_signature_time_and_shape() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let valid = mint_hs256(TEST_SECRET, &owner_claims()).unwrap();
    assert_is_owner(&app.graphql(Some(&valid), WHO, json!({})).await);

    let expired = mint_hs256(
        TEST_SECRET,
        &Claims {
            exp: 1_000_000,
            ..owner_claims()
        },
    )
    .unwrap();
    let future_nbf = jsonwebtoken::get_current_timestamp() + 600;
    let not_yet = mint_hs256(
        TEST_SECRET,
        &Claims {
            nbf: Some(future_nbf),
            ..owner_claims()
        },
    )
    .unwrap();
    let wrong_key = mint_hs256("another-secret", &owner_claims()).unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&owner_claims()).unwrap());
    let alg_none = format!("{header}.{payload}.");
    let not_a_user = mint_hs256(
        TEST_SECRET,
        &Claims {
            sub: "bob".into(),
            ..owner_claims()
        },
    )
    .unwrap();

    for (token, why) in [
        (expired.as_str(), "expired"),
        (not_yet.as_str(), "not yet valid"),
        (wrong_key.as_str(), "wrong key"),
        (alg_none.as_str(), "alg none"),
        (not_a_user.as_str(), "sub is not a uuid"),
        ("garbage", "garbage"),
        ("a.b.c", "three garbage parts"),
    ] {
        assert_unauthenticated(&app.graphql(Some(token), WHO, json!({})).await, why);
    }
}

#[tokio::test]
async fn a_malformed_authorization_header_is_not_anonymous() {
    let app = spawn_app().await;
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    "] {
        let response: Value = app
            .http
            .post(app.url("/graphql"))
            .header("authorization", header)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_unauthenticated(&response, header);
    }
}

#[tokio::test]
async fn issuer_and_audience_are_enforced_when_configured() {
    let app = spawn_app_with(|config| {
        config.auth.jwt_issuer = Some("https://auth.brandgraph.test".into());
        config.auth.jwt_audience = Some("authenticated".into());
    })
    .await;
    app.seed_demo().await;
    let claims = |iss: &str, aud: &str| Claims {
        iss: Some(iss.into()),
        aud: Some(aud.into()),
        ..owner_claims()
    };
    let good = mint_hs256(
        TEST_SECRET,
        &claims("https://auth.brandgraph.test", "authenticated"),
    )
    .unwrap();
    assert_is_owner(&app.graphql(Some(&good), WHO, json!({})).await);

    let wrong_iss = mint_hs256(TEST_SECRET, &claims("https://evil.test", "authenticated")).unwrap();
    let wrong_aud = mint_hs256(
        TEST_SECRET,
        &claims("https://auth.brandgraph.test", "admin"),
    )
    .unwrap();
    let missing = mint_hs256(TEST_SECRET, &owner_claims()).unwrap();
    for (token, why) in [
        (wrong_iss, "wrong issuer"),
        (wrong_aud, "wrong audience"),
        (missing, "no iss/aud"),
    ] {
        assert_unauthenticated(&app.graphql(Some(&token), WHO, json!({})).await, why);
    }
}

#[tokio::test]
async fn rs256_with_a_public_key_rejects_hs256_key_confusion() {
    let app = spawn_app_with(|config| {
        config.auth.jwt_algorithm = JwtAlgorithm::Rs256;
        config.auth.jwt_public_key_file = Some(fixture("rs256_public.pem"));
    })
    .await;
    app.seed_demo().await;
    let valid = sign(Algorithm::RS256, &rsa_key(), &owner_claims(), None);
    assert_is_owner(&app.graphql(Some(&valid), WHO, json!({})).await);

    // The classic confusion: HS256 signed with the server's *public* key as the secret.
    let public_pem = std::fs::read(fixture("rs256_public.pem")).unwrap();
    let confused = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(&public_pem),
        &owner_claims(),
        None,
    );
    assert_unauthenticated(
        &app.graphql(Some(&confused), WHO, json!({})).await,
        "HS/RS confusion",
    );

    let hs = mint_hs256(TEST_SECRET, &owner_claims()).unwrap();
    assert_unauthenticated(
        &app.graphql(Some(&hs), WHO, json!({})).await,
        "HS256 when RS256 is pinned",
    );
}

#[tokio::test]
async fn es256_with_a_public_key_accepts_its_tokens_only() {
    let app = spawn_app_with(|config| {
        config.auth.jwt_algorithm = JwtAlgorithm::Es256;
        config.auth.jwt_public_key_file = Some(fixture("es256_public.pem"));
    })
    .await;
    app.seed_demo().await;
    let key =
        EncodingKey::from_ec_pem(&std::fs::read(fixture("es256_private.pem")).unwrap()).unwrap();
    let valid = sign(Algorithm::ES256, &key, &owner_claims(), None);
    assert_is_owner(&app.graphql(Some(&valid), WHO, json!({})).await);
    let rs = sign(Algorithm::RS256, &rsa_key(), &owner_claims(), None);
    assert_unauthenticated(
        &app.graphql(Some(&rs), WHO, json!({})).await,
        "RS256 when ES256 is pinned",
    );
}

#[tokio::test]
async fn jwks_keys_are_chosen_by_kid() {
    let app = spawn_app_with(|config| {
        config.auth.jwt_algorithm = JwtAlgorithm::Rs256;
        config.auth.jwt_jwks_file = Some(fixture("jwks.json"));
    })
    .await;
    app.seed_demo().await;
    let valid = sign(
        Algorithm::RS256,
        &rsa_key(),
        &owner_claims(),
        Some("test-key-1"),
    );
    assert_is_owner(&app.graphql(Some(&valid), WHO, json!({})).await);
    let unknown = sign(
        Algorithm::RS256,
        &rsa_key(),
        &owner_claims(),
        Some("rotated-away"),
    );
    assert_unauthenticated(
        &app.graphql(Some(&unknown), WHO, json!({})).await,
        "unknown kid",
    );
}

#[tokio::test]
async fn the_service_role_sees_every_brand() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let token = crate::helpers::service_token();
    let response = app
        .graphql(
            Some(&token),
            "{ viewer { isServiceRole } brands { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(response["data"]["viewer"]["isServiceRole"], true);
    assert_eq!(response["data"]["brands"]["totalCount"], 3);
}

#[tokio::test]
async fn a_rotated_jwks_file_is_picked_up_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("bg-jwks-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, r#"{"keys":[]}"#).unwrap();
    let app = spawn_app_with(|config| {
        config.auth.jwt_algorithm = JwtAlgorithm::Rs256;
        config.auth.jwt_jwks_file = Some(jwks.clone());
    })
    .await;
    app.seed_demo().await;
    let token = sign(
        Algorithm::RS256,
        &rsa_key(),
        &owner_claims(),
        Some("test-key-1"),
    );
    assert_unauthenticated(
        &app.graphql(Some(&token), WHO, json!({})).await,
        "not yet published",
    );
    // The provider publishes the key; the gateway re-reads the file (at most once a second).
    std::fs::copy(fixture("jwks.json"), &jwks).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_is_owner(&app.graphql(Some(&token), WHO, json!({})).await);
    std::fs::remove_dir_all(&dir).ok();
}
