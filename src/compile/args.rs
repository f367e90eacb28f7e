//! A connection's arguments as the executor reads them: `first` (0..=100, default 20) or
//! `last` (0..=100, the page read from the end; with `first` the executor refuses it),
//! `after`/`before` (cursors of the connection's order, decoded by the executor's own
//! functions),
//! `orderBy` (the described enum values, literal or from a variable: then the connection
//! is planned once per order and the request's value picks one in SQL) and `filter` (an
//! input object of the described fields, literal, with fields from variables, or whole
//! from one variable). An argument the planner cannot prove the executor would read the
//! same way falls back; a variable's value is checked per request (see `run`).

use async_graphql::parser::types::Field;
use async_graphql_value::Value;
use uuid::Uuid;

use super::describe::{CursorFormat, FilterField, FilterTest, Order};
use super::plan::{Fallback, FilterVariable, OrderVariable, Param, Planner, Source, fallback};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor};

/// The sort value and row id of `cursor` in `order`, as the executor decodes it (an
/// `after` or `before` cursor alike); `None` where the executor refuses the cursor
/// (malformed, or of another order).
pub fn decode_after(order: &Order, cursor: &str) -> Option<(sea_orm::Value, Uuid)> {
    match order.cursor {
        CursorFormat::Brand { tag } => crate::graphql::brand::query::after_cursor(tag, cursor).ok(),
        CursorFormat::Page | CursorFormat::PageInteger => {
            let cursor: crate::loaders::page::PageCursor = decode_cursor(cursor).ok()?;
            let integer = matches!(cursor.value, crate::loaders::page::SortValue::Int(_));
            (cursor.sort == order.column && integer == (order.cursor == CursorFormat::PageInteger))
                .then(|| (cursor.value.into(), cursor.id))
        }
    }
}

/// A page's checked arguments, as SQL over bind parameters and constants.
pub struct PageArguments {
    /// The page size (SQL), of `first` or `last`.
    pub size: String,
    /// `last` was given: the page is the last `size` rows, read from the end.
    pub backward: bool,
    pub order: Order,
    after: Option<Bound>,
    before: Option<Bound>,
    filters: Vec<Condition>,
}

/// An `after` or `before` cursor: its sort value and id (SQL), and whether both may be
/// NULL (a variable that may be absent: then there is no cursor).
struct Bound {
    value: String,
    id: String,
    optional: bool,
}

/// `column <op> value` of a filter; `optional`: the value is a variable's, and a NULL
/// (null or absent) puts no condition.
struct Condition {
    column: &'static str,
    op: &'static str,
    value: String,
    optional: bool,
}

impl PageArguments {
    /// The condition on the rows aliased `row`: the filters and, with `cursor`, the rows
    /// after the cursor (`totalCount` counts without it).
    pub fn conditions(&self, row: &str, cursor: bool) -> String {
        let mut parts: Vec<String> = self
            .filters
            .iter()
            .map(|c| {
                let test = format!("{row}.{} {} {}", c.column, c.op, c.value);
                match c.optional {
                    true => format!("({} IS NULL OR {test})", c.value),
                    false => test,
                }
            })
            .collect();
        if cursor {
            for (bound, before) in [(&self.after, false), (&self.before, true)] {
                let Some(bound) = bound else { continue };
                let keyset = self.order.past_sql(row, &bound.value, &bound.id, before);
                parts.push(if bound.optional {
                    format!("({} IS NULL OR {keyset})", bound.id)
                } else {
                    keyset
                });
            }
        }
        if parts.is_empty() {
            "true".into()
        } else {
            parts.join(" AND ")
        }
    }

    /// `hasPreviousPage` (JSON text), `more` being the SQL condition that rows beyond the
    /// page were read: a `last` page looks past its start, any other says whether an
    /// `after` cursor was given.
    pub fn has_previous(&self, more: &str) -> String {
        if self.backward {
            flag(more)
        } else {
            given(&self.after)
        }
    }

    /// `hasNextPage` (JSON text), as [`Self::has_previous`] the other way round.
    pub fn has_next(&self, more: &str) -> String {
        if self.backward {
            given(&self.before)
        } else {
            flag(more)
        }
    }
}

fn flag(condition: &str) -> String {
    format!("(CASE WHEN {condition} THEN 'true' ELSE 'false' END)")
}

