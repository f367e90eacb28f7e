//! What the query compiler (`crate::compile`) may read of a brand's email: templates,
//! email campaigns, contacts and automation rules (their plain columns), `Brand.email*`
//! (newest first, the `status` and `subscriptionStatus` filters, literal or from variables) and
//! `Campaign.emailCampaigns`. A contact's `email` is gated to [`PERSONAL_DATA_ROLE`] and
//! above in its brand, as the executor's resolver gates it. JSON fields
//! (`triggerConditions`, `actionConfig`), single objects (`brand`, `campaign`,
//! `template`, `lead`, `createdBy`, `publishJob`), `stats` and the `campaignId`/`tag`
//! filters run on the executor.

use crate::compile::describe::{
    FilterField, FilterTest, ObjectType, Relation, Render, column, enum_value, filter, gated,
};
use crate::domain::email::{EmailCampaignStatus, PERSONAL_DATA_ROLE, SubscriptionStatus};
use crate::graphql::ids::NodeKind;

/// The `filter` fields of `Brand.emailCampaigns` (`EmailCampaignFilter`) the compiler plans.
pub static EMAIL_CAMPAIGN_FILTERS: &[FilterField] = &[filter(
    "status",
    "status",
    FilterTest::EnumEquals(email_campaign_status),
)];

/// The `filter` fields of `Brand.emailContacts` (`EmailContactFilter`) the compiler plans.
pub static EMAIL_CONTACT_FILTERS: &[FilterField] = &[filter(
    "subscriptionStatus",
    "subscription_status",
    FilterTest::EnumEquals(subscription_status),
)];

fn email_campaign_status(name: &str) -> Option<&'static str> {
    enum_value::<EmailCampaignStatus>(name).map(EmailCampaignStatus::as_str)
}

fn subscription_status(name: &str) -> Option<&'static str> {
    enum_value::<SubscriptionStatus>(name).map(SubscriptionStatus::as_str)
}

/// `Campaign.emailCampaigns`.
pub const CAMPAIGN_EMAIL_CAMPAIGNS: Relation =
    Relation::newest_first("emailCampaigns", &EMAIL_CAMPAIGN, "campaign_id", &[]);

pub static EMAIL_TEMPLATE: ObjectType = ObjectType {
    name: "EmailTemplate",
    table: "email_templates",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::EmailTemplate)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        column("subject", "subject", Render::Text),
        column("htmlContent", "html_content", Render::Text),
        column("plainText", "plain_text", Render::OptionalText),
        column("variables", "variables", Render::TextListOrEmpty),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};

pub static EMAIL_CAMPAIGN: ObjectType = ObjectType {
    name: "EmailCampaign",
    table: "email_campaigns",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::EmailCampaign)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        column("subject", "subject", Render::Text),
        column("fromName", "from_name", Render::OptionalText),
        column("fromAddress", "from_address", Render::OptionalText),
        column("htmlContent", "html_content", Render::Text),
        column("plainText", "plain_text", Render::OptionalText),
        column("audienceTags", "audience_tags", Render::TextListOrEmpty),
        column("status", "status", Render::Enum),
        column("scheduledFor", "scheduled_for", Render::OptionalTimestamp),
        column("sentAt", "sent_at", Render::OptionalTimestamp),
        column("recipientCount", "recipient_count", Render::Int),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};

pub static EMAIL_CONTACT: ObjectType = ObjectType {
    name: "EmailContact",
    table: "email_contacts",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::EmailContact)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        // `String` (nullable): null below the role, as the resolver answers.
        gated("email", "email", Render::Text, PERSONAL_DATA_ROLE),
        column("name", "name", Render::OptionalText),
        column("company", "company", Render::OptionalText),
        column("tags", "tags", Render::TextListOrEmpty),
        column("subscriptionStatus", "subscription_status", Render::Enum),
        column(
            "statusChangedAt",
            "status_changed_at",
            Render::OptionalTimestamp,
        ),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};

pub static EMAIL_AUTOMATION_RULE: ObjectType = ObjectType {
    name: "EmailAutomationRule",
    table: "email_automation_rules",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::EmailAutomationRule)),
        column("uuid", "id", Render::Uuid),
        column("brandId", "brand_id", Render::Uuid),
        column("name", "name", Render::Text),
        column("triggerType", "trigger_type", Render::Enum),
        column("actionType", "action_type", Render::Enum),
        column("isActive", "is_active", Render::FlagOrFalse),
        column("createdAt", "created_at", Render::Timestamp),
        column("updatedAt", "updated_at", Render::Timestamp),
    ],
    relations: &[],
};
