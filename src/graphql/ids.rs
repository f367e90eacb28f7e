//! Relay global object ids: `base64("Kind:uuid")`, opaque to clients.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::ApiError;

/// The kinds of object `node(id:)` can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Tenant,
    User,
    Brand,
    BrandMember,
    ContentItem,
    MediaAsset,
    PostApproval,
    AnalyticsMetric,
    AnalyticsGoal,
    ScheduledContent,
    PlatformConnection,
    PublishJob,
    ApprovalRequest,
    WorkflowTemplate,
    WorkflowInstance,
    WorkflowNotification,
    EscalationRule,
    EscalationEvent,
    WebhookEvent,
    StrategyBrief,
    ContentPackage,
    BrandHistory,
    CollaborationLog,
    SocialPost,
    PlatformReview,
    AdvisorFeedback,
    AutoPlan,
    Campaign,
    Lead,
    EmailTemplate,
    EmailCampaign,
    EmailContact,
    EmailAutomationRule,
}

impl NodeKind {
    pub const ALL: [NodeKind; 33] = [
        Self::Tenant,
        Self::User,
        Self::Brand,
        Self::BrandMember,
        Self::ContentItem,
        Self::MediaAsset,
        Self::PostApproval,
        Self::AnalyticsMetric,
        Self::AnalyticsGoal,
        Self::ScheduledContent,
        Self::PlatformConnection,
        Self::PublishJob,
        Self::ApprovalRequest,
        Self::WorkflowTemplate,
        Self::WorkflowInstance,
        Self::WorkflowNotification,
        Self::EscalationRule,
        Self::EscalationEvent,
        Self::WebhookEvent,
        Self::StrategyBrief,
        Self::ContentPackage,
        Self::BrandHistory,
        Self::CollaborationLog,
        Self::SocialPost,
        Self::PlatformReview,
        Self::AdvisorFeedback,
        Self::AutoPlan,
        Self::Campaign,
        Self::Lead,
        Self::EmailTemplate,
        Self::EmailCampaign,
        Self::EmailContact,
        Self::EmailAutomationRule,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Tenant => "Tenant",
            Self::User => "User",
            Self::Brand => "Brand",
            Self::BrandMember => "BrandMember",
            Self::ContentItem => "ContentItem",
            Self::MediaAsset => "MediaAsset",
            Self::PostApproval => "PostApproval",
            Self::AnalyticsMetric => "AnalyticsMetric",
            Self::AnalyticsGoal => "AnalyticsGoal",
            Self::ScheduledContent => "ScheduledContent",
            Self::PlatformConnection => "PlatformConnection",
            Self::PublishJob => "PublishJob",
            Self::ApprovalRequest => "ApprovalRequest",
            Self::WorkflowTemplate => "WorkflowTemplate",
            Self::WorkflowInstance => "WorkflowInstance",
            Self::WorkflowNotification => "WorkflowNotification",
            Self::EscalationRule => "EscalationRule",
            Self::EscalationEvent => "EscalationEvent",
            Self::WebhookEvent => "WebhookEvent",
            Self::StrategyBrief => "StrategyBrief",
            Self::ContentPackage => "ContentPackage",
            Self::BrandHistory => "BrandHistory",
            Self::CollaborationLog => "CollaborationLog",
            Self::SocialPost => "SocialPost",
            Self::PlatformReview => "PlatformReview",
            Self::AdvisorFeedback => "AdvisorFeedback",
            Self::AutoPlan => "AutoPlan",
            Self::Campaign => "Campaign",
            Self::Lead => "Lead",
            Self::EmailTemplate => "EmailTemplate",
            Self::EmailCampaign => "EmailCampaign",
            Self::EmailContact => "EmailContact",
            Self::EmailAutomationRule => "EmailAutomationRule",
        }
    }
}

/// Encodes the global id of one object.
pub fn encode(kind: NodeKind, id: Uuid) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decodes any global id into its kind and database id.
pub fn decode(id: &str) -> Result<(NodeKind, Uuid), ApiError> {
    let bad = || ApiError::bad_input("id", "not a valid id");
    let raw = URL_SAFE_NO_PAD.decode(id).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (kind, uuid) = text.split_once(':').ok_or_else(bad)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(bad)?;
    Ok((kind, Uuid::parse_str(uuid).map_err(|_| bad())?))
}

/// Accepts either the global id of a `kind` object or its plain UUID.
pub fn decode_as(kind: NodeKind, id: &str) -> Result<Uuid, ApiError> {
    if let Ok(uuid) = Uuid::parse_str(id) {
        return Ok(uuid);
    }
    match decode(id)? {
        (found, uuid) if found == kind => Ok(uuid),
        _ => Err(ApiError::bad_input(
            "id",
            format!("not the id of a {}", kind.name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip() {
        let id = Uuid::new_v4();
        let global = encode(NodeKind::ContentItem, id);
        assert_eq!(decode(&global).unwrap(), (NodeKind::ContentItem, id));
        assert_eq!(decode_as(NodeKind::ContentItem, &global).unwrap(), id);
        assert_eq!(
            decode_as(NodeKind::ContentItem, &id.to_string()).unwrap(),
            id
        );
    }

    #[test]
    fn ids_of_another_kind_or_garbage_are_bad_input() {
        let global = encode(NodeKind::Brand, Uuid::new_v4());
        assert!(decode_as(NodeKind::ContentItem, &global).is_err());
        assert!(decode("%%%").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("Brand:not-a-uuid")).is_err());
    }
}
