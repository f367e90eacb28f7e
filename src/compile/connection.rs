//! Relay connections and plain lists in one subquery each: a page's rows (numbered; one
//! more fetched than shown only where `hasNextPage`/`hasPreviousPage` must count it), each
//! kept row's JSON, and the page aggregated into `edges`,
//! `nodes`, `pageInfo` and `totalCount` exactly as the executor writes them.

use super::args::PageArguments;
use super::describe::{ObjectType, Relation, RelationKind};
use super::json;
use super::plan::{Fallback, Planner, fallback};
use super::select::{Member, Selections, object};

/// One connection's rows: their type, alias, source (`FROM … WHERE …`, the page's rows
/// after the cursor, and all of them for `totalCount`) and arguments.
pub struct Page<'a> {
    pub ty: &'static ObjectType,
    pub row: &'a str,
    pub rows: String,
    pub all: String,
    pub arguments: PageArguments,
}

impl<'a> Planner<'a> {
    /// A relation's list or page (`mediaAssets(first:)` of a brand): the parent row
    /// `parent` was read through the visibility rule, so its children are those that
    /// name it.
    pub(super) fn relation(
        &mut self,
        relation: &Relation,
        member: &Member<'a>,
        parent: &str,
    ) -> Result<String, Fallback> {
        let field = member.field;
        let row = self.next_alias();
        let narrowed = |alias: &str, condition: &str| {
            format!(
                "FROM {} {alias} WHERE {alias}.{} = {parent}.id AND {condition}",
                relation.target.table, relation.parent_column
            )
        };
        if let RelationKind::GatedList(role) = relation.kind {
            self.require_role(role);
        }
        if relation.kind == RelationKind::One {
            if !field.arguments.is_empty() {
                return fallback(format!("{} arguments", field.name.node));
            }
            let item = self.object(relation.target, &member.selections, &row)?;
            return Ok(format!(
                "coalesce((SELECT {item} {}), 'null')",
                narrowed(&row, "true")
            ));
        }
        if relation.kind != RelationKind::Connection {
            if !field.arguments.is_empty() {
                return fallback(format!("{} arguments", field.name.node));
            }
            let item = self.object(relation.target, &member.selections, &row)?;
            return Ok(format!(
                "coalesce((SELECT '[' || string_agg(({item})::text, ',' ORDER BY {}) || ']' {}), '[]')",
                relation.order.sql(&row),
                narrowed(&row, "true")
            ));
        }
        self.ordered(field, relation.order, relation.orders, |planner, branch| {
            let arguments = planner.page_arguments(
                field,
                relation.order,
                relation.orders,
                relation.filters,
                branch.as_ref(),
            )?;
            // Each branch of an `orderBy` variable reads its own rows.
            let row = match branch {
                None => row.clone(),
                Some(_) => planner.next_alias(),
            };
            let all_row = format!("{row}_all");
            let page = Page {
                ty: relation.target,
                row: &row,
                rows: narrowed(&row, &arguments.conditions(&row, true)),
                all: narrowed(&all_row, &arguments.conditions(&all_row, false)),
                arguments,
            };
            planner.connection(&page, &member.selections)
        })
    }

