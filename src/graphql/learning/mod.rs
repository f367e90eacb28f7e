//! The learning loop and agent orchestration.

pub mod brand_fields;
mod mutation;
mod types;

pub use mutation::LearningMutation;
pub use types::{
    AdvisorFeedback, AutoPlan, BrandHistory, CollaborationLog, ContentPackage, StrategyBrief,
};
