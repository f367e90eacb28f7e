//! The parent -> children relations of the graph, each declared once and then served by
//! the generic [`PageLoader`](super::page::PageLoader) / [`GroupLoader`](super::group::GroupLoader).

use chrono::{DateTime, FixedOffset};
use sea_orm::{ColumnTrait, Order, QueryFilter, Select};
use uuid::Uuid;

use super::group::{GroupedRelation, NarrowGroupedRelation};
use super::page::PagedRelation;
use entity::{
    advisor_feedback, analytics_goals, analytics_sync_logs, approval_requests, audit_logs,
    auto_plans, brand_history, brand_invitations, brand_members, collaboration_logs, connections,
    content_items, content_packages, encrypted_secrets, escalation_events, escalation_rules,
    media_assets, media_usage_logs, milestones, platform_reviews, platform_sync_logs,
    post_approvals, publish_jobs, publishing_logs, scheduled_content, social_posts, storage_quotas,
    strategy_briefs, webhook_events, workflow_instances, workflow_templates,
};
use sea_orm::sea_query::{Expr, ExprTrait, PgFunc};

type Timestamp = DateTime<FixedOffset>;

/// Declares a [`PagedRelation`]: its rows, the column that points at the parent, how a
/// row's sort timestamp is read, and how a filter narrows the select.
macro_rules! paged {
    (
        $name:ident, $module:ident, $parent:ident, |$m:ident| $parent_of:expr,
        filter: $filter:ty,
        sort: |$sm:ident, $column:ident| $sort:expr,
        apply: |$select:ident, $f:ident| $apply:expr
        $(, narrow: [$($via_id:literal),* $(,)?], fields: { $($field:ident),* $(,)? })? $(,)?
    ) => {
        pub struct $name;

        impl PagedRelation for $name {
            type Entity = $module::Entity;
            type Model = $module::Model;
            type Filter = $filter;
            $(
            const NARROW: Option<&'static [&'static str]> = Some(&[$($via_id),*]);

            fn decode(
                row: &sea_orm::QueryResult,
                read: Option<&[String]>,
            ) -> Result<Self::Model, sea_orm::DbErr> {
                use sea_orm::FromQueryResult;
                let Some(read) = read else {
                    return Self::Model::from_query_result(row, "");
                };
                Ok(super::columns::model_from_read_columns!(
                    $module, row, read, { $($field),* }
                ))
            }
            )?

            fn parent_column() -> $module::Column {
                $module::Column::$parent
            }
            fn parent_of($m: &Self::Model) -> Uuid {
                $parent_of
            }
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
            #[allow(unused_variables)]
            fn sort_value($sm: &Self::Model, $column: &str) -> super::page::SortValue {
                super::page::SortValue::from($sort)
            }
            #[allow(unused_mut, unused_variables)]
            fn apply_filter(
                mut $select: Select<Self::Entity>,
                $f: &$filter,
            ) -> Select<Self::Entity> {
                $apply
            }
        }
    };
}

/// Narrows a brand's content items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContentFilter {
    pub status: Option<String>,
    pub content_type: Option<String>,
    pub platform: Option<String>,
    pub scheduled_from: Option<Timestamp>,
    pub scheduled_to: Option<Timestamp>,
}

paged!(
    BrandContent, content_items, BrandId, |m| m.brand_id,
    filter: ContentFilter,
    sort: |m, column| match column {
        "updated_at" => m.updated_at,
        _ => m.created_at,
    },
    apply: |select, filter| {
        use content_items::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(kind) = &filter.content_type {
            select = select.filter(Column::Type.eq(kind.as_str()));
        }
        if let Some(platform) = &filter.platform {
            select = select.filter(Column::Platform.eq(platform.as_str()));
        }
        if let Some(from) = filter.scheduled_from {
            select = select.filter(Column::ScheduledFor.gte(from));
        }
        if let Some(to) = filter.scheduled_to {
            select = select.filter(Column::ScheduledFor.lt(to));
        }
        select
    },
    narrow: ["approvals", "latest_approval", "schedule", "media_assets"],
    fields: {
        id, brand_id, r#type, title, content, status, platform, scheduled_for, published_at,
        approval_required, approved_by, approved_at, generated_by_agent, generation_metadata,
        media_urls, created_by, created_at, updated_at, campaign_id,
    },
);

