//! Publishing: platform connections, publish jobs, the worker API and the brand's
//! publishing fields.

pub mod brand_fields;
mod mutation;
mod subscription;
mod types;
mod worker;

use std::sync::Arc;

pub use mutation::PublishingMutation;
pub use subscription::PublishingSubscription;
pub use types::{
    ConnectionStats, ConnectorPlatform, PlatformConnection, PlatformPublishingStats,
    PlatformSyncLog, PublishJob, PublishJobStatus, PublishingLog,
};
pub use worker::WorkerMutation;

use crate::domain::publishing::worker::RetryPolicy;
use crate::secrets::Keyring;

/// What publishing needs from the process: the token keys and the retry policy.
#[derive(Clone)]
pub struct Publishing {
    pub keyring: Option<Arc<Keyring>>,
    pub retry: RetryPolicy,
}

impl Publishing {
    pub fn keyring(&self) -> Option<&Keyring> {
        self.keyring.as_deref()
    }
}
