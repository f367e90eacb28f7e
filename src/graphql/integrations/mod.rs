//! Inbound webhook events, social posts and platform reviews.

pub mod brand_fields;
mod mutation;
mod types;

pub use mutation::IntegrationMutation;
pub use types::{PlatformReview, SocialPost, WebhookEvent};
