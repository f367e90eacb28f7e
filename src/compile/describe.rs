//! The declarative description the compiler plans from: which table a GraphQL object type
//! reads and how each of its fields renders as JSON text. A domain becomes compilable by
//! describing its types (beside the domain, e.g. `graphql::brand::describe`), not by
//! writing SQL per field.

use crate::auth::Role;
use crate::graphql::ids::NodeKind;
use crate::realtime::events::{ChangeEvent, Topic};

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
    /// `Int!` from a NOT NULL integer column (`bigint` too: the executor does not range-check).
    Int,
    /// A GraphQL enum from a NOT NULL text column holding its snake_case database value
    /// (`pending_review` → `PENDING_REVIEW`; CHECK constraints keep the values known).
    Enum,
    /// `Money!` from a NOT NULL numeric column: a JSON string with two decimals
    /// (`Money`'s `rescale(2)`).
    Money,
    /// `Int!`: the sum of these NOT NULL integer columns (the field's own column unused).
    IntSum(&'static [&'static str]),
    /// `Float`: the sum of `part` over the sum of `whole` (integer columns), as the
    /// executor divides them in `f64`; null when `whole` is 0.
    Share {
        part: &'static [&'static str],
        whole: &'static [&'static str],
    },
    /// `Money`: the field's column (an amount) per the sum of `count`, to the cent, half
    /// a cent up (`rollup::per`); null when the count is 0.
    MoneyPer(&'static [&'static str]),
}

/// One field of an object type read straight from a column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnField {
    /// The GraphQL field name.
    pub field: &'static str,
    pub column: &'static str,
    pub render: Render,
    /// The least role in the row's brand (its `brand_id` column) that reads the field;
    /// anyone else reads `null`, as the executor's resolver answers.
    pub gate: Option<Role>,
}

/// A field read straight from `column`, rendered as `render` (for descriptions' tables).
pub const fn column(field: &'static str, column: &'static str, render: Render) -> ColumnField {
    ColumnField {
        field,
        column,
        render,
        gate: None,
    }
}

/// A field only `role` and above read in the row's brand; `null` for anyone else.
pub const fn gated(
    field: &'static str,
    column: &'static str,
    render: Render,
    role: Role,
) -> ColumnField {
    ColumnField {
        field,
        column,
        render,
        gate: Some(role),
    }
}

/// An object type whose rows come from one table.
#[derive(Debug)]
pub struct ObjectType {
    /// The GraphQL type name (also `__typename`; its connection is `<name>Connection`).
    pub name: &'static str,
    pub table: &'static str,
    /// Fields the compiler may plan; any other field makes a document run on the executor.
    pub columns: &'static [ColumnField],
    /// Paged lists of rows of another table that name this row.
    pub relations: &'static [Relation],
}

impl ObjectType {
    pub fn column(&self, field: &str) -> Option<&ColumnField> {
        self.columns.iter().find(|c| c.field == field)
    }

    pub fn relation(&self, field: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.field == field)
    }
}

/// A subscription event type whose events a plan renders: fields read from the change
/// event itself (rendered in Rust as the executor's resolvers render them, bound as JSON
/// text), and one field holding the event's row as it is now.
pub struct EventType {
    /// The GraphQL type name (also `__typename`).
    pub name: &'static str,
    pub fields: &'static [EventField],
    /// The field that reads the event's row (its `entity_id`, in the event's brand) as
    /// this object type; `null` once the row is gone.
    pub row: (&'static str, &'static ObjectType),
}

impl EventType {
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// A field of an event type read from the change event.
pub struct EventField {
    pub name: &'static str,
    /// The field's value, as its resolver returns it (the same function).
    pub value: fn(&ChangeEvent) -> async_graphql::Value,
}

/// An event type's field named `name` whose value `value` reads from the change event.
pub const fn event_field(
    name: &'static str,
    value: fn(&ChangeEvent) -> async_graphql::Value,
) -> EventField {
    EventField { name, value }
}

/// A subscription root field whose audience a plan renders: the events of `topic` with
/// operation `op` (`insert`, `update`), as the field's resolver filters them.
pub struct EventRoot {
    pub field: &'static str,
    pub topic: Topic,
    pub op: &'static str,
    pub ty: &'static EventType,
}

/// A list field of an object type: the rows of `target` whose `parent_column` is the
/// parent's id, in `order`: a Relay connection (e.g. `Brand.mediaAssets`, with `first`,
/// `after`, the `orderBy` values in `orders` and the `filter` fields in `filters`) or a
/// plain list (e.g. `ContentItem.approvals`, no arguments).
#[derive(Debug)]
pub struct Relation {
    pub field: &'static str,
    pub target: &'static ObjectType,
    pub parent_column: &'static str,
    /// The order without `orderBy`.
    pub order: Order,
    pub kind: RelationKind,
    /// The `orderBy` enum values the executor accepts, and the order each means.
    pub orders: &'static [(&'static str, Order)],
    /// The fields of the `filter` input the executor accepts.
    pub filters: &'static [FilterField],
}

impl Relation {
    /// A newest-first connection (no `orderBy`) of `target` by its `parent_column`.
    pub const fn newest_first(
        field: &'static str,
        target: &'static ObjectType,
        parent_column: &'static str,
        filters: &'static [FilterField],
    ) -> Relation {
        Relation {
            field,
            target,
            parent_column,
            order: Order::NEWEST_FIRST,
            kind: RelationKind::Connection,
            orders: &[],
            filters,
        }
    }
}

/// One field of a connection's `filter` input object, and the condition it puts on
/// `column` when given (null or absent: none).
#[derive(Debug, Clone, Copy)]
pub struct FilterField {
    pub field: &'static str,
    pub column: &'static str,
    pub test: FilterTest,
}

