//! Integration tests: the real gateway over real HTTP and websockets, against the real
//! PostgreSQL, each test on its own database.

mod analytics;
mod assets;
mod audiences;
mod auth;
mod brands;
mod browser;
mod clients;
mod compiled;
mod conformance;
mod content;
mod docs;
mod errors;
mod fixtures;
mod hardening;
mod health;
mod helpers;
mod ingest;
mod integrations;
mod leaks;
mod lifecycle;
mod marketing;
mod migrations;
mod nodes;
mod persisted;
mod publishing;
mod realtime;
mod schema;
mod seed;
mod statements;
mod traces;
mod typescript;
mod websocket;
mod workflows;
mod workspace;
mod ws_client;