/// Narrows a brand's media assets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AssetFilter {
    pub category: Option<String>,
    pub status: Option<String>,
    pub mime_type: Option<String>,
}

paged!(
    BrandAssets, media_assets, BrandId, |m| m.brand_id,
    filter: AssetFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use media_assets::Column;
        if let Some(category) = &filter.category {
            select = select.filter(Column::Category.eq(category.as_str()));
        }
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(mime_type) = &filter.mime_type {
            select = select.filter(Column::MimeType.eq(mime_type.as_str()));
        }
        select
    },
    narrow: ["usage"],
    fields: {
        id, tenant_id, brand_id, category, filename, mime_type, path, size_bytes, hash,
        metadata, variants, used_in, usage_count, last_used, status, created_at, updated_at,
    },
);

paged!(
    AssetUsage, media_usage_logs, AssetId, |m| m.asset_id,
    filter: (),
    sort: |m, column| m.created_at,
    apply: |select, filter| select,
);

/// Narrows a brand's approvals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ApprovalFilter {
    pub status: Option<String>,
}

paged!(
    BrandApprovals, post_approvals, BrandId, |m| m.brand_id,
    filter: ApprovalFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        if let Some(status) = &filter.status {
            select = select.filter(post_approvals::Column::Status.eq(status.as_str()));
        }
        select
    },
);

/// Narrows a brand's schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ScheduleFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub status: Option<String>,
}

paged!(
    BrandSchedule, scheduled_content, BrandId, |m| m.brand_id,
    filter: ScheduleFilter,
    sort: |m, column| m.scheduled_at,
    apply: |select, filter| {
        use scheduled_content::Column;
        if let Some(from) = filter.from {
            select = select.filter(Column::ScheduledAt.gte(from));
        }
        if let Some(to) = filter.to {
            select = select.filter(Column::ScheduledAt.lt(to));
        }
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        select
    },
);

/// Narrows a brand's publish jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PublishJobFilter {
    pub status: Option<String>,
    pub content_item: Option<Uuid>,
    pub connection: Option<Uuid>,
}

paged!(
    BrandPublishJobs, publish_jobs, BrandId, |m| m.brand_id.unwrap_or_default(),
    filter: PublishJobFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use publish_jobs::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(item) = filter.content_item {
            select = select.filter(Column::ContentItemId.eq(item));
        }
        if let Some(connection) = filter.connection {
            select = select.filter(Column::ConnectionId.eq(connection));
        }
        select
    },
);

paged!(
    BrandPublishingLogs, publishing_logs, BrandId, |m| m.brand_id,
    filter: Option<Uuid>,
    sort: |m, column| m.created_at,
    apply: |select, job| {
        if let Some(job) = job {
            select = select.filter(publishing_logs::Column::JobId.eq(*job));
        }
        select
    },
);

paged!(
    BrandSyncLogs, platform_sync_logs, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, platform| {
        if let Some(platform) = platform {
            select = select.filter(platform_sync_logs::Column::Platform.eq(platform.as_str()));
        }
        select
    },
);

paged!(
    BrandAnalyticsSyncLogs, analytics_sync_logs, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, platform| {
        if let Some(platform) = platform {
            select = select.filter(analytics_sync_logs::Column::Platform.eq(platform.as_str()));
        }
        select
    },
);

/// Narrows a brand's audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

paged!(
    BrandAuditLog, audit_logs, BrandId, |m| m.brand_id.unwrap_or_default(),
    filter: AuditFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use audit_logs::Column;
        if let Some(actor) = filter.actor {
            select = select.filter(Column::UserId.eq(actor));
        }
        if let Some(action) = &filter.action {
            select = select.filter(Column::Action.eq(action.as_str()));
        }
        if let Some(kind) = &filter.resource_type {
            select = select.filter(Column::ResourceType.eq(kind.as_str()));
        }
        if let Some(id) = &filter.resource_id {
            select = select.filter(Column::ResourceId.eq(id.as_str()));
        }
        if let Some(from) = filter.from {
            select = select.filter(Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            select = select.filter(Column::CreatedAt.lt(to));
        }
        select
    },
);

/// Narrows a brand's approval requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ApprovalRequestFilter {
    pub status: Option<String>,
    pub assigned_to: Option<Uuid>,
}

