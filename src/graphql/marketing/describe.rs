//! What the query compiler (`crate::compile`) may read of campaigns and leads: their plain
//! columns, `Brand.campaigns` / `Brand.leads` (newest first, the literal `status`, `type`,
//! `source` and `minScore` filters), `Campaign.leads`, `Campaign.contentItems`,
//! `Campaign.tasks` and `Lead.activities`. A lead's `email` and `phone` are gated to
//! [`PERSONAL_DATA_ROLE`] and above in the lead's brand, as the executor's resolvers gate
//! them. JSON fields (`targetAudience`, `kpiTargets`, `metadata`), computed ones
//! (`budgetRemaining`), single objects (`brand`, `campaign`, `createdBy`), `metrics`,
//! `emailCampaigns` and the `startsAfter`/`endsBefore`/`tag`/`campaignId` filters run on
//! the executor.

use super::lead::PERSONAL_DATA_ROLE;
use crate::compile::describe::{
    FilterField, FilterTest, ObjectType, Order, Relation, RelationKind, Render, column, enum_value,
    filter, gated,
};
use crate::domain::marketing::{CampaignStatus, CampaignType, LeadStatus};
use crate::graphql::content::describe::CONTENT_ITEM;
use crate::graphql::ids::NodeKind;

/// The `filter` fields of `Brand.campaigns` (`CampaignFilter`) the compiler plans.
pub static CAMPAIGN_FILTERS: &[FilterField] = &[
    filter("status", "status", FilterTest::EnumEquals(campaign_status)),
    filter("type", "type", FilterTest::EnumEquals(campaign_type)),
];

/// The `filter` fields of `Brand.leads` (`LeadFilter`) the compiler plans.
pub static LEAD_FILTERS: &[FilterField] = &[
    filter("status", "status", FilterTest::EnumEquals(lead_status)),
    filter("source", "source", FilterTest::Equals),
    filter("minScore", "score", FilterTest::IntAtLeast),
];

fn campaign_status(name: &str) -> Option<&'static str> {
    enum_value::<CampaignStatus>(name).map(CampaignStatus::as_str)
}

fn campaign_type(name: &str) -> Option<&'static str> {
    enum_value::<CampaignType>(name).map(CampaignType::as_str)
}

fn lead_status(name: &str) -> Option<&'static str> {
    enum_value::<LeadStatus>(name).map(LeadStatus::as_str)
}

pub static CAMPAIGN: ObjectType = ObjectType {
    name: "Campaign",
    table: "campaigns",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::Campaign)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        column("description", "description", Render::OptionalText),
        column("type", "type", Render::Enum),
        column("channel", "channel", Render::OptionalText),
        column("channels", "channels", Render::TextListOrEmpty),
        column("status", "status", Render::Enum),
        column("budgetTotal", "budget_total", Render::Money),
        column("budgetAllocated", "budget_allocated", Render::Money),
        column("budgetSpent", "budget_spent", Render::Money),
        column("startDate", "start_date", Render::OptionalTimestamp),
        column("endDate", "end_date", Render::OptionalTimestamp),
        column("objective", "objective", Render::OptionalText),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[
        Relation {
            field: "leads",
            target: &LEAD,
            parent_column: "campaign_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: &[],
            filters: &[],
        },
        Relation {
            field: "contentItems",
            target: &CONTENT_ITEM,
            parent_column: "campaign_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: &[],
            filters: &[],
        },
        Relation {
            field: "tasks",
            target: &CAMPAIGN_TASK,
            parent_column: "campaign_id",
            order: Order::OLDEST_FIRST,
            kind: RelationKind::List,
            orders: &[],
            filters: &[],
        },
    ],
};

pub static CAMPAIGN_TASK: ObjectType = ObjectType {
    name: "CampaignTask",
    table: "campaign_tasks",
    columns: &[
        column("uuid", "id", Render::Uuid),
        column("campaignId", "campaign_id", Render::Uuid),
        column("title", "title", Render::Text),
        column("description", "description", Render::OptionalText),
        column("status", "status", Render::Enum),
        column("priority", "priority", Render::Enum),
        column("dueDate", "due_date", Render::OptionalTimestamp),
        column("completedAt", "completed_at", Render::OptionalTimestamp),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};

pub static LEAD: ObjectType = ObjectType {
    name: "Lead",
    table: "leads",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::Lead)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        gated("email", "email", Render::Text, PERSONAL_DATA_ROLE),
        gated("phone", "phone", Render::OptionalText, PERSONAL_DATA_ROLE),
        column("company", "company", Render::OptionalText),
        column("source", "source", Render::Text),
        column("status", "status", Render::Enum),
        column("score", "score", Render::Int),
        column("tags", "tags", Render::TextListOrEmpty),
        column("notes", "notes", Render::OptionalText),
        column("convertedAt", "converted_at", Render::OptionalTimestamp),
        column("lostReason", "lost_reason", Render::OptionalText),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[Relation {
        field: "activities",
        target: &LEAD_ACTIVITY,
        parent_column: "lead_id",
        order: Order::NEWEST_FIRST,
        kind: RelationKind::Connection,
        orders: &[],
        filters: &[],
    }],
};

pub static LEAD_ACTIVITY: ObjectType = ObjectType {
    name: "LeadActivity",
    table: "lead_activities",
    columns: &[
        column("uuid", "id", Render::Uuid),
        column("leadId", "lead_id", Render::Uuid),
        column("type", "type", Render::Enum),
        column("description", "description", Render::OptionalText),
        column("createdAt", "created_at", Render::Timestamp),
    ],
    relations: &[],
};
