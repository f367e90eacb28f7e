//! The GraphQL API: schema assembly, shared pieces, and one module per domain.

pub mod analytics;
pub mod approval;
pub mod asset;
pub mod audience;
pub mod brand;
pub mod connection;
pub mod content;
pub mod context;
pub mod document_weight;
pub mod documents;
pub mod email;
pub mod error_codes;
pub mod extension;
pub mod identity;
pub mod ids;
pub mod integrations;
pub mod learning;
pub mod limits;
pub mod marketing;
pub mod node;
pub mod pagination;
pub mod plain;
pub mod prefetch;
pub mod privacy;
pub mod publishing;
pub mod schema;
pub mod session;
pub mod subscription;
pub mod telemetry;
pub mod workflows;
pub mod workspace;

pub use schema::{AppSchema, build_schema};
