//! The review queue, workflows, notifications and escalations.

pub mod brand_fields;
mod mutation;
mod subscription;
mod types;

pub use mutation::WorkflowMutation;
pub use subscription::WorkflowSubscription;
pub use types::{
    ApprovalRequest, EscalationEvent, EscalationRule, WorkflowInstance, WorkflowNotification,
    WorkflowStep, WorkflowTemplate,
};
