//! Brands, members, settings and milestones, changed through the API.

use async_graphql::{Context, ID, InputObject, Json, Object};
use uuid::Uuid;

use super::types::{ClientSettings, Invitation, Milestone};
use crate::auth::Role;
use crate::domain::workspace::brands::{self, BrandFields};
use crate::domain::workspace::settings::{self, SettingsChanges};
use crate::domain::workspace::{members, milestones};
use crate::error::ApiResult;
use crate::graphql::brand::Brand;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::identity::BrandMember;
use crate::graphql::ids::{NodeKind, decode_as};

/// A brand's fields; omitted ones keep their value (on create, `name` and `slug` are
/// required).
#[derive(InputObject, Default)]
pub struct BrandInput {
    /// Display name.
    pub name: Option<String>,
    /// URL slug, unique in the tenant.
    pub slug: Option<String>,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// Brand colour, e.g. `#3b82f6`.
    pub primary_color: Option<String>,
    /// Website.
    pub website_url: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// How the brand sounds.
    pub voice_summary: Option<String>,
    /// How the brand looks.
    pub visual_summary: Option<String>,
    /// Tone keywords.
    pub tone_keywords: Option<Vec<String>>,
    /// The brand kit (fonts, colours, logos, voice; an object).
    pub brand_kit: Option<Json<serde_json::Value>>,
    /// Text search configuration for the brand's content (e.g. `english`).
    pub search_language: Option<String>,
}

impl From<BrandInput> for BrandFields {
    fn from(input: BrandInput) -> Self {
        Self {
            name: input.name,
            slug: input.slug,
            logo_url: input.logo_url,
            primary_color: input.primary_color,
            website_url: input.website_url,
            industry: input.industry,
            description: input.description,
            voice_summary: input.voice_summary,
            visual_summary: input.visual_summary,
            tone_keywords: input.tone_keywords,
            brand_kit: input.brand_kit.map(|j| j.0),
            search_language: input.search_language,
        }
    }
}

/// Preferences to change; omitted ones keep their value.
#[derive(InputObject, Default)]
pub struct ClientSettingsInput {
    /// Content waits for your approval.
    pub approvals_needed: Option<bool>,
    /// Reminders about pending approvals.
    pub approval_reminders: Option<bool>,
    /// A publication failed.
    pub publish_failures: Option<bool>,
    /// A publication succeeded.
    pub publish_success: Option<bool>,
    /// The weekly digest.
    pub weekly_digest: Option<bool>,
    /// The daily digest.
    pub daily_digest: Option<bool>,
    /// How often reminders repeat: `1h`, `4h`, `12h`, `24h` or `48h`.
    pub reminder_frequency: Option<String>,
    /// `daily` or `weekly`.
    pub digest_frequency: Option<String>,
    /// Most emails per day (1 to 100).
    #[graphql(validator(minimum = 1, maximum = 100))]
    pub max_emails_per_day: Option<i32>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub timezone: Option<String>,
    /// BCP 47 language tag, e.g. `en` or `pt-BR`.
    pub language: Option<String>,
    /// Subscribe again to every email.
    #[graphql(default)]
    pub resubscribe: bool,
}

impl ClientSettingsInput {
    fn into_changes(self) -> ApiResult<SettingsChanges> {
        use crate::error::ApiError;
        use serde_json::Value;
        let mut preferences = serde_json::Map::new();
        for (name, value) in [
            ("approvalsNeeded", self.approvals_needed),
            ("approvalReminders", self.approval_reminders),
            ("publishFailures", self.publish_failures),
            ("publishSuccess", self.publish_success),
            ("weeklyDigest", self.weekly_digest),
            ("dailyDigest", self.daily_digest),
        ] {
            if let Some(value) = value {
                preferences.insert(name.into(), Value::Bool(value));
            }
        }
        if let Some(frequency) = self.reminder_frequency {
            if !["1h", "4h", "12h", "24h", "48h"].contains(&frequency.as_str()) {
                return Err(ApiError::bad_input(
                    "reminderFrequency",
                    "reminderFrequency must be 1h, 4h, 12h, 24h or 48h",
                ));
            }
            preferences.insert("reminderFrequency".into(), Value::String(frequency));
        }
        if let Some(frequency) = self.digest_frequency {
            if !["daily", "weekly"].contains(&frequency.as_str()) {
                return Err(ApiError::bad_input(
                    "digestFrequency",
                    "digestFrequency must be daily or weekly",
                ));
            }
            preferences.insert("digestFrequency".into(), Value::String(frequency));
        }
        if let Some(max) = self.max_emails_per_day {
            preferences.insert("maxEmailsPerDay".into(), Value::from(max));
        }
        Ok(SettingsChanges {
            preferences,
            timezone: self.timezone,
            language: self.language,
            resubscribe: self.resubscribe,
        })
    }
}

#[derive(Default)]
pub struct WorkspaceMutation;

