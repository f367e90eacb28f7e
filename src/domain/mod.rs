//! Business rules over `&impl ConnectionTrait`, independent of GraphQL.

pub mod analytics;
pub mod brands;
pub mod status;
