//! One generic loader for "rows of table T by primary key" (a UUID `id` column).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use sea_orm::{EntityTrait, QueryFilter};
use uuid::Uuid;

use super::LoadError;

/// Entities whose rows are fetched by a UUID `id`.
pub trait HasUuidId: EntityTrait {
    fn id_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
}

macro_rules! has_uuid_id {
    ($($module:ident),* $(,)?) => {$(
        impl HasUuidId for entity::$module::Entity {
            fn id_column() -> Self::Column {
                entity::$module::Column::Id
            }
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        }
    )*};
}

has_uuid_id!(
    tenants,
    users,
    brands,
    content_items,
    media_assets,
    post_approvals,
    connections,
    connector_platforms,
    publish_jobs,
    workflow_templates,
    brand_members,
    analytics_metrics,
    analytics_goals,
    scheduled_content,
    approval_requests,
    workflow_instances,
    workflow_notifications,
    escalation_rules,
    escalation_events,
    webhook_events,
    strategy_briefs,
    content_packages,
    brand_history,
    collaboration_logs,
    social_posts,
    platform_reviews,
    advisor_feedback,
    auto_plans,
    campaigns,
    leads,
    email_templates,
    email_campaigns,
    email_contacts,
    email_automation_rules,
);

pub struct ByIdLoader<E> {
    db: OperationDb,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByIdLoader<E> {
    pub fn new(db: OperationDb) -> Self {
        Self {
            db,
            entity: PhantomData,
        }
    }
}

impl<E> Loader<Uuid> for ByIdLoader<E>
where
    E: HasUuidId,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = E::find()
            .filter(super::any_of(E::id_column(), keys))
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (E::id_of(&row), row)).collect())
    }
}
