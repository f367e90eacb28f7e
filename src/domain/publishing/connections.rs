//! Connecting a brand's platform accounts: connect, refresh tokens, record health,
//! disconnect, delete. Tokens are stored only sealed (see [`super::secrets`]).

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use super::secrets::{self, ACCESS_TOKEN, REFRESH_TOKEN};
use super::{connector, job_status};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::error::{ApiError, ApiResult};
use crate::secrets::Keyring;
use entity::{connections, connector_platforms};

/// An OAuth account a brand connects.
pub struct ConnectInput {
    pub brand_id: Uuid,
    pub platform: String,
    pub platform_user_id: String,
    pub platform_account_id: Option<String>,
    pub display_name: String,
    pub profile_image_url: Option<String>,
    pub scopes: Vec<String>,
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub token_expires_at: Option<DateTime<FixedOffset>>,
}

/// Health as a check reports it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Unhealthy => "unhealthy",
        }
    }
}

async fn tenant_of(db: &impl ConnectionTrait, brand_id: Uuid) -> ApiResult<Uuid> {
    db.query_one_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT tenant_id FROM brands WHERE id = $1",
        [brand_id.into()],
    ))
    .await?
    .ok_or(ApiError::NotFound("brand"))?
    .try_get_by_index::<Option<Uuid>>(0)?
    .ok_or_else(|| ApiError::bad_input("brandId", "the brand belongs to no tenant"))
}

/// The tenant's row for `platform`, created (enabled, with the seed's defaults) the first
/// time a brand of the tenant connects to it.
pub async fn ensure_platform(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    platform: &str,
) -> ApiResult<connector_platforms::Model> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO connector_platforms (tenant_id, platform_name, is_enabled)
         VALUES ($1, $2, true) ON CONFLICT (tenant_id, platform_name) DO NOTHING",
        [tenant_id.into(), platform.into()],
    ))
    .await?;
    use sea_orm::{ColumnTrait, QueryFilter};
    connector_platforms::Entity::find()
        .filter(connector_platforms::Column::TenantId.eq(tenant_id))
        .filter(connector_platforms::Column::PlatformName.eq(platform))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("connector platform"))
}

/// The connection, locked for this transaction, if the viewer may see its brand.
pub async fn lock_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<connections::Model> {
    crate::domain::brands::lock_visible(
        db,
        viewer,
        connections::Entity::find_by_id(id),
        connections::Column::BrandId,
        "connection",
    )
    .await
}

fn brand_of(connection: &connections::Model) -> ApiResult<Uuid> {
    connection.brand_id.ok_or(ApiError::NotFound("connection"))
}

async fn audit_connection(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    connection: &connections::Model,
    metadata: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: connection.brand_id,
            action,
            resource_type: "connection",
            resource_id: connection.id.to_string(),
            metadata,
        },
    )
    .await
}

/// Connects (or reconnects) an account to a brand (admins and above).
pub async fn connect(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    keyring: Option<&Keyring>,
    input: ConnectInput,
) -> ApiResult<connections::Model> {
    require_role(viewer, input.brand_id, Role::Admin).await?;
    let keyring = super::require_keyring(keyring)?;
    let platform = connector(&input.platform)?;
    for (field, value) in [
        ("platformUserId", &input.platform_user_id),
        ("displayName", &input.display_name),
    ] {
        if value.trim().is_empty() || value.len() > 255 {
            return Err(ApiError::bad_input(field, "must be 1 to 255 characters"));
        }
    }
    let tenant_id = tenant_of(db, input.brand_id).await?;
    let platform_row = ensure_platform(db, tenant_id, platform).await?;
    if !platform_row.is_enabled {
        return Err(ApiError::Forbidden(format!(
            "{platform} is disabled for this tenant"
        )));
    }
    let account = input
        .platform_account_id
        .clone()
        .unwrap_or_else(|| input.platform_user_id.clone());
    // Reconnecting the same account of the same brand updates it; the account of another
    // brand is a conflict (the row is not returned).
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO connections (tenant_id, brand_id, platform_id, platform_user_id, platform_account_id,
                                      display_name, profile_image_url, scopes, token_expires_at, last_token_refresh)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
             ON CONFLICT (tenant_id, platform_id, platform_account_id) DO UPDATE SET
               platform_user_id = EXCLUDED.platform_user_id, display_name = EXCLUDED.display_name,
               profile_image_url = EXCLUDED.profile_image_url, scopes = EXCLUDED.scopes,
               token_expires_at = EXCLUDED.token_expires_at, last_token_refresh = now(),
               status = 'active', requires_reconnect = false
             WHERE connections.brand_id = EXCLUDED.brand_id
             RETURNING id",
            [
                tenant_id.into(),
                input.brand_id.into(),
                platform_row.id.into(),
                input.platform_user_id.into(),
                account.into(),
                input.display_name.into(),
                input.profile_image_url.into(),
                input.scopes.into(),
                input.token_expires_at.into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::Conflict("this account is connected to another brand".into()))?;
    let id: Uuid = row.try_get_by_index(0)?;
    secrets::store(
        db,
        keyring,
        tenant_id,
        id,
        ACCESS_TOKEN,
        &input.access_token,
        input.token_expires_at,
    )
    .await?;
    if let Some(refresh) = &input.refresh_token {
        secrets::store(db, keyring, tenant_id, id, REFRESH_TOKEN, refresh, None).await?;
    }
    let connection = connections::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("connection"))?;
    audit_connection(
        db,
        ctx,
        "connection.connect",
        &connection,
        json!({ "platform": platform, "account": connection.platform_account_id, "scopes": connection.scopes }),
    )
    .await?;
    Ok(connection)
}