/// Whether a cursor was given (JSON text).
fn given(bound: &Option<Bound>) -> String {
    match bound {
        None => "'false'".into(),
        Some(Bound {
            optional: false, ..
        }) => "'true'".into(),
        Some(bound) => format!(
            "(CASE WHEN {} IS NULL THEN 'false' ELSE 'true' END)",
            bound.id
        ),
    }
}

/// The order one plan of a connection reads when `orderBy` is a variable: the variable
/// and the order this plan is for.
pub struct OrderBranch {
    pub variable: OrderVariable,
    pub order: Order,
}

impl<'a> Planner<'a> {
    /// A connection's JSON as `build` plans it for its order: once for a literal or absent
    /// `orderBy`; for `orderBy: $variable`, once per described order, the request's value
    /// (bound as its enum name, checked per request) choosing the branch in SQL, so every
    /// order keeps its own cursors and keyset.
    pub(super) fn ordered(
        &mut self,
        field: &Field,
        default: Order,
        orders: &'static [(&'static str, Order)],
        mut build: impl FnMut(&mut Self, Option<OrderBranch>) -> Result<String, Fallback>,
    ) -> Result<String, Fallback> {
        let variable = field.arguments.iter().find_map(|(name, value)| {
            match (name.node.as_str(), &value.node) {
                ("orderBy", Value::Variable(variable)) => Some(variable.clone()),
                _ => None,
            }
        });
        let Some(name) = variable else {
            return build(self, None);
        };
        if orders.is_empty() {
            return fallback("orderBy variable without described orders");
        }
        let variable = OrderVariable {
            name,
            orders,
            default,
        };
        let choice = self.param(Param::OrderChoice(variable.clone()));
        let mut branches = Vec::new();
        for (value, order) in orders {
            let branch = OrderBranch {
                variable: variable.clone(),
                order: *order,
            };
            branches.push(format!(
                "WHEN '{value}' THEN {}",
                build(self, Some(branch))?
            ));
        }
        Ok(format!("(CASE {choice} {} END)", branches.join(" ")))
    }

    /// The arguments of a connection field in `default` order (or one of `orders` by
    /// `orderBy`; `branch` when `orderBy` is a variable, see [`Self::ordered`]), narrowed
    /// by the described `filters`.
    pub(super) fn page_arguments(
        &mut self,
        field: &Field,
        default: Order,
        orders: &[(&str, Order)],
        filters: &'static [FilterField],
        branch: Option<&OrderBranch>,
    ) -> Result<PageArguments, Fallback> {
        let mut first = None;
        let mut last = None;
        let mut order = default;
        let mut after = None;
        let mut before = None;
        let mut conditions = Vec::new();
        for (name, value) in &field.arguments {
            match (name.node.as_str(), &value.node) {
                ("first" | "last", Value::Number(n)) => match n.as_i64() {
                    Some(n) if (0..=i64::from(MAX_PAGE_SIZE)).contains(&n) => {
                        let size = Some(n.to_string());
                        if name.node == "first" {
                            first = size;
                        } else {
                            last = size;
                        }
                    }
                    _ => return fallback("first or last out of range"),
                },
                ("first", Value::Variable(variable)) => {
                    first = Some(self.param(Param::PageSize(variable.clone())));
                }
                // The page's direction must be known when planning: a `last` variable
                // that may be null (then the page reads forward) falls back (see `plan`).
                ("last", Value::Variable(variable)) => {
                    self.backward_sizes.push(variable.clone());
                    last = Some(self.param(Param::PageSize(variable.clone())));
                }
                ("first" | "after" | "last" | "before" | "orderBy" | "filter", Value::Null) => {}
                ("after", Value::String(cursor)) => after = Some(Source::Literal(cursor.clone())),
                ("after", Value::Variable(variable)) => {
                    after = Some(Source::Variable(variable.clone()));
                }
                ("before", Value::String(cursor)) => {
                    before = Some(Source::Literal(cursor.clone()));
                }
                ("before", Value::Variable(variable)) => {
                    before = Some(Source::Variable(variable.clone()));
                }
                ("orderBy", Value::Variable(_)) => match branch {
                    Some(branch) => order = branch.order,
                    None => return fallback("orderBy variable outside a branch"),
                },
                ("orderBy", Value::Enum(value)) => {
                    match orders.iter().find(|(name, _)| name == value) {
                        Some((_, chosen)) => order = *chosen,
                        None => return fallback(format!("orderBy {value}")),
                    }
                }
                ("filter", Value::Object(fields)) if !filters.is_empty() => {
                    for (name, value) in fields {
                        let Some(described) = filters.iter().find(|f| f.field == name.as_str())
                        else {
                            return fallback(format!("filter field {name}"));
                        };
                        if let Some(condition) = self.condition(filters, described, value)? {
                            conditions.push(condition);
                        }
                    }
                }
                // The whole input object from one variable: each described field bound
                // from it (NULL when null or absent), its keys checked per request.
                ("filter", Value::Variable(variable)) if !filters.is_empty() => {
                    for (index, described) in filters.iter().enumerate() {
                        let param = Param::FilterObject(
                            variable.clone(),
                            FilterVariable {
                                fields: filters,
                                index,
                            },
                        );
                        conditions.push(Condition {
                            column: described.column,
                            op: operator(described.test),
                            value: self.param(param),
                            optional: true,
                        });
                    }
                }
                (name, _) => return fallback(format!("{} argument {name}", field.name.node)),
            }
        }
        let (size, backward) = match (first, last) {
            // The executor refuses both (or, with a variable, may: it depends on the value).
            (Some(_), Some(_)) => return fallback("first and last"),
            (None, Some(last)) => (last, true),
            (first, None) => (
                first.unwrap_or_else(|| DEFAULT_PAGE_SIZE.to_string()),
                false,
            ),
        };
        let mut bound = |source: Option<Source>| -> Result<Option<Bound>, Fallback> {
            let Some(source) = source else {
                return Ok(None);
            };
            let optional = matches!(source, Source::Variable(_));
            // Under an order from a variable, the request's order decides whether a literal
            // cursor is refused (checked per request).
            if let Source::Literal(cursor) = &source
                && branch.is_none()
                && decode_after(&order, cursor).is_none()
            {
                return fallback("a cursor the executor refuses");
            }
            let chosen_by = branch.map(|branch| branch.variable.clone());
            Ok(Some(Bound {
                value: self.param(Param::CursorValue(source.clone(), order, chosen_by.clone())),
                id: self.param(Param::CursorId(source, order, chosen_by)),
                optional,
            }))
        };
        let after = bound(after)?;
        let before = bound(before)?;
        Ok(PageArguments {
            size,
            backward,
            order,
            after,
            before,
            filters: conditions,
        })
    }

    /// The condition a filter field's value (a literal or a variable) puts on its column
    /// (`None` for a literal null).
    fn condition(
        &mut self,
        filters: &'static [FilterField],
        described: &FilterField,
        value: &Value,
    ) -> Result<Option<Condition>, Fallback> {
        let param = match (described.test, value) {
            (_, Value::Null) => return Ok(None),
            (_, Value::Variable(variable)) => {
                let index = filters
                    .iter()
                    .position(|f| f.field == described.field)
                    .expect("described");
                let param = Param::FilterValue(
                    variable.clone(),
                    FilterVariable {
                        fields: filters,
                        index,
                    },
                );
                return Ok(Some(Condition {
                    column: described.column,
                    op: operator(described.test),
                    value: self.param(param),
                    optional: true,
                }));
            }
            (FilterTest::Equals, Value::String(text)) => Param::Text(text.clone()),
            (FilterTest::Like(pattern), Value::String(text)) => Param::Text(pattern(text)),
            (FilterTest::UuidEquals, Value::String(text)) => match Uuid::parse_str(text) {
                Ok(uuid) => Param::Uuid(uuid),
                Err(_) => return fallback("filter uuid"),
            },
            (FilterTest::EnumEquals(parse), Value::Enum(name)) => match parse(name) {
                Some(stored) => Param::Text(stored.to_string()),
                None => return fallback("filter enum"),
            },
            // `Int` is 32 bits: a literal out of range is the executor's error.
            (FilterTest::IntAtLeast, Value::Number(n)) => {
                match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => Param::Int(n),
                    None => return fallback("filter int"),
                }
            }
            _ => return fallback(format!("filter {} value", described.field)),
        };
        Ok(Some(Condition {
            column: described.column,
            op: operator(described.test),
            value: self.param(param),
            optional: false,
        }))
    }
}

/// The SQL operator of a filter test.
fn operator(test: FilterTest) -> &'static str {
    match test {
        FilterTest::Like(_) => "ILIKE",
        FilterTest::IntAtLeast => ">=",
        _ => "=",
    }
}
