//! Email mutations. Each runs in one transaction with its audit row.

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};

use super::{EmailAutomationRule, EmailCampaign, EmailContact, EmailTemplate};
use crate::domain::email::automation::{self, NewRule, RuleChanges};
use crate::domain::email::campaigns::{self, EmailCampaignChanges, NewEmailCampaign};
use crate::domain::email::contacts::{self, ContactInput};
use crate::domain::email::templates::{self, NewTemplate, TemplateChanges};
use crate::domain::email::{AutomationAction, AutomationTrigger};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

type Timestamp = DateTime<FixedOffset>;

/// A new email template.
#[derive(InputObject)]
pub struct CreateEmailTemplateInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// Its name, unique within the brand (1 to 200 characters).
    pub name: String,
    /// The subject line.
    pub subject: String,
    /// The HTML body (at most 200,000 characters).
    pub html_content: String,
    /// The plain-text body.
    pub plain_text: Option<String>,
    /// The placeholders its body uses (at most 20).
    #[graphql(default)]
    pub variables: Vec<String>,
}

/// Changes to an email template; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateEmailTemplateInput {
    /// New name.
    pub name: Option<String>,
    /// New subject line.
    pub subject: Option<String>,
    /// New HTML body.
    pub html_content: Option<String>,
    /// New plain-text body (empty clears it).
    pub plain_text: Option<String>,
    /// New placeholders (replace the old ones).
    pub variables: Option<Vec<String>>,
}

/// A new email campaign (a draft).
#[derive(InputObject)]
pub struct CreateEmailCampaignInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// Its name, unique within the brand (1 to 200 characters).
    pub name: String,
    /// The marketing campaign it is part of (of the same brand).
    pub campaign_id: Option<ID>,
    /// The template to start from (of the same brand); its subject and bodies are
    /// copied unless given here.
    pub template_id: Option<ID>,
    /// The subject line (required without a template).
    pub subject: Option<String>,
    /// The HTML body (required without a template).
    pub html_content: Option<String>,
    /// The plain-text body.
    pub plain_text: Option<String>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The sender's address.
    pub from_address: Option<String>,
    /// Send to subscribed contacts with any of these tags (none: every subscribed contact).
    #[graphql(default)]
    pub audience_tags: Vec<String>,
}

/// Changes to a draft or scheduled email campaign; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateEmailCampaignInput {
    /// New name.
    pub name: Option<String>,
    /// New marketing campaign (of the same brand).
    pub campaign_id: Option<ID>,
    /// New subject line.
    pub subject: Option<String>,
    /// New HTML body.
    pub html_content: Option<String>,
    /// New plain-text body (empty clears it).
    pub plain_text: Option<String>,
    /// New sender name (empty clears it).
    pub from_name: Option<String>,
    /// New sender address (empty clears it).
    pub from_address: Option<String>,
    /// New audience tags (replace the old ones).
    pub audience_tags: Option<Vec<String>>,
}

/// One contact to import.
#[derive(InputObject)]
pub struct EmailContactInput {
    /// Their address; one contact per address and brand, ignoring case.
    pub email: String,
    /// Their name (replaces a known contact's name when given).
    pub name: Option<String>,
    /// Their company (replaces a known contact's company when given).
    pub company: Option<String>,
    /// Tags (added to a known contact's tags).
    #[graphql(default)]
    pub tags: Vec<String>,
}

/// What an import did.
#[derive(SimpleObject)]
pub struct ImportEmailContactsResult {
    /// New contacts (subscribed).
    pub created: i32,
    /// Known contacts whose name, company or tags changed.
    pub updated: i32,
    /// Known contacts the import left as they were.
    pub unchanged: i32,
    /// Rows repeating an address seen earlier in the batch (ignoring case).
    pub duplicates: i32,
}

/// A new automation rule.
#[derive(InputObject)]
pub struct CreateEmailAutomationRuleInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// Its name, unique within the brand.
    pub name: String,
    /// What starts it.
    pub trigger_type: AutomationTrigger,
    /// Conditions on the trigger (an object, at most 10 kB).
    pub trigger_conditions: Option<Json<serde_json::Value>>,
    /// What it does.
    pub action_type: AutomationAction,
    /// How (an object: `templateId` (a template's UUID) for `SEND_TEMPLATE`, `tag` for the
    /// tag actions).
    pub action_config: Option<Json<serde_json::Value>>,
    /// Whether it is on (default true).
    pub is_active: Option<bool>,
}

