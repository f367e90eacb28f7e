//! Lead scoring rules (admins and owners write them; every member reads them).
//!
//! A lead's score is computed by the database (migration `020_lead_capture`): the sum of
//! the weights of its brand's active rules whose condition the lead matches, clamped to
//! 0..100, recomputed in the same transaction as the activity or lead change that
//! affects it; when rules change, `jobs::lead_rescore` rescores the brand's leads. The
//! condition language is documented in `docs/lead-scoring.md`; [`Condition::parse`]
//! mirrors the database's `lead_condition_valid` CHECK so a bad condition is reported as
//! `BAD_USER_INPUT` with the reason, before it reaches the constraint.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{LeadActivityType, required_text};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::error::{ApiError, ApiResult};
use entity::lead_scoring_rules;

/// Lead fields a condition may compare.
pub const FIELDS: &[&str] = &[
    "source",
    "status",
    "company",
    "company_size",
    "industry",
    "job_title",
    "phone",
    "email_domain",
];

/// How deep `all` / `any` / `not` may nest.
pub const MAX_DEPTH: usize = 4;
/// Most parts of one `all` / `any`.
pub const MAX_PARTS: usize = 20;
/// Most values of one `in`.
pub const MAX_VALUES: usize = 50;

/// A parsed condition (the database stores the JSON as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The lead has at least `min_count` activities of this type.
    Activity {
        kind: LeadActivityType,
        min_count: u32,
    },
    /// The field equals the text, ignoring case.
    Eq {
        field: String,
        value: String,
    },
    /// The field equals one of the texts, ignoring case.
    In {
        field: String,
        values: Vec<String>,
    },
    /// The field is (or is not) filled in.
    Present {
        field: String,
        present: bool,
    },
    /// The lead has this tag.
    Tag(String),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

fn text(value: &Value, what: &str, max: usize) -> Result<String, String> {
    match value.as_str() {
        Some(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.to_string()),
        _ => Err(format!("{what} must be a text of 1 to {max} characters")),
    }
}

fn field(value: &Value) -> Result<String, String> {
    match value.as_str() {
        Some(f) if FIELDS.contains(&f) => Ok(f.to_string()),
        _ => Err(format!("`field` must be one of {}", FIELDS.join(", "))),
    }
}

impl Condition {
    /// Parses one condition object; the error says what is wrong, in words.
    pub fn parse(value: &Value) -> Result<Self, String> {
        Self::parse_at(value, 0)
    }

    fn parse_at(value: &Value, depth: usize) -> Result<Self, String> {
        if depth > MAX_DEPTH {
            return Err(format!("conditions nest at most {MAX_DEPTH} levels deep"));
        }
        let Some(object) = value.as_object() else {
            return Err("a condition is a JSON object".into());
        };
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let parts = |key: &str| -> Result<Vec<Condition>, String> {
            let list = object[key]
                .as_array()
                .filter(|l| (1..=MAX_PARTS).contains(&l.len()))
                .ok_or_else(|| format!("`{key}` takes a list of 1 to {MAX_PARTS} conditions"))?;
            list.iter().map(|c| Self::parse_at(c, depth + 1)).collect()
        };
        match keys.as_slice() {
            ["activity"] | ["activity", "min_count"] => {
                let kind = object["activity"]
                    .as_str()
                    .and_then(LeadActivityType::parse)
                    .ok_or("`activity` must be an activity type, e.g. `email_clicked`")?;
                let min_count = match object.get("min_count") {
                    None => 1,
                    Some(n) => n
                        .as_u64()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or("`min_count` must be a whole number from 1 to 1000")?
                        as u32,
                };
                Ok(Self::Activity { kind, min_count })
            }
            ["eq", "field"] => Ok(Self::Eq {
                field: field(&object["field"])?,
                value: text(&object["eq"], "`eq`", 200)?,
            }),
            ["field", "in"] => {
                let values = object["in"]
                    .as_array()
                    .filter(|l| (1..=MAX_VALUES).contains(&l.len()))
                    .ok_or_else(|| format!("`in` takes a list of 1 to {MAX_VALUES} texts"))?
                    .iter()
                    .map(|v| text(v, "each value of `in`", 200))
                    .collect::<Result<_, _>>()?;
                Ok(Self::In {
                    field: field(&object["field"])?,
                    values,
                })
            }
            ["field", "present"] => Ok(Self::Present {
                field: field(&object["field"])?,
                present: object["present"]
                    .as_bool()
                    .ok_or("`present` must be true or false")?,
            }),
            ["tag"] => Ok(Self::Tag(text(&object["tag"], "`tag`", 50)?)),
            ["all"] => Ok(Self::All(parts("all")?)),
            ["any"] => Ok(Self::Any(parts("any")?)),
            ["not"] => Ok(Self::Not(Box::new(Self::parse_at(
                &object["not"],
                depth + 1,
            )?))),
            _ => Err(
                "a condition is one of {\"activity\"}, {\"field\", \"eq\"|\"in\"|\"present\"}, \
                 {\"tag\"}, {\"all\"}, {\"any\"}, {\"not\"} (see docs/lead-scoring.md)"
                    .into(),
            ),
        }
    }
}

fn condition(value: &Value) -> ApiResult<Value> {
    Condition::parse(value).map_err(|reason| ApiError::bad_input("condition", reason))?;
    Ok(value.clone())
}

