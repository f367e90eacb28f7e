//! A connection's arguments as the executor reads them: `first` (0..=100, default 20),
//! `after` (a cursor of the connection's order, decoded by the executor's own functions),
//! `orderBy` (the described enum values) and `filter` (a literal input object of the
//! described fields). An argument the planner cannot prove the executor would read the
//! same way falls back; a variable's value is checked per request (see `run`).

use async_graphql::parser::types::Field;
use async_graphql_value::Value;
use uuid::Uuid;

use super::describe::{CursorFormat, FilterField, FilterTest, Order};
use super::plan::{Fallback, Param, Planner, Source, fallback};
use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor};

/// The sort value and row id of `cursor` in `order`, as the executor decodes it; `None`
/// where the executor refuses the cursor (malformed, or of another order).
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
    /// The page size (SQL).
    pub first: String,
    pub order: Order,
    after: Option<After>,
    filters: Vec<Condition>,
}

/// An `after` cursor: its sort value and id (SQL), and whether both may be NULL (a
/// variable that may be absent: then there is no cursor).
struct After {
    value: String,
    id: String,
    optional: bool,
}

/// `column <op> value` of a filter.
struct Condition {
    column: &'static str,
    op: &'static str,
    value: String,
}

impl PageArguments {
    /// The condition on the rows aliased `row`: the filters and, with `cursor`, the rows
    /// after the cursor (`totalCount` counts without it).
    pub fn conditions(&self, row: &str, cursor: bool) -> String {
        let mut parts: Vec<String> = self
            .filters
            .iter()
            .map(|c| format!("{row}.{} {} {}", c.column, c.op, c.value))
            .collect();
        if cursor && let Some(after) = &self.after {
            let keyset = self.order.after_sql(row, &after.value, &after.id);
            parts.push(if after.optional {
                format!("({} IS NULL OR {keyset})", after.id)
            } else {
                keyset
            });
        }
        if parts.is_empty() {
            "true".into()
        } else {
            parts.join(" AND ")
        }
    }

    /// `hasPreviousPage` (JSON text): whether an `after` cursor was given.
    pub fn has_previous(&self) -> String {
        match &self.after {
            None => "'false'".into(),
            Some(After {
                optional: false, ..
            }) => "'true'".into(),
            Some(after) => format!(
                "(CASE WHEN {} IS NULL THEN 'false' ELSE 'true' END)",
                after.id
            ),
        }
    }
}

impl Planner<'_> {
    /// The arguments of a connection field in `default` order (or one of `orders` by
    /// `orderBy`), narrowed by the described `filters`.
    pub(super) fn page_arguments(
        &mut self,
        field: &Field,
        default: Order,
        orders: &[(&str, Order)],
        filters: &[FilterField],
    ) -> Result<PageArguments, Fallback> {
        let mut first = DEFAULT_PAGE_SIZE.to_string();
        let mut order = default;
        let mut after = None;
        let mut conditions = Vec::new();
        for (name, value) in &field.arguments {
            match (name.node.as_str(), &value.node) {
                ("first", Value::Number(n)) => match n.as_i64() {
                    Some(n) if (0..=i64::from(MAX_PAGE_SIZE)).contains(&n) => {
                        first = n.to_string();
                    }
                    _ => return fallback("first out of range"),
                },
                ("first", Value::Variable(variable)) => {
                    first = self.param(Param::PageSize(variable.clone()));
                }
                ("first" | "after" | "orderBy" | "filter", Value::Null) => {}
                ("after", Value::String(cursor)) => after = Some(Source::Literal(cursor.clone())),
                ("after", Value::Variable(variable)) => {
                    after = Some(Source::Variable(variable.clone()));
                }
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
                        if let Some(condition) = self.condition(described, value)? {
                            conditions.push(condition);
                        }
                    }
                }
                (name, _) => return fallback(format!("{} argument {name}", field.name.node)),
            }
        }
        let after = match after {
            None => None,
            Some(source) => {
                let optional = matches!(source, Source::Variable(_));
                if let Source::Literal(cursor) = &source
                    && decode_after(&order, cursor).is_none()
                {
                    return fallback("a cursor the executor refuses");
                }
                Some(After {
                    value: self.param(Param::CursorValue(source.clone(), order)),
                    id: self.param(Param::CursorId(source, order)),
                    optional,
                })
            }
        };
        Ok(PageArguments {
            first,
            order,
            after,
            filters: conditions,
        })
    }

    /// The condition a literal filter field's value puts on its column (`None` for null).
    fn condition(
        &mut self,
        described: &FilterField,
        value: &Value,
    ) -> Result<Option<Condition>, Fallback> {
        let param = match (described.test, value) {
            (_, Value::Null) => return Ok(None),
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
            op: match described.test {
                FilterTest::Like(_) => "ILIKE",
                FilterTest::IntAtLeast => ">=",
                _ => "=",
            },
            value: self.param(param),
        }))
    }
}
