//! Campaigns and leads: the brand's marketing fields, the `campaign` root field and the
//! mutations of their lifecycle, and their live events and summaries.

pub mod brand_fields;
mod campaign;
mod lead;
mod mutation;
mod query;
mod subscription;
mod summary;

pub use campaign::{Campaign, CampaignMetric, CampaignTask};
pub use lead::{Lead, LeadActivity};
pub use mutation::MarketingMutation;
pub use query::MarketingQuery;
pub use subscription::MarketingSubscription;
pub use summary::{CampaignSummary, LeadStatusCount};