/// How a filter field narrows the rows.
#[derive(Debug, Clone, Copy)]
pub enum FilterTest {
    /// `column = <String>`.
    Equals,
    /// `column = <UUID>`.
    UuidEquals,
    /// `column = <the enum's database value>` (the enum's own parser: GraphQL name to
    /// stored value, `None` for a name it does not know).
    EnumEquals(fn(&str) -> Option<&'static str>),
    /// `column ILIKE <pattern>`, the pattern built from the string by this function.
    Like(fn(&str) -> String),
    /// `column >= <Int>`.
    IntAtLeast,
}

/// The value of a GraphQL enum by its name, parsed as the executor parses an argument.
pub fn enum_value<T: async_graphql::InputType>(name: &str) -> Option<T> {
    T::parse(Some(async_graphql::Value::Enum(async_graphql::Name::new(
        name,
    ))))
    .ok()
}

/// A filter field (for descriptions' tables).
pub const fn filter(field: &'static str, column: &'static str, test: FilterTest) -> FilterField {
    FilterField {
        field,
        column,
        test,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    Connection,
    List,
    /// At most one row (`null` without): e.g. `Campaign.summary`, the campaign's rollup.
    One,
    /// A plain list only this role and above read in the parent's brand (the executor
    /// answers anyone else `FORBIDDEN`, an error a plan cannot write): a plan holding one
    /// answers only viewers with the role in every brand they see.
    GatedList(Role),
}

/// A keyset order and the cursor the executor writes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// The sort column; ties are broken by `id` in the same direction.
    pub column: &'static str,
    pub descending: bool,
    pub cursor: CursorFormat,
}

/// How the executor encodes a cursor (base64url of compact JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorFormat {
    /// `brands`' `BrandCursor`: `{"o":tag,"v":<column as text or RFC 3339>,"i":id}`.
    Brand { tag: &'static str },
    /// Nested pages' `PageCursor`: `{"s":column,"v":<timestamp, RFC 3339 with Z>,"i":id}`.
    Page,
    /// Nested pages' `PageCursor` over an integer column: `{"s":column,"v":<integer>,"i":id}`.
    PageInteger,
}

impl Order {
    pub const BRANDS_BY_NAME: Order = Order {
        column: "name",
        descending: false,
        cursor: CursorFormat::Brand { tag: "name" },
    };
    pub const BRANDS_NEWEST_FIRST: Order = Order {
        column: "created_at",
        descending: true,
        cursor: CursorFormat::Brand { tag: "created" },
    };
    pub const NEWEST_FIRST: Order = Order {
        column: "created_at",
        descending: true,
        cursor: CursorFormat::Page,
    };
    pub const OLDEST_FIRST: Order = Order {
        column: "created_at",
        descending: false,
        cursor: CursorFormat::Page,
    };
    pub const RECENTLY_CHANGED_FIRST: Order = Order {
        column: "updated_at",
        descending: true,
        cursor: CursorFormat::Page,
    };
    /// By `name` (unique within the parent), for plain lists.
    pub const BY_NAME: Order = Order {
        column: "name",
        descending: false,
        cursor: CursorFormat::Brand { tag: "name" },
    };
    pub const HIGHEST_SCORE_FIRST: Order = Order {
        column: "score",
        descending: true,
        cursor: CursorFormat::PageInteger,
    };

    /// The SQL type of the cursor's sort value.
    pub fn value_type(&self) -> &'static str {
        match self.cursor {
            CursorFormat::Brand { tag: "name" } => "text",
            CursorFormat::PageInteger => "bigint",
            _ => "timestamptz",
        }
    }

    /// Rows of `row` after the cursor (`before`: before it) whose sort value and id are
    /// the SQL `value`, `id`.
    pub fn past_sql(&self, row: &str, value: &str, id: &str, before: bool) -> String {
        let op = if self.descending != before { "<" } else { ">" };
        format!(
            "({row}.{column}, {row}.id) {op} ({value}, {id})",
            column = self.column
        )
    }

    /// `ORDER BY` over the rows aliased `row`.
    pub fn sql(&self, row: &str) -> String {
        self.sql_towards(row, false)
    }

    /// `ORDER BY` over the rows aliased `row`, in reverse when `reverse` (a `last` page
    /// reads its rows from the end).
    pub fn sql_towards(&self, row: &str, reverse: bool) -> String {
        let dir = if self.descending != reverse {
            " DESC"
        } else {
            ""
        };
        format!("{row}.{column}{dir}, {row}.id{dir}", column = self.column)
    }

    /// The cursor of the row aliased `row`, as the JSON string the executor writes.
    pub fn cursor(&self, row: &str) -> String {
        let column = self.column;
        let text = match self.cursor {
            CursorFormat::Brand { tag } => {
                let value = if column == "name" {
                    format!("to_json({row}.{column})::text")
                } else {
                    super::json::column(row, column, Render::Timestamp)
                };
                format!(
                    "'{{\"o\":\"{tag}\",\"v\":' || {value} || ',\"i\":\"' || {row}.id::text || '\"}}'"
                )
            }
            CursorFormat::Page => format!(
                "'{{\"s\":\"{column}\",\"v\":' || {} || ',\"i\":\"' || {row}.id::text || '\"}}'",
                super::json::utc_timestamp(&format!("{row}.{column}"))
            ),
            CursorFormat::PageInteger => format!(
                "'{{\"s\":\"{column}\",\"v\":' || {row}.{column}::text || ',\"i\":\"' || {row}.id::text || '\"}}'"
            ),
        };
        super::json::base64url_string(&text)
    }
}
