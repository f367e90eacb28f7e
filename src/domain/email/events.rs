//! The email provider's events, delivered as signed webhooks (`POST /webhooks/{provider}`,
//! types `email.delivered`, `email.opened`, `email.clicked`, `email.bounced`,
//! `email.unsubscribed`, `email.complained`) with
//! `data: {email, emailCampaignId?, eventId?, url?}`.
//!
//! Each event is recorded once per (brand, provider, event id) — `eventId`, or the
//! delivery id when the provider sends one event per delivery — so a re-sent event
//! changes nothing. A recorded event marks the campaign's recipient (unique opens and
//! clicks), moves the contact's subscription status (bounced, unsubscribed, complained;
//! an unknown address becomes a suppressed contact so no later import mails it), and,
//! when the address is one of the brand's leads, adds a lead activity (`email_sent`,
//! `email_opened`, `email_clicked`, `email_bounced`, `email_unsubscribed`) so its score
//! can move. Every statement is scoped to the delivery's brand.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::webhooks::handlers::{Failure, Outcome};
use crate::error::ApiResult;
use entity::webhook_events;

/// A provider event type and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailEvent {
    Delivered,
    Opened,
    Clicked,
    Bounced,
    Unsubscribed,
    Complained,
}

impl EmailEvent {
    /// The event of a webhook type (`email.opened` ...), if it is one.
    pub fn from_webhook_type(kind: &str) -> Option<Self> {
        Some(match kind.strip_prefix("email.")? {
            "delivered" => Self::Delivered,
            "opened" => Self::Opened,
            "clicked" => Self::Clicked,
            "bounced" => Self::Bounced,
            "unsubscribed" => Self::Unsubscribed,
            "complained" => Self::Complained,
            _ => return None,
        })
    }

    /// The `email_events.type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Opened => "opened",
            Self::Clicked => "clicked",
            Self::Bounced => "bounced",
            Self::Unsubscribed => "unsubscribed",
            Self::Complained => "complained",
        }
    }

    /// The lead activity it becomes.
    pub fn lead_activity(self) -> &'static str {
        match self {
            Self::Delivered => "email_sent",
            Self::Opened => "email_opened",
            Self::Clicked => "email_clicked",
            Self::Bounced => "email_bounced",
            Self::Unsubscribed | Self::Complained => "email_unsubscribed",
        }
    }

    /// The subscription status it leaves the contact in, if it changes it.
    pub fn subscription(self) -> Option<&'static str> {
        match self {
            Self::Bounced => Some("bounced"),
            Self::Unsubscribed => Some("unsubscribed"),
            Self::Complained => Some("complained"),
            _ => None,
        }
    }

    /// The recipient column it stamps (the first time only).
    fn recipient_column(self) -> &'static str {
        match self {
            Self::Delivered => "delivered_at",
            Self::Opened => "opened_at",
            Self::Clicked => "clicked_at",
            Self::Bounced => "bounced_at",
            Self::Unsubscribed | Self::Complained => "unsubscribed_at",
        }
    }
}

fn sql(text: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, text, values)
}

fn db_failure(err: sea_orm::DbErr) -> Failure {
    format!("database: {err}")
}

/// The lead a contact stands for: its linked lead, or the brand's lead of its address.
pub(crate) async fn lead_of(
    db: &impl ConnectionTrait,
    brand: Uuid,
    linked: Option<Uuid>,
    email: &str,
) -> ApiResult<Option<Uuid>> {
    if linked.is_some() {
        return Ok(linked);
    }
    let row = db
        .query_one_raw(sql(
            "SELECT id FROM leads WHERE brand_id = $1 AND lower(email) = lower($2)",
            vec![brand.into(), email.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get_by_index(0)?),
        None => None,
    })
}

/// Adds an activity to a lead of `brand` (the lead helper's scoring reads activities).
pub(crate) async fn add_lead_activity(
    db: &impl ConnectionTrait,
    brand: Uuid,
    lead: Uuid,
    kind: &str,
    by: Option<Uuid>,
    metadata: Value,
) -> ApiResult<()> {
    db.execute_raw(sql(
        "INSERT INTO lead_activities (brand_id, lead_id, type, metadata, created_by)
         SELECT $1, id, $3, $4, $5 FROM leads WHERE id = $2 AND brand_id = $1",
        vec![
            brand.into(),
            lead.into(),
            kind.into(),
            metadata.into(),
            by.into(),
        ],
    ))
    .await?;
    Ok(())
}

fn address(data: &Value) -> Result<String, Failure> {
    let text = data["email"].as_str().unwrap_or_default();
    super::address("email", text).map_err(|_| "data.email must be an email address".to_string())
}

