//! Campaigns and leads: the marketing half of the platform, scoped by brand.
//!
//! Who may do what (README, "Campaigns and leads"): every member reads campaigns, their
//! tasks and metrics, leads and activities; a lead's email and phone are personal data
//! that only members and above read; members create and edit leads and log activities;
//! members create, edit and complete campaign tasks; managers create, change, pause and
//! complete campaigns, record spend and metrics, and delete tasks.

pub mod campaigns;
pub mod capture;
pub mod leads;
pub mod metrics;
mod money;
pub mod rollup;
pub mod scoring;
pub mod tasks;

pub use money::Money;

use crate::domain::status::db_enum;
use crate::error::{ApiError, ApiResult};

db_enum!(
    /// What a campaign is for. Seed 001 (`email, social, content, mixed`) and seed 003
    /// (`lead_generation, brand_awareness, product_launch, email, social_media, ...`)
    /// are merged; 003's `social_media` is `social`.
    CampaignType {
        /// Collects leads.
        LeadGeneration = "lead_generation",
        /// Reach and recognition.
        BrandAwareness = "brand_awareness",
        /// Launches a product.
        ProductLaunch = "product_launch",
        /// Email sends.
        Email = "email",
        /// Social posts.
        Social = "social",
        /// Content marketing (blog, video, ...).
        Content = "content",
        /// An event or webinar.
        Event = "event",
        /// Several of the above.
        Mixed = "mixed",
    }
);

db_enum!(
    /// Where a campaign is in its lifecycle.
    CampaignStatus {
        /// Being planned.
        Draft = "draft",
        /// Running.
        Active = "active",
        /// Stopped for now; can be resumed.
        Paused = "paused",
        /// Over; final.
        Completed = "completed",
    }
);

db_enum!(
    /// Urgency of a campaign task.
    TaskPriority {
        /// Whenever.
        Low = "low",
        /// The default.
        Medium = "medium",
        /// Soon.
        High = "high",
        /// Now.
        Urgent = "urgent",
    }
);

db_enum!(
    /// Progress of a campaign task.
    TaskStatus {
        /// Not started.
        Pending = "pending",
        /// Being worked on.
        InProgress = "in_progress",
        /// Done.
        Completed = "completed",
        /// Dropped.
        Cancelled = "cancelled",
    }
);

db_enum!(
    /// Where a lead is in the funnel.
    LeadStatus {
        /// Just arrived.
        New = "new",
        /// Someone reached out.
        Contacted = "contacted",
        /// Worth pursuing.
        Qualified = "qualified",
        /// Became a customer (`convertLead`); final.
        Converted = "converted",
        /// Will not buy (`loseLead`); final.
        Lost = "lost",
    }
);

db_enum!(
    /// How big a lead's company is (seed 003's sizes); scoring rules match on it.
    CompanySize {
        /// A young company.
        Startup = "startup",
        /// A small business.
        Small = "small",
        /// A mid-sized company.
        Medium = "medium",
        /// A large enterprise.
        Enterprise = "enterprise",
    }
);

db_enum!(
    /// What happened with a lead.
    LeadActivityType {
        /// A note.
        Note = "note",
        /// A phone call.
        Call = "call",
        /// A meeting.
        Meeting = "meeting",
        /// An email was sent to the lead.
        EmailSent = "email_sent",
        /// The lead opened an email.
        EmailOpened = "email_opened",
        /// The lead clicked a link in an email.
        EmailClicked = "email_clicked",
        /// The lead submitted a form.
        FormSubmitted = "form_submitted",
        /// The lead visited a page.
        PageVisit = "page_visit",
        /// The lead's status changed (written by the gateway).
        StatusChanged = "status_changed",
        /// An email to the lead bounced (from the email provider).
        EmailBounced = "email_bounced",
        /// The lead unsubscribed from email or complained (from the email provider, or a
        /// member).
        EmailUnsubscribed = "email_unsubscribed",
    }
);

/// A required display text: trimmed, 1 to `max` characters.
pub(crate) fn required_text(field: &'static str, text: &str, max: usize) -> ApiResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be 1 to {max} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// An optional text: trimmed, empty means none, at most `max` characters.
pub(crate) fn optional_text(
    field: &'static str,
    text: Option<String>,
    max: usize,
) -> ApiResult<Option<String>> {
    let Some(text) = text else { return Ok(None) };
    let trimmed = text.trim();
    if trimmed.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_string()))
}

/// A short machine name (a lead's source, a metric): lowercase letters, digits and `_`,
/// starting with a letter, at most 40 characters; mirrors the CHECKs.
pub(crate) fn slug(field: &'static str, text: &str) -> ApiResult<String> {
    let ok = text.len() <= 40
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(text.to_string())
    } else {
        Err(ApiError::bad_input(
            field,
            format!("{field} must be lowercase letters, digits and _ (at most 40), e.g. `website`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_check_constraint() {
        assert!(slug("source", "website").is_ok());
        assert!(slug("source", "paid_search2").is_ok());
        assert!(slug("source", "Website").is_err());
        assert!(slug("source", "2x").is_err());
        assert!(slug("source", "").is_err());
        assert!(slug("source", &"a".repeat(41)).is_err());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("name", "  Spring  ", 10).unwrap(), "Spring");
        assert!(required_text("name", "   ", 10).is_err());
        assert_eq!(optional_text("notes", Some("  ".into()), 5).unwrap(), None);
        assert!(optional_text("notes", Some("toolong".into()), 5).is_err());
    }
}
