//! Review queue, workflows, notifications and escalations (seed 002 §6-§7).

pub mod escalations;
pub mod instances;
pub mod notifications;
pub mod review_queue;
pub mod templates;