paged!(
    BrandApprovalRequests, approval_requests, BrandId, |m| m.brand_id,
    filter: ApprovalRequestFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use approval_requests::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(user) = filter.assigned_to {
            select = select.filter(Column::AssignedTo.eq(user));
        }
        select
    },
);

paged!(
    BrandWorkflowInstances, workflow_instances, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, status| {
        if let Some(status) = status {
            select = select.filter(workflow_instances::Column::Status.eq(status.as_str()));
        }
        select
    },
);

paged!(
    BrandEscalationEvents, escalation_events, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, status| {
        if let Some(status) = status {
            select = select.filter(escalation_events::Column::Status.eq(status.as_str()));
        }
        select
    },
);

paged!(
    BrandWebhookEvents, webhook_events, BrandId, |m| m.brand_id.unwrap_or_default(),
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, status| {
        if let Some(status) = status {
            select = select.filter(webhook_events::Column::Status.eq(status.as_str()));
        }
        select
    },
);

paged!(
    BrandStrategyBriefs, strategy_briefs, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, cycle| {
        if let Some(cycle) = cycle {
            select = select.filter(strategy_briefs::Column::CycleId.eq(cycle.as_str()));
        }
        select
    },
);

/// Narrows a brand's content packages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PackageFilter {
    pub status: Option<String>,
    pub cycle: Option<String>,
}

paged!(
    BrandContentPackages, content_packages, BrandId, |m| m.brand_id,
    filter: PackageFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use content_packages::Column;
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(cycle) = &filter.cycle {
            select = select.filter(Column::CycleId.eq(cycle.as_str()));
        }
        select
    },
);

/// Narrows agent activity (brand history and collaboration logs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ActivityFilter {
    pub agent: Option<String>,
    pub cycle: Option<String>,
    pub tag: Option<String>,
    pub content_id: Option<String>,
}

paged!(
    BrandHistoryEntries, brand_history, BrandId, |m| m.brand_id,
    filter: ActivityFilter,
    sort: |m, column| m.timestamp,
    apply: |select, filter| {
        use brand_history::Column;
        if let Some(agent) = &filter.agent {
            select = select.filter(Column::Agent.eq(agent.as_str()));
        }
        if let Some(tag) = &filter.tag {
            select = select.filter(
                ExprTrait::eq(
                    Expr::val(tag.as_str()),
                    PgFunc::any(Expr::col((brand_history::Entity, Column::Tags))),
                ),
            );
        }
        if let Some(content) = &filter.content_id {
            select = select.filter(Column::ContentId.eq(content.as_str()));
        }
        select
    },
);

paged!(
    BrandCollaborationLogs, collaboration_logs, BrandId, |m| m.brand_id,
    filter: ActivityFilter,
    sort: |m, column| m.timestamp,
    apply: |select, filter| {
        use collaboration_logs::Column;
        if let Some(agent) = &filter.agent {
            select = select.filter(Column::Agent.eq(agent.as_str()));
        }
        if let Some(cycle) = &filter.cycle {
            select = select.filter(Column::CycleId.eq(cycle.as_str()));
        }
        if let Some(content) = &filter.content_id {
            select = select.filter(Column::ContentId.eq(content.as_str()));
        }
        select
    },
);

paged!(
    BrandAdvisorFeedback, advisor_feedback, BrandId, |m| m.brand_id,
    filter: Option<String>,
    sort: |m, column| m.created_at,
    apply: |select, category| {
        if let Some(category) = category {
            select = select.filter(advisor_feedback::Column::Category.eq(category.as_str()));
        }
        select
    },
);

/// Narrows a brand's social posts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SocialPostFilter {
    pub platform: Option<String>,
    pub status: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

paged!(
    BrandSocialPosts, social_posts, BrandId, |m| m.brand_id,
    filter: SocialPostFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use social_posts::Column;
        if let Some(platform) = &filter.platform {
            select = select.filter(Column::Platform.eq(platform.as_str()));
        }
        if let Some(status) = &filter.status {
            select = select.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(from) = filter.from {
            select = select.filter(Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            select = select.filter(Column::CreatedAt.lt(to));
        }
        select
    },
);

/// Narrows a brand's platform reviews.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReviewFilter {
    pub platform: Option<String>,
    pub min_rating: Option<i32>,
    pub max_rating: Option<i32>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub unanswered: bool,
}

