//! Request-scoped dataloaders: every relation lookup is batched, so the number of SQL
//! statements a query runs depends on its depth, not on how many rows it returns. A fresh
//! [`Loaders`] is built for each request (and each websocket connection), so no cache is
//! ever shared between users.

pub mod analytics;
mod by_id;
pub mod columns;
mod content_assets;
pub mod email;
pub mod group;
pub mod marketing;
pub mod page;
pub mod parent;
pub mod publishing_stats;
pub mod relations;

pub use by_id::ByIdLoader;

use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::DataLoader;

use crate::db::OperationDb;

use analytics::{MetricRangeLoader, SummaryLoader};
use content_assets::ContentAssetsLoader;
use email::*;
use group::GroupLoader;
use marketing::*;
use page::{CountLoader, PageLoader};
use publishing_stats::PublishingStatsLoader;
use relations::*;

use entity::{
    brands, connections, connector_platforms, content_items, media_assets, post_approvals,
    publish_jobs, tenants, users,
};

/// Errors must be `Clone` to be shared by every waiter of a batch.
pub type LoadError = Arc<sea_orm::DbErr>;

/// `column = ANY($n)` with the keys as one `uuid[]` parameter: one bind and one plan
/// whatever the batch size, where `IN (...)` would bind (and plan) a parameter per key.
pub fn any_of<C: sea_orm::ColumnTrait>(
    column: C,
    keys: &[uuid::Uuid],
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    Expr::cust_with_values(
        format!(
            "\"{}\".\"{}\" = ANY($1)",
            column.entity_name(),
            column.as_str()
        ),
        [sea_orm::Value::from(keys.to_vec())],
    )
}

/// The loaders of one request, each built the first time it is used: a request uses a
/// few of the ~70, and building all of them showed in profiles of the small shapes.
macro_rules! loaders {
    ($($name:ident: $loader:ty,)*) => {
        pub struct Loaders {
            db: OperationDb,
            $($name: OnceLock<DataLoader<$loader>>,)*
        }

        impl Loaders {
            pub fn new(db: &OperationDb) -> Self {
                Self {
                    db: db.clone(),
                    $($name: OnceLock::new(),)*
                }
            }

            $(pub fn $name(&self) -> &DataLoader<$loader> {
                self.$name.get_or_init(|| loader(<$loader>::new(self.db.clone())))
            })*
        }
    };
}

