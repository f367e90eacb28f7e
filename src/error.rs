//! Errors as the API shows them: one `extensions.code` per kind, in one place.
//!
//! Internal failures are logged with their cause and a short reference; the client sees
//! only `INTERNAL` and that reference, never SQL or driver text.

use std::sync::Arc;

use async_graphql::ErrorExtensions;

/// The `extensions.code` values clients can rely on.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const QUOTA_EXCEEDED: &str = "QUOTA_EXCEEDED";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const CURSOR_EXPIRED: &str = "CURSOR_EXPIRED";
    pub const TIMEOUT: &str = "TIMEOUT";
    pub const INTERNAL: &str = "INTERNAL";
}

/// Every failure a resolver can report.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error
/// without extensions, so without `Display` the only conversion is ours, which sets
/// `extensions.code` and hides internal causes. Resolvers return [`ApiResult`].
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound(&'static str),
    BadUserInput {
        message: String,
        field: Option<&'static str>,
    },
    Conflict(String),
    QuotaExceeded(String),
    RateLimited(String),
    CursorExpired(String),
    /// The request or one of its statements ran longer than allowed and was cancelled.
    Timeout(String),
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::Unauthenticated(message.into())
    }

    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Arc::new(cause))
    }

    /// A value in the database that the code does not know (e.g. a status added by hand).
    pub fn unexpected(what: &str, value: &str) -> Self {
        Self::internal(std::io::Error::other(format!(
            "unexpected {what} {value:?} in the database"
        )))
    }

    /// What the client reads. Internal causes are never part of it.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::QuotaExceeded(m)
            | Self::RateLimited(m)
            | Self::CursorExpired(m)
            | Self::Timeout(m) => m.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadUserInput { message, .. } => message.clone(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::BadUserInput { .. } => code::BAD_USER_INPUT,
            Self::Conflict(_) => code::CONFLICT,
            Self::QuotaExceeded(_) => code::QUOTA_EXCEEDED,
            Self::RateLimited(_) => code::RATE_LIMITED,
            Self::CursorExpired(_) => code::CURSOR_EXPIRED,
            Self::Timeout(_) => code::TIMEOUT,
            Self::Internal(_) => code::INTERNAL,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        from_constraint(&err).unwrap_or_else(|| Self::internal(err))
    }
}

/// Constraint violations and lost races become client errors, by constraint name.
fn from_constraint(err: &sea_orm::DbErr) -> Option<ApiError> {
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Query(RuntimeErr::SqlxError(sqlx)) | DbErr::Exec(RuntimeErr::SqlxError(sqlx))) =
        err
    else {
        return None;
    };
    let sea_orm::sqlx::Error::Database(db) = sqlx.as_ref() else {
        return None;
    };
    let constraint = db.constraint().unwrap_or_default();
    let column = |suffix: &str| {
        constraint
            .strip_suffix(suffix)
            .and_then(|rest| rest.rsplit('_').next())
            .unwrap_or("input")
            .to_string()
    };
    let error = match (db.code().as_deref(), constraint) {
        (_, "storage_quotas_used_bytes_check") => {
            ApiError::QuotaExceeded("the brand's storage quota is exhausted".into())
        }
        (_, "campaigns_budget_check") => ApiError::bad_input(
            "amount",
            "a campaign's budget must keep spent <= allocated <= total, none negative",
        ),
        (_, "campaigns_dates_check") => {
            ApiError::bad_input("endDate", "the end date is before the start date")
        }
        (_, "unique_slug_per_tenant") => {
            ApiError::Conflict("a brand with this slug already exists in the tenant".into())
        }
        (Some("23505"), _) => ApiError::Conflict(format!("{} already exists", column("_key"))),
        (Some("23514"), _) => ApiError::BadUserInput {
            message: format!("{} has a value that is not allowed", column("_check")),
            field: None,
        },
        (Some("23503"), _) => foreign_key_violation(db.as_ref()),
        (Some("57014"), _) => {
            ApiError::Timeout("a statement ran longer than allowed and was cancelled".into())
        }
        (Some("55P03"), _) => {
            ApiError::Conflict("a concurrent change holds the rows; retry the request".into())
        }
        (Some("40001" | "40P01"), _) => {
            ApiError::Conflict("a concurrent change won; retry the request".into())
        }
        _ => return None,
    };
    Some(error)
}

/// A foreign-key violation says one of two opposite things: a row written points at one
/// that does not exist (`BAD_USER_INPUT`), or a row deleted is still pointed at (`CONFLICT`,
/// naming the kind of rows in the way). SQLSTATE and constraint are the same for both
/// (PostgreSQL reports the referencing table either way); only the message tells them
/// apart, and its wording is fixed as long as the server's `lc_messages` is English.
fn foreign_key_violation(db: &dyn sea_orm::sqlx::error::DatabaseError) -> ApiError {
    let still_referenced = db.message().starts_with("update or delete on table");
    match (still_referenced, db.table()) {
        (true, Some(table)) => ApiError::Conflict(format!(
            "it is still referenced by {}; remove those first",
            table.replace('_', " ")
        )),
        (true, None) => ApiError::Conflict("it is still referenced by other rows".into()),
        (false, _) => ApiError::BadUserInput {
            message: "a referenced object does not exist".into(),
            field: None,
        },
    }
}

impl From<Arc<sea_orm::DbErr>> for ApiError {
    fn from(err: Arc<sea_orm::DbErr>) -> Self {
        Self::Internal(err)
    }
}

/// Missing context data: a wiring bug, reported as internal.
impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        Self::Internal(Arc::new(std::io::Error::other(err.message)))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            Self::Internal(cause) => {
                // The trace id when traces are on, so a user's report finds the trace.
                let reference = crate::telemetry::current_trace_id()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
                tracing::error!(error = %cause, reference = %reference, "internal error");
                format!("internal error (reference {reference})")
            }
            other => other.message(),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Self::BadUserInput {
                field: Some(field), ..
            } = self
            {
                ext.set("field", *field);
            }
        })
    }
}
