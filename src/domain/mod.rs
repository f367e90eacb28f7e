//! Business rules over `&impl ConnectionTrait`, independent of GraphQL.

pub mod access;
pub mod analytics;
pub mod assets;
pub mod audit;
pub mod brands;
pub mod content;
pub mod email;
pub mod goals;
pub mod ingest;
pub mod learning;
pub mod lifecycle;
pub mod marketing;
pub mod privacy;
pub mod publishing;
pub mod reviews;
pub mod status;
pub mod webhooks;
pub mod workflows;
pub mod workspace;
