//! The database schema of brandgraph, as ordered SQL migrations.
//!
//! Each step is a pair of plain SQL files under `migration/sql/` (`NNN_name.up.sql`,
//! `NNN_name.down.sql`): the DDL reads like the seed document and can be reviewed by
//! anyone who knows PostgreSQL. On PostgreSQL each step runs in its own transaction.

pub use sea_orm_migration::prelude::*;

/// One migration step: its name and its up and down SQL.
#[derive(Clone, Copy)]
pub struct SqlMigration {
    name: &'static str,
    up: &'static str,
    down: &'static str,
}

macro_rules! step {
    ($name:literal) => {
        SqlMigration {
            name: $name,
            up: include_str!(concat!("../sql/", $name, ".up.sql")),
            down: include_str!(concat!("../sql/", $name, ".down.sql")),
        }
    };
}

/// Every step, in order.
pub const STEPS: &[SqlMigration] = &[
    step!("001_identity"),
    step!("002_media"),
    step!("003_content"),
    step!("004_publishing"),
    step!("005_analytics"),
    step!("006_approvals"),
    step!("007_compliance"),
    step!("008_orchestration"),
    step!("009_change_events"),
    step!("010_maintenance"),
    step!("011_change_capture"),
    step!("012_hardening"),
    step!("013_publishing"),
    step!("014_workspace"),
    step!("015_workflows"),
    step!("016_analytics_rollups"),
    step!("017_change_events_partitions"),
    step!("018_rollup_summary_index"),
    step!("019_marketing"),
    step!("020_lead_capture"),
    step!("021_email"),
    step!("022_campaign_rollup"),
    step!("023_least_privilege"),
    step!("024_privacy"),
    step!("025_email_rollup"),
    step!("026_row_security"),
    step!("027_row_security_inlined"),
    step!("028_change_capture_definer"),
];

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(self.up).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(self.down)
            .await?;
        Ok(())
    }
}

/// The ordered list of all migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        STEPS
            .iter()
            .map(|step| Box::new(*step) as Box<dyn MigrationTrait>)
            .collect()
    }
}

/// A fingerprint of every migration's SQL: test harnesses name their migrated template
/// database after it, so a template is reused exactly while the migrations are unchanged.
pub fn fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for step in STEPS {
        (step.name, step.up, step.down).hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}