loaders! {
    tenants: ByIdLoader<tenants::Entity>,
    users: ByIdLoader<users::Entity>,
    brands: ByIdLoader<brands::Entity>,
    content_items: ByIdLoader<content_items::Entity>,
    media_assets: ByIdLoader<media_assets::Entity>,
    post_approvals: ByIdLoader<post_approvals::Entity>,
    workflow_templates: ByIdLoader<entity::workflow_templates::Entity>,
    memberships: ByIdLoader<entity::brand_members::Entity>,
    analytics_metrics: ByIdLoader<entity::analytics_metrics::Entity>,
    analytics_goals: ByIdLoader<entity::analytics_goals::Entity>,
    scheduled_content: ByIdLoader<entity::scheduled_content::Entity>,
    approval_requests: ByIdLoader<entity::approval_requests::Entity>,
    workflow_instances: ByIdLoader<entity::workflow_instances::Entity>,
    workflow_notifications: ByIdLoader<entity::workflow_notifications::Entity>,
    escalation_rules: ByIdLoader<entity::escalation_rules::Entity>,
    escalation_events: ByIdLoader<entity::escalation_events::Entity>,
    webhook_events: ByIdLoader<entity::webhook_events::Entity>,
    strategy_briefs: ByIdLoader<entity::strategy_briefs::Entity>,
    content_packages: ByIdLoader<entity::content_packages::Entity>,
    history_entries: ByIdLoader<entity::brand_history::Entity>,
    collaboration_logs: ByIdLoader<entity::collaboration_logs::Entity>,
    social_posts: ByIdLoader<entity::social_posts::Entity>,
    platform_reviews: ByIdLoader<entity::platform_reviews::Entity>,
    advisor_feedback: ByIdLoader<entity::advisor_feedback::Entity>,
    auto_plans: ByIdLoader<entity::auto_plans::Entity>,
    brand_content: PageLoader<BrandContent>,
    brand_content_count: CountLoader<BrandContent>,
    brand_assets: PageLoader<BrandAssets>,
    brand_assets_count: CountLoader<BrandAssets>,
    brand_approvals: PageLoader<BrandApprovals>,
    brand_approvals_count: CountLoader<BrandApprovals>,
    brand_schedule: PageLoader<BrandSchedule>,
    brand_schedule_count: CountLoader<BrandSchedule>,
    asset_usage: PageLoader<AssetUsage>,
    asset_usage_count: CountLoader<AssetUsage>,
    brand_publish_jobs: PageLoader<BrandPublishJobs>,
    brand_publish_jobs_count: CountLoader<BrandPublishJobs>,
    brand_publishing_logs: PageLoader<BrandPublishingLogs>,
    brand_publishing_logs_count: CountLoader<BrandPublishingLogs>,
    brand_sync_logs: PageLoader<BrandSyncLogs>,
    brand_sync_logs_count: CountLoader<BrandSyncLogs>,
    brand_analytics_sync_logs: PageLoader<BrandAnalyticsSyncLogs>,
    brand_analytics_sync_logs_count: CountLoader<BrandAnalyticsSyncLogs>,
    brand_audit_log: PageLoader<BrandAuditLog>,
    brand_audit_log_count: CountLoader<BrandAuditLog>,
    brand_milestones: GroupLoader<BrandMilestones>,
    brand_invitations: GroupLoader<BrandInvitations>,
    brand_approval_requests: PageLoader<BrandApprovalRequests>,
    brand_approval_requests_count: CountLoader<BrandApprovalRequests>,
    brand_workflow_instances: PageLoader<BrandWorkflowInstances>,
    brand_workflow_instances_count: CountLoader<BrandWorkflowInstances>,
    brand_escalation_events: PageLoader<BrandEscalationEvents>,
    brand_escalation_events_count: CountLoader<BrandEscalationEvents>,
    brand_webhook_events: PageLoader<BrandWebhookEvents>,
    brand_webhook_events_count: CountLoader<BrandWebhookEvents>,
    brand_strategy_briefs: PageLoader<BrandStrategyBriefs>,
    brand_strategy_briefs_count: CountLoader<BrandStrategyBriefs>,
    brand_content_packages: PageLoader<BrandContentPackages>,
    brand_content_packages_count: CountLoader<BrandContentPackages>,
    brand_history: PageLoader<BrandHistoryEntries>,
    brand_history_count: CountLoader<BrandHistoryEntries>,
    brand_collaboration_logs: PageLoader<BrandCollaborationLogs>,
    brand_collaboration_logs_count: CountLoader<BrandCollaborationLogs>,
    brand_advisor_feedback: PageLoader<BrandAdvisorFeedback>,
    brand_advisor_feedback_count: CountLoader<BrandAdvisorFeedback>,
    brand_social_posts: PageLoader<BrandSocialPosts>,
    brand_social_posts_count: CountLoader<BrandSocialPosts>,
    brand_platform_reviews: PageLoader<BrandPlatformReviews>,
    brand_platform_reviews_count: CountLoader<BrandPlatformReviews>,
    brand_workflow_templates: GroupLoader<BrandWorkflowTemplates>,
    brand_escalation_rules: GroupLoader<BrandEscalationRules>,
    brand_auto_plans: GroupLoader<BrandAutoPlans>,
    brand_members: GroupLoader<BrandMembers>,
    brand_goals: GroupLoader<BrandGoals>,
    brand_quota: GroupLoader<BrandQuota>,
    post_approvals_by_post: GroupLoader<PostApprovals>,
    post_schedules: GroupLoader<PostSchedules>,
    brand_connections: GroupLoader<BrandConnections>,
    connection_secrets: GroupLoader<ConnectionSecrets>,
    connections: ByIdLoader<connections::Entity>,
    connector_platforms: ByIdLoader<connector_platforms::Entity>,
    publish_jobs: ByIdLoader<publish_jobs::Entity>,
    content_assets: ContentAssetsLoader,
    metric_ranges: MetricRangeLoader,
    summaries: SummaryLoader,
    publishing_stats: PublishingStatsLoader,
    campaigns: ByIdLoader<entity::campaigns::Entity>,
    leads: ByIdLoader<entity::leads::Entity>,
    brand_campaigns: PageLoader<BrandCampaigns>,
    brand_campaigns_count: CountLoader<BrandCampaigns>,
    brand_leads: PageLoader<BrandLeads>,
    brand_leads_count: CountLoader<BrandLeads>,
    campaign_leads: PageLoader<CampaignLeads>,
    campaign_leads_count: CountLoader<CampaignLeads>,
    campaign_content: PageLoader<CampaignContent>,
    campaign_content_count: CountLoader<CampaignContent>,
    lead_activities: PageLoader<LeadActivities>,
    lead_activities_count: CountLoader<LeadActivities>,
    campaign_tasks: GroupLoader<CampaignTasks>,
    campaign_metrics: CampaignMetricsLoader,
    email_templates: ByIdLoader<entity::email_templates::Entity>,
    email_campaigns: ByIdLoader<entity::email_campaigns::Entity>,
    email_contacts: ByIdLoader<entity::email_contacts::Entity>,
    email_automation_rules: ByIdLoader<entity::email_automation_rules::Entity>,
    brand_email_templates: PageLoader<BrandEmailTemplates>,
    brand_email_templates_count: CountLoader<BrandEmailTemplates>,
    brand_email_campaigns: PageLoader<BrandEmailCampaigns>,
    brand_email_campaigns_count: CountLoader<BrandEmailCampaigns>,
    campaign_email_campaigns: PageLoader<CampaignEmailCampaigns>,
    campaign_email_campaigns_count: CountLoader<CampaignEmailCampaigns>,
    brand_email_contacts: PageLoader<BrandEmailContacts>,
    brand_email_contacts_count: CountLoader<BrandEmailContacts>,
    brand_email_automation_rules: PageLoader<BrandEmailAutomationRules>,
    brand_email_automation_rules_count: CountLoader<BrandEmailAutomationRules>,
    email_campaign_jobs: GroupLoader<EmailCampaignJobs>,
    email_delivery_counts: DeliveryCountsLoader,
    campaign_rollups: CampaignRollupLoader,
}

/// A loader whose batches run in a `dataloader.batch` span under the resolver's span, so
/// a trace shows each batch and the SQL it ran.
fn loader<T: Send + Sync + 'static>(inner: T) -> DataLoader<T> {
    use tracing::Instrument;
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or_default()
        .trim_end_matches('>');
    DataLoader::new(inner, move |batch| {
        tokio::spawn(batch.instrument(tracing::info_span!("dataloader.batch", loader = name)))
    })
}
