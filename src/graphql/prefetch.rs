//! A root row and the first page of one of its relations, in one statement.
//!
//! `brand(id) { mediaAssets(first: 50) { ... } }` would otherwise cost two statements: the
//! brand, then the page loader's statement once the brand resolved. The root resolver
//! instead fetches both at once ([`page::one_with_page`]) and leaves the page in the
//! request's [`Prefetched`]; the relation's resolver ([`nested_connection`]) takes it
//! there instead of calling its loader. The page is keyed exactly as the loader's would be,
//! so a selection that asks for anything else simply misses it and loads as before.
//!
//! [`nested_connection`]: super::connection::nested_connection

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use async_graphql::{Context, InputType, Lookahead, SelectionField};
use sea_orm::{EntityTrait, FromQueryResult, Select};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;
use crate::loaders::page::{self, Page, PageKey, PageSpec, PagedRelation};

type Entry = (TypeId, Box<dyn Any + Send>);

/// Pages fetched ahead for one request, each taken at most once. Lives in the request's
/// data (never a connection's), so nothing outlives the request that fetched it.
#[derive(Default)]
pub struct Prefetched(Mutex<Vec<Entry>>);

impl Prefetched {
    fn put<R: PagedRelation>(&self, key: PageKey<R::Filter>, page: Page<R::Model>) {
        let entry: Entry = (TypeId::of::<R>(), Box::new((key, page)));
        self.lock().push(entry);
    }

    /// The page fetched ahead for `key` of relation `R`, if any.
    pub fn take<R: PagedRelation>(&self, key: &PageKey<R::Filter>) -> Option<Page<R::Model>> {
        let mut entries = self.lock();
        let at = entries.iter().position(|(relation, entry)| {
            *relation == TypeId::of::<R>()
                && entry
                    .downcast_ref::<(PageKey<R::Filter>, Page<R::Model>)>()
                    .is_some_and(|(fetched, _)| fetched == key)
        })?;
        let (_, entry) = entries.swap_remove(at);
        entry
            .downcast::<(PageKey<R::Filter>, Page<R::Model>)>()
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

/// The one row `parent` selects. When the selection under it has exactly one field named
/// `field` (a connection of relation `R`) and `spec` reads its arguments, that page is
/// fetched by the same statement and left for the field's resolver. Otherwise (or when the
/// arguments do not parse; the field's resolver then reports them) a plain select.
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
    P::Model: FromQueryResult,
{
    let db = ctx.db()?;
    let selection = ctx.look_ahead().field(field);
    let fields = selection.selection_fields();
    let (Some(prefetched), [one]) = (ctx.data_opt::<Prefetched>(), fields.as_slice()) else {
        return Ok(parent.one(db).await?);
    };
    let Ok(spec) = Arguments::of(*one).and_then(|arguments| spec(&selection, &arguments)) else {
        return Ok(parent.one(db).await?);
    };
    let Some((row, page)) = page::one_with_page::<R, P>(db, parent, &spec).await? else {
        return Ok(None);
    };
    prefetched.put::<R>(
        PageKey {
            parent: id_of(&row),
            spec,
        },
        page,
    );
    Ok(Some(row))
}
