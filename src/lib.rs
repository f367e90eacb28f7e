//! brandgraph: a GraphQL gateway over the marketing platform's PostgreSQL database.

/// Bearer tokens -> principals; the per-request viewer and its brand roles.
pub mod auth;
/// The `brandgraph` command line.
pub mod cli;

/// Query documents compiled into one SQL statement each (the read path's fast lane).
pub mod compile;
/// Typed configuration with working local defaults.
pub mod config;
/// Pool connection, database creation, migrations.
pub mod db;
/// Business rules and scoped finders, independent of GraphQL.
pub mod domain;
/// Errors and their `extensions.code`.
pub mod error;
/// The GraphQL schema, one module per domain.
pub mod graphql;
/// Routes and middleware.
pub mod http;
/// Background work: the reference publish worker, secret rotation.
pub mod jobs;
/// Request-scoped dataloaders.
pub mod loaders;
/// Counters served at `/metrics`.
pub mod metrics;
/// Token-bucket rate limits per caller.
pub mod rate_limit;
/// Change capture, the fan-out hub and live subscriptions.
pub mod realtime;
/// Field encryption of platform tokens (AES-256-GCM with rotating keys).
pub mod secrets;
/// The deterministic demo dataset.
pub mod seed;
/// Build the app, bind, serve, shut down.
pub mod startup;
/// Shared handler state.
pub mod state;
/// Logging setup.
pub mod telemetry;
