//! Running a workspace: brands (create, edit, archive), members and invitations, client
//! settings with unsubscribe, milestones, and search.

pub mod brands;
pub mod members;
pub mod milestones;
pub mod search;
pub mod settings;
