//! The viewer's notifications: only their own, in brands they can still see.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::domain::brands::scoped;
use crate::error::ApiResult;
use entity::workflow_notifications::{self, Column};

/// Unread first, then newest. The service role has none.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    unread_only: bool,
    first: u64,
) -> ApiResult<Vec<workflow_notifications::Model>> {
    let Some(user) = viewer.user_id() else {
        return Ok(Vec::new());
    };
    let scope = viewer.brand_scope().await?;
    let mut select = scoped(
        workflow_notifications::Entity::find(),
        &scope,
        Column::BrandId,
    )
    .filter(Column::UserId.eq(user));
    if unread_only {
        select = select.filter(Column::ReadAt.is_null());
    }
    Ok(select
        .order_by_desc(Expr::cust("\"workflow_notifications\".\"read_at\" IS NULL"))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(first)
        .all(db)
        .await?)
}

/// Marks the viewer's notifications read: those in `ids`, or all of them. Ids of other
/// people's notifications are ignored. Returns how many changed.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: Option<Vec<Uuid>>,
) -> ApiResult<u64> {
    let Some(user) = viewer.user_id() else {
        return Ok(0);
    };
    let mut update = workflow_notifications::Entity::update_many()
        .col_expr(Column::ReadAt, Expr::cust("now()"))
        .filter(Column::UserId.eq(user))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(Column::Id.is_in(ids));
    }
    Ok(update.exec(db).await?.rows_affected)
}
