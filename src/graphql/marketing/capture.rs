//! Public form keys as admins see them, their mutations, and `captureLead` for trusted
//! backends (`POST /forms/{formKey}` is the browsers' way in: `crate::http::forms`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::campaign::{Campaign, user};
use super::lead::Lead;
use crate::auth::Role;
use crate::domain::access::require_role;
use crate::domain::marketing::capture::{self, FormKeyChanges, NewFormKey, Submission, Target};
use crate::domain::marketing::{CompanySize, slug};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::identity::User;
use crate::graphql::ids::{NodeKind, decode_as};
use entity::lead_form_keys;

type Timestamp = DateTime<FixedOffset>;

/// A publishable key that lets a brand's web forms create leads
/// (`POST /forms/{key}`). It can only create leads, never read them; admins and owners
/// see and manage keys.
pub struct LeadFormKey(pub lead_form_keys::Model);

/// A publishable key that lets a brand's web forms create leads (`POST /forms/{key}`).
#[Object]
impl LeadFormKey {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Database id of the brand.
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// The publishable key to put in the form's action URL.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Its name, unique within the brand.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Browser origins whose pages may post to it (`*` for any); requests without an
    /// `Origin` header (servers) are not restricted.
    async fn allowed_origins(&self) -> &[String] {
        &self.0.allowed_origins
    }
    /// The source its leads get, e.g. `website`.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// The campaign its leads are attributed to.
    async fn campaign(&self, ctx: &Context<'_>) -> ApiResult<Option<Campaign>> {
        match self.0.campaign_id {
            Some(id) => Ok(ctx.loaders()?.campaigns().load_one(id).await?.map(Campaign)),
            None => Ok(None),
        }
    }
    /// When it was revoked; a revoked key captures nothing.
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at
    }
    /// Who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.created_by).await
    }
    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// A new form key.
#[derive(InputObject)]
pub struct CreateLeadFormKeyInput {
    /// The brand whose leads it creates.
    pub brand_id: ID,
    /// Its name, unique within the brand (1 to 100 characters).
    pub name: String,
    /// Origins whose pages may post to it, e.g. `https://www.example.com` (1 to 20; `*`
    /// for any).
    pub allowed_origins: Vec<String>,
    /// The source its leads get (lowercase, default `website`).
    pub source: Option<String>,
    /// The campaign its leads are attributed to (of the same brand).
    pub campaign_id: Option<ID>,
}

/// Changes to a form key; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateLeadFormKeyInput {
    /// New name.
    pub name: Option<String>,
    /// New list of origins (replaces the old one).
    pub allowed_origins: Option<Vec<String>>,
    /// New source.
    pub source: Option<String>,
    /// New campaign (of the same brand).
    pub campaign_id: Option<ID>,
}

/// A lead as a trusted backend captures it (the same rules as a web form).
#[derive(InputObject)]
pub struct CaptureLeadInput {
    /// The brand it belongs to.
    pub brand_id: ID,
    /// Their email address; a known address (ignoring case) adds an activity to its lead.
    pub email: String,
    /// Their name (default: the address's local part).
    pub name: Option<String>,
    /// Their phone number.
    pub phone: Option<String>,
    /// Their company.
    pub company: Option<String>,
    /// Their job title.
    pub job_title: Option<String>,
    /// Their company's industry.
    pub industry: Option<String>,
    /// Their company's size.
    pub company_size: Option<CompanySize>,
    /// What they wrote; it becomes the activity's description.
    pub message: Option<String>,
    /// Where they came from (lowercase, default `api`).
    pub source: Option<String>,
    /// The campaign that produced it (of the same brand); only for a new lead.
    pub campaign_id: Option<ID>,
}

/// What `captureLead` did.
#[derive(SimpleObject)]
pub struct CaptureLeadPayload {
    /// The lead, new or found by its address.
    pub lead: Lead,
    /// Whether the lead was created by this capture (false: an activity was added to an
    /// existing lead).
    pub created: bool,
}

