//! Reading and writing `encrypted_secrets`: tokens go in sealed and come out only for
//! the worker that claimed a job.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::secrets::{Keyring, Sealed};

pub const ACCESS_TOKEN: &str = "access_token";
pub const REFRESH_TOKEN: &str = "refresh_token";

/// Stores (or replaces) the connection's secret of `secret_type`. The row id is fixed
/// before sealing, because it is part of the ciphertext's associated data.
pub async fn store(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    tenant_id: Uuid,
    connection_id: Uuid,
    secret_type: &str,
    value: &SecretString,
    expires_at: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> ApiResult<()> {
    let existing: Option<Uuid> = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM encrypted_secrets WHERE connection_id = $1 AND secret_type = $2 FOR UPDATE",
            [connection_id.into(), secret_type.into()],
        ))
        .await?
        .map(|row| row.try_get_by_index(0))
        .transpose()?;
    let id = existing.unwrap_or_else(Uuid::new_v4);
    let sealed = keyring
        .seal(id, secret_type, value.expose_secret())
        .map_err(ApiError::internal)?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO encrypted_secrets
           (id, tenant_id, connection_id, secret_type, secret_name, encrypted_value, iv, auth_tag, key_id, expires_at, rotated_at)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT (id) DO UPDATE SET encrypted_value = EXCLUDED.encrypted_value, iv = EXCLUDED.iv,
           auth_tag = EXCLUDED.auth_tag, key_id = EXCLUDED.key_id, expires_at = EXCLUDED.expires_at,
           rotated_at = now()",
        [
            id.into(),
            tenant_id.into(),
            connection_id.into(),
            secret_type.into(),
            sealed.ciphertext.into(),
            sealed.nonce.into(),
            sealed.tag.into(),
            sealed.key_id.into(),
            expires_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The connection's secret of `secret_type`, decrypted.
pub async fn read(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    connection_id: Uuid,
    secret_type: &str,
) -> ApiResult<Option<SecretString>> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, key_id, encrypted_value, iv, auth_tag FROM encrypted_secrets
              WHERE connection_id = $1 AND secret_type = $2",
            [connection_id.into(), secret_type.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: Uuid = row.try_get_by_index(0)?;
    let sealed = Sealed {
        key_id: row.try_get_by_index(1)?,
        ciphertext: row.try_get_by_index(2)?,
        nonce: row.try_get_by_index(3)?,
        tag: row.try_get_by_index(4)?,
    };
    keyring
        .open(id, secret_type, &sealed)
        .map(Some)
        .map_err(ApiError::internal)
}

/// Deletes every secret of the connection.
pub async fn forget(db: &impl ConnectionTrait, connection_id: Uuid) -> ApiResult<()> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM encrypted_secrets WHERE connection_id = $1",
        [connection_id.into()],
    ))
    .await?;
    Ok(())
}

/// Re-seals up to `batch` secrets not sealed with the current key; returns how many. Rows
/// are claimed with `SKIP LOCKED`, so concurrent rotations share the work, and a stopped
/// rotation resumes where it left off (the key id marks what is done).
pub async fn rotate_batch(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    batch: u64,
) -> anyhow::Result<u64> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, secret_type, key_id, encrypted_value, iv, auth_tag FROM encrypted_secrets
              WHERE key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
            [keyring.current_id().into(), (batch as i64).into()],
        ))
        .await?;
    for row in &rows {
        let id: Uuid = row.try_get_by_index(0)?;
        let secret_type: String = row.try_get_by_index(1)?;
        let sealed = Sealed {
            key_id: row.try_get_by_index(2)?,
            ciphertext: row.try_get_by_index(3)?,
            nonce: row.try_get_by_index(4)?,
            tag: row.try_get_by_index(5)?,
        };
        let plain = keyring.open(id, &secret_type, &sealed)?;
        let resealed = keyring.seal(id, &secret_type, plain.expose_secret())?;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE encrypted_secrets SET encrypted_value = $2, iv = $3, auth_tag = $4, key_id = $5,
                    rotated_at = now() WHERE id = $1",
            [
                id.into(),
                resealed.ciphertext.into(),
                resealed.nonce.into(),
                resealed.tag.into(),
                resealed.key_id.into(),
            ],
        ))
        .await?;
    }
    Ok(rows.len() as u64)
}
