//! What the query compiler (`crate::compile`) may read of a `ContentItem` and its
//! approval rounds: plain columns, and `approvals` (newest first). The JSON `content`,
//! `brand`, `latestApproval`, `schedule` and the rest run on the executor.

use crate::compile::describe::{
    FilterField, FilterTest, ObjectType, Order, Relation, RelationKind, Render, column, filter,
};
use crate::domain::status::ContentStatus;
use crate::graphql::ids::NodeKind;

/// The `orderBy` values of `Brand.contentItems` (`ContentOrder`).
pub static CONTENT_ORDERS: &[(&str, Order)] = &[
    ("CREATED_AT_DESC", Order::NEWEST_FIRST),
    ("CREATED_AT_ASC", Order::OLDEST_FIRST),
    ("UPDATED_AT_DESC", Order::RECENTLY_CHANGED_FIRST),
];

/// The `filter` fields of `Brand.contentItems` (`ContentItemFilter`) the compiler plans;
/// `scheduledFrom`/`scheduledTo` run on the executor.
pub static CONTENT_FILTERS: &[FilterField] = &[
    filter("status", "status", FilterTest::EnumEquals(content_status)),
    filter("type", "type", FilterTest::Equals),
    filter("platform", "platform", FilterTest::Equals),
];

/// The stored value of a `ContentStatus` by its GraphQL name, as the executor parses it.
fn content_status(name: &str) -> Option<&'static str> {
    crate::compile::describe::enum_value::<ContentStatus>(name).map(ContentStatus::as_str)
}

pub static CONTENT_ITEM: ObjectType = ObjectType {
    name: "ContentItem",
    table: "content_items",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::ContentItem)),
        column("uuid", "id", Render::Uuid),
        column("title", "title", Render::OptionalText),
        column("status", "status", Render::Enum),
        column("platform", "platform", Render::OptionalText),
        column("scheduledFor", "scheduled_for", Render::OptionalTimestamp),
        column("publishedAt", "published_at", Render::OptionalTimestamp),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[Relation {
        field: "approvals",
        target: &POST_APPROVAL,
        parent_column: "post_id",
        order: Order::NEWEST_FIRST,
        kind: RelationKind::List,
        orders: &[],
        filters: &[],
    }],
};

pub static POST_APPROVAL: ObjectType = ObjectType {
    name: "PostApproval",
    table: "post_approvals",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::PostApproval)),
        column("uuid", "id", Render::Uuid),
        column("status", "status", Render::Enum),
        column("approvedAt", "approved_at", Render::OptionalTimestamp),
        column("rejectedAt", "rejected_at", Render::OptionalTimestamp),
        column("rejectionReason", "rejection_reason", Render::OptionalText),
        column("locked", "locked", Render::FlagOrFalse),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};
