//! Running a plan for one request: the variables checked as GraphQL's coercion would (or
//! the request goes to the executor), the viewer's scope and the variables bound, one
//! prepared statement, its text column returned.

use async_graphql::{Value, Variables};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::plan::{Param, Plan};
use crate::auth::BrandScope;
use crate::graphql::ids::{self, NodeKind};

/// What running a plan came to.
pub enum Outcome {
    /// The operation's `data` object, as JSON text.
    Data(String),
    /// The executor must answer (a variable it would refuse or coerce differently).
    Executor,
    /// The statement failed.
    Failed(sea_orm::DbErr),
}

/// Binds `variables` and `scope` into `plan` and runs it on `db`.
pub async fn run(
    plan: &Plan,
    variables: &Variables,
    scope: &BrandScope,
    db: &DatabaseConnection,
) -> Outcome {
    for (name, required) in &plan.variables {
        match variables.get(name) {
            None | Some(Value::Null) if *required => return Outcome::Executor,
            None | Some(Value::Null | Value::String(_)) => {}
            Some(_) => return Outcome::Executor,
        }
    }
    let mut values = Vec::with_capacity(plan.params.len());
    for param in &plan.params {
        values.push(match param {
            Param::Scope => match scope {
                BrandScope::All => sea_orm::Value::Array(sea_orm::sea_query::ArrayType::Uuid, None),
                BrandScope::Only(ids) => ids.clone().into(),
            },
            Param::BrandId(name) => match variables.get(name) {
                Some(Value::String(id)) => match ids::decode_as(NodeKind::Brand, id) {
                    Ok(uuid) => uuid.into(),
                    Err(_) => return Outcome::Executor,
                },
                _ => return Outcome::Executor,
            },
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
