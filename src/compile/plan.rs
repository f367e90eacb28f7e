//! From a validated query document to a [`Plan`]: one SQL statement whose single text
//! column is the operation's whole `data` object. Whatever the planner does not know
//! (another operation type, a field or argument not described, a directive, a key
//! selected twice) is a [`Fallback`]: the whole operation then runs on the executor.

use async_graphql::Name;
use async_graphql::Positioned;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType,
    Selection, SelectionSet, VariableDefinition,
};
use async_graphql_value::Value;

use super::describe::{ObjectType, Order, Relation, RelationKind};
use super::json;
use super::visibility::BrandRows;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

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
}

/// The GraphQL types a compiled operation's variables may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableType {
    Id,
    Int,
}

/// A variable the operation declares.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: Name,
    pub ty: VariableType,
    /// Non-null without a default: a request must give it.
    pub required: bool,
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
}

/// Why an operation runs on the executor (for logs and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback(pub String);

fn fallback<T>(why: impl Into<String>) -> Result<T, Fallback> {
    Err(Fallback(why.into()))
}

/// The object types the planner reads, by GraphQL name.
fn object_type(name: &str) -> Option<&'static ObjectType> {
    match name {
        "Brand" => Some(&crate::graphql::brand::describe::BRAND),
        "ContentItem" => Some(&crate::graphql::content::describe::CONTENT_ITEM),
        _ => None,
    }
}

pub fn plan(doc: &ExecutableDocument, operation_name: Option<&str>) -> Result<Plan, Fallback> {
    let (name, operation) = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => (None, operation),
        (DocumentOperations::Single(_), Some(_)) => return fallback("operation name"),
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => (Some(name.to_string()), operation),
            None => return fallback("unknown operation"),
        },
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            let (name, operation) = operations.iter().next().expect("one operation");
            (Some(name.to_string()), operation)
        }
        (DocumentOperations::Multiple(_), None) => return fallback("operation name required"),
    };
    let mut plan = Planner {
        doc,
        operation: &operation.node,
        params: vec![Param::Scope],
        aliases: 0,
    }
    .plan()?;
    plan.operation_name = name;
    Ok(plan)
}

struct Planner<'a> {
    doc: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    params: Vec<Param>,
    aliases: usize,
}

impl<'a> Planner<'a> {
    fn plan(mut self) -> Result<Plan, Fallback> {
        if self.operation.ty != OperationType::Query {
            return fallback("not a query");
        }
        if !self.operation.directives.is_empty() {
            return fallback("operation directives");
        }
        let mut variables = Vec::new();
        for definition in &self.operation.variable_definitions {
            let definition: &VariableDefinition = &definition.node;
            if definition.default_value.is_some() || !definition.directives.is_empty() {
                return fallback("variable default or directive");
            }
            let ty = match &definition.var_type.node.base {
                BaseType::Named(name) if name == "ID" => VariableType::Id,
                BaseType::Named(name) if name == "Int" => VariableType::Int,
                _ => return fallback("variable type"),
            };
            variables.push(Variable {
                name: definition.name.node.clone(),
                ty,
                required: !definition.var_type.node.nullable,
            });
        }
        let fields = self.fields(&self.operation.selection_set.node, "Query")?;
        let mut members = Vec::with_capacity(fields.len());
        for field in fields {
            let value = match field.name.node.as_str() {
                "__typename" => json::name_value("Query"),
                "brand" => self.brand(field)?,
                "brands" => self.brands(field)?,
                other => return fallback(format!("root field {other}")),
            };
            members.push((key_of(field), value));
        }
        Ok(Plan {
            sql: format!("SELECT {}", object(&members)),
            params: self.params,
            variables,
            operation_name: None,
        })
    }

