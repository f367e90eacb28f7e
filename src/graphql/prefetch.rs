//! A root row and what one field below it asks for, in one statement.
//!
//! `brand(id) { mediaAssets(first: 50) { ... } }` would otherwise cost two statements: the
//! brand, then the page loader's statement once the brand resolved. The root resolver
//! instead fetches both at once ([`page::one_with_page`], or
//! [`crate::loaders::parent::one_with_children`] for analytics) and leaves the value in
//! the request's [`Prefetched`]; the field's resolver ([`nested_connection`] for pages)
//! takes it there instead of calling its loader. The value is keyed exactly as the
//! loader's would be, so a selection that asks for anything else simply misses it and
//! loads as before.
//!
//! [`nested_connection`]: super::connection::nested_connection

use std::any::{Any, TypeId};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use async_graphql::{Context, InputType, Lookahead, SelectionField};
use sea_orm::{EntityTrait, FromQueryResult, Select};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;
use crate::loaders::analytics::{MetricRangeKey, Summary, SummaryKey};
use crate::loaders::page::{self, Page, PageKey, PageSpec, PagedRelation};
use entity::analytics_metrics;

type Entry = (TypeId, Box<dyn Any + Send>);

/// A kind of value a root resolver can fetch ahead for a field below it: the key that
/// field's resolver looks it up by, and the value it would otherwise load.
pub trait Handoff: 'static {
    type Key: PartialEq + Send + 'static;
    type Value: Send + 'static;
}

/// A page of relation `R`.
pub struct PageOf<R>(PhantomData<R>);

impl<R: PagedRelation> Handoff for PageOf<R> {
    type Key = PageKey<R::Filter>;
    type Value = Page<R::Model>;
}

/// A brand's metric rows over a date range.
pub struct MetricRows;

impl Handoff for MetricRows {
    type Key = MetricRangeKey;
    type Value = Vec<analytics_metrics::Model>;
}

/// A brand's analytics summary.
pub struct Summaries;

impl Handoff for Summaries {
    type Key = SummaryKey;
    type Value = Summary;
}

/// Values fetched ahead for one request, each taken at most once. Lives in the request's
/// data (never a connection's), so nothing outlives the request that fetched it.
#[derive(Default)]
pub struct Prefetched(Mutex<Vec<Entry>>);

impl Prefetched {
    pub fn put<H: Handoff>(&self, key: H::Key, value: H::Value) {
        let entry: Entry = (TypeId::of::<H>(), Box::new((key, value)));
        self.lock().push(entry);
    }

    /// The value of kind `H` fetched ahead for `key`, if any.
    pub fn take<H: Handoff>(&self, key: &H::Key) -> Option<H::Value> {
        let mut entries = self.lock();
        let at = entries.iter().position(|(kind, entry)| {
            *kind == TypeId::of::<H>()
                && entry
                    .downcast_ref::<(H::Key, H::Value)>()
                    .is_some_and(|(fetched, _)| fetched == key)
        })?;
        let (_, entry) = entries.swap_remove(at);
        entry
            .downcast::<(H::Key, H::Value)>()
            .ok()
            .map(|found| found.1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // The vector is never left half-changed, so a poisoned lock is still usable.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The value of kind `H` this request fetched ahead for `key`, if any.
pub fn taken<H: Handoff>(ctx: &Context<'_>, key: &H::Key) -> Option<H::Value> {
    ctx.data_opt::<Prefetched>()?.take::<H>(key)
}

/// The arguments of a field seen from its parent, parsed as its resolver parses them.
pub struct Arguments(Vec<(async_graphql::Name, async_graphql::Value)>);

impl Arguments {
    pub fn of(field: SelectionField<'_>) -> ApiResult<Self> {
        field
            .arguments()
            .map(Self)
            .map_err(|err| ApiError::bad_input("arguments", err.message))
    }

    pub fn get<T: InputType>(&self, name: &'static str) -> ApiResult<T> {
        let value = self
            .0
            .iter()
            .find(|(argument, _)| argument.as_str() == name)
            .map(|(_, value)| value.clone());
        T::parse(value).map_err(|_| ApiError::bad_input(name, "not a valid value"))
    }
}

/// The Relay arguments of the connection field whose arguments are `args`.
pub fn page_args(args: &Arguments) -> ApiResult<crate::graphql::pagination::PageArgs> {
    Ok(crate::graphql::pagination::PageArgs {
        first: args.get("first")?,
        after: args.get("after")?,
        last: args.get("last")?,
        before: args.get("before")?,
    })
}

/// When the selection under the current field has exactly one field named `field` and
/// `plan` reads its arguments: the request's [`Prefetched`] and the plan, for the caller
/// to fetch that field's value along with its own row. `None` otherwise (the arguments
/// not parsing included: the field's resolver then reports them).
pub fn plan<'c, S>(
    ctx: &'c Context<'_>,
    field: &str,
    plan: impl FnOnce(&Lookahead<'_>, &Arguments) -> ApiResult<S>,
) -> Option<(&'c Prefetched, S)> {
    let selection = ctx.look_ahead().field(field);
    let fields = selection.selection_fields();
    let [one] = fields.as_slice() else {
        return None;
    };
    let planned = Arguments::of(*one)
        .and_then(|arguments| plan(&selection, &arguments))
        .ok()?;
    Some((ctx.data_opt::<Prefetched>()?, planned))
}

/// The one row `parent` selects, with the page of `R` its field `field` asks for fetched
/// by the same statement and left for that field's resolver when [`plan`] allows;
/// otherwise a plain select.
pub async fn one_with_page<R, P>(
    ctx: &Context<'_>,
    parent: Select<P>,
    field: &str,
    spec: impl FnOnce(&Lookahead<'_>, &Arguments) -> ApiResult<Arc<PageSpec<R::Filter>>>,
    id_of: fn(&P::Model) -> Uuid,
) -> ApiResult<Option<P::Model>>
where
    R: PagedRelation,
    P: EntityTrait,
    P::Model: FromQueryResult + serde::de::DeserializeOwned,
{
    let db = ctx.db()?;
    let Some((prefetched, spec)) = plan(ctx, field, spec) else {
        return Ok(parent.one(db).await?);
    };
    let Some((row, page)) = page::one_with_page::<R, P>(db, parent, &spec).await? else {
        return Ok(None);
    };
    let key = PageKey {
        parent: id_of(&row),
        spec,
    };
    prefetched.put::<PageOf<R>>(key, page);
    Ok(Some(row))
}
