//! Compiled queries: a validated query document planned once into one SQL statement whose
//! single text column is the operation's whole `data` object, run as a prepared statement
//! and written into the HTTP body untouched (no per-field futures, no `Value` tree).
//!
//! The pipeline is the executor's with one step added: prepare (document cache, limits,
//! validation — the first request of a document always runs on the executor, which
//! validates it) → plan (here, once per document and operation name, cached; an operation
//! the planner cannot compile is cached as such) → run → write. [`describe`] says what a
//! GraphQL type reads, [`plan`] turns a document into SQL (with `select` for selections
//! and directives, `args` for a connection's arguments and cursors, `connection` for
//! pages and lists), [`run`] binds a request's variables and viewer and runs it. Anything not planned, and any request whose
//! variables the planner cannot prove valid, runs on the executor, so answers and errors
//! stay the executor's; `tests/api/compiled.rs` compares both paths.

mod analytics;
mod args;
mod connection;
pub mod describe;
mod event;
mod json;
mod named;
pub mod plan;
mod run;
mod select;
mod visibility;

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;

pub use event::{EventPlan, plan_event};
pub use plan::{Fallback, Plan};
pub use run::{Outcome, run, with_viewer};

/// `{"data":` + a plan's text + `}`: the response, PostgreSQL's text unparsed.
pub fn response_text(data: &str) -> String {
    let mut text = String::with_capacity(data.len() + 9);
    text.push_str("{\"data\":");
    text.push_str(data);
    text.push('}');
    text
}

/// A document's hash (SHA-256 of its text, as the document cache and persisted queries
/// key it) and the operation name a request picks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanKey {
    pub document: [u8; 32],
    pub operation: Option<String>,
}

/// The plans, by document and operation, bounded like the document cache; `None` marks
/// an operation that runs on the executor.
pub struct Compiler {
    plans: moka::sync::Cache<PlanKey, Option<Arc<Plan>>>,
}

impl Compiler {
    pub fn new(max_entries: u64) -> Self {
        Self {
            plans: moka::sync::Cache::new(max_entries.max(1)),
        }
    }

    /// The plan for `key`, if one was made.
    pub fn plan_for(&self, key: &PlanKey) -> Option<Arc<Plan>> {
        self.plans.get(key).flatten()
    }

    /// Whether `key` was planned already (compiled or not).
    pub fn knows(&self, key: &PlanKey) -> bool {
        self.plans.contains_key(key)
    }

    /// Plans `doc` (which the executor has just validated) under `key`.
    pub fn learn(&self, key: PlanKey, doc: &ExecutableDocument) {
        let plan = match plan::plan(doc, key.operation.as_deref()) {
            Ok(plan) => Some(Arc::new(plan)),
            Err(Fallback(why)) => {
                tracing::debug!(why, "operation runs on the executor");
                None
            }
        };
        self.plans.insert(key, plan);
    }
}

#[cfg(test)]
mod tests;
