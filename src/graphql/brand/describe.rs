//! What the query compiler (`crate::compile`) may read of a `Brand`: its columns and the
//! described lists (media, content, campaigns, leads, email, scoring rules, form keys). Fields not listed here (other
//! relations, role-dependent and computed ones) run on the executor.

use crate::compile::describe::{
    FilterField, FilterTest, ObjectType, Order, Relation, RelationKind, Render, column, filter,
};
use crate::graphql::asset::describe::{ASSET_FILTERS, MEDIA_ASSET};
use crate::graphql::content::describe::{CONTENT_FILTERS, CONTENT_ITEM, CONTENT_ORDERS};
use crate::graphql::email::describe::{
    EMAIL_AUTOMATION_RULE, EMAIL_CAMPAIGN, EMAIL_CAMPAIGN_FILTERS, EMAIL_CONTACT,
    EMAIL_CONTACT_FILTERS, EMAIL_TEMPLATE,
};
use crate::graphql::ids::NodeKind;
use crate::graphql::marketing::describe::{
    CAMPAIGN, CAMPAIGN_FILTERS, FORM_KEYS_ROLE, LEAD, LEAD_FILTERS, LEAD_FORM_KEY, LEAD_ORDERS,
    LEAD_SCORING_RULE,
};

/// The `orderBy` values of the root `brands` connection.
pub static BRANDS_ORDERS: &[(&str, Order)] = &[
    ("NAME_ASC", Order::BRANDS_BY_NAME),
    ("CREATED_AT_DESC", Order::BRANDS_NEWEST_FIRST),
];

/// The `filter` fields of the root `brands` connection (`BrandFilter`).
pub static BRANDS_FILTERS: &[FilterField] = &[
    filter("tenantId", "tenant_id", FilterTest::UuidEquals),
    filter(
        "nameContains",
        "name",
        FilterTest::Like(super::query::name_pattern),
    ),
];

pub static BRAND: ObjectType = ObjectType {
    name: "Brand",
    table: "brands",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::Brand)),
        column("uuid", "id", Render::Uuid),
        column("name", "name", Render::Text),
        column("slug", "slug", Render::Text),
        column("workspaceId", "workspace_id", Render::OptionalText),
        column("logoUrl", "logo_url", Render::OptionalText),
        column("primaryColor", "primary_color", Render::OptionalText),
        column("websiteUrl", "website_url", Render::OptionalText),
        column("industry", "industry", Render::OptionalText),
        column("description", "description", Render::OptionalText),
        column("voiceSummary", "voice_summary", Render::OptionalText),
        column("visualSummary", "visual_summary", Render::OptionalText),
        column("toneKeywords", "tone_keywords", Render::TextListOrEmpty),
        column("complianceRules", "compliance_rules", Render::OptionalText),
        column("intakeCompleted", "intake_completed", Render::FlagOrFalse),
        column(
            "intakeCompletedAt",
            "intake_completed_at",
            Render::OptionalTimestamp,
        ),
        column("scrapedAt", "scraped_at", Render::OptionalTimestamp),
        column("scraperStatus", "scraper_status", Render::OptionalText),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
        column("archivedAt", "archived_at", Render::OptionalTimestamp),
    ],
    relations: &[
        Relation {
            field: "mediaAssets",
            target: &MEDIA_ASSET,
            parent_column: "brand_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: &[],
            filters: ASSET_FILTERS,
        },
        Relation {
            field: "contentItems",
            target: &CONTENT_ITEM,
            parent_column: "brand_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: CONTENT_ORDERS,
            filters: CONTENT_FILTERS,
        },
        Relation {
            field: "campaigns",
            target: &CAMPAIGN,
            parent_column: "brand_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: &[],
            filters: CAMPAIGN_FILTERS,
        },
        Relation {
            field: "leads",
            target: &LEAD,
            parent_column: "brand_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: LEAD_ORDERS,
            filters: LEAD_FILTERS,
        },
        Relation::newest_first("emailTemplates", &EMAIL_TEMPLATE, "brand_id", &[]),
        Relation::newest_first(
            "emailCampaigns",
            &EMAIL_CAMPAIGN,
            "brand_id",
            EMAIL_CAMPAIGN_FILTERS,
        ),
        Relation::newest_first(
            "emailContacts",
            &EMAIL_CONTACT,
            "brand_id",
            EMAIL_CONTACT_FILTERS,
        ),
        Relation::newest_first(
            "emailAutomationRules",
            &EMAIL_AUTOMATION_RULE,
            "brand_id",
            &[],
        ),
        Relation {
            field: "leadScoringRules",
            target: &LEAD_SCORING_RULE,
            parent_column: "brand_id",
            order: Order::BY_NAME,
            kind: RelationKind::List,
            orders: &[],
            filters: &[],
        },
        Relation {
            field: "leadFormKeys",
            target: &LEAD_FORM_KEY,
            parent_column: "brand_id",
            order: Order::NEWEST_FIRST,
            kind: RelationKind::GatedList(FORM_KEYS_ROLE),
            orders: &[],
            filters: &[],
        },
    ],
};