fn weight(value: i32) -> ApiResult<i32> {
    if (-100..=100).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input("weight", "weight must be -100 to 100"))
    }
}

/// A new rule.
pub struct NewRule {
    pub brand_id: Uuid,
    pub name: String,
    pub condition: Value,
    pub weight: i32,
    pub active: bool,
}

/// Changes to a rule; `None` leaves a field as it is.
#[derive(Default)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub condition: Option<Value>,
    pub weight: Option<i32>,
    pub active: Option<bool>,
}

fn summary(row: &lead_scoring_rules::Model) -> Value {
    json!({
        "name": row.name,
        "condition": row.condition,
        "weight": row.weight,
        "active": row.active,
    })
}

async fn audit_rule(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &lead_scoring_rules::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "lead_scoring_rule",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

async fn lock_for_admin(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<lead_scoring_rules::Model> {
    lock_visible_with_role(
        db,
        viewer,
        lead_scoring_rules::Entity::find_by_id(id),
        lead_scoring_rules::Column::BrandId,
        "lead scoring rule",
        Role::Admin,
    )
    .await
}

/// Creates a rule (admins and owners); the brand's leads are rescored by the job.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    new: NewRule,
) -> ApiResult<lead_scoring_rules::Model> {
    require_role(viewer, new.brand_id, Role::Admin).await?;
    let row = lead_scoring_rules::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        name: Set(required_text("name", &new.name, 100)?),
        condition: Set(condition(&new.condition)?),
        weight: Set(weight(new.weight)?),
        active: Set(new.active),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_rule(
        db,
        audit_ctx,
        "lead_scoring_rule.create",
        &row,
        summary(&row),
    )
    .await?;
    Ok(row)
}

/// Changes a rule (admins and owners).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    changes: RuleChanges,
) -> ApiResult<lead_scoring_rules::Model> {
    let row = lock_for_admin(db, viewer, id).await?;
    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(required_text("name", &name, 100)?);
    }
    if let Some(value) = changes.condition {
        active.condition = Set(condition(&value)?);
    }
    if let Some(value) = changes.weight {
        active.weight = Set(weight(value)?);
    }
    if let Some(value) = changes.active {
        active.active = Set(value);
    }
    let row = active.update(db).await?;
    let after = summary(&row);
    audit_rule(
        db,
        audit_ctx,
        "lead_scoring_rule.update",
        &row,
        json!({ "before": before, "after": after }),
    )
    .await?;
    Ok(row)
}

/// Deletes a rule (admins and owners); returns it as it was.
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<lead_scoring_rules::Model> {
    let row = lock_for_admin(db, viewer, id).await?;
    lead_scoring_rules::Entity::delete_by_id(row.id)
        .exec(db)
        .await?;
    audit_rule(
        db,
        audit_ctx,
        "lead_scoring_rule.delete",
        &row,
        summary(&row),
    )
    .await?;
    Ok(row)
}

/// A brand's rules by name (the caller has checked that the viewer sees the brand).
pub async fn of_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
) -> ApiResult<Vec<lead_scoring_rules::Model>> {
    use sea_orm::QueryOrder;
    Ok(lead_scoring_rules::Entity::find()
        .filter(lead_scoring_rules::Column::BrandId.eq(brand))
        .order_by_asc(lead_scoring_rules::Column::Name)
        .all(db)
        .await?)
}

/// Whether the brand's scores are computed by rules (it has at least one, active or
/// not); then a score cannot be set by hand.
pub async fn brand_has_rules(db: &impl ConnectionTrait, brand: Uuid) -> ApiResult<bool> {
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM lead_scoring_rules WHERE brand_id = $1)",
            [brand.into()],
        ))
        .await?
        .map(|row| row.try_get_by_index::<bool>(0))
        .transpose()?
        .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_parse() {
        for ok in [
            json!({"activity": "email_clicked"}),
            json!({"activity": "page_visit", "min_count": 3}),
            json!({"field": "company_size", "in": ["enterprise", "medium"]}),
            json!({"field": "source", "eq": "webinar"}),
            json!({"field": "phone", "present": true}),
            json!({"tag": "vip"}),
            json!({"all": [{"tag": "vip"}, {"not": {"field": "status", "eq": "lost"}}]}),
            json!({"any": [{"activity": "call"}, {"activity": "meeting"}]}),
        ] {
            assert!(Condition::parse(&ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_conditions_are_refused_with_a_reason() {
        for bad in [
            json!([]),
            json!({}),
            json!({"activity": "teleport"}),
            json!({"activity": "call", "min_count": 0}),
            json!({"activity": "call", "min_count": 1.5}),
            json!({"field": "zip", "eq": "x"}),
            json!({"field": "source", "eq": ""}),
            json!({"field": "source", "eq": 3}),
            json!({"field": "source", "in": []}),
            json!({"field": "source", "in": ["a", 1]}),
            json!({"field": "source", "eq": "a", "in": ["a"]}),
            json!({"field": "phone", "present": "yes"}),
            json!({"tag": ""}),
            json!({"all": []}),
            json!({"any": [{"tag": "a"}, {}]}),
            json!({"not": {"not": {"not": {"not": {"not": {"tag": "a"}}}}}}),
            json!({"tag": "a", "extra": 1}),
        ] {
            assert!(Condition::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_are_bounded() {
        assert!(weight(100).is_ok() && weight(-100).is_ok());
        assert!(weight(101).is_err() && weight(-101).is_err());
    }
}
