//! One parent row and its children in one statement.
//!
//! A single-row root field (`brand(id)`) and the one relation its selection asks for would
//! otherwise cost two round trips: the parent, then the relation's loader once the parent
//! resolved. Here the parent's own select becomes a CTE, returned as one row, and the
//! children's select, correlated to `parent.id`, a LATERAL subquery beside it whose rows
//! follow (`UNION ALL`).

use crate::db::OperationDb;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, QueryResult, QuerySelect, QueryTrait, Select,
    Statement,
};
use serde::de::DeserializeOwned;

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

/// The column the parent's row comes back in, as JSON.
const PARENT_ROW: &str = "parent__row";

/// The column a page's count comes back in (see [`ParentAndChildren::total`]).
pub const PAGE_TOTAL: &str = "page_total";

/// A statement that returns the first row `parent` selects and then its children: the
/// parent once, as one JSON column on a row of its own whose child columns are NULL, and
/// every child on a row whose parent column is NULL (a page of a hundred rows carrying a
/// hundred copies of the parent's columns cost PostgreSQL more than the page itself). The
/// parent's row comes first and the children follow in `order` (PostgreSQL appends the
/// branches of a `UNION ALL` in turn); readers find the parent by its column all the same
/// ([`split`]).
pub struct ParentAndChildren<'a> {
    /// The children's select, reading the parent's id as `parent.id`.
    pub children: &'a str,
    /// The children's alias, which `columns` and `order` use.
    pub alias: &'a str,
    pub columns: &'a str,
    pub order: &'a str,
    /// A select counting the children (as [`PAGE_TOTAL`], reading `parent.id`), returned
    /// on the parent's row only.
    pub total: Option<&'a str>,
}

impl ParentAndChildren<'_> {
    /// The SQL; the parent's select's values are appended to `values`, after those the
    /// children and the count already use.
    pub fn sql<P: EntityTrait>(
        &self,
        parent: Select<P>,
        values: &mut Vec<sea_orm::Value>,
    ) -> String {
        // Every column of the table, not only the model's: a column the model ignores (a
        // type SeaORM cannot read) must still be in the JSON for the model to deserialize.
        let table = P::default().table_name().to_string();
        let select = parent
            .select_only()
            .expr(Expr::cust(format!("\"{table}\".*")))
            .limit(1)
            .build(DbBackend::Postgres);
        let parent_sql = shift_placeholders(&select.sql, values.len());
        values.extend(select.values.map(|v| v.0).unwrap_or_default());
        let Self {
            children,
            alias,
            columns,
            order,
            total,
        } = self;
        let (total, total_join, no_total) = match total {
            Some(count) => (
                format!(", total.{PAGE_TOTAL}"),
                format!(" CROSS JOIN LATERAL ({count}) AS total"),
                ", NULL",
            ),
            None => (String::new(), String::new(), ""),
        };
        // The parent's row takes its child columns (and their types) from the children's
        // select filtered to nothing (a one-time filter: nothing is read); the UNION types
        // the children's NULL count.
        format!(
            "WITH parent AS MATERIALIZED ({parent_sql})
             SELECT to_jsonb(parent) AS {PARENT_ROW}, {columns}{total} FROM parent
               LEFT JOIN LATERAL (SELECT * FROM ({children}) AS {alias} WHERE false) AS {alias}
                 ON true{total_join}
             UNION ALL
             (SELECT NULL, {columns}{no_total} FROM parent CROSS JOIN LATERAL ({children}) AS {alias}
               ORDER BY {order})"
        )
    }
}

/// The parent's row and the children's rows of a [`ParentAndChildren`] statement; `None`
/// when there is no parent.
pub fn split<M: DeserializeOwned>(
    rows: Vec<QueryResult>,
) -> Result<Option<(M, QueryResult, Vec<QueryResult>)>, sea_orm::DbErr> {
    let mut parent = None;
    let mut children = Vec::with_capacity(rows.len());
    for row in rows {
        match row.try_get::<Option<serde_json::Value>>("", PARENT_ROW)? {
            Some(json) if parent.is_none() => {
                let model = serde_json::from_value(json)
                    .map_err(|err| sea_orm::DbErr::Json(format!("the parent row: {err}")))?;
                parent = Some((model, row));
            }
            Some(_) => {}
            None => children.push(row),
        }
    }
    Ok(parent.map(|(model, row)| (model, row, children)))
}

/// The row `parent` selects (at most one is used) and the rows of `children`, a statement
/// that reads the parent's id as `parent.id`, ordered by `order` (SQL over the alias
/// `child`). A parent without children comes back with no rows; `None` without a parent.
/// Each child row is read as the caller reads the children's own statement.
pub async fn one_with_children<P>(
    db: &OperationDb,
    parent: Select<P>,
    children: Statement,
    order: &str,
) -> Result<Option<(P::Model, Vec<QueryResult>)>, sea_orm::DbErr>
where
    P: EntityTrait,
    P::Model: DeserializeOwned,
{
    let mut values = children.values.map(|v| v.0).unwrap_or_default();
    let sql = ParentAndChildren {
        children: &children.sql,
        alias: "child",
        columns: "child.*",
        order,
        total: None,
    }
    .sql(parent, &mut values);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    Ok(split::<P::Model>(rows)?.map(|(found, _, children)| (found, children)))
}
