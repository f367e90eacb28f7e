//! Tenants, users and the caller (`viewer`).

mod types;
mod viewer;

pub use types::{BrandMember, Tenant, User};
pub use viewer::ViewerQuery;