/// Handles one email event of `brand`.
pub async fn handle(
    db: &impl ConnectionTrait,
    brand: Uuid,
    kind: EmailEvent,
    event: &webhook_events::Model,
) -> Result<Outcome, Failure> {
    let data = &event.payload["data"];
    let email = address(data)?;
    let event_id = match &data["eventId"] {
        Value::Null => {
            let key = event.idempotency_key.as_deref().unwrap_or_default();
            match key.split_once(':') {
                Some((_, id)) => id.to_string(),
                None => key.to_string(),
            }
        }
        Value::String(id) if (1..=200).contains(&id.len()) => id.clone(),
        _ => return Err("data.eventId must be a string of 1 to 200 characters".into()),
    };
    let campaign: Option<Uuid> = match &data["emailCampaignId"] {
        Value::Null => None,
        Value::String(id) => Some(
            id.parse()
                .map_err(|_| "data.emailCampaignId must be a UUID".to_string())?,
        ),
        _ => return Err("data.emailCampaignId must be a UUID".into()),
    };
    if let Some(campaign) = campaign {
        let found = db
            .query_one_raw(sql(
                "SELECT 1 FROM email_campaigns WHERE id = $1 AND brand_id = $2",
                vec![campaign.into(), brand.into()],
            ))
            .await
            .map_err(db_failure)?;
        if found.is_none() {
            return Err(format!("no email campaign {campaign} in this brand"));
        }
    }
    let url: Option<String> = data["url"].as_str().map(|u| u.chars().take(2000).collect());

    // The contact, locked; an unknown address that asks to stop becomes a suppressed contact.
    let mut contact = db
        .query_one_raw(sql(
            "SELECT id, lead_id, subscription_status FROM email_contacts
              WHERE brand_id = $1 AND lower(email) = lower($2) FOR UPDATE",
            vec![brand.into(), email.clone().into()],
        ))
        .await
        .map_err(db_failure)?;
    if contact.is_none()
        && let Some(status) = kind.subscription()
    {
        contact = db
            .query_one_raw(sql(
                "INSERT INTO email_contacts (brand_id, email, subscription_status, status_changed_at, lead_id)
                 VALUES ($1, $2, $3, now(),
                         (SELECT id FROM leads WHERE brand_id = $1 AND lower(email) = lower($2)))
                 ON CONFLICT (brand_id, lower(email)) DO UPDATE SET email = email_contacts.email
                 RETURNING id, lead_id, subscription_status",
                vec![brand.into(), email.clone().into(), status.into()],
            ))
            .await
            .map_err(db_failure)?;
    }
    let (contact_id, linked_lead) = match &contact {
        Some(row) => (
            Some(row.try_get_by_index::<Uuid>(0).map_err(db_failure)?),
            row.try_get_by_index::<Option<Uuid>>(1)
                .map_err(db_failure)?,
        ),
        None => (None, None),
    };

    let recorded = db
        .query_one_raw(sql(
            "INSERT INTO email_events (brand_id, provider, provider_event_id, type, email_campaign_id,
                                       contact_id, url)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (brand_id, provider, provider_event_id) DO NOTHING
             RETURNING id",
            vec![
                brand.into(),
                event.provider.clone().into(),
                event_id.clone().into(),
                kind.as_str().into(),
                campaign.into(),
                contact_id.into(),
                url.clone().into(),
            ],
        ))
        .await
        .map_err(db_failure)?;
    if recorded.is_none() {
        // Seen before: already applied.
        return Ok(Outcome::Processed);
    }
    let Some(contact_id) = contact_id else {
        return Ok(Outcome::Processed);
    };

    if let Some(campaign) = campaign {
        let column = kind.recipient_column();
        db.execute_raw(sql(
            &format!(
                "UPDATE email_campaign_recipients SET {column} = coalesce({column}, now())
                  WHERE email_campaign_id = $1 AND contact_id = $2 AND brand_id = $3"
            ),
            vec![campaign.into(), contact_id.into(), brand.into()],
        ))
        .await
        .map_err(db_failure)?;
    }
    if let Some(status) = kind.subscription() {
        db.execute_raw(sql(
            "UPDATE email_contacts SET subscription_status = $2, status_changed_at = now()
              WHERE id = $1 AND subscription_status IS DISTINCT FROM $2",
            vec![contact_id.into(), status.into()],
        ))
        .await
        .map_err(db_failure)?;
    }
    let lead = lead_of(db, brand, linked_lead, &email)
        .await
        .map_err(|e| e.message())?;
    if let Some(lead) = lead {
        add_lead_activity(
            db,
            brand,
            lead,
            kind.lead_activity(),
            None,
            json!({ "email_campaign_id": campaign, "provider": event.provider,
                    "provider_event_id": event_id, "event": kind.as_str(), "url": url }),
        )
        .await
        .map_err(|e| e.message())?;
    }
    Ok(Outcome::Processed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_types_map_to_events_and_activities() {
        assert_eq!(
            EmailEvent::from_webhook_type("email.opened"),
            Some(EmailEvent::Opened)
        );
        assert_eq!(EmailEvent::from_webhook_type("email.other"), None);
        assert_eq!(EmailEvent::from_webhook_type("post.published"), None);
        assert_eq!(EmailEvent::Clicked.lead_activity(), "email_clicked");
        assert_eq!(EmailEvent::Complained.subscription(), Some("complained"));
        assert_eq!(EmailEvent::Opened.subscription(), None);
    }
}
