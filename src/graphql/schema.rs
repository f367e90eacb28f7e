//! Builds the executable schema. Building never touches the database: the connection is
//! attached as data, so `brandgraph schema` can print the SDL offline.

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema, SchemaBuilder};

use super::brand::BrandQuery;
use super::identity::ViewerQuery;
use super::node::NodeQuery;
use crate::config::GraphqlConfig;

/// Every query field, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Query(ViewerQuery, BrandQuery, NodeQuery);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema with its limits; callers add `.data(..)` and `.finish()`.
pub fn build_schema(
    config: &GraphqlConfig,
) -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    let builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity);
    if config.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// The SDL the server serves, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&GraphqlConfig::default()).finish().sdl()
}
