//! Campaigns and leads: the brand's marketing fields, the `campaign` root field and the
//! mutations of their lifecycle.

pub mod brand_fields;
mod campaign;
pub mod describe;
mod lead;
mod mutation;
mod query;

pub use campaign::{Campaign, CampaignMetric, CampaignTask};
pub use lead::{Lead, LeadActivity};
pub use mutation::MarketingMutation;
pub use query::MarketingQuery;
