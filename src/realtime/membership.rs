//! Ends a live stream when its user leaves the brand.
//!
//! Watches the brand's membership events; when one concerns the user (or events were
//! missed), it re-checks `brand_members`. The check fails closed: if the database cannot
//! answer after a few tries, the stream ends with an error rather than stay open for
//! someone who may no longer be allowed to see it (the client resumes with `after`).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::events::{ChangeEvent, Topic};
use super::hub::Hub;
use crate::auth::Role;
use crate::error::ApiError;

const RETRIES: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];

pub struct MembershipWatch {
    db: DatabaseConnection,
    brand: Uuid,
    /// `None` for the service role, which is never removed.
    watched: Option<(Uuid, broadcast::Receiver<Arc<ChangeEvent>>)>,
}

impl MembershipWatch {
    /// Starts watching before the caller checks access, so no removal is missed.
    pub fn new(hub: &Hub, db: DatabaseConnection, brand: Uuid, user: Option<Uuid>) -> Self {
        let watched = user.map(|user| (user, hub.subscribe(Topic::Membership, brand)));
        Self { db, brand, watched }
    }

    /// Resolves when the user is no longer a member (`NOT_FOUND`, as if the brand did not
    /// exist) or membership cannot be confirmed; pending forever for the service role.
    pub async fn revoked(&mut self) -> ApiError {
        loop {
            // Without a role to watch, only a revocation ends the wait.
            if let Change::Revoked(ended) = self.changed_from(None).await {
                return ended;
            }
        }
    }

    /// As [`revoked`](Self::revoked), and also when the user's role in the brand is no
    /// longer `role` (`Some`): what a subscriber of one role's audience must watch.
    pub async fn changed_from(&mut self, role: Option<Role>) -> Change {
        let Some((user, events)) = self.watched.as_mut() else {
            return std::future::pending().await;
        };
        let user = *user;
        loop {
            let concerns_user = match events.recv().await {
                Ok(event) => event.entity_id == Some(user),
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return std::future::pending().await,
            };
            if !concerns_user {
                continue;
            }
            match current_role(&self.db, self.brand, user).await {
                Ok(Some(now)) if role.is_none_or(|role| role == now) => {}
                Ok(Some(_)) => return Change::Role,
                Ok(None) => return Change::Revoked(ApiError::NotFound("brand")),
                Err(ended) => return Change::Revoked(ended),
            }
        }
    }
}

/// What [`MembershipWatch::changed_from`] saw.
pub enum Change {
    /// The user left the brand, or membership cannot be confirmed: the stream ends so.
    Revoked(ApiError),
    /// The user holds another role in the brand.
    Role,
}

/// The role `user` holds in `brand` now (`None`: not a member; fails closed after a few
/// tries).
async fn current_role(
    db: &DatabaseConnection,
    brand: Uuid,
    user: Uuid,
) -> Result<Option<Role>, ApiError> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT role FROM brand_members WHERE user_id = $1 AND brand_id = $2",
        [user.into(), brand.into()],
    );
    let mut last_error = None;
    for pause in RETRIES {
        match db.query_one_raw(statement.clone()).await {
            Ok(Some(row)) => {
                let role: String = row.try_get_by_index(0)?;
                return Ok(role.parse().ok());
            }
            Ok(None) => return Ok(None),
            Err(err) => {
                last_error = Some(err);
                tokio::time::sleep(pause).await;
            }
        }
    }
    Err(last_error.map_or(ApiError::NotFound("brand"), ApiError::from))
}
