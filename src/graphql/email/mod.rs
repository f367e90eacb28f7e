//! Email: templates, email campaigns (sent through the publishing pipeline), contacts and
//! automation rules — the brand's and campaign's email fields and their mutations.

pub mod brand_fields;
pub mod describe;
mod mutation;
mod types;

pub use mutation::EmailMutation;
pub use types::{
    EmailAutomationRule, EmailCampaign, EmailCampaignStats, EmailContact, EmailTemplate,
};
