//! Running a plan for one request: the variables checked as GraphQL's coercion would (or
//! the request goes to the executor), the viewer's scope and the variables bound, one
//! prepared statement, its text column returned.

use async_graphql::{Value, Variables};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::args::decode_after;
use super::describe::{EventType, Order};
use super::named::{NamedCheck, filter_value};
use super::plan::{NODE_KINDS, OrderVariable, Param, Plan, Source, VariableType};
use crate::auth::{BrandScope, Memberships};
use crate::db::row_security::{DbKind, DbViewer};
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::realtime::events::ChangeEvent;

/// What running a plan came to.
pub enum Outcome {
    /// The operation's `data` object, as JSON text.
    Data(String),
    /// The executor must answer (a variable it would refuse or coerce differently).
    Executor,
    /// The statement failed.
    Failed(sea_orm::DbErr),
}

/// The plan's statement with the row-level security settings set inside it, before any
/// policy is evaluated: `viewer` is a volatile subquery (never flattened) and the plan a
/// subquery correlated with it, so PostgreSQL runs the plan only once `viewer`'s row, and
/// with it the settings, exists. `params` are the settings' bind parameters (id, kind).
pub fn with_viewer(sql: &str, (id, kind): (usize, usize)) -> String {
    format!(
        "SELECT (SELECT plan.* FROM ({sql}) AS plan WHERE viewer.u IS NOT NULL) FROM {}",
        crate::db::row_security::settings_row("brandgraph.user_id", id, kind)
    )
}

/// Binds `variables`, `scope`, the signed-in `user` and the viewer's `roles` (for
/// role-gated fields and `viewer.memberships`) into `plan` and runs it on `db` as
/// `viewer` (row-level security settings).
pub async fn run(
    plan: &Plan,
    variables: &Variables,
    scope: &BrandScope,
    user: Option<uuid::Uuid>,
    roles: &Memberships,
    viewer: DbViewer,
    db: &DatabaseConnection,
) -> Outcome {
    let bound = Bindings {
        variables,
        scope,
        user,
        roles,
        service: matches!(viewer.kind, DbKind::Service),
        event: None,
    };
    match bind(plan, &bound) {
        Some(values) => query(plan, values, viewer, db).await,
        None => Outcome::Executor,
    }
}

/// What a plan's parameters are bound from.
pub(super) struct Bindings<'a> {
    pub variables: &'a Variables,
    pub scope: &'a BrandScope,
    pub user: Option<uuid::Uuid>,
    pub roles: &'a Memberships,
    /// The service role: every role gate open, no memberships.
    pub service: bool,
    /// A subscription event being rendered, and its type.
    pub event: Option<(&'a EventType, &'a ChangeEvent)>,
}

/// Runs `plan` with its parameters `values` on `db` as `viewer`: its text column.
pub(super) async fn query(
    plan: &Plan,
    mut values: Vec<sea_orm::Value>,
    viewer: DbViewer,
    db: &DatabaseConnection,
) -> Outcome {
    let viewer_params = (values.len() + 1, values.len() + 2);
    values.push(viewer.id_text().into());
    values.push(viewer.kind.as_str().into());
    let sql = with_viewer(&plan.sql, viewer_params);
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, &sql, values);
    match db.query_one_raw(statement).await {
        Ok(Some(row)) => match row.try_get_by_index::<String>(0) {
            Ok(data) => Outcome::Data(data),
            Err(err) => Outcome::Failed(err),
        },
        Ok(None) => Outcome::Failed(sea_orm::DbErr::RecordNotFound("no row".into())),
        Err(err) => Outcome::Failed(err),
    }
}

/// Whether every variable of the request is one the plan binds as GraphQL's coercion
/// would (otherwise the executor answers).
pub(super) fn accepts(plan: &Plan, variables: &Variables) -> bool {
    plan.variables.iter().all(
        |variable| match (variables.get(&variable.name), variable.ty) {
            (None | Some(Value::Null), _) => !variable.required,
            (Some(Value::String(_)), VariableType::Id) => true,
            (Some(Value::Number(n)), VariableType::Int) => {
                n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
            }
            (Some(Value::Boolean(_)), VariableType::Boolean) => true,
            (Some(Value::String(_)), VariableType::String) => true,
            (Some(Value::String(_)), VariableType::Date) => true,
            (Some(value), VariableType::Named) => {
                variable.check.is_some_and(|check| check.accepts(value))
            }
            _ => false,
        },
    )
}

