//! The caller of one request and what it may see.
//!
//! Memberships are loaded at most once per request, lazily, by [`Viewer::memberships`];
//! every authorization question goes through this type, so the source of memberships
//! (today one indexed query, later a cache invalidated by `brand_members` events) can
//! change in one place.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::{MembershipCache, Principal, Role};
use crate::error::{ApiError, ApiResult};

/// Brand id -> the viewer's role there.
pub type Memberships = HashMap<Uuid, Role>;

/// Which brands a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrandScope {
    /// The service role: every brand.
    All,
    /// Exactly these brands.
    Only(Vec<Uuid>),
}

pub struct Viewer {
    principal: Option<Principal>,
    db: DatabaseConnection,
    memberships: OnceCell<Arc<Memberships>>,
    cache: Option<Arc<MembershipCache>>,
    /// Keep the first load for the viewer's lifetime (one request). A websocket
    /// connection's viewer lives for hours and asks the cache every time instead.
    memoize: bool,
    /// Off only in tests (`DatabaseConfig::gateway_brand_filters`): the scope is every
    /// brand and row-level security alone decides what is read.
    brand_filters: bool,
}

impl Viewer {
    pub fn new(principal: Option<Principal>, db: DatabaseConnection) -> Self {
        Self {
            principal,
            db,
            memberships: OnceCell::new(),
            cache: None,
            memoize: true,
            brand_filters: true,
        }
    }

    /// A viewer for a long-lived websocket connection: memberships come from `cache` on
    /// every use, so role changes apply without reconnecting.
    pub fn for_connection(
        principal: Principal,
        db: DatabaseConnection,
        cache: Arc<MembershipCache>,
    ) -> Self {
        Self {
            memoize: false,
            ..Self::new(Some(principal), db).with_cache(cache)
        }
    }

    /// Whether the viewer's scope filters by brand (`DatabaseConfig::gateway_brand_filters`;
    /// role checks stay either way).
    pub fn with_brand_filters(mut self, on: bool) -> Self {
        self.brand_filters = on;
        self
    }

    /// Reads memberships through `cache` (kept fresh by change events).
    pub fn with_cache(mut self, cache: Arc<MembershipCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    pub fn is_service(&self) -> bool {
        matches!(self.principal, Some(Principal::Service { .. }))
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match &self.principal {
            Some(Principal::User { id, .. }) => Some(*id),
            _ => None,
        }
    }

    /// Fails with `UNAUTHENTICATED` for anonymous callers.
    pub fn require_authenticated(&self) -> ApiResult<&Principal> {
        self.principal
            .as_ref()
            .ok_or_else(|| ApiError::unauthenticated("authentication required"))
    }

    /// The viewer's brand roles, loaded once per request.
    pub async fn memberships(&self) -> ApiResult<Arc<Memberships>> {
        let Some(user_id) = self.user_id() else {
            return Ok(Arc::default());
        };
        if !self.memoize {
            return self.load_memberships(user_id).await;
        }
        self.memberships
            .get_or_try_init(|| self.load_memberships(user_id))
            .await
            .cloned()
    }

    async fn load_memberships(&self, user_id: Uuid) -> ApiResult<Arc<Memberships>> {
        if let Some(cached) = self.cache.as_ref().and_then(|cache| cache.get(user_id)) {
            return Ok(cached);
        }
        let generation = self.cache.as_ref().map(|cache| cache.generation());
        // Memberships of archived brands grant nothing: an archived brand is invisible.
        // The row-level security settings are set inside the statement: the lateral
        // subquery (kept apart by `OFFSET 0`, so it cannot be flattened into a join the
        // planner may reorder) runs only once `viewer`'s row exists. A user may read their
        // own memberships.
        let statement = sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT m.brand_id, m.role
               FROM (SELECT set_config('brandgraph.user_id', $1, true) AS u,
                            set_config('brandgraph.kind', 'user', true) AS k) AS viewer
               CROSS JOIN LATERAL (
                 SELECT bm.brand_id, bm.role FROM brand_members bm
                   JOIN brands b ON b.id = bm.brand_id AND b.archived_at IS NULL
                  WHERE bm.user_id = viewer.u::uuid OFFSET 0) AS m",
            [user_id.to_string().into()],
        );
        let rows: Vec<(Uuid, String)> = self
            .db
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        let memberships: Arc<Memberships> = Arc::new(
            rows.into_iter()
                .filter_map(|(brand, role)| role.parse().ok().map(|role| (brand, role)))
                .collect(),
        );
        if let (Some(cache), Some(generation)) = (&self.cache, generation) {
            cache.put(user_id, memberships.clone(), generation);
        }
        Ok(memberships)
    }

    /// The brands this viewer may see. Anonymous callers are rejected.
    pub async fn brand_scope(&self) -> ApiResult<BrandScope> {
        self.require_authenticated()?;
        if self.is_service() || !self.brand_filters {
            return Ok(BrandScope::All);
        }
        Ok(BrandScope::Only(
            self.memberships().await?.keys().copied().collect(),
        ))
    }

    /// The viewer's role in `brand_id`; the service role counts as owner everywhere.
    pub async fn role_in(&self, brand_id: Uuid) -> ApiResult<Option<Role>> {
        self.require_authenticated()?;
        if self.is_service() {
            return Ok(Some(Role::Owner));
        }
        Ok(self.memberships().await?.get(&brand_id).copied())
    }

    /// Whether the viewer may read `brand_id` at all.
    pub async fn can_see(&self, brand_id: Uuid) -> ApiResult<bool> {
        Ok(self.role_in(brand_id).await?.is_some())
    }
}
