//! One parent row and its children in one statement.
//!
//! A single-row root field (`brand(id)`) and the one relation its selection asks for would
//! otherwise cost two round trips: the parent, then the relation's loader once the parent
//! resolved. Here the parent's own select becomes the outer row and the children's select,
//! correlated to `parent.id`, a LATERAL subquery beside it.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, QueryResult,
    QuerySelect, QueryTrait, Select, Statement,
};

/// The prefix of the parent's columns in a joined statement's rows.
pub const PARENT_PREFIX: &str = "parent__";

/// Renumbers `$n` placeholders by `offset`, to splice one built statement into another.
pub fn shift_placeholders(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            out.push('$');
            out.push_str(&(digits.parse::<usize>().unwrap_or(0) + offset).to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// The first row `parent` selects as the subquery `parent`, its columns returned as
/// `parent__<name>`: the SQL of the select list and of the FROM item, with the select's
/// values appended to `values` (so its placeholders follow theirs).
pub fn parent_row<P: EntityTrait>(
    parent: Select<P>,
    values: &mut Vec<sea_orm::Value>,
) -> (String, String) {
    use sea_orm::{IdenStatic, Iterable};
    let select = parent.limit(1).build(DbBackend::Postgres);
    let from = format!(
        "({}) AS parent",
        shift_placeholders(&select.sql, values.len())
    );
    values.extend(select.values.map(|v| v.0).unwrap_or_default());
    let returned: Vec<String> = P::Column::iter()
        .map(|column| {
            let name = column.as_str();
            format!("parent.\"{name}\" AS \"{PARENT_PREFIX}{name}\"")
        })
        .collect();
    (returned.join(", "), from)
}

/// The row `parent` selects (at most one is used) and the rows of `children`, a statement
/// that reads the parent's id as `parent.id`, ordered by `order` (SQL over the alias
/// `child`). A parent without children comes back with no rows; `None` without a parent.
/// Each child row is read as the caller reads the children's own statement.
pub async fn one_with_children<P>(
    db: &DatabaseConnection,
    parent: Select<P>,
    children: Statement,
    order: &str,
) -> Result<Option<(P::Model, Vec<QueryResult>)>, sea_orm::DbErr>
where
    P: EntityTrait,
    P::Model: FromQueryResult,
{
    let mut values = children.values.map(|v| v.0).unwrap_or_default();
    let (returned, from) = parent_row(parent, &mut values);
    // `child.*` of a missing child is all NULL; the marker tells it from a child whose
    // columns happen to be NULL.
    let sql = format!(
        "SELECT {returned}, child.* FROM {from}
           LEFT JOIN LATERAL (SELECT *, true AS child__present FROM ({}) AS inner_child) AS child
             ON true
          ORDER BY {order}",
        children.sql
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let found = P::Model::from_query_result(first, PARENT_PREFIX)?;
    let mut children = Vec::with_capacity(rows.len());
    for row in rows {
        if row.try_get::<Option<bool>>("", "child__present")?.is_some() {
            children.push(row);
        }
    }
    Ok(Some((found, children)))
}