/// The values of `plan`'s parameters; `None` when the executor must answer.
pub(super) fn bind(plan: &Plan, bound: &Bindings<'_>) -> Option<Vec<sea_orm::Value>> {
    let Bindings {
        variables,
        scope,
        user,
        roles,
        service,
        event,
    } = *bound;
    if !accepts(plan, variables) {
        return None;
    }
    // Role gates read the viewer's roles, never the scope: the scope is every brand for
    // the service role and also, in tests, when the gateway's brand filters are off.
    if let Some(least) = plan.every_brand_role
        && !service
        && !roles.values().all(|role| *role >= least)
    {
        return None;
    }
    let mut values = Vec::with_capacity(plan.params.len());
    for param in &plan.params {
        values.push(match param {
            Param::Scope => match scope {
                BrandScope::All => sea_orm::Value::Array(sea_orm::sea_query::ArrayType::Uuid, None),
                BrandScope::Only(ids) => ids.clone().into(),
            },
            Param::RoleScope(least) => match service {
                true => sea_orm::Value::Array(sea_orm::sea_query::ArrayType::Uuid, None),
                false => roles
                    .iter()
                    .filter(|(_, role)| *role >= least)
                    .map(|(brand, _)| *brand)
                    .collect::<Vec<_>>()
                    .into(),
            },
            Param::Int(n) => (*n).into(),
            Param::RangeFrom(from, to) | Param::RangeTo(from, to) => {
                let text = |source: &Source| match source {
                    Source::Literal(text) => Some(text.clone()),
                    Source::Variable(name) => match variables.get(name) {
                        Some(Value::String(text)) => Some(text.clone()),
                        _ => None,
                    },
                };
                let range = text(from)
                    .zip(text(to))
                    .and_then(|(from, to)| date_range(&from, &to));
                match (range, param) {
                    (Some((from, _)), Param::RangeFrom(..)) => from.into(),
                    (Some((_, to)), _) => to.into(),
                    (None, _) => return None,
                }
            }
            Param::Service => matches!(scope, BrandScope::All).into(),
            Param::User => user.into(),
            Param::EventField(index) => {
                let (ty, event) = event?;
                let value = (ty.fields.get(*index)?.value)(event);
                serde_json::to_string(&value).ok()?.into()
            }
            Param::EventRow => event?.1.entity_id.into(),
            Param::EventBrand => event?.1.brand_id.into(),
            // The executor lists memberships by brand id.
            Param::MembershipBrands | Param::MembershipRoles => {
                let mut held: Vec<_> = roles.iter().collect();
                held.sort_by_key(|(brand, _)| **brand);
                match param {
                    Param::MembershipBrands => held
                        .iter()
                        .map(|(brand, _)| **brand)
                        .collect::<Vec<_>>()
                        .into(),
                    _ => held
                        .iter()
                        .map(|(_, role)| role_name(**role))
                        .collect::<Vec<_>>()
                        .into(),
                }
            }
            Param::BrandId(name) => match variables.get(name) {
                Some(Value::String(id)) => match ids::decode_as(NodeKind::Brand, id) {
                    Ok(uuid) => uuid.into(),
                    Err(_) => return None,
                },
                _ => return None,
            },
            Param::PageSize(name) => match variables.get(name) {
                None | Some(Value::Null) => i64::from(DEFAULT_PAGE_SIZE).into(),
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(n) if (0..=i64::from(MAX_PAGE_SIZE)).contains(&n) => n.into(),
                    _ => return None,
                },
                _ => return None,
            },
            // `if` is `Boolean!`: the executor's validation refuses a null or absent value.
            Param::Flag(name) => match variables.get(name) {
                Some(Value::Boolean(flag)) => (*flag).into(),
                _ => return None,
            },
            Param::NodeKind(name) | Param::NodeUuid(name) => {
                let decoded = match variables.get(name) {
                    Some(Value::String(id)) => ids::decode(id).ok(),
                    _ => None,
                };
                match decoded {
                    Some((kind, uuid)) if NODE_KINDS.contains(&kind) => match param {
                        Param::NodeKind(_) => kind.name().to_string().into(),
                        _ => uuid.into(),
                    },
                    _ => return None,
                }
            }
            Param::Text(text) => text.clone().into(),
            Param::Uuid(uuid) => (*uuid).into(),
            Param::OrderChoice(variable) => chosen_order(variable, variables)?.0.to_string().into(),
            Param::FilterValue(name, filter) => filter_value(filter.field(), variables.get(name))?,
            Param::FilterObject(name, filter) => {
                let value = match variables.get(name) {
                    None | Some(Value::Null) => None,
                    Some(object @ Value::Object(fields))
                        if NamedCheck::Filter(filter.fields).accepts(object) =>
                    {
                        fields.get(filter.field().field)
                    }
                    Some(_) => return None,
                };
                filter_value(filter.field(), value)?
            }
            Param::CursorValue(_, order, chosen_by) | Param::CursorId(_, order, chosen_by)
                if chosen_by.as_ref().is_some_and(|variable| {
                    chosen_order(variable, variables).is_some_and(|(_, chosen)| chosen != *order)
                }) =>
            {
                // Another order's branch: not evaluated, its cursor not read.
                match param {
                    Param::CursorId(..) => Option::<uuid::Uuid>::None.into(),
                    _ => null_sort_value(order),
                }
            }
            Param::CursorValue(source, order, _) | Param::CursorId(source, order, _) => {
                let cursor = match source {
                    Source::Literal(cursor) => Some(cursor.as_str()),
                    Source::Variable(name) => match variables.get(name) {
                        None | Some(Value::Null) => None,
                        Some(Value::String(cursor)) => Some(cursor.as_str()),
                        Some(_) => return None,
                    },
                };
                let decoded = match cursor {
                    None => None,
                    Some(cursor) => Some(decode_after(order, cursor)?),
                };
                match (param, decoded) {
                    (Param::CursorId(..), decoded) => decoded.map(|(_, id)| id).into(),
                    (_, Some((value, _))) => value,
                    (_, None) => null_sort_value(order),
                }
            }
        });
    }
    Some(values)
}

