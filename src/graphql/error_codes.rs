//! Gives every error an `extensions.code`, on every transport.
//!
//! Resolver errors already carry one (see `crate::error`); errors raised by async-graphql
//! itself (syntax, validation, variable coercion, depth and complexity limits) do not, and
//! they are all the caller's mistake, so they get `BAD_USER_INPUT`. Applied to every
//! response by the schema extension (`graphql::extension`), so HTTP and websocket
//! operations alike.

use async_graphql::{Response, ServerError};

use crate::error::code;

pub fn with_codes(mut response: Response) -> Response {
    response.errors.iter_mut().for_each(with_code);
    response
}

fn with_code(error: &mut ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code::BAD_USER_INPUT);
    }
}
