//! Tenants, users and the caller (`viewer`).

pub mod describe;
mod types;
mod viewer;

pub use types::{BrandMember, Tenant, User};
pub use viewer::ViewerQuery;