/// A NULL of the SQL type of `order`'s sort value.
fn null_sort_value(order: &Order) -> sea_orm::Value {
    match order.value_type() {
        "text" => Option::<String>::None.into(),
        "bigint" => Option::<i64>::None.into(),
        _ => Option::<chrono::DateTime<chrono::FixedOffset>>::None.into(),
    }
}

/// The enum name and order an `orderBy` variable's value chooses, as the executor parses
/// it (a name as an enum or a string; null or absent: the default); `None` for a value
/// the executor refuses or the plan does not describe.
fn chosen_order(variable: &OrderVariable, variables: &Variables) -> Option<(&'static str, Order)> {
    let name = match variables.get(&variable.name) {
        None | Some(Value::Null) => {
            return variable
                .orders
                .iter()
                .find(|(_, order)| *order == variable.default)
                .copied();
        }
        Some(Value::Enum(name)) => name.as_str(),
        Some(Value::String(name)) => name.as_str(),
        Some(_) => return None,
    };
    variable.orders.iter().find(|(n, _)| *n == name).copied()
}

/// A role's GraphQL enum name (`OWNER`), as the executor writes it.
fn role_name(role: crate::auth::Role) -> String {
    match async_graphql::InputType::to_value(&role) {
        Value::Enum(name) => name.to_string(),
        _ => String::new(),
    }
}

/// The days `from` and `to` (`NaiveDate` texts, parsed as the executor parses them) of an
/// `analytics` range the executor accepts (`to` not before `from`, at most 366 days).
pub(super) fn date_range(from: &str, to: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let parse = |text: &str| {
        <chrono::NaiveDate as async_graphql::InputType>::parse(Some(Value::String(text.into())))
            .ok()
    };
    let (from, to) = (parse(from)?, parse(to)?);
    (from <= to && (to - from).num_days() <= 366).then_some((from, to))
}