    /// `brand(id:)`: the visible brand's object, or `null`.
    fn brand(&mut self, field: &Field) -> Result<String, Fallback> {
        let [(name, value)] = field.arguments.as_slice() else {
            return fallback("brand arguments");
        };
        if name.node != "id" {
            return fallback("brand argument");
        }
        let id = match &value.node {
            Value::Variable(variable) => {
                self.params.push(Param::BrandId(variable.clone()));
                format!("${}::uuid", self.params.len())
            }
            Value::String(id) => match ids::decode_as(NodeKind::Brand, id) {
                Ok(uuid) => format!("'{uuid}'::uuid"),
                Err(_) => return fallback("invalid brand id"),
            },
            _ => return fallback("brand id literal"),
        };
        let brand = object_type("Brand").expect("described");
        let row = self.next_alias();
        let selected = self.object(brand, &field.selection_set.node, &row)?;
        let rows = BrandRows::visible(&row, "$1", &format!("{row}.id = {id}"));
        Ok(format!(
            "coalesce((SELECT {selected} {}), 'null')",
            rows.sql()
        ))
    }

    /// `brands(first:, orderBy:)`: a page of the visible brands as a Relay connection.
    /// `after` and `filter` (and any other argument) fall back.
    fn brands(&mut self, field: &Field) -> Result<String, Fallback> {
        let mut order = Order::BRANDS_BY_NAME;
        let first = self.page_arguments(field, |name, value| match (name, value) {
            ("orderBy", Value::Enum(value)) if value == "NAME_ASC" => {
                order = Order::BRANDS_BY_NAME;
                true
            }
            ("orderBy", Value::Enum(value)) if value == "CREATED_AT_DESC" => {
                order = Order::BRANDS_NEWEST_FIRST;
                true
            }
            ("orderBy", Value::Null) => true,
            _ => false,
        })?;
        let brand = object_type("Brand").expect("described");
        let row = self.next_alias();
        let rows = BrandRows::visible(&row, "$1", "true");
        let all = BrandRows::visible(&format!("{row}_all"), "$1", "true");
        let page = Page {
            ty: brand,
            row: &row,
            rows: rows.sql().to_string(),
            all: all.sql().to_string(),
            order,
            first,
        };
        self.connection(&page, &field.selection_set.node)
    }

    /// A relation's page (`mediaAssets(first:)` of a brand): the parent row `parent` was
    /// read through the visibility rule, so its children are those that name it.
    fn relation(
        &mut self,
        relation: &Relation,
        field: &Field,
        parent: &str,
    ) -> Result<String, Fallback> {
        let row = self.next_alias();
        let narrowed = |alias: &str| {
            format!(
                "FROM {} {alias} WHERE {alias}.{} = {parent}.id",
                relation.target.table, relation.parent_column
            )
        };
        if relation.kind == RelationKind::List {
            if !field.arguments.is_empty() {
                return fallback(format!("{} arguments", field.name.node));
            }
            let item = self.object(relation.target, &field.selection_set.node, &row)?;
            return Ok(format!(
                "coalesce((SELECT '[' || string_agg({item}, ',' ORDER BY {}) || ']' {}), '[]')",
                relation.order.sql(&row),
                narrowed(&row)
            ));
        }
        let first = self.page_arguments(field, |_, _| false)?;
        let page = Page {
            ty: relation.target,
            row: &row,
            rows: narrowed(&row),
            all: narrowed(&format!("{row}_all")),
            order: relation.order,
            first,
        };
        self.connection(&page, &field.selection_set.node)
    }

    /// The page size of a connection field (`first`; `after: null` is no cursor); other
    /// arguments go to `other`, which says whether it took them.
    fn page_arguments(
        &mut self,
        field: &Field,
        mut other: impl FnMut(&str, &Value) -> bool,
    ) -> Result<String, Fallback> {
        let mut first = DEFAULT_PAGE_SIZE.to_string();
        for (name, value) in &field.arguments {
            match (name.node.as_str(), &value.node) {
                ("first", Value::Number(n)) => match n.as_i64() {
                    Some(n) if (0..=i64::from(MAX_PAGE_SIZE)).contains(&n) => {
                        first = n.to_string();
                    }
                    _ => return fallback("first out of range"),
                },
                ("first", Value::Variable(variable)) => {
                    self.params.push(Param::PageSize(variable.clone()));
                    first = format!("${}::bigint", self.params.len());
                }
                ("first" | "after", Value::Null) => {}
                (name, value) if other(name, value) => {}
                (name, _) => return fallback(format!("{} argument {name}", field.name.node)),
            }
        }
        Ok(first)
    }

