//! The parent -> children relations of the graph, each declared once and then served by
//! the generic [`PageLoader`](super::page::PageLoader) / [`GroupLoader`](super::group::GroupLoader).

use chrono::{DateTime, FixedOffset};
use sea_orm::{ColumnTrait, Order, QueryFilter, Select};
use uuid::Uuid;

use super::group::GroupedRelation;
use super::page::PagedRelation;
use entity::{
    analytics_goals, audit_logs, brand_invitations, brand_members, connections, content_items,
    encrypted_secrets, media_assets, media_usage_logs, milestones, platform_sync_logs,
    post_approvals, publish_jobs, publishing_logs, scheduled_content, storage_quotas,
};

type Timestamp = DateTime<FixedOffset>;

/// Declares a [`PagedRelation`]: its rows, the column that points at the parent, how a
/// row's sort timestamp is read, and how a filter narrows the select.
macro_rules! paged {
    (
        $name:ident, $module:ident, $parent:ident, |$m:ident| $parent_of:expr,
        filter: $filter:ty,
        sort: |$sm:ident, $column:ident| $sort:expr,
        apply: |$select:ident, $f:ident| $apply:expr $(,)?
    ) => {
        pub struct $name;

        impl PagedRelation for $name {
            type Entity = $module::Entity;
            type Model = $module::Model;
            type Filter = $filter;

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
            fn sort_value($sm: &Self::Model, $column: &str) -> Timestamp {
                $sort
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

/// Declares a [`GroupedRelation`] in one line.
macro_rules! grouped {
    ($name:ident, $module:ident, $parent:ident, |$m:ident| $parent_of:expr, $order_col:ident, $order:expr) => {
        pub struct $name;

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
    Order::Desc
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
