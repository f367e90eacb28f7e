use async_graphql::{Context, ID, Json, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::ApiResult;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::Tenant;
use crate::graphql::ids::{self, NodeKind};
use entity::brands;

/// A brand of a tenant: its identity, voice and everything published under it.
pub struct Brand(pub brands::Model);

/// A brand of a tenant: its identity, voice and everything published under it.
#[Object]
impl Brand {
    /// Global id (for `node`).
    async fn id(&self) -> ID {
        ids::encode(NodeKind::Brand, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The tenant that owns the brand.
    async fn tenant(&self, ctx: &Context<'_>) -> ApiResult<Option<Tenant>> {
        let Some(tenant_id) = self.0.tenant_id else {
            return Ok(None);
        };
        let loaders = ctx.loaders()?;
        Ok(loaders.tenants.load_one(tenant_id).await?.map(Tenant))
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// URL-safe name, unique within the tenant.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Legacy workspace alias of the brand.
    async fn workspace_id(&self) -> Option<&str> {
        self.0.workspace_id.as_deref()
    }
    /// Logo image URL.
    async fn logo_url(&self) -> Option<&str> {
        self.0.logo_url.as_deref()
    }
    /// Primary brand colour, e.g. `#3b82f6`.
    async fn primary_color(&self) -> Option<&str> {
        self.0.primary_color.as_deref()
    }
    /// Website URL.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// Industry.
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// Free-text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Brand kit (colours, fonts, logos) as JSON.
    async fn brand_kit(&self) -> Option<Json<serde_json::Value>> {
        self.0.brand_kit.clone().map(Json)
    }
    /// Summary of the brand's voice.
    async fn voice_summary(&self) -> Option<&str> {
        self.0.voice_summary.as_deref()
    }
    /// Summary of the brand's visual identity.
    async fn visual_summary(&self) -> Option<&str> {
        self.0.visual_summary.as_deref()
    }
    /// Keywords describing the brand's tone.
    async fn tone_keywords(&self) -> Vec<String> {
        self.0.tone_keywords.clone().unwrap_or_default()
    }
    /// Compliance rules content must follow.
    async fn compliance_rules(&self) -> Option<&str> {
        self.0.compliance_rules.as_deref()
    }
    /// Whether onboarding intake is complete.
    async fn intake_completed(&self) -> bool {
        self.0.intake_completed.unwrap_or(false)
    }
    /// When onboarding intake completed.
    async fn intake_completed_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.intake_completed_at
    }
    /// When the website crawler last ran.
    async fn scraped_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.scraped_at
    }
    /// Website crawler status (`never_run`, ...).
    async fn scraper_status(&self) -> Option<&str> {
        self.0.scraper_status.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<FixedOffset> {
        self.0.created_at
    }
    /// Last update time.
    async fn updated_at(&self) -> DateTime<FixedOffset> {
        self.0.updated_at
    }
    /// The caller's role in this brand (`OWNER` for the service role).
    async fn viewer_role(&self, ctx: &Context<'_>) -> ApiResult<Option<Role>> {
        Ok(ctx.viewer()?.role_in(self.0.id).await?)
    }
}
