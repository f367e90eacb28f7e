//! Workspace types: client settings, invitations, milestones, audit entries, search hits.

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::ApiResult;
use crate::graphql::brand::Brand;
use crate::graphql::identity::User;
use crate::graphql::ids::{self, NodeKind};
use entity::{audit_logs, brand_invitations, client_settings, milestones};

type Timestamp = DateTime<FixedOffset>;

/// Which emails a user receives about a brand (seed 002 §7 defaults).
#[derive(SimpleObject)]
pub struct EmailPreferences {
    /// Content waits for the user's approval.
    pub approvals_needed: bool,
    /// Reminders about pending approvals.
    pub approval_reminders: bool,
    /// A publication failed.
    pub publish_failures: bool,
    /// A publication succeeded.
    pub publish_success: bool,
    /// The weekly digest.
    pub weekly_digest: bool,
    /// The daily digest.
    pub daily_digest: bool,
    /// How often reminders repeat (e.g. `24h`).
    pub reminder_frequency: String,
    /// `daily` or `weekly`.
    pub digest_frequency: String,
    /// Most emails per day.
    pub max_emails_per_day: i32,
}

impl EmailPreferences {
    fn from_json(value: &serde_json::Value) -> Self {
        let flag = |name: &str, default: bool| value[name].as_bool().unwrap_or(default);
        let text = |name: &str, default: &str| value[name].as_str().unwrap_or(default).to_string();
        Self {
            approvals_needed: flag("approvalsNeeded", true),
            approval_reminders: flag("approvalReminders", true),
            publish_failures: flag("publishFailures", true),
            publish_success: flag("publishSuccess", false),
            weekly_digest: flag("weeklyDigest", false),
            daily_digest: flag("dailyDigest", false),
            reminder_frequency: text("reminderFrequency", "24h"),
            digest_frequency: text("digestFrequency", "weekly"),
            max_emails_per_day: value["maxEmailsPerDay"].as_i64().unwrap_or(20) as i32,
        }
    }
}

/// The caller's settings for one brand.
pub struct ClientSettings(pub client_settings::Model);

/// The caller's settings for one brand.
#[Object]
impl ClientSettings {
    /// The brand (database id).
    async fn brand_id(&self) -> Uuid {
        self.0.brand_id
    }
    /// Email preferences.
    async fn email_preferences(&self) -> EmailPreferences {
        EmailPreferences::from_json(&self.0.email_preferences)
    }
    /// IANA time zone.
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    /// BCP 47 language tag.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    /// Unsubscribed from every email.
    async fn unsubscribed_from_all(&self) -> bool {
        self.0.unsubscribed_from_all.unwrap_or(false)
    }
    /// Email types unsubscribed from.
    async fn unsubscribed_types(&self) -> Vec<String> {
        self.0.unsubscribed_types.clone().unwrap_or_default()
    }
    /// The token of this user's unsubscribe links (only the user sees it).
    async fn unsubscribe_token(&self) -> Option<&str> {
        self.0.unsubscribe_token.as_deref()
    }
    /// Last change.
    async fn updated_at(&self) -> Timestamp {
        self.0.updated_at
    }
}

/// Where an invitation stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Waiting for the invited person.
    Pending,
    /// Accepted: the person is a member.
    Accepted,
    /// Revoked before it was accepted.
    Revoked,
}

/// An invitation to join a brand.
pub struct Invitation(pub brand_invitations::Model);

/// An invitation to join a brand.
#[Object]
impl Invitation {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The brand.
    async fn brand(&self, ctx: &Context<'_>) -> ApiResult<Brand> {
        Brand::load(ctx, self.0.brand_id).await
    }
    /// The invited address.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The role granted on acceptance.
    async fn role(&self) -> Option<Role> {
        self.0.role.parse().ok()
    }
    /// Where it stands.
    async fn status(&self) -> InvitationStatus {
        match self.0.status.as_str() {
            "accepted" => InvitationStatus::Accepted,
            "revoked" => InvitationStatus::Revoked,
            _ => InvitationStatus::Pending,
        }
    }
    /// Who invited.
    async fn invited_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.invited_by).await
    }
    /// When.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// An onboarding milestone the brand reached.
#[derive(SimpleObject)]
pub struct Milestone {
    /// Its key, e.g. `first_post_published`.
    pub key: String,
    /// When it was reached.
    pub unlocked_at: Timestamp,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<Timestamp>,
}

impl From<milestones::Model> for Milestone {
    fn from(m: milestones::Model) -> Self {
        Self {
            key: m.key,
            unlocked_at: m.unlocked_at,
            acknowledged_at: m.acknowledged_at,
        }
    }
}

/// One row of the audit trail.
pub struct AuditEntry(pub audit_logs::Model);

/// One row of the audit trail (append-only).
#[Object]
impl AuditEntry {
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// What was done, e.g. `brand.update`, `content.approve`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of thing it was done to.
    async fn resource_type(&self) -> &str {
        &self.0.resource_type
    }
    /// Its id.
    async fn resource_id(&self) -> Option<&str> {
        self.0.resource_id.as_deref()
    }
    /// Who did it (null for the service role).
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        User::load(ctx, self.0.user_id).await
    }
    /// Details; for changes `{before, after}`.
    async fn metadata(&self) -> Json<serde_json::Value> {
        Json(self.0.metadata.clone().unwrap_or_default())
    }
    /// The caller's address.
    async fn ip_address(&self) -> Option<&str> {
        self.0.ip_address.as_deref()
    }
    /// The caller's user agent.
    async fn user_agent(&self) -> Option<&str> {
        self.0.user_agent.as_deref()
    }
    /// When.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at
    }
}

/// What a search hit is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// A content item.
    ContentItem,
    /// A media asset.
    MediaAsset,
}

/// One search hit, best first.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// What it is.
    pub kind: SearchKind,
    /// Its global id (for `node`).
    pub id: ID,
    /// Its database id.
    pub uuid: Uuid,
    /// Its brand (database id).
    pub brand_id: Uuid,
    /// Its title (or file name).
    pub title: Option<String>,
    /// The matching passage, matches in `<b>…</b>`.
    pub highlight: String,
    /// Relevance (higher is better).
    pub rank: f32,
}

impl From<crate::domain::workspace::search::Hit> for SearchHit {
    fn from(hit: crate::domain::workspace::search::Hit) -> Self {
        let (kind, node) = if hit.kind == "media_asset" {
            (SearchKind::MediaAsset, NodeKind::MediaAsset)
        } else {
            (SearchKind::ContentItem, NodeKind::ContentItem)
        };
        Self {
            kind,
            id: ids::encode(node, hit.id),
            uuid: hit.id,
            brand_id: hit.brand_id,
            title: hit.title,
            highlight: hit.snippet,
            rank: hit.rank,
        }
    }
}
