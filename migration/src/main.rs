//! `cargo run -p migration -- [up|down|fresh|status]` against `$DATABASE_URL`.
//! The gateway's own `brandgraph migrate` does the same; this binary exists so entity
//! generation can migrate a database without building the gateway (which needs the entities).

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::Database;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/brandgraph".into());
    let db = Database::connect(&url).await?;
    match std::env::args().nth(1).as_deref().unwrap_or("up") {
        "up" => Migrator::up(&db, None).await?,
        "down" => Migrator::down(&db, None).await?,
        "fresh" => Migrator::fresh(&db).await?,
        "status" => Migrator::status(&db).await?,
        other => {
            return Err(format!("unknown command {other}; use up, down, fresh or status").into());
        }
    }
    Ok(())
}
