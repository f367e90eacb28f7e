//! "The first N children of each parent" in one statement, for every nested Relay
//! connection (a brand's content items, an asset's usage, ...).
//!
//! All keys that share a page spec (filter, sort, cursor, size) are answered by one
//! statement: for every parent a LATERAL subquery reads its first `limit + 1` rows off the
//! `(parent, sort, id)` index (the extra row says whether a next page exists). Pages are
//! keyset pages over `(sort column, id)`, never OFFSET. When the client selected
//! `totalCount`, the same statement also counts each parent's filtered rows, so the count
//! costs no extra round trip.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use crate::db::OperationDb;
use async_graphql::dataloader::Loader;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IdenStatic, QueryFilter, QueryResult,
    QuerySelect, QueryTrait, Select, Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::LoadError;
use super::{columns, parent};

/// The sort of a page: one non-null column (a timestamp, or an integer for
/// [`SortValue::Int`] orders such as a lead's score), ties broken by `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: &'static str,
    pub descending: bool,
}

impl Sort {
    /// The order of most lists: newest `created_at` first.
    pub const NEWEST_FIRST: Sort = Sort {
        column: "created_at",
        descending: true,
    };
    /// Highest `score` first (leads).
    pub const HIGHEST_SCORE_FIRST: Sort = Sort {
        column: "score",
        descending: true,
    };

    /// Whether the sort column holds integers (its cursors carry a number).
    pub fn is_integer(&self) -> bool {
        self.column == "score"
    }
}

/// A row's value in its page's sort column: a timestamp (serialised as RFC 3339 text) or
/// an integer (a JSON number), so cursors of timestamp orders keep their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Time(DateTime<FixedOffset>),
}

impl From<DateTime<FixedOffset>> for SortValue {
    fn from(value: DateTime<FixedOffset>) -> Self {
        SortValue::Time(value)
    }
}

impl From<i32> for SortValue {
    fn from(value: i32) -> Self {
        SortValue::Int(value.into())
    }
}

impl From<SortValue> for sea_orm::Value {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Int(n) => n.into(),
            SortValue::Time(at) => at.into(),
        }
    }
}

/// Where a page continues: the sort value and id of the last row seen.
pub type Cursor = (SortValue, Uuid);

/// Cursors carry their sort column so a cursor of one order is refused by another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageCursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: SortValue,
    #[serde(rename = "i")]
    pub id: Uuid,
}

/// Everything about a page except its parent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageSpec<F> {
    pub filter: F,
    pub sort: Sort,
    pub after: Option<Cursor>,
    /// Rows before this cursor only (`before`).
    pub before: Option<Cursor>,
    /// The page is the last `limit` rows (`last`): read in reverse, returned in order.
    pub backward: bool,
    pub limit: u64,
    /// Also count each parent's rows (before the cursor applies).
    pub with_total: bool,
    /// The fields selected on the nodes (snake_case, sorted), when known: relations that
    /// opt in ([`PagedRelation::NARROW`]) then fetch only the columns those fields read.
    pub fields: Option<Arc<[String]>>,
}

/// One parent's page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey<F> {
    pub parent: Uuid,
    pub spec: Arc<PageSpec<F>>,
}

/// The rows of one page and whether more follow it in the direction it was read.
#[derive(Debug, Clone)]
pub struct Page<M> {
    pub rows: Vec<M>,
    pub has_more: bool,
    /// The parent's filtered row count, when asked for and known (a page that is empty
    /// because the cursor is past the end cannot tell it).
    pub total: Option<i64>,
}

impl<M> Page<M> {
    /// Keeps the first `limit` rows read (one more was fetched to tell whether more
    /// follow), in the connection's order.
    fn finish<F>(&mut self, spec: &PageSpec<F>) {
        self.has_more = self.rows.len() as u64 > spec.limit;
        self.rows.truncate(spec.limit as usize);
        if spec.backward {
            self.rows.reverse();
        }
    }
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            has_more: false,
            total: None,
        }
    }
}

