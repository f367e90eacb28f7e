//! Limits a document must meet before anything runs: how many operations, aliases and
//! root fields it has, and what it costs (see [`crate::graphql::pagination::page_cost`]).
//! Both checks run before execution, so a refused document never reaches the database.

use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

use crate::config::GraphqlConfig;
use crate::error::code;

#[derive(Debug, Clone)]
pub struct DocumentLimits {
    pub max_cost: usize,
    pub max_operations: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
}

impl DocumentLimits {
    pub fn new(config: &GraphqlConfig) -> Self {
        Self {
            max_cost: config.max_cost,
            max_operations: config.max_operations,
            max_aliases: config.max_aliases,
            max_root_fields: config.max_root_fields,
        }
    }
}

fn refused(message: String, extra: Option<(&str, usize)>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code::BAD_USER_INPUT);
    if let Some((name, value)) = extra {
        extensions.set(name, value as u64);
    }
    error.extensions = Some(extensions);
    error
}

/// Aliased fields in a selection set and below (fragment definitions are counted once
/// each, where they are defined).
fn aliases_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + aliases_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => aliases_in(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Root fields of an operation, through inline fragments and spreads of named fragments.
fn root_fields_in(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => {
                root_fields_in(doc, &fragment.node.selection_set.node, depth + 1)
            }
            Selection::FragmentSpread(spread) => doc
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |fragment| {
                    root_fields_in(doc, &fragment.node.selection_set.node, depth + 1)
                }),
        })
        .sum()
}

impl DocumentLimits {
    /// Operations, aliases and root fields of a parsed document.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        let operations = doc.operations.iter().count();
        if operations > self.max_operations {
            return Err(refused(
                format!(
                    "the document defines {operations} operations; at most {} are allowed",
                    self.max_operations
                ),
                None,
            ));
        }
        let aliases: usize = doc
            .operations
            .iter()
            .map(|(_, op)| aliases_in(&op.node.selection_set.node))
            .chain(
                doc.fragments
                    .values()
                    .map(|fragment| aliases_in(&fragment.node.selection_set.node)),
            )
            .sum();
        if aliases > self.max_aliases {
            return Err(refused(
                format!(
                    "the document uses {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
                None,
            ));
        }
        for (_, op) in doc.operations.iter() {
            let roots = root_fields_in(doc, &op.node.selection_set.node, 0);
            if roots > self.max_root_fields {
                return Err(refused(
                    format!(
                        "an operation selects {roots} root fields; at most {} are allowed",
                        self.max_root_fields
                    ),
                    None,
                ));
            }
        }
        Ok(())
    }
}

impl DocumentLimits {
    /// The cost validation computed.
    pub fn check_cost(&self, complexity: usize) -> Result<(), ServerError> {
        if complexity > self.max_cost {
            return Err(refused(
                format!(
                    "query cost {} exceeds the maximum of {}: ask for smaller pages (`first`) or fewer fields",
                    complexity, self.max_cost
                ),
                Some(("cost", complexity)),
            ));
        }
        Ok(())
    }
}
