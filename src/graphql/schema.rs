//! Builds the executable schema. Building never touches the database: the connection is
//! attached as data, so `brandgraph schema` can print the SDL offline.

use async_graphql::{MergedObject, Schema, SchemaBuilder};

use super::analytics::AnalyticsMutation;
use super::asset::AssetMutation;
use super::brand::BrandQuery;
use super::content::ContentMutation;
use super::email::EmailMutation;
use super::identity::ViewerQuery;
use super::integrations::IntegrationMutation;
use super::learning::LearningMutation;
use super::marketing::{
    CampaignWorkMutation, LeadCaptureMutation, LeadScoringMutation, MarketingMutation,
    MarketingQuery,
};
use super::node::NodeQuery;
use super::privacy::PrivacyMutation;
use super::publishing::{PublishingMutation, WorkerMutation};
use super::subscription::SubscriptionRoot;
use super::workflows::WorkflowMutation;
use super::workspace::{SearchQuery, WorkspaceMutation};
use crate::config::GraphqlConfig;

/// Every query field, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Query(
    ViewerQuery,
    BrandQuery,
    NodeQuery,
    SearchQuery,
    MarketingQuery,
);

/// Every mutation field, merged from the domain modules.
#[derive(MergedObject, Default)]
pub struct Mutation(
    ContentMutation,
    AssetMutation,
    AnalyticsMutation,
    PublishingMutation,
    WorkerMutation,
    WorkspaceMutation,
    WorkflowMutation,
    IntegrationMutation,
    LearningMutation,
    MarketingMutation,
    CampaignWorkMutation,
    EmailMutation,
    LeadScoringMutation,
    LeadCaptureMutation,
    PrivacyMutation,
);

pub type AppSchema = Schema<Query, Mutation, SubscriptionRoot>;

/// The schema with its depth limit; callers add the extension (`graphql::extension`),
/// `.data(..)` and `.finish()`.
pub fn build_schema(config: &GraphqlConfig) -> SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        SubscriptionRoot::default(),
    )
    .data(config.clone())
    .limit_depth(config.max_depth);
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
