//! Brand-scoped finders: every brand query starts from the viewer's [`BrandScope`], so a
//! query without its scope does not compile rather than leaking.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::auth::BrandScope;
use entity::brands;

/// The brands the scope may see.
pub fn visible(scope: &BrandScope) -> Select<brands::Entity> {
    let select = brands::Entity::find();
    match scope {
        BrandScope::All => select,
        BrandScope::Only(ids) => select.filter(brands::Column::Id.is_in(ids.iter().copied())),
    }
}

/// One brand by id, if the scope may see it.
pub fn visible_by_id(scope: &BrandScope, id: Uuid) -> Select<brands::Entity> {
    visible(scope).filter(brands::Column::Id.eq(id))
}
