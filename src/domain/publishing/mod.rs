//! Publishing: platform connections with encrypted tokens, publish jobs and their state
//! machine, and the worker protocol that moves them (claim with a lease, complete, fail).
//!
//! ```text
//! pending -> processing -> published
//!               |  \-> retrying -> processing ...   (retryable failure, attempts left)
//!               \----> dead                          (not retryable, or out of attempts)
//! pending | retrying | dead -> cancelled;  dead | cancelled -> pending (retry)
//! ```
//! Nothing here assumes one gateway process: claims lock rows with `SKIP LOCKED` under a
//! per-platform advisory lock, and an expired lease simply makes a job claimable again.

pub mod connections;
pub mod jobs;
pub mod platforms;
pub mod secrets;
pub mod worker;

use crate::error::{ApiError, ApiResult};

/// The connector platforms the seed's CHECK allows.
pub const CONNECTORS: [&str; 5] = ["meta", "linkedin", "tiktok", "gbp", "mailchimp"];

/// A connector platform name, validated.
pub fn connector(name: &str) -> ApiResult<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    CONNECTORS.into_iter().find(|c| *c == lower).ok_or_else(|| {
        ApiError::bad_input(
            "platform",
            format!("platform must be one of {}", CONNECTORS.join(", ")),
        )
    })
}

/// Which connector publishes to a content platform (`instagram` is published through
/// `meta`, `email` through `mailchimp`, ...).
pub fn connector_for_platform(platform: &str) -> Option<&'static str> {
    match platform {
        "meta" | "facebook" | "instagram" | "threads" => Some("meta"),
        "linkedin" => Some("linkedin"),
        "tiktok" => Some("tiktok"),
        "gbp" | "google" | "google_business" => Some("gbp"),
        "mailchimp" | "email" => Some("mailchimp"),
        _ => None,
    }
}

/// Publish job statuses (the CHECK of migration 013).
pub mod job_status {
    pub const PENDING: &str = "pending";
    pub const PROCESSING: &str = "processing";
    pub const PUBLISHED: &str = "published";
    pub const RETRYING: &str = "retrying";
    pub const DEAD: &str = "dead";
    pub const CANCELLED: &str = "cancelled";
}

/// Refuses work that needs the tokens when the server has no secrets key.
pub fn require_keyring(
    keyring: Option<&crate::secrets::Keyring>,
) -> ApiResult<&crate::secrets::Keyring> {
    keyring.ok_or_else(|| {
        ApiError::Forbidden(
            "publishing is not configured on this server (BRANDGRAPH_SECRETS_KEY is not set)"
                .into(),
        )
    })
}
