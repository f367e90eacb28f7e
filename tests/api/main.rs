//! Integration tests: the real gateway over real HTTP and websockets, against the real
//! PostgreSQL, each test on its own database.

mod brands;
mod health;
mod helpers;
mod migrations;
mod schema;
mod seed;
