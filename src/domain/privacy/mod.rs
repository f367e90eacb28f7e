//! A person's data held by a brand, exported or erased on request (GDPR articles 15, 17
//! and 20). A person — a data subject — is known by their email address within one brand:
//! their lead and their email contact (and what hangs off both) are found by that address,
//! ignoring case, and by the link between lead and contact. Only the brand's admins and
//! owners act on a subject; every act is a request row (`data_export_requests`,
//! `data_deletion_requests`) and a `privacy_audit_log` row, none of which holds the address:
//! the subject is named by [`subject_hash`], computed in SQL.

pub mod erase;
pub mod export;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::{ApiError, ApiResult};

/// Who may export or erase a person's data.
pub const PRIVACY_ROLE: Role = Role::Admin;

/// The SQL expression of a subject's hash, over parameters `$1` (brand) and `$2` (email):
/// hex(sha256(brand_id || ':' || lower(email))). Per brand, so one brand's log says
/// nothing about another's subjects.
pub const SUBJECT_HASH_SQL: &str =
    "encode(sha256(convert_to($1::text || ':' || lower($2::text), 'UTF8')), 'hex')";

/// An address as a subject: trimmed, one `@`, no whitespace, at most 254 characters. The
/// check is looser than the tables' own so a malformed address stored before can still be
/// found and erased.
pub fn subject(email: &str) -> ApiResult<String> {
    let text = email.trim();
    let valid = !text.is_empty()
        && text.len() <= 254
        && !text.chars().any(char::is_whitespace)
        && text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if valid {
        Ok(text.to_string())
    } else {
        Err(ApiError::bad_input("email", "not a valid email address"))
    }
}

/// The person's rows in `brand`: leads with that address, contacts with that address or
/// linked to one of those leads, and leads those contacts are linked to. Locked for the
/// rest of the transaction, so a concurrent capture waits for the erasure.
pub(crate) struct Subject {
    pub leads: Vec<Uuid>,
    pub contacts: Vec<Uuid>,
}

impl Subject {
    pub(crate) fn entity_ids(&self) -> Vec<Uuid> {
        self.leads.iter().chain(&self.contacts).copied().collect()
    }
}

pub(crate) async fn find_subject(
    db: &impl ConnectionTrait,
    brand: Uuid,
    email: &str,
) -> ApiResult<Subject> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH direct_leads AS (
               SELECT id FROM leads WHERE brand_id = $1 AND lower(email) = lower($2) FOR UPDATE),
             contacts AS (
               SELECT id, lead_id FROM email_contacts
                WHERE brand_id = $1
                  AND (lower(email) = lower($2) OR lead_id IN (SELECT id FROM direct_leads))
                FOR UPDATE),
             linked_leads AS (
               SELECT id FROM leads
                WHERE brand_id = $1 AND id IN (SELECT lead_id FROM contacts)
                  AND id NOT IN (SELECT id FROM direct_leads)
                FOR UPDATE)
             SELECT 'lead', id FROM direct_leads
             UNION ALL SELECT 'lead', id FROM linked_leads
             UNION ALL SELECT 'contact', id FROM contacts",
            [brand.into(), email.into()],
        ))
        .await?;
    let mut subject = Subject {
        leads: vec![],
        contacts: vec![],
    };
    for row in rows {
        let kind: String = row.try_get_by_index(0)?;
        let id: Uuid = row.try_get_by_index(1)?;
        if kind == "lead" {
            subject.leads.push(id);
        } else {
            subject.contacts.push(id);
        }
    }
    Ok(subject)
}

/// The address of a lead or contact `id` the viewer may see, with its brand; `NOT_FOUND`
/// for anything else.
pub(crate) async fn address_of(
    db: &impl ConnectionTrait,
    viewer: &crate::auth::Viewer,
    table: &'static str,
    id: Uuid,
    what: &'static str,
) -> ApiResult<(Uuid, String)> {
    let sql = match table {
        "leads" => "SELECT brand_id, email FROM leads WHERE id = $1",
        _ => "SELECT brand_id, email FROM email_contacts WHERE id = $1",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [id.into()],
        ))
        .await?
        .ok_or(ApiError::NotFound(what))?;
    let brand: Uuid = row.try_get_by_index(0)?;
    let email: String = row.try_get_by_index(1)?;
    match viewer.role_in(brand).await? {
        None => Err(ApiError::NotFound(what)),
        Some(_) => Ok((brand, email)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_trimmed_addresses() {
        assert_eq!(subject("  Ana@Example.com ").unwrap(), "Ana@Example.com");
        for bad in ["", "ana", "@x.io", "ana@", "a b@x.io"] {
            assert!(subject(bad).is_err(), "{bad}");
        }
    }
}
