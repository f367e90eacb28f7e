//! JWT verification (and minting, for `brandgraph token` and tests).
//!
//! The algorithm is pinned by configuration: a token whose header names another
//! algorithm (including `none`, or HS256 when RS256 is configured) is rejected before
//! any key is touched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

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
    /// When the token stops being accepted (its `exp` plus the verifier's leeway), in
    /// seconds since the epoch.
    pub fn expires_at(&self) -> u64 {
        match self {
            Self::Service { expires_at } | Self::User { expires_at, .. } => *expires_at,
        }
    }

    /// Whether the token has expired by now.
    pub fn is_expired(&self) -> bool {
        jsonwebtoken::get_current_timestamp() >= self.expires_at()
    }

    /// When the token expires, on the tokio clock (for timers that end what it opened).
    pub fn deadline(&self) -> tokio::time::Instant {
        let expires_at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.expires_at());
        let remaining = expires_at
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        tokio::time::Instant::now() + remaining
    }
}

enum Keys {
    Single(DecodingKey),
    ByKid(JwksFile),
}

/// A JWKS file, re-read when it changes or a token names a key it does not hold, so
/// keys rotate without a restart. Checks are throttled to one per [`JWKS_RECHECK`]: a
/// flood of tokens with made-up key ids costs one `stat` a second, not one read each.
struct JwksFile {
    path: PathBuf,
    state: RwLock<JwksState>,
}

struct JwksState {
    keys: HashMap<String, DecodingKey>,
    modified: Option<SystemTime>,
    checked: Instant,
}

const JWKS_RECHECK: Duration = Duration::from_secs(1);

fn read_jwks(path: &Path) -> anyhow::Result<HashMap<String, DecodingKey>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading JWKS {}", path.display()))?;
    let set: JwkSet = serde_json::from_str(&text).context("parsing JWKS")?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let kid = jwk.common.key_id.clone().unwrap_or_default();
        let key = DecodingKey::from_jwk(jwk).with_context(|| format!("JWKS key {kid}"))?;
        keys.insert(kid, key);
    }
    Ok(keys)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl JwksFile {
    fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            path: path.to_path_buf(),
            state: RwLock::new(JwksState {
                keys: read_jwks(path)?,
                modified: modified(path),
                checked: Instant::now(),
            }),
        })
    }

    fn key(&self, kid: &str) -> Option<DecodingKey> {
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            if state.checked.elapsed() < JWKS_RECHECK {
                return state.keys.get(kid).cloned();
            }
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.checked.elapsed() >= JWKS_RECHECK {
            state.checked = Instant::now();
            let now_modified = modified(&self.path);
            if now_modified != state.modified || !state.keys.contains_key(kid) {
                match read_jwks(&self.path) {
                    Ok(keys) => {
                        state.keys = keys;
                        state.modified = now_modified;
                    }
                    // Keep serving the keys we have; a half-written file is retried soon.
                    Err(err) => tracing::warn!(error = %err, "JWKS reload failed"),
                }
            }
        }
        state.keys.get(kid).cloned()
    }
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
                Keys::Single(DecodingKey::from_secret(config.hs256_secret().as_bytes()))
            }
            (_, Some(jwks_path), _) => Keys::ByKid(JwksFile::open(jwks_path)?),
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
        let by_kid;
        let key = match &self.keys {
            Keys::Single(key) => key,
            Keys::ByKid(jwks) => {
                let header =
                    jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
                let kid = header.kid.unwrap_or_default();
                by_kid = jwks.key(&kid).ok_or_else(|| invalid("unknown key id"))?;
                &by_kid
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
        // One rule for every transport: a token lives until the verifier would refuse it
        // (`exp` plus the leeway), on HTTP and for a websocket's operations and timers alike.
        let expires_at = claims.exp.saturating_add(self.validation.leeway);
        if claims.role.as_deref() == Some(SERVICE_ROLE) {
            return Ok(Principal::Service { expires_at });
        }
        let id = Uuid::parse_str(&claims.sub).map_err(|_| invalid("sub is not a user id"))?;
        Ok(Principal::User {
            id,
            email: claims.email,
            expires_at,
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
