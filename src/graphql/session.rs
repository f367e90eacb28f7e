//! Every operation sent over a websocket is checked as an HTTP request would be: the
//! connection's token must not have expired, and the caller's rate bucket must not be
//! empty. (Over HTTP the token is verified and the bucket taken per request before
//! execution; a socket authenticates once, in `connection_init`, so the check is here.)

use async_graphql::{ErrorExtensions, Pos, ServerError, ServerResult};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::rate_limit::{RateKey, RateLimiter, rate_limited};

/// The identity a websocket connection authenticated with; part of its connection data.
pub struct SocketSession {
    pub principal: Principal,
    pub rate_key: RateKey,
    pub limiter: RateLimiter,
}

impl SocketSession {
    fn admit(&self) -> Result<(), ApiError> {
        if self.principal.is_expired() {
            return Err(ApiError::unauthenticated("token expired"));
        }
        self.limiter.check(self.rate_key).map_err(rate_limited)
    }
}

/// Refuses a websocket operation whose connection's token expired or whose caller is over
/// its rate; `None` (HTTP) is admitted here, HTTP checks before execution.
pub fn admit_operation(session: Option<&SocketSession>) -> ServerResult<()> {
    match session {
        Some(session) => session.admit().map_err(|err: ApiError| -> ServerError {
            err.extend().into_server_error(Pos::default())
        }),
        None => Ok(()),
    }
}