/// A parent -> children relation that can be paged.
pub trait PagedRelation: Send + Sync + 'static {
    type Entity: EntityTrait<Model = Self::Model>;
    type Model: sea_orm::FromQueryResult + Clone + Send + Sync + 'static;
    type Filter: Clone + Hash + Eq + Send + Sync + 'static;

    /// The column that points at the parent, e.g. `brand_id`.
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    fn parent_of(model: &Self::Model) -> Uuid;
    fn id_of(model: &Self::Model) -> Uuid;
    /// The value of a sort column of a row.
    fn sort_value(model: &Self::Model, column: &str) -> SortValue;
    fn apply_filter(select: Select<Self::Entity>, filter: &Self::Filter) -> Select<Self::Entity>;

    /// `Some(fields)` opts in to fetching only the selected columns: a node field reads
    /// the column of its name (or `<name>_id`), `uuid` and the listed `fields` (relations
    /// loaded by the row's id) read `id`. Any other field means every column.
    const NARROW: Option<&'static [&'static str]> = None;

    /// A row of a page that fetched only the columns `read` (every column when `None`);
    /// a field whose column was not fetched holds its type's default and is never read.
    /// Relations that opt in to [`Self::NARROW`] implement it (the `paged!` macro does).
    fn decode(row: &QueryResult, _read: Option<&[String]>) -> Result<Self::Model, sea_orm::DbErr> {
        Self::Model::from_query_result(row, "")
    }
}

/// The columns a page of `R` fetches when its relation opts in ([`PagedRelation::NARROW`])
/// and every selected node field is known to read one: `id`, the parent and sort columns
/// and the selected fields' own. `None` means every column.
pub fn read_columns<R: PagedRelation>(spec: &PageSpec<R::Filter>) -> Option<Vec<String>> {
    let via_id = R::NARROW?;
    let fields = spec.fields.as_ref()?;
    let mut needed =
        columns::columns_read_by::<R::Entity>(fields.iter().map(String::as_str), via_id)?;
    needed.extend([
        "id".to_string(),
        R::parent_column().as_str().to_string(),
        spec.sort.column.to_string(),
    ]);
    needed.sort_unstable();
    needed.dedup();
    Some(needed)
}

/// The outer select list of a page: the columns it reads ([`read_columns`]), or `page.*`.
/// PostgreSQL drops a subquery's unused outputs, so the others are never read or detoasted.
fn projection(read: Option<&[String]>) -> String {
    match read {
        Some(columns) => columns
            .iter()
            .map(|name| format!("page.\"{name}\""))
            .collect::<Vec<_>>()
            .join(", "),
        None => "page.*".into(),
    }
}

/// The cursor of a row in a page sorted by `sort`.
pub fn cursor_of<R: PagedRelation>(model: &R::Model, sort: Sort) -> PageCursor {
    PageCursor {
        sort: sort.column.to_string(),
        value: R::sort_value(model, sort.column),
        id: R::id_of(model),
    }
}

/// The rows of `parents` matching `filter`, before paging; also used for counts.
pub fn filtered<R: PagedRelation>(parents: &[Uuid], filter: &R::Filter) -> Select<R::Entity> {
    let select = R::Entity::find().filter(super::any_of(R::parent_column(), parents));
    R::apply_filter(select, filter)
}

/// Where a page statement's parents come from.
enum Parents<'a, P: EntityTrait> {
    /// Parents by id, from one array parameter.
    Ids(&'a [Uuid]),
    /// The first row of a select, returned too (see [`parent::ParentAndChildren`]).
    Row { select: Box<Select<P>> },
}

