//! The GraphQL API: schema assembly, shared pieces, and one module per domain.

pub mod brand;
pub mod connection;
pub mod context;
pub mod identity;
pub mod ids;
pub mod pagination;
pub mod schema;

pub use schema::{AppSchema, build_schema};
