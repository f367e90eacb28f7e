//! The declarative description the compiler plans from: which table a GraphQL object type
//! reads and how each of its fields renders as JSON text. A domain becomes compilable by
//! describing its types (beside the domain, e.g. `graphql::brand::describe`), not by
//! writing SQL per field.

use crate::graphql::ids::NodeKind;

/// How a column renders, byte for byte as async-graphql's executor writes the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// `String!` from a NOT NULL text column.
    Text,
    /// `String` from a nullable text column.
    OptionalText,
    /// `UUID!` from a uuid column.
    Uuid,
    /// `ID!`: the row's global id (`base64url("Kind:uuid")`) from its uuid column.
    GlobalId(NodeKind),
    /// `Boolean!` from a nullable boolean column read as `unwrap_or(false)`.
    FlagOrFalse,
    /// `[String!]!` from a nullable `text[]` column read as `unwrap_or_default()`.
    TextListOrEmpty,
    /// `DateTime!` from a NOT NULL timestamptz column.
    Timestamp,
    /// `DateTime` from a nullable timestamptz column.
    OptionalTimestamp,
}

/// One field of an object type read straight from a column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnField {
    /// The GraphQL field name.
    pub field: &'static str,
    pub column: &'static str,
    pub render: Render,
}

/// An object type whose rows come from one table.
#[derive(Debug)]
pub struct ObjectType {
    /// The GraphQL type name (also `__typename`).
    pub name: &'static str,
    pub table: &'static str,
    /// Fields the compiler may plan; any other field makes a document run on the executor.
    pub columns: &'static [ColumnField],
}

impl ObjectType {
    pub fn column(&self, field: &str) -> Option<&ColumnField> {
        self.columns.iter().find(|c| c.field == field)
    }
}
