//! Subscription events rendered by a plan: for an operation on one of the described
//! subscription roots ([`EventRoot`]), one SQL statement per event whose text is the
//! event's whole `data` object. The event's own fields come from the change event (bound
//! as JSON text, rendered by the resolvers' own functions); the field that reads the
//! event's row is planned like a query's object, inside the same visibility rule.
//!
//! A plan renders the events for every subscriber of one role in one brand alike, so it
//! may read nothing of a particular viewer: a plan that would (the user, memberships, a
//! role over every brand) is a [`Fallback`], and its subscribers render privately.

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::describe::EventRoot;
use super::json;
use super::plan::{Fallback, Param, Plan, Planner, fallback, operation_of, variables_of};
use super::run::{Bindings, Outcome, bind, query};
use super::select::{Cond, object};
use super::visibility::BrandRows;
use crate::auth::{BrandScope, Memberships, Role};
use crate::db::row_security::DbViewer;
use crate::realtime::events::ChangeEvent;

/// A compiled subscription: the root it streams and the plan that renders each event.
#[derive(Debug)]
pub struct EventPlan {
    pub root: &'static EventRoot,
    pub plan: Plan,
}

impl std::fmt::Debug for EventRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.field)
    }
}

/// Plans the subscription `operation_name` of `doc` (validated) over `roots`.
pub fn plan_event(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    roots: &'static [EventRoot],
) -> Result<EventPlan, Fallback> {
    let (_, operation) = operation_of(doc, operation_name)?;
    if operation.ty != OperationType::Subscription {
        return fallback("not a subscription");
    }
    let variables = variables_of(operation)?;
    let mut planner = Planner::new(doc);
    let members = planner.members_of(&operation.selection_set.node, "Subscription")?;
    let [member] = members.as_slice() else {
        return fallback("one root field");
    };
    let Some(root) = roots.iter().find(|root| root.field == member.name()) else {
        return fallback(format!("subscription field {}", member.name()));
    };
    if member.cond != Cond::Always {
        return fallback("a conditional root field");
    }
    if member
        .field
        .arguments
        .iter()
        .any(|(name, _)| name.node == "after")
    {
        // With a cursor the subscriber replays privately.
        return fallback("after");
    }
    let ty = root.ty;
    let mut fields = Vec::new();
    for part in planner.members(&member.selections, ty.name)? {
        let value = match part.name() {
            "__typename" => json::name_value(ty.name),
            name if name == ty.row.0 => {
                if !part.field.arguments.is_empty() {
                    return fallback(format!("{}.{name} arguments", ty.name));
                }
                let target = ty.row.1;
                let row = planner.next_alias();
                let selected = planner.object(target, &part.selections, &row)?;
                let (id, brand) = (
                    planner.param(Param::EventRow),
                    planner.param(Param::EventBrand),
                );
                let visible =
                    BrandRows::visible(&format!("{row}b"), "$1", &format!("{row}b.id = {brand}"));
                format!(
                    "coalesce((SELECT {selected} FROM {} {row} WHERE {row}.id = {id} \
                     AND {row}.brand_id = {brand} AND EXISTS (SELECT 1 {})), 'null')",
                    target.table,
                    visible.sql()
                )
            }
            name => match ty.field(name) {
                Some(index) if part.is_leaf() => planner.param(Param::EventField(index)),
                _ => return fallback(format!("{}.{name}", ty.name)),
            },
        };
        fields.push(part.with(value));
    }
    let data = object(&[member.with(object(&fields))]);
    let plan = planner.finish(format!("SELECT {data}"), variables)?;
    if plan.every_brand_role.is_some() {
        return fallback("a list gated over every brand");
    }
    let per_viewer = plan.params.iter().any(|param| {
        matches!(
            param,
            Param::User | Param::Service | Param::MembershipBrands | Param::MembershipRoles
        )
    });
    if per_viewer {
        return fallback("a field of the viewer");
    }
    Ok(EventPlan { root, plan })
}

impl EventPlan {
    /// Whether the subscription's `variables` are ones the plan binds as the executor
    /// coerces them (otherwise its subscribers render privately).
    pub fn accepts(&self, variables: &Variables) -> bool {
        super::run::accepts(&self.plan, variables)
    }

    /// `event`'s `data` object as a subscriber holding `role` in `brand` (the event's
    /// brand) reads it: one statement on `db`, as the service (the plan's own scope is
    /// that one brand, so it reads what such a subscriber's execution reads).
    pub async fn render(
        &self,
        variables: &Variables,
        brand: Uuid,
        role: Role,
        event: &ChangeEvent,
        db: &DatabaseConnection,
    ) -> Outcome {
        let scope = BrandScope::Only(vec![brand]);
        let roles = Memberships::from([(brand, role)]);
        let bound = Bindings {
            variables,
            scope: &scope,
            user: None,
            roles: &roles,
            service: false,
            event: Some((self.root.ty, event)),
        };
        match bind(&self.plan, &bound) {
            Some(values) => query(&self.plan, values, DbViewer::SERVICE, db).await,
            None => Outcome::Executor,
        }
    }
}