/// One statement for all `parents`: for each parent a LATERAL subquery takes its first
/// `limit + 1` rows straight off the `(parent, sort, id)` index, and, when asked, a second
/// LATERAL subquery counts its filtered rows.
fn page_statement<R: PagedRelation, P: EntityTrait>(
    parents: Parents<'_, P>,
    spec: &PageSpec<R::Filter>,
    read: Option<&[String]>,
) -> Statement {
    use sea_orm::{EntityName, QueryOrder};
    // Rows are read towards the page's end: a `last` page reads the order in reverse.
    let descending = spec.sort.descending != spec.backward;
    let column = spec.sort.column;
    let table = R::Entity::default().table_name().to_string();
    let parent = R::parent_column().as_str();
    let correlated = || Expr::cust(format!("\"{table}\".\"{parent}\" = parent.id"));

    let mut page = R::apply_filter(R::Entity::find(), &spec.filter).filter(correlated());
    let (past, short) = if spec.sort.descending {
        ("<", ">")
    } else {
        (">", "<")
    };
    for (op, cursor) in [(past, spec.after), (short, spec.before)] {
        if let Some((value, id)) = cursor {
            page = page.filter(Expr::cust_with_values(
                format!("(\"{table}\".\"{column}\", \"{table}\".\"id\") {op} ($1, $2)"),
                [sea_orm::Value::from(value), sea_orm::Value::from(id)],
            ));
        }
    }
    let order = if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let page = page
        .order_by(
            Expr::cust(format!("\"{table}\".\"{column}\"")),
            order.clone(),
        )
        .order_by(Expr::cust(format!("\"{table}\".\"id\"")), order)
        .limit(spec.limit + 1)
        .build(DbBackend::Postgres);
    let mut values = page.values.map(|v| v.0).unwrap_or_default();
    let count = spec.with_total.then(|| {
        let count = R::apply_filter(R::Entity::find(), &spec.filter)
            .filter(correlated())
            .select_only()
            .column_as(Expr::cust("count(*)"), parent::PAGE_TOTAL)
            .build(DbBackend::Postgres);
        let sql = parent::shift_placeholders(&count.sql, values.len());
        values.extend(count.values.map(|v| v.0).unwrap_or_default());
        sql
    });
    let dir = if descending { "DESC" } else { "ASC" };
    let columns = projection(read);
    let sql = match parents {
        Parents::Ids(ids) => {
            let (total, join_total) = match &count {
                Some(count) => (
                    format!(", total.{}", parent::PAGE_TOTAL),
                    format!(" CROSS JOIN LATERAL ({count}) AS total"),
                ),
                None => Default::default(),
            };
            values.push(sea_orm::Value::from(ids.to_vec()));
            format!(
                "SELECT {columns}{total} FROM unnest(${}::uuid[]) AS parent(id)
                   CROSS JOIN LATERAL ({}) AS page{join_total}
                  ORDER BY page.{parent}, page.{column} {dir}, page.id {dir}",
                values.len(),
                page.sql
            )
        }
        Parents::Row { select } => parent::ParentAndChildren {
            children: &page.sql,
            alias: "page",
            columns: &columns,
            order: &format!("page.{column} {dir}, page.id {dir}"),
            total: count.as_deref(),
        }
        .sql(*select, &mut values),
    };
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// The row `parent` selects (at most one is used) and its page of `R`, in one statement:
/// what a single-row root field and the one relation page its selection asks for would
/// otherwise fetch in two.
pub async fn one_with_page<R, P>(
    db: &OperationDb,
    parent: Select<P>,
    spec: &PageSpec<R::Filter>,
) -> Result<Option<(P::Model, Page<R::Model>)>, sea_orm::DbErr>
where
    R: PagedRelation,
    P: EntityTrait,
    P::Model: serde::de::DeserializeOwned,
{
    let parents = Parents::Row {
        select: Box::new(parent),
    };
    let read = read_columns::<R>(spec);
    let rows = db
        .query_all_raw(page_statement::<R, P>(parents, spec, read.as_deref()))
        .await?;
    let Some((found, parent_row, children)) = parent::split::<P::Model>(rows)? else {
        return Ok(None);
    };
    let mut page = Page::default();
    for row in &children {
        page.rows.push(R::decode(row, read.as_deref())?);
    }
    if spec.with_total {
        page.total = Some(parent_row.try_get("", parent::PAGE_TOTAL)?);
    }
    page.finish(spec);
    Ok(Some((found, page)))
}

/// The loader behind every nested connection of relation `R`.
pub struct PageLoader<R> {
    db: OperationDb,
    relation: std::marker::PhantomData<fn() -> R>,
}

impl<R> PageLoader<R> {
    pub fn new(db: OperationDb) -> Self {
        Self {
            db,
            relation: std::marker::PhantomData,
        }
    }
}

impl<R: PagedRelation> Loader<PageKey<R::Filter>> for PageLoader<R> {
    type Value = Page<R::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PageKey<R::Filter>],
    ) -> Result<HashMap<PageKey<R::Filter>, Self::Value>, Self::Error> {
        let mut by_spec: HashMap<Arc<PageSpec<R::Filter>>, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_spec
                .entry(key.spec.clone())
                .or_default()
                .push(key.parent);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for (spec, parents) in by_spec {
            let read = read_columns::<R>(&spec);
            let results = self
                .db
                .query_all_raw(page_statement::<R, R::Entity>(
                    Parents::Ids(&parents),
                    &spec,
                    read.as_deref(),
                ))
                .await
                .map_err(Arc::new)?;
            let mut grouped: HashMap<Uuid, Page<R::Model>> = HashMap::new();
            for result in results {
                let row = R::decode(&result, read.as_deref()).map_err(Arc::new)?;
                let page = grouped.entry(R::parent_of(&row)).or_default();
                if spec.with_total {
                    page.total = Some(result.try_get("", parent::PAGE_TOTAL).map_err(Arc::new)?);
                }
                page.rows.push(row);
            }
            for parent in parents {
                let mut page = grouped.remove(&parent).unwrap_or_default();
                let uncut = spec.after.is_none() && spec.before.is_none();
                if spec.with_total && page.rows.is_empty() && uncut {
                    page.total = Some(0);
                }
                page.finish(&spec);
                pages.insert(
                    PageKey {
                        parent,
                        spec: spec.clone(),
                    },
                    page,
                );
            }
        }
        Ok(pages)
    }
}

