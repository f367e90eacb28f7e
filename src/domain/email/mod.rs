//! Email: templates, email campaigns sent through the publishing pipeline, contacts with
//! their subscription status, and automation rules, all scoped by brand.
//!
//! Who may do what (README, "Email"): every member of a brand reads its templates, email
//! campaigns, automation rules and contacts, but a contact's address is personal data
//! that only members and above read (viewers get null, as for leads); members write
//! templates and draft email campaigns, import contacts and unsubscribe them; managers
//! schedule, send and cancel email campaigns and manage automation rules (both send mail
//! without a person looking).

pub mod automation;
pub mod campaigns;
pub mod contacts;
pub mod events;
pub mod sending;
pub mod templates;

use crate::auth::Role;
use crate::domain::status::db_enum;
use crate::error::{ApiError, ApiResult};

/// The least role that reads a contact's address.
pub const PERSONAL_DATA_ROLE: Role = Role::Member;
/// The least role that writes templates, drafts and contacts.
pub const WRITE_ROLE: Role = Role::Member;
/// The least role that sends (schedules, sends, cancels) and automates.
pub const SEND_ROLE: Role = Role::Manager;

db_enum!(
    /// Where an email campaign is. It follows its publish job once scheduled or sent.
    EmailCampaignStatus {
        /// Being written; not queued.
        Draft = "draft",
        /// Queued to go out at `scheduledFor`.
        Scheduled = "scheduled",
        /// A worker is sending it (or retrying after a failure).
        Sending = "sending",
        /// Handed to the provider; final.
        Sent = "sent",
        /// Its job went to the dead-letter queue; `retryPublishJob` tries again.
        Failed = "failed",
        /// Cancelled before it went out; final.
        Cancelled = "cancelled",
    }
);

db_enum!(
    /// Whether a contact receives email.
    SubscriptionStatus {
        /// Receives email.
        Subscribed = "subscribed",
        /// Asked not to receive email; never in an audience again unless re-imported as
        /// subscribed by a person.
        Unsubscribed = "unsubscribed",
        /// The address bounced hard; never in an audience.
        Bounced = "bounced",
        /// Marked an email as spam; never in an audience.
        Complained = "complained",
    }
);

db_enum!(
    /// What starts an automation rule.
    AutomationTrigger {
        /// A contact subscribed (imported or re-subscribed).
        ContactSubscribed = "contact_subscribed",
        /// A lead was created.
        LeadCreated = "lead_created",
        /// A lead's status changed.
        LeadStatusChanged = "lead_status_changed",
        /// A contact opened an email.
        EmailOpened = "email_opened",
        /// A contact clicked a link in an email.
        EmailClicked = "email_clicked",
        /// A contact got a tag.
        TagAdded = "tag_added",
    }
);

db_enum!(
    /// What an automation rule does.
    AutomationAction {
        /// Sends a template (`actionConfig.templateId`).
        SendTemplate = "send_template",
        /// Adds a tag to the contact (`actionConfig.tag`).
        AddTag = "add_tag",
        /// Removes a tag from the contact (`actionConfig.tag`).
        RemoveTag = "remove_tag",
        /// Notifies the brand's team.
        NotifyTeam = "notify_team",
    }
);

/// An address as stored: trimmed, one `@`, a dot in its domain, no spaces, at most 254
/// characters (the CHECK's rule). Uniqueness ignores case.
pub(crate) fn address(field: &'static str, text: &str) -> ApiResult<String> {
    let text = text.trim();
    let valid = text.len() <= 254
        && !text.chars().any(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(ApiError::bad_input(field, "not a valid email address"))
    }
}

/// A tag list: trimmed, deduplicated, at most 20 tags of 1 to 50 characters.
pub(crate) fn tags(field: &'static str, list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.len() > 20 {
        return Err(ApiError::bad_input(field, "at most 20 tags"));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for tag in list {
        let tag = crate::domain::marketing::required_text(field, &tag, 50)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// A JSON value that must be an object of at most 10 kB.
pub(crate) fn object(
    field: &'static str,
    value: Option<serde_json::Value>,
) -> ApiResult<serde_json::Value> {
    let value = value.unwrap_or_else(|| serde_json::json!({}));
    if !value.is_object() || value.to_string().len() > 10_000 {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be an object of at most 10 kB"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_follow_the_check_constraint() {
        assert_eq!(
            address("email", " Ana@Example.com ").unwrap(),
            "Ana@Example.com"
        );
        for bad in [
            "", "ana", "ana@", "@x.io", "ana@x", "a b@x.io", "a@b@x.io", "a@x.",
        ] {
            assert!(address("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        assert_eq!(
            tags("tags", vec![" vip ".into(), "vip".into(), "b2b".into()]).unwrap(),
            vec!["vip".to_string(), "b2b".to_string()]
        );
        assert!(tags("tags", vec!["x".into(); 21]).is_err());
        assert!(tags("tags", vec!["  ".into()]).is_err());
    }

    #[test]
    fn objects_must_be_small_objects() {
        assert!(object("config", None).unwrap().is_object());
        assert!(object("config", Some(serde_json::json!([1]))).is_err());
        let big = serde_json::json!({ "x": "y".repeat(10_001) });
        assert!(object("config", Some(big)).is_err());
    }
}
