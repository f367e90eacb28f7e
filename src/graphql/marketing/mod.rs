//! Campaigns and leads: the brand's marketing fields, the `campaign` root field and the
//! mutations of their lifecycle, and their live events and summaries.

pub mod brand_fields;
mod campaign;
mod campaign_work;
mod capture;
pub mod describe;
mod lead;
mod mutation;
mod query;
mod scoring;
mod subscription;
mod summary;

pub use campaign::{Campaign, CampaignMetric, CampaignTask};
pub use campaign_work::CampaignWorkMutation;
pub use capture::{LeadCaptureMutation, LeadFormKey};
pub use lead::{Lead, LeadActivity};
pub use mutation::MarketingMutation;
pub use query::MarketingQuery;
pub use scoring::{LeadScoringMutation, LeadScoringRule};
pub use subscription::MarketingSubscription;
pub use summary::{CampaignSummary, LeadStatusCount};