    /// A Relay connection over `page`: edges, nodes, cursors, pageInfo and totalCount in
    /// one subquery (rows numbered `n`; one more fetched than shown when the page's
    /// `has…Page` counts it).
    pub(super) fn connection(
        &mut self,
        page: &Page<'_>,
        selections: &Selections<'a>,
    ) -> Result<String, Fallback> {
        let (ty, row, first) = (page.ty, page.row, &page.arguments.size);
        let order = page.arguments.order;
        let backward = page.arguments.backward;
        let connection_type = format!("{}Connection", ty.name);
        let edge_type = format!("{}Edge", ty.name);
        let cursor = order.cursor(row);
        // Rows are numbered towards the page's end: from the last row for a `last` page,
        // whose edges then list in descending `n`.
        let sort = order.sql_towards(row, backward);
        let (ahead, behind) = if backward {
            (" DESC", "")
        } else {
            ("", " DESC")
        };
        // Three levels: the page's rows (numbered, perhaps one more than shown), each row's JSON
        // built from those rows only (`paged`; however the rows were found, no JSON is
        // built for a row the page does not keep), and the page aggregated.
        let paged = format!("{row}p");
        // Each kept row's JSON (and cursor), by column name.
        let mut per_row: Vec<(String, String)> = Vec::new();
        let mut cursors = false;
        // Whether `hasNextPage` (forward) or `hasPreviousPage` (backward) counts the rows
        // past the page: only then is one more row fetched than the page shows.
        let mut counts_more = false;
        let mut members = Vec::new();
        for part in self.members(selections, &connection_type)? {
            let value = match part.name() {
                "__typename" => json::name_value(&connection_type),
                "totalCount" => format!("(SELECT count(*) {})::text", page.all),
                "edges" => {
                    let mut edge = Vec::new();
                    for member in self.members(&part.selections, &edge_type)? {
                        let value = match member.name() {
                            "__typename" => json::name_value(&edge_type),
                            "cursor" => cursor.clone(),
                            "node" => self.object(ty, &member.selections, row)?,
                            other => return fallback(format!("{edge_type}.{other}")),
                        };
                        edge.push(member.with(value));
                    }
                    let column = format!("j{}", per_row.len() + 1);
                    per_row.push((object(&edge), column.clone()));
                    page_list(&format!("{paged}.{column}"), &paged, first, ahead)
                }
                "nodes" => {
                    let node = self.object(ty, &part.selections, row)?;
                    let column = format!("j{}", per_row.len() + 1);
                    per_row.push((node, column.clone()));
                    page_list(&format!("{paged}.{column}"), &paged, first, ahead)
                }
                "pageInfo" => {
                    let mut info = Vec::new();
                    for member in self.members(&part.selections, "PageInfo")? {
                        let value = match member.name() {
                            "__typename" => json::name_value("PageInfo"),
                            "hasPreviousPage" => {
                                counts_more |= backward;
                                page.arguments.has_previous(&format!("count(*) > {first}"))
                            }
                            "hasNextPage" => {
                                counts_more |= !backward;
                                page.arguments.has_next(&format!("count(*) > {first}"))
                            }
                            "startCursor" => {
                                cursors = true;
                                format!(
                                    "coalesce((array_agg({paged}.c ORDER BY {paged}.n{ahead}) FILTER (WHERE {paged}.n <= {first}))[1], 'null')"
                                )
                            }
                            "endCursor" => {
                                cursors = true;
                                format!(
                                    "coalesce((array_agg({paged}.c ORDER BY {paged}.n{behind}) FILTER (WHERE {paged}.n <= {first}))[1], 'null')"
                                )
                            }
                            other => return fallback(format!("PageInfo.{other}")),
                        };
                        info.push(member.with(value));
                    }
                    object(&info)
                }
                other => return fallback(format!("{connection_type}.{other}")),
            };
            members.push(part.with(value));
        }
        if cursors {
            per_row.push((cursor, "c".into()));
        }
        // The row past the page, when fetched, only counts: no JSON is built for it.
        let (limit, kept) = match counts_more {
            true => (format!("{first} + 1"), format!("{row}.n <= {first}")),
            false => (first.to_string(), String::new()),
        };
        let per_row: Vec<String> = std::iter::once(format!("{row}.n"))
            .chain(
                per_row
                    .into_iter()
                    .map(|(value, column)| match kept.is_empty() {
                        true => format!("{value} AS {column}"),
                        false => format!("CASE WHEN {kept} THEN {value} END AS {column}"),
                    }),
            )
            .collect();
        Ok(format!(
            "(SELECT {} FROM (SELECT {} FROM (SELECT {row}.*, row_number() OVER (ORDER BY {sort}) AS n {} \
             ORDER BY {sort} LIMIT {limit}) {row}) {paged} GROUP BY ())",
            object(&members),
            per_row.join(", "),
            page.rows
        ))
    }
}

/// The first `first` rows of a page (rows numbered `n` from 1, one extra fetched) as a
/// JSON list of `item`, listed by `n` in `direction` (`""` or `" DESC"`).
fn page_list(item: &str, row: &str, first: &str, direction: &str) -> String {
    format!(
        "coalesce('[' || string_agg(({item})::text, ',' ORDER BY {row}.n{direction}) FILTER (WHERE {row}.n <= {first}) || ']', '[]')"
    )
}
