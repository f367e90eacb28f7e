//! From a validated query document to a [`Plan`]: one SQL statement whose single text
//! column is the operation's whole `data` object. Whatever the planner does not know
//! (another operation type, a field or argument not described, a directive other than
//! `@skip`/`@include`, one key answered by different fields) is a [`Fallback`]: the whole
//! operation then runs on the executor. This module holds the plan's parts and the root
//! fields; `select` collects selections, `args` reads a connection's arguments,
//! `connection` builds pages and lists.

use async_graphql::Name;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
    VariableDefinition,
};
use async_graphql_value::Value;

use super::connection::Page;
use super::describe::{FilterField, FilterTest, ObjectType, Order};
use super::json;
use super::named::{NamedCheck, check_of};
use super::select::{Member, Selections, object};
use super::visibility::BrandRows;
use crate::auth::Role;
use crate::graphql::ids::{self, NodeKind};

/// What each bind parameter (`$1`, `$2`, …) of a plan carries, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// The viewer's visible brand ids (`uuid[]`; NULL for the service role).
    Scope,
    /// A variable holding a brand's global id or UUID, bound as `uuid`.
    BrandId(Name),
    /// A variable holding a page size (`first`), bound as `bigint`; absent or null is the
    /// default page size.
    PageSize(Name),
    /// A `Boolean` variable of `@skip`/`@include`, bound as `boolean` (a null or absent
    /// value, which the executor's validation refuses, sends the request to it).
    Flag(Name),
    /// A text constant of the document (a filter's value), bound as `text`.
    Text(String),
    /// A UUID constant of the document, bound as `uuid`.
    Uuid(uuid::Uuid),
    /// An `Int` constant of the document (a filter's value), bound as `integer`.
    Int(i32),
    /// The visible brands in which the viewer holds at least this role (`uuid[]`; NULL for
    /// the service role, which counts as owner everywhere): role-gated fields read through it.
    RoleScope(Role),
    /// The sort value of an `after` cursor in `Order` (text or timestamptz; NULL without
    /// a cursor). With an [`OrderVariable`], the plan's branch for `Order` (NULL when the
    /// request chooses another order).
    CursorValue(Source, Order, Option<OrderVariable>),
    /// The row id of an `after` cursor in `Order` (`uuid`; NULL without a cursor), as
    /// [`Param::CursorValue`].
    CursorId(Source, Order, Option<OrderVariable>),
    /// A variable holding one filter field's value (`filter: {status: $s}`), bound as the
    /// field's column compares it (NULL when null or absent: no condition).
    FilterValue(Name, FilterVariable),
    /// A variable holding the whole filter input object (`filter: $f`): one described
    /// field's value of it, as [`Param::FilterValue`]; every key is checked per request.
    FilterObject(Name, FilterVariable),
    /// An `orderBy` variable: the enum name of the order the request chooses (`text`).
    OrderChoice(OrderVariable),
    /// The kind of the global id in a variable (`node(id:)`), bound as `text`; a kind the
    /// plan does not describe sends the request to the executor.
    NodeKind(Name),
    /// The row id of the global id in a variable, bound as `uuid`.
    NodeUuid(Name),
    /// The first day of an `analytics` range (`date`), checked with its last day as the
    /// executor checks them (a range it refuses goes to it).
    RangeFrom(Source, Source),
    /// The last day of an `analytics` range (`date`), checked as [`Param::RangeFrom`].
    RangeTo(Source, Source),
    /// Whether the caller holds the service role (`boolean`).
    Service,
    /// The signed-in user's id (`uuid`; NULL for the service role).
    User,
    /// The caller's memberships' brand ids in the executor's order (by id), `uuid[]`.
    MembershipBrands,
    /// The roles of [`Param::MembershipBrands`], as GraphQL enum names, `text[]`.
    MembershipRoles,
    /// A subscription event's field (the index in its [`EventType`](super::describe::EventType)'s
    /// fields), as JSON text (`text`).
    EventField(usize),
    /// The row a subscription event is about (its `entity_id`, `uuid`).
    EventRow,
    /// The brand of a subscription event (`uuid`).
    EventBrand,
}

