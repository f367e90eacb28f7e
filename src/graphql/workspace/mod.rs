//! The workspace: brands, members and invitations, client settings, milestones, the
//! audit trail and search.

mod mutation;
pub mod query;
mod subscription;
mod types;

pub use mutation::WorkspaceMutation;
pub use query::{AuditLogFilter, SearchQuery};
pub use subscription::WorkspaceSubscription;
pub use types::{AuditEntry, ClientSettings, Invitation, Milestone, SearchHit};
