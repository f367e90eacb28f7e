//! Client settings per user and brand (seed 002 §7): created on first read with the
//! seed's email preferences, edited with validated timezone and language, and an
//! unsubscribe flow that needs no login (the row's `unsubscribe_token`).

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};
use entity::client_settings;

/// The email types a recipient can unsubscribe from (the boolean preferences).
pub const EMAIL_TYPES: [&str; 6] = [
    "approvalsNeeded",
    "approvalReminders",
    "publishFailures",
    "publishSuccess",
    "weeklyDigest",
    "dailyDigest",
];

/// The caller's settings for `brand`, created with the defaults on first read.
pub async fn get_or_create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
) -> ApiResult<client_settings::Model> {
    require_role(viewer, brand, Role::Viewer).await?;
    let user = viewer.user_id().ok_or_else(|| {
        ApiError::bad_input("brandId", "settings belong to a user, not the service role")
    })?;
    // Two random UUIDs: 244 bits an unsubscribe link cannot be guessed from.
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO client_settings (client_id, brand_id, unsubscribe_token)
         VALUES ($1, $2, $3) ON CONFLICT (client_id, brand_id) DO NOTHING",
        [user.into(), brand.into(), token.into()],
    ))
    .await?;
    client_settings::Entity::find()
        .filter(client_settings::Column::ClientId.eq(user))
        .filter(client_settings::Column::BrandId.eq(brand))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("settings"))
}

/// Changes to the caller's settings; `None` keeps a value.
#[derive(Default)]
pub struct SettingsChanges {
    /// Email preferences to overwrite, by name (validated by the GraphQL input type).
    pub preferences: Map<String, Value>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    /// Re-subscribe to everything.
    pub resubscribe: bool,
}

/// Applies `changes` to the caller's settings for `brand`.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    changes: SettingsChanges,
) -> ApiResult<client_settings::Model> {
    let current = get_or_create(db, viewer, brand).await?;
    if let Some(zone) = &changes.timezone {
        let known = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT 1 FROM pg_timezone_names WHERE name = $1",
                [zone.clone().into()],
            ))
            .await?
            .is_some();
        if !known {
            return Err(ApiError::bad_input(
                "timezone",
                "timezone must be an IANA zone such as Europe/Berlin",
            ));
        }
    }
    if let Some(language) = &changes.language
        && language_tags::LanguageTag::parse(language).is_err()
    {
        return Err(ApiError::bad_input(
            "language",
            "language must be a BCP 47 tag such as en or pt-BR",
        ));
    }
    let mut preferences = current
        .email_preferences
        .as_object()
        .cloned()
        .unwrap_or_default();
    preferences.extend(changes.preferences);
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE client_settings SET email_preferences = $2, timezone = coalesce($3, timezone),
                language = coalesce($4, language), last_modified_by = $5,
                unsubscribed_from_all = CASE WHEN $6 THEN false ELSE unsubscribed_from_all END,
                unsubscribed_types = CASE WHEN $6 THEN '{}' ELSE unsubscribed_types END
          WHERE id = $1",
        [
            current.id.into(),
            Value::Object(preferences).into(),
            changes.timezone.into(),
            changes.language.into(),
            viewer.user_id().map(|u| u.to_string()).into(),
            changes.resubscribe.into(),
        ],
    ))
    .await?;
    client_settings::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("settings"))
}

/// Unsubscribes the holder of `token` from `types` (all email when empty). Idempotent.
/// No login: the token is the proof. A wrong token is `BAD_USER_INPUT`.
/// `db` must be a transaction of its own (the settings it sets last as long as it).
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    token: &str,
    types: Vec<String>,
) -> ApiResult<client_settings::Model> {
    if let Some(unknown) = types.iter().find(|t| !EMAIL_TYPES.contains(&t.as_str())) {
        return Err(ApiError::bad_input(
            "types",
            format!(
                "{unknown} is not an email type ({})",
                EMAIL_TYPES.join(", ")
            ),
        ));
    }
    // Row-level security: the holder of a link sees the one settings row whose token it
    // presents, for the rest of `db`'s transaction (the token is a bind parameter).
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('brandgraph.kind', 'unsubscribe', true),
                set_config('brandgraph.unsubscribe_token', $1, true)",
        [token.into()],
    ))
    .await?;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE client_settings SET
                unsubscribed_from_all = unsubscribed_from_all OR cardinality($2::text[]) = 0,
                unsubscribed_types = ARRAY(SELECT DISTINCT unnest(coalesce(unsubscribed_types, '{}') || $2::text[]) ORDER BY 1)
              WHERE unsubscribe_token = $1 RETURNING id",
            [token.into(), types.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::bad_input("token", "this unsubscribe link is not valid"))?;
    let id: Uuid = row.try_get_by_index(0)?;
    client_settings::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("settings"))
}
