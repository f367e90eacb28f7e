//! Brands: the unit of tenancy and authorization.

pub mod describe;
pub mod query;
pub mod types;

pub use query::BrandQuery;
pub use types::Brand;
