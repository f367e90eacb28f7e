//! Integration tests: the real gateway over real HTTP and websockets, against the real
//! PostgreSQL, each test on its own database.

mod auth;
mod brands;
mod fixtures;
mod health;
mod helpers;
mod migrations;
mod schema;
mod seed;
mod statements;