/// One described field of a connection's filter input, read from a variable.
#[derive(Debug, Clone, Copy)]
pub struct FilterVariable {
    /// Every described field of the input: a whole object's keys must be among them.
    pub fields: &'static [FilterField],
    /// The field this parameter binds.
    pub index: usize,
}

impl FilterVariable {
    pub fn field(&self) -> &'static FilterField {
        &self.fields[self.index]
    }
}

// The described fields are statics: one table is one address.
impl PartialEq for FilterVariable {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.fields, other.fields) && self.index == other.index
    }
}

impl Eq for FilterVariable {}

/// An `orderBy` given as a variable: the connection's described orders (enum name and
/// order) and the order without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderVariable {
    pub name: Name,
    pub orders: &'static [(&'static str, Order)],
    pub default: Order,
}

/// Where a value of the request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Variable(Name),
    Literal(String),
}

impl Param {
    /// The SQL type the parameter is bound as.
    fn sql_type(&self) -> &'static str {
        match self {
            Param::Scope | Param::RoleScope(_) | Param::MembershipBrands => "uuid[]",
            Param::MembershipRoles => "text[]",
            Param::Service => "boolean",
            Param::RangeFrom(..) | Param::RangeTo(..) => "date",
            Param::User | Param::EventRow | Param::EventBrand => "uuid",
            Param::EventField(_) => "text",
            Param::Int(_) => "integer",
            Param::BrandId(_) | Param::Uuid(_) | Param::CursorId(..) | Param::NodeUuid(_) => "uuid",
            Param::NodeKind(_) => "text",
            Param::PageSize(_) => "bigint",
            Param::Flag(_) => "boolean",
            Param::Text(_) | Param::OrderChoice(_) => "text",
            Param::CursorValue(_, order, _) => order.value_type(),
            Param::FilterValue(_, filter) | Param::FilterObject(_, filter) => {
                match filter.field().test {
                    FilterTest::UuidEquals => "uuid",
                    FilterTest::IntAtLeast => "integer",
                    FilterTest::Equals | FilterTest::Like(_) | FilterTest::EnumEquals(_) => "text",
                }
            }
        }
    }
}

/// The GraphQL types a compiled operation's variables may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableType {
    Id,
    Int,
    Boolean,
    String,
    Date,
    /// Another named type the plan checks per request (`named`): a described filter
    /// input or enum, an order enum, `UUID`.
    Named,
}

/// A variable the operation declares.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: Name,
    pub ty: VariableType,
    /// Non-null without a default: a request must give it.
    pub required: bool,
    /// How a value of a [`VariableType::Named`] type is checked.
    pub check: Option<NamedCheck>,
}

/// A compiled operation.
#[derive(Debug)]
pub struct Plan {
    pub sql: String,
    pub params: Vec<Param>,
    /// Every variable the operation declares: checked per request as GraphQL's coercion
    /// would, or the executor answers.
    pub variables: Vec<Variable>,
    /// The operation's name, for metrics and traces.
    pub operation_name: Option<String>,
    /// The plan answers only a viewer holding this role in every brand it sees (it reads
    /// a [`RelationKind::GatedList`](super::describe::RelationKind::GatedList)); anyone
    /// else gets the executor's answer and its `FORBIDDEN`.
    pub every_brand_role: Option<Role>,
}

/// Why an operation runs on the executor (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback(pub String);

pub(super) fn fallback<T>(why: impl Into<String>) -> Result<T, Fallback> {
    Err(Fallback(why.into()))
}

/// The kinds `node(id:)` compiles for: each row's brand decides who reads it, as the
/// executor's `node` rule (`Reach::Brand`) says for them.
pub const NODE_KINDS: [NodeKind; 4] = [
    NodeKind::Brand,
    NodeKind::ContentItem,
    NodeKind::MediaAsset,
    NodeKind::PostApproval,
];