fn campaign(id: Option<ID>) -> ApiResult<Option<Uuid>> {
    id.map(|id| decode_as(NodeKind::Campaign, &id)).transpose()
}

#[derive(Default)]
pub struct LeadCaptureMutation;

#[Object]
impl LeadCaptureMutation {
    /// Creates a publishable form key (admins and owners).
    async fn create_lead_form_key(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadFormKeyInput,
    ) -> ApiResult<LeadFormKey> {
        let new = NewFormKey {
            brand_id: decode_as(NodeKind::Brand, &input.brand_id)?,
            name: input.name,
            allowed_origins: input.allowed_origins,
            source: input.source,
            campaign_id: campaign(input.campaign_id)?,
        };
        let row = write(ctx, async |txn| {
            capture::create_key(txn, ctx.viewer()?, ctx.audit()?, new).await
        })
        .await?;
        Ok(LeadFormKey(row))
    }

    /// Changes a form key's name, origins, source or campaign (admins and owners).
    async fn update_lead_form_key(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateLeadFormKeyInput,
    ) -> ApiResult<LeadFormKey> {
        let changes = FormKeyChanges {
            name: input.name,
            allowed_origins: input.allowed_origins,
            source: input.source,
            campaign_id: campaign(input.campaign_id)?,
        };
        let row = write(ctx, async |txn| {
            capture::update_key(txn, ctx.viewer()?, ctx.audit()?, id, changes).await
        })
        .await?;
        Ok(LeadFormKey(row))
    }

    /// Revokes a form key (admins and owners); its forms stop creating leads at once.
    async fn revoke_lead_form_key(&self, ctx: &Context<'_>, id: Uuid) -> ApiResult<LeadFormKey> {
        let row = write(ctx, async |txn| {
            capture::revoke_key(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(LeadFormKey(row))
    }

    /// Captures a lead as a web form would, for a trusted backend (the service role, or
    /// admins and owners): a new address creates a lead, a known one gets a
    /// `form_submitted` activity; both are scored and emit change events.
    async fn capture_lead(
        &self,
        ctx: &Context<'_>,
        input: CaptureLeadInput,
    ) -> ApiResult<CaptureLeadPayload> {
        let brand = decode_as(NodeKind::Brand, &input.brand_id)?;
        let campaign_id = campaign(input.campaign_id)?;
        let source = slug("source", input.source.as_deref().unwrap_or("api"))?;
        let submission = Submission {
            email: input.email,
            name: input.name,
            phone: input.phone,
            company: input.company,
            job_title: input.job_title,
            industry: input.industry,
            company_size: input.company_size.map(|s| s.as_str().to_string()),
            message: input.message,
        };
        let captured = write(ctx, async |txn| {
            let viewer = ctx.viewer()?;
            require_role(viewer, brand, Role::Admin).await?;
            if let Some(id) = campaign_id
                && !crate::domain::marketing::campaigns::exists_in_brand(txn, brand, id).await?
            {
                return Err(crate::error::ApiError::bad_input(
                    "campaignId",
                    "no such campaign in the lead's brand",
                ));
            }
            let target = Target {
                brand_id: brand,
                source,
                campaign_id,
                form_key_id: None,
                created_by: viewer.user_id(),
            };
            capture::capture(txn, ctx.audit()?, target, submission).await
        })
        .await?;
        Ok(CaptureLeadPayload {
            lead: Lead(captured.lead),
            created: captured.created,
        })
    }
}

/// `Brand.leadFormKeys`: admins and owners only (`FORBIDDEN` for other members).
pub async fn form_keys(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<LeadFormKey>> {
    require_role(ctx.viewer()?, brand, Role::Admin).await?;
    Ok(capture::keys_of_brand(ctx.db()?, brand)
        .await?
        .into_iter()
        .map(LeadFormKey)
        .collect())
}