/// Changes to an automation rule; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateEmailAutomationRuleInput {
    /// New name.
    pub name: Option<String>,
    /// New trigger.
    pub trigger_type: Option<AutomationTrigger>,
    /// New trigger conditions.
    pub trigger_conditions: Option<Json<serde_json::Value>>,
    /// New action.
    pub action_type: Option<AutomationAction>,
    /// New action configuration.
    pub action_config: Option<Json<serde_json::Value>>,
    /// Turns it on or off.
    pub is_active: Option<bool>,
}

fn json(value: Option<Json<serde_json::Value>>) -> Option<serde_json::Value> {
    value.map(|json| json.0)
}

fn optional_id(kind: NodeKind, id: Option<ID>) -> ApiResult<Option<uuid::Uuid>> {
    id.map(|id| decode_as(kind, &id)).transpose()
}

#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Creates an email template (members and above). A second template of the same
    /// name in the brand is `CONFLICT`.
    async fn create_email_template(
        &self,
        ctx: &Context<'_>,
        input: CreateEmailTemplateInput,
    ) -> ApiResult<EmailTemplate> {
        let new = NewTemplate {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            subject: input.subject,
            html_content: input.html_content,
            plain_text: input.plain_text,
            variables: input.variables,
        };
        let row = write(ctx, async |txn| {
            templates::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(EmailTemplate(row))
    }

    /// Changes an email template (members and above).
    async fn update_email_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEmailTemplateInput,
    ) -> ApiResult<EmailTemplate> {
        let id = decode_as(NodeKind::EmailTemplate, &id)?;
        let changes = TemplateChanges {
            name: input.name,
            subject: input.subject,
            html_content: input.html_content,
            plain_text: input.plain_text,
            variables: input.variables,
        };
        let row = write(ctx, async |txn| {
            templates::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(EmailTemplate(row))
    }

    /// Deletes an email template (members and above); email campaigns made from it keep
    /// their subject and body. Returns the id.
    async fn delete_email_template(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ID> {
        let uuid = decode_as(NodeKind::EmailTemplate, &id)?;
        write(ctx, async |txn| {
            templates::delete(txn, ctx.viewer()?, ctx.audit()?, uuid).await
        })
        .await?;
        Ok(id)
    }

    /// Creates a draft email campaign (members and above). A second email campaign of
    /// the same name in the brand is `CONFLICT`.
    async fn create_email_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateEmailCampaignInput,
    ) -> ApiResult<EmailCampaign> {
        let new = NewEmailCampaign {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            campaign_id: optional_id(NodeKind::Campaign, input.campaign_id)?,
            template_id: optional_id(NodeKind::EmailTemplate, input.template_id)?,
            subject: input.subject,
            html_content: input.html_content,
            plain_text: input.plain_text,
            from_name: input.from_name,
            from_address: input.from_address,
            audience_tags: input.audience_tags,
        };
        let row = write(ctx, async |txn| {
            campaigns::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(EmailCampaign(row))
    }

    /// Changes a draft or scheduled email campaign (members and above).
    async fn update_email_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEmailCampaignInput,
    ) -> ApiResult<EmailCampaign> {
        let id = decode_as(NodeKind::EmailCampaign, &id)?;
        let changes = EmailCampaignChanges {
            name: input.name,
            campaign_id: optional_id(NodeKind::Campaign, input.campaign_id)?,
            subject: input.subject,
            html_content: input.html_content,
            plain_text: input.plain_text,
            from_name: input.from_name,
            from_address: input.from_address,
            audience_tags: input.audience_tags,
        };
        let row = write(ctx, async |txn| {
            campaigns::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(EmailCampaign(row))
    }

    /// Queues a draft or scheduled email campaign to go out at `scheduledFor` (managers
    /// and above) as a publish job on the brand's `mailchimp` connection. Without an
    /// active one it is `BAD_USER_INPUT` with `field: "connection"`.
    async fn schedule_email_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "When to send (in the future).")] scheduled_for: Timestamp,
    ) -> ApiResult<EmailCampaign> {
        let id = decode_as(NodeKind::EmailCampaign, &id)?;
        let row = write(ctx, async |txn| {
            campaigns::schedule(txn, ctx.viewer()?, ctx.audit()?, id, scheduled_for).await
        })
        .await?;
        Ok(EmailCampaign(row))
    }

    /// Sends a draft or scheduled email campaign now (managers and above): its publish
    /// job on the brand's `mailchimp` connection is due at once. Without an active
    /// connection it is `BAD_USER_INPUT` with `field: "connection"`.
    async fn send_email_campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<EmailCampaign> {
        let id = decode_as(NodeKind::EmailCampaign, &id)?;
        let row = write(ctx, async |txn| {
            campaigns::send(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(EmailCampaign(row))
    }

    /// Cancels a draft, scheduled or failed email campaign and its job (managers and
    /// above). One being sent right now is `CONFLICT`; a sent one `BAD_USER_INPUT`.
    async fn cancel_email_campaign(&self, ctx: &Context<'_>, id: ID) -> ApiResult<EmailCampaign> {
        let id = decode_as(NodeKind::EmailCampaign, &id)?;
        let row = write(ctx, async |txn| {
            campaigns::cancel(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(EmailCampaign(row))
    }

    /// Imports up to 1,000 contacts into a brand (members and above), idempotent by
    /// address (ignoring case): a known contact is updated, never re-subscribed. An
    /// invalid row refuses the whole batch (`BAD_USER_INPUT` naming its index).
    async fn import_email_contacts(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        contacts: Vec<EmailContactInput>,
    ) -> ApiResult<ImportEmailContactsResult> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let rows = contacts
            .into_iter()
            .map(|c| ContactInput {
                email: c.email,
                name: c.name,
                company: c.company,
                tags: c.tags,
            })
            .collect();
        let counts = write(ctx, async |txn| {
            contacts::import(txn, ctx.viewer()?, ctx.audit()?, brand, rows).await
        })
        .await?;
        Ok(ImportEmailContactsResult {
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
            duplicates: counts.duplicates,
        })
    }

    /// Unsubscribes a contact (members and above): no email campaign reaches them again.
    /// Unsubscribing again changes nothing.
    async fn unsubscribe_email_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Why (kept in the audit log).")] reason: Option<String>,
    ) -> ApiResult<EmailContact> {
        let id = decode_as(NodeKind::EmailContact, &id)?;
        let row = write(ctx, async |txn| {
            contacts::unsubscribe(txn, ctx.viewer()?, ctx.audit()?, id, reason).await
        })
        .await?;
        Ok(EmailContact(row))
    }

    /// Creates an automation rule (managers and above).
    async fn create_email_automation_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateEmailAutomationRuleInput,
    ) -> ApiResult<EmailAutomationRule> {
        let new = NewRule {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            trigger: input.trigger_type,
            trigger_conditions: json(input.trigger_conditions),
            action: input.action_type,
            action_config: json(input.action_config),
            is_active: input.is_active,
        };
        let row = write(ctx, async |txn| {
            automation::create(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(EmailAutomationRule(row))
    }

    /// Changes an automation rule (managers and above).
    async fn update_email_automation_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEmailAutomationRuleInput,
    ) -> ApiResult<EmailAutomationRule> {
        let id = decode_as(NodeKind::EmailAutomationRule, &id)?;
        let changes = RuleChanges {
            name: input.name,
            trigger: input.trigger_type,
            trigger_conditions: json(input.trigger_conditions),
            action: input.action_type,
            action_config: json(input.action_config),
            is_active: input.is_active,
        };
        let row = write(ctx, async |txn| {
            automation::update(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(EmailAutomationRule(row))
    }

    /// Deletes an automation rule (managers and above). Returns the id.
    async fn delete_email_automation_rule(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ID> {
        let uuid = decode_as(NodeKind::EmailAutomationRule, &id)?;
        write(ctx, async |txn| {
            automation::delete(txn, ctx.viewer()?, ctx.audit()?, uuid).await
        })
        .await?;
        Ok(id)
    }
}