/// The object types the planner reads, by GraphQL name.
pub(super) fn object_type(name: &str) -> Option<&'static ObjectType> {
    match name {
        "Brand" => Some(&crate::graphql::brand::describe::BRAND),
        "ContentItem" => Some(&crate::graphql::content::describe::CONTENT_ITEM),
        "PostApproval" => Some(&crate::graphql::content::describe::POST_APPROVAL),
        "MediaAsset" => Some(&crate::graphql::asset::describe::MEDIA_ASSET),
        _ => None,
    }
}

pub fn plan(doc: &ExecutableDocument, operation_name: Option<&str>) -> Result<Plan, Fallback> {
    let (name, operation) = operation_of(doc, operation_name)?;
    let mut plan = Planner::new(doc).plan(operation)?;
    plan.operation_name = name;
    Ok(plan)
}

/// The operation a request with `operation_name` runs, and its name.
pub(super) fn operation_of<'a>(
    doc: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<(Option<String>, &'a OperationDefinition), Fallback> {
    Ok(match (&doc.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => (None, &operation.node),
        (DocumentOperations::Single(_), Some(_)) => return fallback("operation name"),
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => (Some(name.to_string()), &operation.node),
            None => return fallback("unknown operation"),
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            let (name, operation) = operations.iter().next().expect("one operation");
            (Some(name.to_string()), &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => return fallback("operation name required"),
    })
}

/// The variables `operation` declares, as the planner binds them.
pub(super) fn variables_of(operation: &OperationDefinition) -> Result<Vec<Variable>, Fallback> {
    if !operation.directives.is_empty() {
        return fallback("operation directives");
    }
    let mut variables = Vec::new();
    for definition in &operation.variable_definitions {
        let definition: &VariableDefinition = &definition.node;
        if definition.default_value.is_some() || !definition.directives.is_empty() {
            return fallback("variable default or directive");
        }
        let mut check = None;
        let ty = match &definition.var_type.node.base {
            BaseType::Named(name) if name == "ID" => VariableType::Id,
            BaseType::Named(name) if name == "Int" => VariableType::Int,
            BaseType::Named(name) if name == "Boolean" => VariableType::Boolean,
            BaseType::Named(name) if name == "String" => VariableType::String,
            BaseType::Named(name) if name == "NaiveDate" => VariableType::Date,
            BaseType::Named(name) => match check_of(name) {
                Some(named) => {
                    check = Some(named);
                    VariableType::Named
                }
                None => return fallback("variable type"),
            },
            BaseType::List(_) => return fallback("variable type"),
        };
        variables.push(Variable {
            name: definition.name.node.clone(),
            ty,
            required: !definition.var_type.node.nullable,
            check,
        });
    }
    Ok(variables)
}

pub(super) struct Planner<'a> {
    pub(super) doc: &'a ExecutableDocument,
    params: Vec<Param>,
    aliases: usize,
    /// The variables given as `last`: they must be non-null (see `args`).
    pub(super) backward_sizes: Vec<Name>,
    every_brand_role: Option<Role>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(doc: &'a ExecutableDocument) -> Self {
        Planner {
            doc,
            params: vec![Param::Scope],
            aliases: 0,
            backward_sizes: Vec::new(),
            every_brand_role: None,
        }
    }

    fn plan(mut self, operation: &'a OperationDefinition) -> Result<Plan, Fallback> {
        if operation.ty != OperationType::Query {
            return fallback("not a query");
        }
        let variables = variables_of(operation)?;
        let mut members = Vec::new();
        for member in self.members_of(&operation.selection_set.node, "Query")? {
            let value = match member.name() {
                "__typename" => json::name_value("Query"),
                "brand" => self.brand(&member)?,
                "brands" => self.brands(&member)?,
                "node" => self.node(&member)?,
                "viewer" => self.viewer(&member)?,
                other => return fallback(format!("root field {other}")),
            };
            members.push(member.with(value));
        }
        self.finish(format!("SELECT {}", object(&members)), variables)
    }

    /// The plan of `sql` once every selection is planned: each variable it binds checked
    /// against the operation's declarations.
    pub(super) fn finish(self, sql: String, variables: Vec<Variable>) -> Result<Plan, Fallback> {
        for name in &self.backward_sizes {
            if !variables.iter().any(|v| &v.name == name && v.required) {
                return fallback("a last variable that may be null");
            }
        }
        // Every variable a plan binds must be declared with the type it is bound as
        // (validation guarantees it; a mismatch here falls back rather than mis-binds).
        for param in &self.params {
            let (name, ty) = match param {
                Param::BrandId(name) | Param::NodeKind(name) | Param::NodeUuid(name) => {
                    (name, VariableType::Id)
                }
                Param::PageSize(name) => (name, VariableType::Int),
                Param::Flag(name) => (name, VariableType::Boolean),
                Param::CursorValue(Source::Variable(name), ..)
                | Param::CursorId(Source::Variable(name), ..) => (name, VariableType::String),
                Param::FilterValue(name, filter) => match filter.field().test {
                    FilterTest::Equals | FilterTest::Like(_) => (name, VariableType::String),
                    FilterTest::IntAtLeast => (name, VariableType::Int),
                    FilterTest::UuidEquals | FilterTest::EnumEquals(_) => {
                        (name, VariableType::Named)
                    }
                },
                Param::FilterObject(name, _) | Param::OrderChoice(OrderVariable { name, .. }) => {
                    (name, VariableType::Named)
                }
                Param::RangeFrom(from, to) | Param::RangeTo(from, to) => {
                    for source in [from, to] {
                        if let Source::Variable(name) = source
                            && !variables
                                .iter()
                                .any(|v| &v.name == name && v.ty == VariableType::Date)
                        {
                            return fallback("a variable bound as another type");
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if !variables.iter().any(|v| &v.name == name && v.ty == ty) {
                return fallback("a variable bound as another type");
            }
        }
        Ok(Plan {
            sql,
            params: self.params,
            variables,
            operation_name: None,
            every_brand_role: self.every_brand_role,
        })
    }

    /// Marks the plan as answering only viewers with `role` in every brand they see.
    pub(super) fn require_role(&mut self, role: Role) {
        self.every_brand_role = self.every_brand_role.max(Some(role));
    }

    /// The placeholder of `param` (cast to its type), added unless the plan binds it already.
    pub(super) fn param(&mut self, param: Param) -> String {
        let ty = param.sql_type();
        let index = match self.params.iter().position(|p| *p == param) {
            Some(index) => index,
            None => {
                self.params.push(param);
                self.params.len() - 1
            }
        };
        format!("${}::{ty}", index + 1)
    }

    /// `brand(id:)`: the visible brand's object, or `null`.
    fn brand(&mut self, member: &Member<'a>) -> Result<String, Fallback> {
        let field = member.field;
        let [(name, value)] = field.arguments.as_slice() else {
            return fallback("brand arguments");
        };
        if name.node != "id" {
            return fallback("brand argument");
        }
        let id = match &value.node {
            Value::Variable(variable) => self.param(Param::BrandId(variable.clone())),
            Value::String(id) => match ids::decode_as(NodeKind::Brand, id) {
                Ok(uuid) => format!("'{uuid}'::uuid"),
                Err(_) => return fallback("invalid brand id"),
            },
            _ => return fallback("brand id literal"),
        };
        let brand = object_type("Brand").expect("described");
        let row = self.next_alias();
        let selected = self.object(brand, &member.selections, &row)?;
        let rows = BrandRows::visible(&row, "$1", &format!("{row}.id = {id}"));
        Ok(format!(
            "coalesce((SELECT {selected} {}), 'null')",
            rows.sql()
        ))
    }

    /// `brands(first:, after:, filter:, orderBy:)`: a page of the visible brands as a
    /// Relay connection.
    fn brands(&mut self, member: &Member<'a>) -> Result<String, Fallback> {
        use crate::graphql::brand::describe::{BRANDS_FILTERS, BRANDS_ORDERS};
        let field = member.field;
        self.ordered(
            field,
            Order::BRANDS_BY_NAME,
            BRANDS_ORDERS,
            |planner, branch| {
                let arguments = planner.page_arguments(
                    field,
                    Order::BRANDS_BY_NAME,
                    BRANDS_ORDERS,
                    BRANDS_FILTERS,
                    branch.as_ref(),
                )?;
                let brand = object_type("Brand").expect("described");
                let row = planner.next_alias();
                let all_row = format!("{row}_all");
                let rows = BrandRows::visible(&row, "$1", &arguments.conditions(&row, true));
                let all =
                    BrandRows::visible(&all_row, "$1", &arguments.conditions(&all_row, false));
                let page = Page {
                    ty: brand,
                    row: &row,
                    rows: rows.sql().to_string(),
                    all: all.sql().to_string(),
                    arguments,
                };
                planner.connection(&page, &member.selections)
            },
        )
    }

    /// `node(id:)` for the kinds [`NODE_KINDS`] describes: the row of the id's kind whose
    /// brand is visible (a brand: itself), as its concrete type selects it, or `null`.
    fn node(&mut self, member: &Member<'a>) -> Result<String, Fallback> {
        let [(name, value)] = member.field.arguments.as_slice() else {
            return fallback("node arguments");
        };
        if name.node != "id" {
            return fallback("node argument");
        }
        let (kinds, id, kind) = match &value.node {
            Value::String(id) => match ids::decode(id) {
                Ok((kind, uuid)) if NODE_KINDS.contains(&kind) => {
                    (vec![kind], format!("'{uuid}'::uuid"), None)
                }
                _ => return fallback("a node id the plan does not read"),
            },
            Value::Variable(variable) => (
                NODE_KINDS.to_vec(),
                self.param(Param::NodeUuid(variable.clone())),
                Some(self.param(Param::NodeKind(variable.clone()))),
            ),
            _ => return fallback("node id literal"),
        };
        let mut cases = Vec::new();
        for kind in kinds {
            let ty = object_type(kind.name()).expect("described");
            let row = self.next_alias();
            let selected = self.object(ty, &member.selections, &row)?;
            let from = if kind == NodeKind::Brand {
                BrandRows::visible(&row, "$1", &format!("{row}.id = {id}"))
                    .sql()
                    .to_string()
            } else {
                let brand = format!("{row}b");
                let visible =
                    BrandRows::visible(&brand, "$1", &format!("{brand}.id = {row}.brand_id"));
                format!(
                    "FROM {} {row} WHERE {row}.id = {id} AND EXISTS (SELECT 1 {})",
                    ty.table,
                    visible.sql()
                )
            };
            cases.push((kind, format!("(SELECT {selected} {from})")));
        }
        Ok(match kind {
            None => format!("coalesce({}, 'null')", cases[0].1),
            Some(kind) => {
                let whens: Vec<String> = cases
                    .iter()
                    .map(|(k, sql)| format!("WHEN '{}' THEN {sql}", k.name()))
                    .collect();
                format!("coalesce(CASE {kind} {} END, 'null')", whens.join(" "))
            }
        })
    }

    /// `viewer`: the caller as bound per request (its user's row, its memberships); the
    /// fields that read more (settings, invitations, queues) run on the executor.
    fn viewer(&mut self, member: &Member<'a>) -> Result<String, Fallback> {
        if !member.field.arguments.is_empty() {
            return fallback("viewer arguments");
        }
        let mut members = Vec::new();
        for part in self.members(&member.selections, "ViewerInfo")? {
            if part.name() != "user" && part.name() != "memberships" && !part.is_leaf() {
                return fallback("ViewerInfo field with arguments");
            }
            let value = match part.name() {
                "__typename" => json::name_value("ViewerInfo"),
                "isServiceRole" => {
                    let service = self.param(Param::Service);
                    format!("(CASE WHEN {service} THEN 'true' ELSE 'false' END)")
                }
                "user" => {
                    if !part.field.arguments.is_empty() {
                        return fallback("user arguments");
                    }
                    let user = &crate::graphql::identity::describe::USER;
                    let row = self.next_alias();
                    let selected = self.object(user, &part.selections, &row)?;
                    let id = self.param(Param::User);
                    format!(
                        "coalesce((SELECT {selected} FROM users {row} WHERE {row}.id = {id}), 'null')"
                    )
                }
                "memberships" => {
                    if !part.field.arguments.is_empty() {
                        return fallback("memberships arguments");
                    }
                    let row = self.next_alias();
                    let item = self.membership(&part.selections, &row)?;
                    let (brands, roles) = (
                        self.param(Param::MembershipBrands),
                        self.param(Param::MembershipRoles),
                    );
                    format!(
                        "coalesce((SELECT '[' || string_agg(({item})::text, ',' ORDER BY {row}.n) || ']' \
                         FROM unnest({brands}, {roles}) WITH ORDINALITY AS {row}(brand_id, role, n)), '[]')"
                    )
                }
                other => return fallback(format!("ViewerInfo.{other}")),
            };
            members.push(part.with(value));
        }
        Ok(object(&members))
    }

    /// One `Membership` of the rows `row` (`brand_id`, `role` as its GraphQL name).
    fn membership(&mut self, selections: &Selections<'a>, row: &str) -> Result<String, Fallback> {
        let mut members = Vec::new();
        for part in self.members(selections, "Membership")? {
            if !part.is_leaf() {
                return fallback("Membership field with arguments");
            }
            let value = match part.name() {
                "__typename" => json::name_value("Membership"),
                "brandId" => format!("('\"' || {row}.brand_id::text || '\"')"),
                "role" => format!("('\"' || {row}.role || '\"')"),
                other => return fallback(format!("Membership.{other}")),
            };
            members.push(part.with(value));
        }
        Ok(object(&members))
    }

    /// A fresh table alias (nested subqueries each get their own).
    pub(super) fn next_alias(&mut self) -> String {
        self.aliases += 1;
        format!("r{}", self.aliases)
    }

    /// The JSON object of one row of `ty` aliased `row`, as `selections` select it.
    pub(super) fn object(
        &mut self,
        ty: &ObjectType,
        selections: &Selections<'a>,
        row: &str,
    ) -> Result<String, Fallback> {
        let mut members = Vec::new();
        for member in self.members(selections, ty.name)? {
            let name = member.name();
            if super::analytics::plans(ty.name, name) {
                let value = self.analytics(&member, row)?;
                members.push(member.with(value));
                continue;
            }
            if !member.is_leaf() && ty.relation(name).is_none() {
                return fallback(format!("{}.{name} with arguments or a selection", ty.name));
            }
            let value = match name {
                "__typename" => json::name_value(ty.name),
                name => match (ty.column(name), ty.relation(name)) {
                    (Some(column), _) => {
                        let value = json::column(row, column.column, column.render);
                        match column.gate {
                            None => value,
                            Some(role) => {
                                let roles = self.param(Param::RoleScope(role));
                                format!(
                                    "(CASE WHEN {roles} IS NULL OR {row}.brand_id = ANY({roles}) \
                                     THEN {value} ELSE 'null' END)"
                                )
                            }
                        }
                    }
                    (None, Some(relation)) => self.relation(relation, &member, row)?,
                    (None, None) => return fallback(format!("{}.{name}", ty.name)),
                },
            };
            members.push(member.with(value));
        }
        Ok(object(&members))
    }
}
