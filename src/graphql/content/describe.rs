//! What the query compiler (`crate::compile`) may read of a `ContentItem` and its
//! approval rounds: plain columns, and `approvals` (newest first). The JSON `content`,
//! `brand`, `latestApproval`, `schedule` and the rest run on the executor.

use crate::compile::describe::{ObjectType, Order, Relation, RelationKind, Render, column};
use crate::graphql::ids::NodeKind;

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
