//! Brand-scoped finders: every brand query starts from the viewer's [`BrandScope`], so a
//! query without its scope does not compile rather than leaking.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, QuerySelect, Select,
};
use uuid::Uuid;

use crate::auth::{BrandScope, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::brands;

/// Restricts `select` to rows whose `brand_column` is a brand the scope may see.
pub fn scoped<E: EntityTrait>(
    select: Select<E>,
    scope: &BrandScope,
    brand_column: E::Column,
) -> Select<E> {
    match scope {
        BrandScope::All => select,
        BrandScope::Only(ids) => select.filter(brand_column.is_in(ids.iter().copied())),
    }
}

/// The brands the scope may see. Archived brands are hidden from everyone (their data
/// stays; `restoreBrand` brings them back).
pub fn visible(scope: &BrandScope) -> Select<brands::Entity> {
    scoped(brands::Entity::find(), scope, brands::Column::Id)
        .filter(brands::Column::ArchivedAt.is_null())
}

/// One brand by id, if the scope may see it.
pub fn visible_by_id(scope: &BrandScope, id: Uuid) -> Select<brands::Entity> {
    visible(scope).filter(brands::Column::Id.eq(id))
}

/// The row `select` finds, locked for this transaction (`FOR UPDATE`), if the viewer may
/// see the brand in its `brand_column`; otherwise `NOT_FOUND` naming `what`.
pub async fn lock_visible<E: EntityTrait>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    select: Select<E>,
    brand_column: E::Column,
    what: &'static str,
) -> ApiResult<E::Model> {
    let scope = viewer.brand_scope().await?;
    lock_row(db, scoped(select, &scope, brand_column), what).await
}

/// As [`lock_visible`], then `role` or above is required in the row's brand
/// (`FORBIDDEN` otherwise): the lock every brand-owned row's mutation starts with.
pub async fn lock_visible_with_role<E: EntityTrait>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    select: Select<E>,
    brand_column: E::Column,
    what: &'static str,
    role: crate::auth::Role,
) -> ApiResult<E::Model> {
    let row = lock_visible(db, viewer, select, brand_column, what).await?;
    let brand = <Uuid as sea_orm::sea_query::ValueType>::try_from(row.get(brand_column))
        .map_err(|_| ApiError::NotFound(what))?;
    crate::domain::access::require_role(viewer, brand, role).await?;
    Ok(row)
}

/// The row `select` finds, locked for this transaction; for callers that check access
/// themselves (the service role's worker API, invitations, archived brands).
pub async fn lock_row<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    what: &'static str,
) -> ApiResult<E::Model> {
    select
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound(what))
}
