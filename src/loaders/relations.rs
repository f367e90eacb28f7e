//! The parent -> children relations of the graph, each declared once and then served by
//! the generic [`PageLoader`](super::page::PageLoader) / [`GroupLoader`](super::group::GroupLoader).

use chrono::{DateTime, FixedOffset};
use sea_orm::{ColumnTrait, Order, QueryFilter, Select};
use uuid::Uuid;

use super::group::GroupedRelation;
use super::page::PagedRelation;
use entity::{
    analytics_goals, brand_members, content_items, media_assets, media_usage_logs, post_approvals,
    scheduled_content, storage_quotas,
};

type Timestamp = DateTime<FixedOffset>;

/// Narrows a brand's content items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContentFilter {
    pub status: Option<String>,
    pub content_type: Option<String>,
    pub platform: Option<String>,
    pub scheduled_from: Option<Timestamp>,
    pub scheduled_to: Option<Timestamp>,
}

pub struct BrandContent;

impl PagedRelation for BrandContent {
    type Entity = content_items::Entity;
    type Model = content_items::Model;
    type Filter = ContentFilter;

    fn parent_column() -> content_items::Column {
        content_items::Column::BrandId
    }
    fn parent_of(model: &Self::Model) -> Uuid {
        model.brand_id
    }
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
    fn sort_value(model: &Self::Model, column: &str) -> Timestamp {
        match column {
            "updated_at" => model.updated_at,
            _ => model.created_at,
        }
    }
    fn apply_filter(
        mut select: Select<Self::Entity>,
        filter: &ContentFilter,
    ) -> Select<Self::Entity> {
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
    }
}

/// Narrows a brand's media assets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AssetFilter {
    pub category: Option<String>,
    pub status: Option<String>,
    pub mime_type: Option<String>,
}

pub struct BrandAssets;

impl PagedRelation for BrandAssets {
    type Entity = media_assets::Entity;
    type Model = media_assets::Model;
    type Filter = AssetFilter;

    fn parent_column() -> media_assets::Column {
        media_assets::Column::BrandId
    }
    fn parent_of(model: &Self::Model) -> Uuid {
        model.brand_id
    }
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
    fn sort_value(model: &Self::Model, _column: &str) -> Timestamp {
        model.created_at
    }
    fn apply_filter(
        mut select: Select<Self::Entity>,
        filter: &AssetFilter,
    ) -> Select<Self::Entity> {
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
    }
}

pub struct AssetUsage;

impl PagedRelation for AssetUsage {
    type Entity = media_usage_logs::Entity;
    type Model = media_usage_logs::Model;
    type Filter = ();

    fn parent_column() -> media_usage_logs::Column {
        media_usage_logs::Column::AssetId
    }
    fn parent_of(model: &Self::Model) -> Uuid {
        model.asset_id
    }
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
    fn sort_value(model: &Self::Model, _column: &str) -> Timestamp {
        model.created_at
    }
    fn apply_filter(select: Select<Self::Entity>, _filter: &()) -> Select<Self::Entity> {
        select
    }
}

/// Narrows a brand's approvals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ApprovalFilter {
    pub status: Option<String>,
}

pub struct BrandApprovals;

impl PagedRelation for BrandApprovals {
    type Entity = post_approvals::Entity;
    type Model = post_approvals::Model;
    type Filter = ApprovalFilter;

    fn parent_column() -> post_approvals::Column {
        post_approvals::Column::BrandId
    }
    fn parent_of(model: &Self::Model) -> Uuid {
        model.brand_id
    }
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
    fn sort_value(model: &Self::Model, _column: &str) -> Timestamp {
        model.created_at
    }
    fn apply_filter(
        mut select: Select<Self::Entity>,
        filter: &ApprovalFilter,
    ) -> Select<Self::Entity> {
        if let Some(status) = &filter.status {
            select = select.filter(post_approvals::Column::Status.eq(status.as_str()));
        }
        select
    }
}

/// Narrows a brand's schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ScheduleFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub status: Option<String>,
}

pub struct BrandSchedule;

impl PagedRelation for BrandSchedule {
    type Entity = scheduled_content::Entity;
    type Model = scheduled_content::Model;
    type Filter = ScheduleFilter;

    fn parent_column() -> scheduled_content::Column {
        scheduled_content::Column::BrandId
    }
    fn parent_of(model: &Self::Model) -> Uuid {
        model.brand_id
    }
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
    fn sort_value(model: &Self::Model, _column: &str) -> Timestamp {
        model.scheduled_at
    }
    fn apply_filter(
        mut select: Select<Self::Entity>,
        filter: &ScheduleFilter,
    ) -> Select<Self::Entity> {
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
    }
}

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