/// Counts per parent for `totalCount`, keyed by parent and filter.
pub struct CountLoader<R> {
    db: OperationDb,
    relation: std::marker::PhantomData<fn() -> R>,
}

impl<R> CountLoader<R> {
    pub fn new(db: OperationDb) -> Self {
        Self {
            db,
            relation: std::marker::PhantomData,
        }
    }
}

/// One parent's count under one filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey<F> {
    pub parent: Uuid,
    pub filter: Arc<F>,
}

impl<R: PagedRelation> Loader<CountKey<R::Filter>> for CountLoader<R> {
    type Value = i64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CountKey<R::Filter>],
    ) -> Result<HashMap<CountKey<R::Filter>, i64>, Self::Error> {
        let mut by_filter: HashMap<Arc<R::Filter>, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_filter
                .entry(key.filter.clone())
                .or_default()
                .push(key.parent);
        }
        let mut counts = HashMap::with_capacity(keys.len());
        for (filter, parents) in by_filter {
            let rows: Vec<(Uuid, i64)> = filtered::<R>(&parents, &filter)
                .select_only()
                .column(R::parent_column())
                .column_as(Expr::cust("count(*)"), "count")
                .group_by(R::parent_column())
                .into_tuple()
                .all(&self.db)
                .await
                .map_err(Arc::new)?;
            let found: HashMap<Uuid, i64> = rows.into_iter().collect();
            for parent in parents {
                let count = found.get(&parent).copied().unwrap_or(0);
                counts.insert(
                    CountKey {
                        parent,
                        filter: filter.clone(),
                    },
                    count,
                );
            }
        }
        Ok(counts)
    }
}
