//! Privacy requests about a person (a data subject, known by their email address within a
//! brand): export everything held about them, or erase it (`domain::privacy`). Admins and
//! owners of the brand only; each request is recorded without the address itself.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use uuid::Uuid;

use crate::domain::privacy::{self, erase::ErasureReport, export::PersonExport};
use crate::error::ApiResult;
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// What an erasure did. The person's lead and contact stay as anonymous tombstones
/// (status, score, dates and deliveries kept) so counts and rollups stay right.
#[derive(SimpleObject)]
pub struct Erasure {
    /// The `data_deletion_requests` row that records it.
    pub request_id: ID,
    /// The subject's pseudonym in the privacy log: hex SHA-256 of `brandId:lowercased email`.
    pub subject_hash: String,
    /// Leads made anonymous.
    pub leads_erased: i64,
    /// Email contacts made anonymous (and unsubscribed).
    pub contacts_erased: i64,
    /// Lead activities whose description and details were cleared.
    pub activities_scrubbed: i64,
    /// Email events whose URL was cleared.
    pub email_events_scrubbed: i64,
    /// Search documents removed.
    pub search_documents_removed: i64,
    /// Change-log events whose payload was replaced by `{"erased": true}`.
    pub change_events_scrubbed: i64,
    /// Stored provider webhooks whose payload no longer contains the address.
    pub webhook_events_scrubbed: i64,
}

impl From<ErasureReport> for Erasure {
    fn from(report: ErasureReport) -> Self {
        Self {
            request_id: ID(report.request_id.to_string()),
            subject_hash: report.subject_hash,
            leads_erased: report.leads,
            contacts_erased: report.contacts,
            activities_scrubbed: report.activities,
            email_events_scrubbed: report.email_events,
            search_documents_removed: report.search_documents,
            change_events_scrubbed: report.change_events,
            webhook_events_scrubbed: report.webhook_events,
        }
    }
}

/// Everything a brand holds about a person, as one JSON document.
#[derive(SimpleObject)]
pub struct PersonDataExport {
    /// The `data_export_requests` row that records it.
    pub request_id: ID,
    /// `{requestId, brandId, email, exportedAt, leads: [{…, activities: […]}], contacts:
    /// [{…, campaigns: […], events: […]}]}`, columns under their database names.
    pub document: Json<serde_json::Value>,
}

impl From<PersonExport> for PersonDataExport {
    fn from(export: PersonExport) -> Self {
        Self {
            request_id: ID(export.request_id.to_string()),
            document: Json(export.document),
        }
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

impl PrivacyMutation {
    async fn erase(ctx: &Context<'_>, brand: Uuid, email: String) -> ApiResult<Erasure> {
        let report = write(ctx, async |txn| {
            privacy::erase::erase_person(txn, ctx.viewer()?, brand, &email).await
        })
        .await?;
        Ok(report.into())
    }

    async fn export(ctx: &Context<'_>, brand: Uuid, email: String) -> ApiResult<PersonDataExport> {
        let export = write(ctx, async |txn| {
            privacy::export::export_person(txn, ctx.viewer()?, brand, &email).await
        })
        .await?;
        Ok(export.into())
    }

    async fn address(
        ctx: &Context<'_>,
        table: &'static str,
        kind: NodeKind,
        id: &ID,
        what: &'static str,
    ) -> ApiResult<(Uuid, String)> {
        let id = decode_as(kind, id)?;
        let viewer = ctx.viewer()?;
        viewer.require_authenticated()?;
        privacy::address_of(ctx.db()?, viewer, table, id, what).await
    }
}

#[Object]
impl PrivacyMutation {
    /// Erases everything the brand holds about the person with this email address (its
    /// lead and email contact, ignoring case, with their activities, deliveries, search
    /// documents, change-log payloads and stored provider webhooks), leaving anonymous
    /// tombstones. Admins and owners only. An address the brand does not hold is erased
    /// trivially (the request is still recorded).
    async fn erase_person(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        email: String,
    ) -> ApiResult<Erasure> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        Self::erase(ctx, brand, email).await
    }

    /// Erases the person behind a lead: the same as `erasePerson` with the lead's brand
    /// and address (so their email contact goes too). Admins and owners only.
    async fn erase_lead(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Erasure> {
        let (brand, email) = Self::address(ctx, "leads", NodeKind::Lead, &id, "lead").await?;
        Self::erase(ctx, brand, email).await
    }

    /// Erases the person behind an email contact: the same as `erasePerson` with the
    /// contact's brand and address (so their lead goes too). Admins and owners only.
    async fn erase_contact(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Erasure> {
        let (brand, email) = Self::address(
            ctx,
            "email_contacts",
            NodeKind::EmailContact,
            &id,
            "email contact",
        )
        .await?;
        Self::erase(ctx, brand, email).await
    }

    /// Everything the brand holds about the person with this email address, as one JSON
    /// document (their lead with its activities, their email contact with the campaigns
    /// sent to it and the provider's events). Admins and owners only; recorded as an
    /// export request.
    async fn export_person_data(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        email: String,
    ) -> ApiResult<PersonDataExport> {
        let brand = decode_as(NodeKind::Brand, &brand_id)?;
        Self::export(ctx, brand, email).await
    }

    /// `exportPersonData` for the person behind a lead. Admins and owners only.
    async fn export_lead_data(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PersonDataExport> {
        let (brand, email) = Self::address(ctx, "leads", NodeKind::Lead, &id, "lead").await?;
        Self::export(ctx, brand, email).await
    }
}
