//! What the query compiler (`crate::compile`) may read of a `User` (the `viewer`'s user):
//! its plain columns.

use crate::compile::describe::{ObjectType, Render, column};
use crate::graphql::ids::NodeKind;

pub static USER: ObjectType = ObjectType {
    name: "User",
    table: "users",
    columns: &[
        column("id", "id", Render::GlobalId(NodeKind::User)),
        column("uuid", "id", Render::Uuid),
        column("displayName", "display_name", Render::OptionalText),
    ],
    relations: &[],
};
