//! JWT verification (and minting, for `brandgraph token` and tests).
//!
//! The algorithm is pinned by configuration: a token whose header names another
//! algorithm (including `none`, or HS256 when RS256 is configured) is rejected before
//! any key is touched.

use std::collections::HashMap;

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk::JwkSet};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{AuthConfig, JwtAlgorithm};
use crate::error::ApiError;

/// The role claim that marks a trusted backend caller.
pub const SERVICE_ROLE: &str = "service_role";

/// Supabase-compatible claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `role = service_role`: the trusted backend, sees everything.
    Service { expires_at: u64 },
    /// An end user; brand access comes from `brand_members`.
    User {
        id: Uuid,
        email: Option<String>,
        expires_at: u64,
    },
}

impl Principal {
    pub fn expires_at(&self) -> u64 {
        match self {
            Self::Service { expires_at } | Self::User { expires_at, .. } => *expires_at,
        }
    }
}

enum Keys {
    Single(DecodingKey),
    ByKid(HashMap<String, DecodingKey>),
}

/// Verifies bearer tokens according to the configured algorithm, keys and claims.
pub struct JwtVerifier {
    keys: Keys,
    validation: Validation,
}

impl JwtVerifier {
    pub fn from_config(config: &AuthConfig) -> anyhow::Result<Self> {
        let algorithm = match config.jwt_algorithm {
            JwtAlgorithm::Hs256 => Algorithm::HS256,
            JwtAlgorithm::Rs256 => Algorithm::RS256,
            JwtAlgorithm::Es256 => Algorithm::ES256,
        };
        let keys = match (
            algorithm,
            &config.jwt_jwks_file,
            &config.jwt_public_key_file,
        ) {
            (Algorithm::HS256, _, _) => {
                Keys::Single(DecodingKey::from_secret(config.jwt_secret.as_bytes()))
            }
            (_, Some(jwks_path), _) => {
                let text = std::fs::read_to_string(jwks_path)
                    .with_context(|| format!("reading JWKS {}", jwks_path.display()))?;
                let set: JwkSet = serde_json::from_str(&text).context("parsing JWKS")?;
                let mut keys = HashMap::new();
                for jwk in &set.keys {
                    let kid = jwk.common.key_id.clone().unwrap_or_default();
                    let key =
                        DecodingKey::from_jwk(jwk).with_context(|| format!("JWKS key {kid}"))?;
                    keys.insert(kid, key);
                }
                Keys::ByKid(keys)
            }
            (_, None, Some(pem_path)) => {
                let pem = std::fs::read(pem_path)
                    .with_context(|| format!("reading public key {}", pem_path.display()))?;
                let key = if algorithm == Algorithm::RS256 {
                    DecodingKey::from_rsa_pem(&pem)
                } else {
                    DecodingKey::from_ec_pem(&pem)
                }
                .context("parsing public key")?;
                Keys::Single(key)
            }
            (_, None, None) => {
                anyhow::bail!(
                    "JWT algorithm {algorithm:?} needs JWT_PUBLIC_KEY_FILE or JWT_JWKS_FILE"
                )
            }
        };

        let mut validation = Validation::new(algorithm);
        validation.leeway = config.jwt_leeway_secs;
        validation.validate_nbf = true;
        // A configured issuer or audience must also be present, not just match when present.
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &config.jwt_issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &config.jwt_audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        Ok(Self { keys, validation })
    }

    /// Verifies a token and says whom it speaks for. Every failure is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let invalid = |reason: &str| ApiError::unauthenticated(format!("invalid token: {reason}"));
        let key = match &self.keys {
            Keys::Single(key) => key,
            Keys::ByKid(keys) => {
                let header =
                    jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
                let kid = header.kid.unwrap_or_default();
                keys.get(&kid).ok_or_else(|| invalid("unknown key id"))?
            }
        };
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            match err.kind() {
                ErrorKind::ExpiredSignature => ApiError::unauthenticated("token expired"),
                ErrorKind::ImmatureSignature => ApiError::unauthenticated("token not yet valid"),
                ErrorKind::InvalidIssuer => invalid("wrong issuer"),
                ErrorKind::InvalidAudience => invalid("wrong audience"),
                ErrorKind::InvalidAlgorithm => invalid("algorithm not accepted"),
                ErrorKind::InvalidSignature => invalid("bad signature"),
                ErrorKind::MissingRequiredClaim(claim) => {
                    invalid(&format!("missing claim {claim}"))
                }
                _ => invalid("malformed"),
            }
        })?;
        let claims = data.claims;
        if claims.role.as_deref() == Some(SERVICE_ROLE) {
            return Ok(Principal::Service {
                expires_at: claims.exp,
            });
        }
        let id = Uuid::parse_str(&claims.sub).map_err(|_| invalid("sub is not a user id"))?;
        Ok(Principal::User {
            id,
            email: claims.email,
            expires_at: claims.exp,
        })
    }
}

/// Signs an HS256 token: for `brandgraph token`, the demo and tests.
pub fn mint_hs256(secret: &str, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}

/// Claims for a user (or the service role) valid for `ttl_secs` from now.
pub fn claims_for(sub: Uuid, role: &str, ttl_secs: u64) -> Claims {
    let now = jsonwebtoken::get_current_timestamp();
    Claims {
        sub: sub.to_string(),
        role: Some(role.to_string()),
        email: None,
        exp: now + ttl_secs,
        nbf: None,
        iss: None,
        aud: None,
    }
}
