//! What the query compiler (`crate::compile`) may read of campaigns and leads: their plain
//! columns, `Brand.campaigns` / `Brand.leads` (newest first, leads also by score; the
//! `status`, `type`, `source` and `minScore` filters, literal or from variables), `Campaign.leads`, `Campaign.contentItems`,
//! `Campaign.tasks`, `Campaign.emailCampaigns`, `Campaign.summary` (its rollup, but for
//! `budgetUsed` and `leadsByStatus`), `Lead.activities`, and a brand's scoring rules and
//! (admin-only) form keys. A lead's `email` and `phone` are gated to
//! [`PERSONAL_DATA_ROLE`] and above in the lead's brand, as the executor's resolvers gate
//! them. JSON fields (`targetAudience`, `kpiTargets`, `metadata`), computed ones
//! (`budgetRemaining`), single objects (`brand`, `campaign`, `createdBy`), `metrics` and
//! the `startsAfter`/`endsBefore`/`tag`/`campaignId` filters run on the executor.

use super::lead::PERSONAL_DATA_ROLE;
use super::subscription;
use crate::auth::Role;
use crate::compile::describe::{
    EventRoot, EventType, FilterField, FilterTest, ObjectType, Order, Relation, RelationKind,
    Render, column, enum_value, event_field, filter, gated,
};
use crate::domain::marketing::{CampaignStatus, CampaignType, LeadStatus};
use crate::graphql::content::describe::CONTENT_ITEM;
use crate::graphql::email::describe::CAMPAIGN_EMAIL_CAMPAIGNS;
use crate::graphql::ids::NodeKind;
use crate::graphql::subscription::op_of;
use crate::realtime::events::Topic;

/// The `filter` fields of `Brand.campaigns` (`CampaignFilter`) the compiler plans.
pub static CAMPAIGN_FILTERS: &[FilterField] = &[
    filter("status", "status", FilterTest::EnumEquals(campaign_status)),
    filter("type", "type", FilterTest::EnumEquals(campaign_type)),
];

/// The `orderBy` values of `Brand.leads` (`LeadOrder`).
pub static LEAD_ORDERS: &[(&str, Order)] = &[
    ("CREATED_AT_DESC", Order::NEWEST_FIRST),
    ("SCORE_DESC", Order::HIGHEST_SCORE_FIRST),
];

/// The least role that lists a brand's form keys (`Brand.leadFormKeys`).
pub const FORM_KEYS_ROLE: Role = Role::Admin;

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
        CAMPAIGN_EMAIL_CAMPAIGNS,
        Relation {
            field: "summary",
            target: &CAMPAIGN_SUMMARY,
            parent_column: "campaign_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::One,
            orders: &[],
            filters: &[],
        },
    ],
};

/// The rollup's lead counts, in `rollup::LEAD_STATUSES` order.
const LEADS: &[&str] = &[
    "leads_new",
    "leads_contacted",
    "leads_qualified",
    "leads_converted",
    "leads_lost",
];

/// `Campaign.summary`, read from `campaign_rollups`. `budgetUsed` (the executor converts
/// decimals to `f64` with its own rounding) and `leadsByStatus` run on the executor.
pub static CAMPAIGN_SUMMARY: ObjectType = ObjectType {
    name: "CampaignSummary",
    table: "campaign_rollups",
    columns: &[
        column(
            "campaignId",
            "campaign_id",
            Render::GlobalId(NodeKind::Campaign),
        ),
        column("budgetTotal", "budget_total", Render::Money),
        column("budgetAllocated", "budget_allocated", Render::Money),
        column("budgetSpent", "budget_spent", Render::Money),
        column("leads", "leads_new", Render::IntSum(LEADS)),
        column("conversions", "leads_converted", Render::Int),
        column(
            "conversionRate",
            "leads_converted",
            Render::Share {
                part: &["leads_converted"],
                whole: LEADS,
            },
        ),
        column("costPerLead", "budget_spent", Render::MoneyPer(LEADS)),
        column(
            "costPerConversion",
            "budget_spent",
            Render::MoneyPer(&["leads_converted"]),
        ),
        column("emailsSent", "emails_sent", Render::Int),
        column("emailsOpened", "emails_opened", Render::Int),
        column("emailsClicked", "emails_clicked", Render::Int),
        column(
            "openRate",
            "emails_opened",
            Render::Share {
                part: &["emails_opened"],
                whole: &["emails_sent"],
            },
        ),
        column(
            "clickRate",
            "emails_clicked",
            Render::Share {
                part: &["emails_clicked"],
                whole: &["emails_sent"],
            },
        ),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
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

pub static LEAD_SCORING_RULE: ObjectType = ObjectType {
    name: "LeadScoringRule",
    table: "lead_scoring_rules",
    columns: &[
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        column("weight", "weight", Render::Int),
        column("active", "active", Render::FlagOrFalse),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};

pub static LEAD_FORM_KEY: ObjectType = ObjectType {
    name: "LeadFormKey",
    table: "lead_form_keys",
    columns: &[
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("key", "key", Render::Text),
        column("name", "name", Render::Text),
        column("allowedOrigins", "allowed_origins", Render::TextListOrEmpty),
        column("source", "source", Render::Text),
        column("revokedAt", "revoked_at", Render::OptionalTimestamp),
        column("createdAt", "created_at", Render::Timestamp),
    ],
    relations: &[],
};

/// `LeadEvent`, for the audiences of `leadCaptured` / `leadUpdated`: its event fields, and
/// `lead` read as [`LEAD`] (its email and phone gated as in queries, so an audience is
/// one role's subscribers).
pub static LEAD_EVENT: EventType = EventType {
    name: "LeadEvent",
    fields: &[
        event_field("cursor", |event| value(subscription::cursor(event))),
        event_field("op", |event| value(op_of(event))),
        event_field("leadId", |event| value(subscription::lead_id(event))),
        event_field("status", |event| value(subscription::lead_status(event))),
        event_field("score", |event| value(subscription::lead_score(event))),
        event_field("campaignId", |event| {
            value(subscription::lead_campaign(event))
        }),
        event_field("occurredAt", |event| value(event.created_at)),
    ],
    row: ("lead", &LEAD),
};

/// The lead subscriptions (`MarketingSubscription`), with the events each keeps.
pub static LEAD_EVENT_ROOTS: &[EventRoot] = &[
    EventRoot {
        field: "leadCaptured",
        topic: Topic::Lead,
        op: "insert",
        ty: &LEAD_EVENT,
    },
    EventRoot {
        field: "leadUpdated",
        topic: Topic::Lead,
        op: "update",
        ty: &LEAD_EVENT,
    },
];

fn value<T: async_graphql::InputType>(value: T) -> async_graphql::Value {
    value.to_value()
}