paged!(
    BrandPlatformReviews, platform_reviews, BrandId, |m| m.brand_id,
    filter: ReviewFilter,
    sort: |m, column| m.created_at,
    apply: |select, filter| {
        use platform_reviews::Column;
        if let Some(platform) = &filter.platform {
            select = select.filter(Column::Platform.eq(platform.as_str()));
        }
        if let Some(min) = filter.min_rating {
            select = select.filter(Column::Rating.gte(min));
        }
        if let Some(max) = filter.max_rating {
            select = select.filter(Column::Rating.lte(max));
        }
        if let Some(from) = filter.from {
            select = select.filter(Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            select = select.filter(Column::CreatedAt.lt(to));
        }
        if filter.unanswered {
            select = select.filter(Column::ResponseText.is_null());
        }
        select
    },
);

/// Declares a [`GroupedRelation`] in one line.
macro_rules! grouped {
    (
        $name:ident, $module:ident, $parent:ident, |$m:ident| $parent_of:expr,
        $order_col:ident, $order:expr
        $(, narrow: [$($via_id:literal),* $(,)?], fields: { $($field:ident),* $(,)? })? $(,)?
    ) => {
        pub struct $name;

        $(
        impl NarrowGroupedRelation for $name {
            const VIA_ID: &'static [&'static str] = &[$($via_id),*];

            fn decode(
                row: &sea_orm::QueryResult,
                read: &[String],
            ) -> Result<Self::Model, sea_orm::DbErr> {
                Ok(super::columns::model_from_read_columns!(
                    $module, row, read, { $($field),* }
                ))
            }
        }
        )?

        impl GroupedRelation for $name {
            type Entity = $module::Entity;
            type Model = $module::Model;
            fn parent_column() -> $module::Column {
                $module::Column::$parent
            }
            fn parent_of($m: &Self::Model) -> Uuid {
                $parent_of
            }
            fn order() -> ($module::Column, Order) {
                ($module::Column::$order_col, $order)
            }
        }
    };
}

grouped!(
    BrandMembers,
    brand_members,
    BrandId,
    |m| m.brand_id,
    CreatedAt,
    Order::Asc
);
grouped!(
    BrandGoals,
    analytics_goals,
    BrandId,
    |m| m.brand_id,
    Deadline,
    Order::Asc
);
grouped!(
    BrandQuota,
    storage_quotas,
    BrandId,
    |m| m.brand_id,
    CreatedAt,
    Order::Asc
);
grouped!(
    PostApprovals,
    post_approvals,
    PostId,
    |m| m.post_id.unwrap_or_default(),
    CreatedAt,
    Order::Desc,
    narrow: [],
    fields: {
        id, brand_id, post_id, status, approved_at, approved_by, rejected_at, rejected_by,
        rejection_reason, locked, created_at, updated_at,
    },
);
grouped!(
    PostSchedules,
    scheduled_content,
    ContentId,
    |m| m.content_id,
    ScheduledAt,
    Order::Asc
);
grouped!(
    BrandConnections,
    connections,
    BrandId,
    |m| m.brand_id.unwrap_or_default(),
    CreatedAt,
    Order::Asc
);
grouped!(
    ConnectionSecrets,
    encrypted_secrets,
    ConnectionId,
    |m| m.connection_id,
    CreatedAt,
    Order::Asc
);
grouped!(
    BrandMilestones,
    milestones,
    BrandId,
    |m| m.brand_id.unwrap_or_default(),
    UnlockedAt,
    Order::Asc
);
grouped!(
    BrandInvitations,
    brand_invitations,
    BrandId,
    |m| m.brand_id,
    CreatedAt,
    Order::Desc
);
grouped!(
    BrandWorkflowTemplates,
    workflow_templates,
    BrandId,
    |m| m.brand_id,
    CreatedAt,
    Order::Asc
);
grouped!(
    BrandEscalationRules,
    escalation_rules,
    BrandId,
    |m| m.brand_id,
    CreatedAt,
    Order::Asc
);
grouped!(
    BrandAutoPlans,
    auto_plans,
    BrandId,
    |m| m.brand_id,
    Month,
    Order::Desc
);

// The declaration macros, for relations declared beside their domain (e.g. `marketing`).
pub(crate) use {grouped, paged};