    /// A Relay connection over `page`: edges, nodes, cursors, pageInfo and totalCount in
    /// one subquery (rows numbered `n`, one more fetched than shown).
    fn connection(
        &mut self,
        page: &Page<'_>,
        selection: &SelectionSet,
    ) -> Result<String, Fallback> {
        let (ty, row, first) = (page.ty, page.row, &page.first);
        let connection_type = format!("{}Connection", ty.name);
        let edge_type = format!("{}Edge", ty.name);
        let cursor = page.order.cursor(row);
        let sort = page.order.sql(row);
        // Three levels: the page's rows (numbered, one more than shown), each row's JSON
        // built from those rows only (`paged`; however the rows were found, no JSON is
        // built for a row the page does not keep), and the page aggregated.
        let paged = format!("{row}p");
        let mut per_row = vec![format!("{row}.n")];
        let mut cursors = false;
        let mut members = Vec::new();
        for part in self.fields(selection, &connection_type)? {
            let value = match part.name.node.as_str() {
                "__typename" => json::name_value(&connection_type),
                "totalCount" => format!("(SELECT count(*) {})::text", page.all),
                "edges" => {
                    let mut edge = Vec::new();
                    for member in self.fields(&part.selection_set.node, &edge_type)? {
                        let value = match member.name.node.as_str() {
                            "__typename" => json::name_value(&edge_type),
                            "cursor" => cursor.clone(),
                            "node" => self.object(ty, &member.selection_set.node, row)?,
                            other => return fallback(format!("{edge_type}.{other}")),
                        };
                        edge.push((key_of(member), value));
                    }
                    let column = format!("j{}", per_row.len());
                    per_row.push(format!("{} AS {column}", object(&edge)));
                    page_list(&format!("{paged}.{column}"), &paged, first)
                }
                "nodes" => {
                    let node = self.object(ty, &part.selection_set.node, row)?;
                    let column = format!("j{}", per_row.len());
                    per_row.push(format!("{node} AS {column}"));
                    page_list(&format!("{paged}.{column}"), &paged, first)
                }
                "pageInfo" => {
                    let mut info = Vec::new();
                    for member in self.fields(&part.selection_set.node, "PageInfo")? {
                        let value = match member.name.node.as_str() {
                            "__typename" => json::name_value("PageInfo"),
                            "hasPreviousPage" => "'false'".to_string(),
                            "hasNextPage" => format!(
                                "(CASE WHEN count(*) > {first} THEN 'true' ELSE 'false' END)"
                            ),
                            "startCursor" => {
                                cursors = true;
                                format!(
                                    "coalesce((array_agg({paged}.c ORDER BY {paged}.n) FILTER (WHERE {paged}.n <= {first}))[1], 'null')"
                                )
                            }
                            "endCursor" => {
                                cursors = true;
                                format!(
                                    "coalesce((array_agg({paged}.c ORDER BY {paged}.n DESC) FILTER (WHERE {paged}.n <= {first}))[1], 'null')"
                                )
                            }
                            other => return fallback(format!("PageInfo.{other}")),
                        };
                        info.push((key_of(member), value));
                    }
                    object(&info)
                }
                other => return fallback(format!("{connection_type}.{other}")),
            };
            members.push((key_of(part), value));
        }
        if cursors {
            per_row.push(format!("{cursor} AS c"));
        }
        Ok(format!(
            "(SELECT {} FROM (SELECT {} FROM (SELECT {row}.*, row_number() OVER (ORDER BY {sort}) AS n {} \
             ORDER BY {sort} LIMIT {first} + 1) {row}) {paged} GROUP BY ())",
            object(&members),
            per_row.join(", "),
            page.rows
        ))
    }

    /// A fresh table alias (nested subqueries each get their own).
    fn next_alias(&mut self) -> String {
        self.aliases += 1;
        format!("r{}", self.aliases)
    }