/// Refreshed OAuth tokens of a connection.
pub struct TokenUpdate {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// Stores refreshed tokens (admins and above; the service role for token refreshers).
pub async fn update_access_token(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    keyring: Option<&Keyring>,
    id: Uuid,
    tokens: TokenUpdate,
) -> ApiResult<connections::Model> {
    let TokenUpdate {
        access_token,
        refresh_token,
        expires_at,
    } = tokens;
    let connection = lock_visible(db, viewer, id).await?;
    require_role(viewer, brand_of(&connection)?, Role::Admin).await?;
    let keyring = super::require_keyring(keyring)?;
    if connection.status == "disconnected" {
        return Err(ApiError::Conflict(
            "the connection is disconnected; connect it again".into(),
        ));
    }
    let tenant = connection.tenant_id;
    secrets::store(
        db,
        keyring,
        tenant,
        id,
        ACCESS_TOKEN,
        &access_token,
        expires_at,
    )
    .await?;
    if let Some(refresh) = &refresh_token {
        secrets::store(db, keyring, tenant, id, REFRESH_TOKEN, refresh, None).await?;
    }
    let connection = update_returning(
        db,
        "UPDATE connections SET token_expires_at = $2, last_token_refresh = now(), status = 'active',
                requires_reconnect = false WHERE id = $1 RETURNING id",
        [id.into(), expires_at.into()],
    )
    .await?;
    audit_connection(
        db,
        ctx,
        "connection.refresh_token",
        &connection,
        json!({ "token_expires_at": connection.token_expires_at }),
    )
    .await?;
    Ok(connection)
}

/// Records the result of a health check (managers and above).
pub async fn record_health(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    health: Health,
    error: Option<String>,
    requires_reconnect: bool,
) -> ApiResult<connections::Model> {
    let connection = lock_visible(db, viewer, id).await?;
    require_role(viewer, brand_of(&connection)?, Role::Manager).await?;
    let connection = update_returning(
        db,
        "UPDATE connections SET health_status = $2, health_check_error = $3, last_health_check = now(),
                requires_reconnect = $4 WHERE id = $1 RETURNING id",
        [
            id.into(),
            health.as_str().into(),
            error.into(),
            requires_reconnect.into(),
        ],
    )
    .await?;
    audit_connection(
        db,
        ctx,
        "connection.health",
        &connection,
        json!({ "health": connection.health_status, "error": connection.health_check_error }),
    )
    .await?;
    Ok(connection)
}

/// Disconnects: the tokens are deleted and jobs not yet published are cancelled
/// (admins and above). The row stays for history.
pub async fn disconnect(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<connections::Model> {
    let connection = lock_visible(db, viewer, id).await?;
    require_role(viewer, brand_of(&connection)?, Role::Admin).await?;
    secrets::forget(db, id).await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE publish_jobs SET status = $2, lease_expires_at = NULL
          WHERE connection_id = $1 AND status IN ('pending', 'retrying')",
        [id.into(), job_status::CANCELLED.into()],
    ))
    .await?;
    let connection = update_returning(
        db,
        "UPDATE connections SET status = 'disconnected', requires_reconnect = false
          WHERE id = $1 RETURNING id",
        [id.into()],
    )
    .await?;
    audit_connection(db, ctx, "connection.disconnect", &connection, json!({})).await?;
    Ok(connection)
}

/// Deletes the connection with its tokens and jobs (admins and above).
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<Uuid> {
    let connection = lock_visible(db, viewer, id).await?;
    require_role(viewer, brand_of(&connection)?, Role::Admin).await?;
    audit_connection(
        db,
        ctx,
        "connection.delete",
        &connection,
        json!({ "account": connection.platform_account_id }),
    )
    .await?;
    connections::Entity::delete_by_id(id).exec(db).await?;
    Ok(id)
}

async fn update_returning<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [sea_orm::Value; N],
) -> ApiResult<connections::Model> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?
        .ok_or(ApiError::NotFound("connection"))?;
    let id: Uuid = row.try_get_by_index(0)?;
    connections::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("connection"))
}

/// Connections of the brand whose token expires within `hours` (for token refreshers).
pub fn expiring_within(connections: &[connections::Model], hours: i64) -> Vec<&connections::Model> {
    let horizon = chrono::Utc::now() + chrono::Duration::hours(hours);
    connections
        .iter()
        .filter(|c| c.status == "active")
        .filter(|c| c.token_expires_at.is_some_and(|at| at <= horizon))
        .collect()
}