#[Object]
impl WorkspaceMutation {
    /// Creates a brand in a tenant the caller administers (or as the service role); the
    /// creator becomes its owner.
    async fn create_brand(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        input: BrandInput,
    ) -> ApiResult<Brand> {
        let fields = BrandFields::from(input);
        let brand = write(ctx, async |txn| {
            brands::create(txn, ctx.viewer()?, ctx.audit()?, tenant_id, fields).await
        })
        .await?;
        Ok(Brand(brand))
    }

    /// Edits a brand (admins and above); the audit row holds the fields before and after.
    async fn update_brand(&self, ctx: &Context<'_>, id: ID, input: BrandInput) -> ApiResult<Brand> {
        let id = decode_as(NodeKind::Brand, &id)?;
        let fields = BrandFields::from(input);
        let brand = write(ctx, async |txn| {
            brands::update(txn, ctx.viewer()?, ctx.audit()?, id, fields).await
        })
        .await?;
        Ok(Brand(brand))
    }

    /// Archives a brand (owners): it disappears from lists, `node` and subscriptions;
    /// its data stays until `restoreBrand`.
    async fn archive_brand(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Brand> {
        let id = decode_as(NodeKind::Brand, &id)?;
        let brand = write(ctx, async |txn| {
            brands::archive(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(Brand(brand))
    }

    /// Restores an archived brand (its owners).
    async fn restore_brand(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Brand> {
        let id = decode_as(NodeKind::Brand, &id)?;
        let brand = write(ctx, async |txn| {
            brands::restore(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(Brand(brand))
    }

    /// Deletes a brand and all its data (the service role only). Returns its id.
    async fn delete_brand(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ID> {
        let uuid = decode_as(NodeKind::Brand, &id)?;
        write(ctx, async |txn| {
            brands::delete(txn, ctx.viewer()?, ctx.audit()?, uuid).await
        })
        .await?;
        Ok(id)
    }

    /// Invites someone by email (admins and above, up to their own role).
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(validator(email))] email: String,
        role: Role,
    ) -> ApiResult<Invitation> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let invitation = write(ctx, async |txn| {
            members::invite(txn, ctx.viewer()?, ctx.audit()?, brand, &email, role).await
        })
        .await?;
        Ok(Invitation(invitation))
    }

    /// Accepts an invitation addressed to the caller.
    async fn accept_invitation(&self, ctx: &Context<'_>, id: Uuid) -> ApiResult<BrandMember> {
        let member = write(ctx, async |txn| {
            members::accept(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(BrandMember(member))
    }

    /// Revokes a pending invitation (admins and above).
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: Uuid) -> ApiResult<Invitation> {
        let invitation = write(ctx, async |txn| {
            members::revoke(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(Invitation(invitation))
    }

    /// Changes a member's role (admins and above; never above your own role, never
    /// leaving the brand without an owner).
    async fn update_member_role(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        user_id: Uuid,
        role: Role,
    ) -> ApiResult<BrandMember> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let member = write(ctx, async |txn| {
            members::update_role(txn, ctx.viewer()?, ctx.audit()?, brand, user_id, role).await
        })
        .await?;
        Ok(BrandMember(member))
    }

    /// Removes a member (admins and above; not the last owner). Returns the user's id.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        user_id: Uuid,
    ) -> ApiResult<Uuid> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        write(ctx, async |txn| {
            members::remove(txn, ctx.viewer()?, ctx.audit()?, brand, user_id, false).await
        })
        .await
    }

    /// Leaves a brand (anyone but its last owner). Returns the brand's id.
    async fn leave_brand(&self, ctx: &Context<'_>, brand_id: ID) -> ApiResult<ID> {
        let viewer = ctx.viewer()?;
        viewer.require_authenticated()?;
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let user = viewer.user_id().ok_or_else(|| {
            crate::error::ApiError::bad_input("brandId", "the service role is no member")
        })?;
        write(ctx, async |txn| {
            members::remove(txn, ctx.viewer()?, ctx.audit()?, brand, user, true).await
        })
        .await?;
        Ok(brand_id)
    }

    /// Changes the caller's settings for a brand.
    async fn update_client_settings(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        input: ClientSettingsInput,
    ) -> ApiResult<ClientSettings> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let changes = input.into_changes()?;
        let row = write(ctx, async |txn| {
            settings::update(txn, ctx.viewer()?, brand, changes).await
        })
        .await?;
        Ok(ClientSettings(row))
    }

    /// Unsubscribes the holder of an unsubscribe link from some email types (all when
    /// `types` is empty). Works without a login; repeating it changes nothing.
    async fn unsubscribe(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
        #[graphql(default)] types: Vec<String>,
    ) -> ApiResult<bool> {
        // Its own transaction: row-level security shows the settings row only to the
        // transaction that presents its token (`settings::unsubscribe`).
        let txn = sea_orm::TransactionTrait::begin(ctx.pool()?).await?;
        settings::unsubscribe(&txn, &token, types).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Records that the brand reached an onboarding milestone (members and above).
    async fn record_milestone(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        key: String,
        #[graphql(default)] acknowledge: bool,
    ) -> ApiResult<Milestone> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        let row = write(ctx, async |txn| {
            milestones::record(txn, ctx.viewer()?, brand, &key, acknowledge).await
        })
        .await?;
        Ok(Milestone::from(row))
    }
}