    /// The JSON object of one row of `ty` aliased `row`, as `selection` selects it.
    fn object(
        &mut self,
        ty: &ObjectType,
        selection: &SelectionSet,
        row: &str,
    ) -> Result<String, Fallback> {
        let mut members = Vec::new();
        for field in self.fields(selection, ty.name)? {
            let leaf = field.arguments.is_empty() && field.selection_set.node.items.is_empty();
            if !leaf && ty.relation(&field.name.node).is_none() {
                return fallback(format!(
                    "{}.{} with arguments or a selection",
                    ty.name, field.name.node
                ));
            }
            let value = match field.name.node.as_str() {
                "__typename" => json::name_value(ty.name),
                name => match (ty.column(name), ty.relation(name)) {
                    (Some(column), _) => json::column(row, column.column, column.render),
                    (None, Some(relation)) => self.relation(relation, field, row)?,
                    (None, None) => return fallback(format!("{}.{name}", ty.name)),
                },
            };
            members.push((key_of(field), value));
        }
        Ok(object(&members))
    }

    /// The fields `selection` selects on `type_name`, fragments flattened; a directive, a
    /// fragment on another type or a key selected twice falls back.
    fn fields(
        &self,
        selection: &'a SelectionSet,
        type_name: &str,
    ) -> Result<Vec<&'a Field>, Fallback> {
        let mut fields: Vec<&'a Field> = Vec::new();
        self.collect(selection, type_name, &mut fields, 0)?;
        for (i, field) in fields.iter().enumerate() {
            if fields[..i]
                .iter()
                .any(|earlier| key_of(earlier) == key_of(field))
            {
                return fallback("a key selected twice");
            }
        }
        Ok(fields)
    }

    fn collect(
        &self,
        selection: &'a SelectionSet,
        type_name: &str,
        into: &mut Vec<&'a Field>,
        depth: usize,
    ) -> Result<(), Fallback> {
        if depth > 8 {
            return fallback("fragments nested too deep");
        }
        for item in &selection.items {
            let item: &'a Positioned<Selection> = item;
            match &item.node {
                Selection::Field(field) => {
                    if !field.node.directives.is_empty() {
                        return fallback("field directives");
                    }
                    into.push(&field.node);
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    if !fragment.directives.is_empty() {
                        return fallback("fragment directives");
                    }
                    if let Some(condition) = &fragment.type_condition
                        && condition.node.on.node != type_name
                    {
                        return fallback("fragment on another type");
                    }
                    self.collect(&fragment.selection_set.node, type_name, into, depth + 1)?;
                }
                Selection::FragmentSpread(spread) => {
                    if !spread.node.directives.is_empty() {
                        return fallback("spread directives");
                    }
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    else {
                        return fallback("unknown fragment");
                    };
                    if fragment.node.type_condition.node.on.node != type_name
                        || !fragment.node.directives.is_empty()
                    {
                        return fallback("fragment on another type");
                    }
                    self.collect(
                        &fragment.node.selection_set.node,
                        type_name,
                        into,
                        depth + 1,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The response key of a field: its alias, else its name.
fn key_of(field: &Field) -> &str {
    field
        .alias
        .as_ref()
        .map_or(field.name.node.as_str(), |alias| alias.node.as_str())
}

/// `{"k1":v1,"k2":v2}` as SQL concatenating the members' JSON texts.
fn object(members: &[(&str, String)]) -> String {
    let mut sql = String::from("('{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&json::name(key));
        sql.push_str(":' || ");
        sql.push_str(value);
        sql.push_str(" || '");
    }
    sql.push_str("}')");
    sql
}

/// The first `first` rows of a page (rows numbered `n` from 1, one extra fetched) as a
/// JSON list of `item`.
fn page_list(item: &str, row: &str, first: &str) -> String {
    format!(
        "coalesce('[' || string_agg({item}, ',' ORDER BY {row}.n) FILTER (WHERE {row}.n <= {first}) || ']', '[]')"
    )
}

/// One connection's rows: their type, alias, source (`FROM … WHERE …`, the page's rows
/// and all of them for `totalCount`), order and page size (SQL).
struct Page<'a> {
    ty: &'static ObjectType,
    row: &'a str,
    rows: String,
    all: String,
    order: Order,
    first: String,
}
