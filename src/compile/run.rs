//! Running a plan for one request: the variables checked as GraphQL's coercion would (or
//! the request goes to the executor), the viewer's scope and the variables bound, one
//! prepared statement, its text column returned.

use async_graphql::{Value, Variables};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::args::decode_after;
use super::plan::{NODE_KINDS, Param, Plan, Source, VariableType};
use crate::auth::{BrandScope, Memberships};
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// What running a plan came to.
pub enum Outcome {
    /// The operation's `data` object, as JSON text.
    Data(String),
    /// The executor must answer (a variable it would refuse or coerce differently).
    Executor,
    /// The statement failed.
    Failed(sea_orm::DbErr),
}

/// Binds `variables`, `scope` and the viewer's `roles` (for role-gated fields) into
/// `plan` and runs it on `db`.
pub async fn run(
    plan: &Plan,
    variables: &Variables,
    scope: &BrandScope,
    roles: &Memberships,
    db: &DatabaseConnection,
) -> Outcome {
    for variable in &plan.variables {
        let valid = match (variables.get(&variable.name), variable.ty) {
            (None | Some(Value::Null), _) => !variable.required,
            (Some(Value::String(_)), VariableType::Id) => true,
            (Some(Value::Number(n)), VariableType::Int) => {
                n.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
            }
            (Some(Value::Boolean(_)), VariableType::Boolean) => true,
            (Some(Value::String(_)), VariableType::String) => true,
            _ => false,
        };
        if !valid {
            return Outcome::Executor;
        }
    }
    if let (Some(least), BrandScope::Only(brands)) = (plan.every_brand_role, scope)
        && !brands
            .iter()
            .all(|brand| roles.get(brand).is_some_and(|role| *role >= least))
    {
        return Outcome::Executor;
    }
    let mut values = Vec::with_capacity(plan.params.len());
    for param in &plan.params {
        values.push(match param {
            Param::Scope => match scope {
                BrandScope::All => sea_orm::Value::Array(sea_orm::sea_query::ArrayType::Uuid, None),
                BrandScope::Only(ids) => ids.clone().into(),
            },
            Param::RoleScope(least) => match scope {
                BrandScope::All => sea_orm::Value::Array(sea_orm::sea_query::ArrayType::Uuid, None),
                BrandScope::Only(_) => roles
                    .iter()
                    .filter(|(_, role)| *role >= least)
                    .map(|(brand, _)| *brand)
                    .collect::<Vec<_>>()
                    .into(),
            },
            Param::Int(n) => (*n).into(),
            Param::BrandId(name) => match variables.get(name) {
                Some(Value::String(id)) => match ids::decode_as(NodeKind::Brand, id) {
                    Ok(uuid) => uuid.into(),
                    Err(_) => return Outcome::Executor,
                },
                _ => return Outcome::Executor,
            },
            Param::PageSize(name) => match variables.get(name) {
                None | Some(Value::Null) => i64::from(DEFAULT_PAGE_SIZE).into(),
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(n) if (0..=i64::from(MAX_PAGE_SIZE)).contains(&n) => n.into(),
                    _ => return Outcome::Executor,
                },
                _ => return Outcome::Executor,
            },
            // `if` is `Boolean!`: the executor's validation refuses a null or absent value.
            Param::Flag(name) => match variables.get(name) {
                Some(Value::Boolean(flag)) => (*flag).into(),
                _ => return Outcome::Executor,
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
                    _ => return Outcome::Executor,
                }
            }
            Param::Text(text) => text.clone().into(),
            Param::Uuid(uuid) => (*uuid).into(),
            Param::CursorValue(source, order) | Param::CursorId(source, order) => {
                let cursor = match source {
                    Source::Literal(cursor) => Some(cursor.as_str()),
                    Source::Variable(name) => match variables.get(name) {
                        None | Some(Value::Null) => None,
                        Some(Value::String(cursor)) => Some(cursor.as_str()),
                        Some(_) => return Outcome::Executor,
                    },
                };
                let decoded = match cursor {
                    None => None,
                    Some(cursor) => match decode_after(order, cursor) {
                        Some(decoded) => Some(decoded),
                        None => return Outcome::Executor,
                    },
                };
                match (param, decoded) {
                    (Param::CursorId(..), decoded) => decoded.map(|(_, id)| id).into(),
                    (_, Some((value, _))) => value,
                    (_, None) if order.value_type() == "text" => Option::<String>::None.into(),
                    (_, None) if order.value_type() == "bigint" => Option::<i64>::None.into(),
                    (_, None) => Option::<chrono::DateTime<chrono::FixedOffset>>::None.into(),
                }
            }
        });
    }
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, &plan.sql, values);
    match db.query_one_raw(statement).await {
        Ok(Some(row)) => match row.try_get_by_index::<String>(0) {
            Ok(data) => Outcome::Data(data),
            Err(err) => Outcome::Failed(err),
        },
        Ok(None) => Outcome::Failed(sea_orm::DbErr::RecordNotFound("no row".into())),
        Err(err) => Outcome::Failed(err),
    }
}
