//! Rows fetched with only the columns a selection reads.
//!
//! A field of a node reads the column of its name (or `<name>_id` for a relation by
//! foreign key); `uuid`, and the relations a row loads by its own id, read `id`. When
//! every selected field is known that way, a loader fetches only those columns and the
//! model's other fields hold their type's default, which no selected field reads.

use sea_orm::{EntityTrait, IdenStatic, Iterable, QueryResult};

/// The columns of `E` that `fields` (snake_case) read, or `None` when one of them reads
/// something unknown (the caller then fetches every column). `via_id` lists the fields
/// that read the row's `id`.
pub fn columns_read_by<'f, E: EntityTrait>(
    fields: impl IntoIterator<Item = &'f str>,
    via_id: &[&str],
) -> Option<Vec<String>> {
    let has = |name: &str| E::Column::iter().any(|column| column.as_str() == name);
    let mut read = Vec::new();
    for field in fields {
        if field == "__typename" {
            continue;
        } else if field == "uuid" || via_id.contains(&field) {
            read.push("id".to_string());
        } else if has(field) {
            read.push(field.to_string());
        } else {
            let foreign_key = format!("{field}_id");
            if !has(&foreign_key) {
                return None;
            }
            read.push(foreign_key);
        }
    }
    Some(read)
}

/// The column `name` of `row` if it was fetched (`read`), else `T`'s default.
pub fn column_or_default<T: sea_orm::TryGetable + Default>(
    row: &QueryResult,
    read: &[String],
    name: &str,
) -> Result<T, sea_orm::DbErr> {
    let name = name.trim_start_matches("r#");
    if read.iter().any(|column| column == name) {
        Ok(row.try_get("", name)?)
    } else {
        Ok(T::default())
    }
}

/// A set of the columns of one entity, one bit per column in declaration order: small and
/// `Copy`, so it can be part of a dataloader key, and cheap to union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColumnSet(u64);

impl ColumnSet {
    /// Every column.
    pub const ALL: ColumnSet = ColumnSet(u64::MAX);

    /// The set of the columns named, or every column when one is not a column of `E` (or
    /// `E` has more columns than the set holds).
    pub fn of<E: EntityTrait>(names: &[String]) -> ColumnSet {
        let mut bits = 0u64;
        for name in names {
            match E::Column::iter().position(|column| column.as_str() == name) {
                Some(at) if at < 64 => bits |= 1 << at,
                _ => return ColumnSet::ALL,
            }
        }
        ColumnSet(bits)
    }

    pub fn union(self, other: ColumnSet) -> ColumnSet {
        ColumnSet(self.0 | other.0)
    }

    /// The columns of `E` in the set, in declaration order.
    pub fn columns<E: EntityTrait>(self) -> Vec<E::Column> {
        E::Column::iter()
            .enumerate()
            .filter(|(at, _)| *at >= 64 || self.0 & (1 << at) != 0)
            .map(|(_, column)| column)
            .collect()
    }
}

/// `module::Model` from a row that holds only the columns `read`; every field of the
/// model must be listed, so a column added to the table is a compile error until it is.
macro_rules! model_from_read_columns {
    ($module:ident, $row:expr, $read:expr, { $($field:ident),* $(,)? }) => {
        $module::Model {
            $($field: $crate::loaders::columns::column_or_default(
                $row, $read, stringify!($field),
            )?,)*
        }
    };
}
pub(crate) use model_from_read_columns;

#[cfg(test)]
mod tests {
    use super::*;
    use entity::post_approvals;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    fn names_in(set: ColumnSet) -> Vec<String> {
        set.columns::<post_approvals::Entity>()
            .iter()
            .map(|column| column.as_str().to_string())
            .collect()
    }

    #[test]
    fn fields_read_their_column_their_foreign_key_or_the_id() {
        let read = columns_read_by::<post_approvals::Entity>(
            ["status", "approved_by", "post", "uuid"],
            &[],
        );
        assert_eq!(
            read,
            Some(names(&["status", "approved_by", "post_id", "id"]))
        );
        assert_eq!(
            columns_read_by::<post_approvals::Entity>(["status", "nonsense"], &[]),
            None
        );
    }

    #[test]
    fn a_column_set_unions_and_names_its_columns_in_declaration_order() {
        let status = ColumnSet::of::<post_approvals::Entity>(&names(&["status"]));
        let post = ColumnSet::of::<post_approvals::Entity>(&names(&["post_id"]));
        assert_eq!(names_in(status.union(post)), names(&["post_id", "status"]));
        assert_eq!(
            ColumnSet::of::<post_approvals::Entity>(&names(&["nope"])),
            ColumnSet::ALL
        );
        assert_eq!(
            names_in(ColumnSet::ALL).len(),
            post_approvals::Column::iter().count()
        );
    }
}
