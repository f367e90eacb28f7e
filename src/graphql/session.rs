//! Every operation sent over a websocket is checked as an HTTP request would be: the
//! connection's token must not have expired, and the caller's rate bucket must not be
//! empty. (Over HTTP the token is verified and the bucket taken per request before
//! execution; a socket authenticates once, in `connection_init`, so the check is here.)

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{ErrorExtensions, Pos, Request, ServerError, ServerResult};

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

pub struct SocketOperations;

impl ExtensionFactory for SocketOperations {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SocketOperations)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for SocketOperations {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(session) = ctx.data_opt::<SocketSession>() {
            session.admit().map_err(|err: ApiError| -> ServerError {
                err.extend().into_server_error(Pos::default())
            })?;
        }
        next.run(ctx, request).await
    }
}
