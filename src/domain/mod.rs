//! Business rules over `&impl ConnectionTrait`, independent of GraphQL.

pub mod brands;
