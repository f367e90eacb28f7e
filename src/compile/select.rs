//! Selections as the executor collects them: fragments flattened, `@skip`/`@include`
//! applied (a literal condition at plan time, a variable one as an SQL condition over a
//! bound flag), and fields that share a response key merged into one [`Member`]. The
//! objects built from members follow the executor's rule that an object left with no keys
//! is `null`.

use async_graphql::Positioned;
use async_graphql::parser::types::{Directive, Field, Selection, SelectionSet};
use async_graphql_value::Value;

use super::json;
use super::plan::{Fallback, Param, Planner, fallback};

/// When a selection is part of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Always,
    /// When this SQL boolean (over the plan's flag parameters) holds.
    When(String),
}

impl Cond {
    fn and(&self, other: &Cond) -> Cond {
        match (self, other) {
            (Cond::Always, c) | (c, Cond::Always) => c.clone(),
            (Cond::When(a), Cond::When(b)) => Cond::When(format!("({a} AND {b})")),
        }
    }

    fn or(&self, other: &Cond) -> Cond {
        match (self, other) {
            (Cond::Always, _) | (_, Cond::Always) => Cond::Always,
            (Cond::When(a), Cond::When(b)) if a == b => self.clone(),
            (Cond::When(a), Cond::When(b)) => Cond::When(format!("({a} OR {b})")),
        }
    }
}

/// Selection sets that answer one field, each under its condition (a field selected
/// twice under one key has its sub-selections merged).
pub type Selections<'a> = Vec<(&'a SelectionSet, Cond)>;

/// One response key of a selection: the field that answers it and when it is present.
pub struct Member<'a> {
    pub key: &'a str,
    /// The first field selected under the key (every other has its name and arguments).
    pub field: &'a Field,
    /// Every occurrence's sub-selection.
    pub selections: Selections<'a>,
    pub cond: Cond,
}

impl Member<'_> {
    pub fn name(&self) -> &str {
        self.field.name.node.as_str()
    }

    /// A field with neither arguments nor a sub-selection.
    pub fn is_leaf(&self) -> bool {
        self.field.arguments.is_empty() && self.field.selection_set.node.items.is_empty()
    }

    /// A JSON member of an object: this key, `value`, present when the field is.
    pub fn with(&self, value: String) -> JsonMember {
        JsonMember {
            key: self.key.to_string(),
            value,
            cond: self.cond.clone(),
        }
    }
}

/// A member of a JSON object under construction.
pub struct JsonMember {
    pub key: String,
    pub value: String,
    pub cond: Cond,
}

/// `{"k1":v1,"k2":v2}` as SQL concatenating the members' JSON texts; members present
/// under a condition are left out when it fails, and an object with no member present is
/// `null` (the executor's rule).
pub fn object(members: &[JsonMember]) -> String {
    if members.is_empty() {
        return "'null'".into();
    }
    if members.iter().all(|m| m.cond == Cond::Always) {
        let mut sql = String::from("('{");
        for (i, member) in members.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&json::name(&member.key));
            sql.push_str(":' || ");
            sql.push_str(&member.value);
            sql.push_str(" || '");
        }
        sql.push_str("}')");
        return sql;
    }
    // `array_to_string` skips NULL elements: a member whose condition fails is NULL.
    let parts: Vec<String> = members
        .iter()
        .map(|member| {
            let text = format!("'{}:' || {}", json::name(&member.key), member.value);
            match &member.cond {
                Cond::Always => text,
                Cond::When(cond) => format!("CASE WHEN {cond} THEN {text} END"),
            }
        })
        .collect();
    format!(
        "coalesce('{{' || nullif(array_to_string(ARRAY[{}]::text[], ','), '') || '}}', 'null')",
        parts.join(", ")
    )
}

impl<'a> Planner<'a> {
    /// The members `selections` select on `type_name`: fragments flattened, skipped
    /// fields removed, fields of one key merged. A fragment on another type, an unknown
    /// directive, or one key answered by different fields or arguments falls back.
    pub(super) fn members(
        &mut self,
        selections: &Selections<'a>,
        type_name: &str,
    ) -> Result<Vec<Member<'a>>, Fallback> {
        let mut found: Vec<(&'a Field, Cond)> = Vec::new();
        for (selection, cond) in selections {
            self.collect(selection, type_name, cond, &mut found, 0)?;
        }
        let mut members: Vec<Member<'a>> = Vec::new();
        for (field, cond) in found {
            let key = key_of(field);
            let selection = &field.selection_set.node;
            match members.iter_mut().find(|m| m.key == key) {
                None => members.push(Member {
                    key,
                    field,
                    selections: vec![(selection, cond.clone())],
                    cond,
                }),
                Some(member) => {
                    if member.field.name.node != field.name.node
                        || member.field.arguments != field.arguments
                    {
                        return fallback("one key answered by different fields");
                    }
                    // The executor merges objects of one key as they complete; an
                    // occurrence that could come back empty (null) would race the others.
                    if !selection.items.is_empty()
                        && (self.conditional(selection, 0)
                            || member
                                .selections
                                .iter()
                                .any(|(set, _)| self.conditional(set, 0)))
                    {
                        return fallback("a key selected twice with conditional fields");
                    }
                    member.cond = member.cond.or(&cond);
                    member.selections.push((selection, cond));
                }
            }
        }
        Ok(members)
    }

    /// The members of one selection set, always present.
    pub(super) fn members_of(
        &mut self,
        selection: &'a SelectionSet,
        type_name: &str,
    ) -> Result<Vec<Member<'a>>, Fallback> {
        self.members(&vec![(selection, Cond::Always)], type_name)
    }

    fn collect(
        &mut self,
        selection: &'a SelectionSet,
        type_name: &str,
        cond: &Cond,
        into: &mut Vec<(&'a Field, Cond)>,
        depth: usize,
    ) -> Result<(), Fallback> {
        if depth > 8 {
            return fallback("fragments nested too deep");
        }
        for item in &selection.items {
            let item: &'a Positioned<Selection> = item;
            let Some(own) = self.included(item.node.directives())? else {
                continue;
            };
            let cond = cond.and(&own);
            match &item.node {
                Selection::Field(field) => {
                    // The executor's validation does not see variables in directives on
                    // `__typename` (it reports them unused and the argument invalid).
                    if field.node.name.node == "__typename"
                        && field.node.directives.iter().any(|d| {
                            d.node
                                .arguments
                                .iter()
                                .any(|(_, v)| matches!(v.node, Value::Variable(_)))
                        })
                    {
                        return fallback("a variable directive on __typename");
                    }
                    into.push((&field.node, cond));
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    if let Some(condition) = &fragment.type_condition
                        && !applies(&condition.node.on.node, type_name)
                    {
                        continue;
                    }
                    self.collect(
                        &fragment.selection_set.node,
                        type_name,
                        &cond,
                        into,
                        depth + 1,
                    )?;
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node)
                    else {
                        return fallback("unknown fragment");
                    };
                    if !fragment.node.directives.is_empty() {
                        return fallback("fragment definition directives");
                    }
                    if !applies(&fragment.node.type_condition.node.on.node, type_name) {
                        continue;
                    }
                    let set = &fragment.node.selection_set.node;
                    self.collect(set, type_name, &cond, into, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// Whether a selection with `directives` is part of the response: `None` when a
    /// literal `@skip`/`@include` removes it, else when (a variable's value is bound per
    /// request).
    fn included(&mut self, directives: &[Positioned<Directive>]) -> Result<Option<Cond>, Fallback> {
        let mut cond = Cond::Always;
        for directive in directives {
            let include = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return fallback("a directive other than skip or include"),
            };
            let Some(value) = directive.node.get_argument("if") else {
                return fallback("a directive without if");
            };
            match &value.node {
                Value::Boolean(value) if *value == include => {}
                Value::Boolean(_) => return Ok(None),
                Value::Variable(name) => {
                    let flag = self.param(Param::Flag(name.clone()));
                    let holds = if include { flag } else { format!("NOT {flag}") };
                    cond = cond.and(&Cond::When(holds));
                }
                _ => return fallback("a directive's if is not a boolean"),
            }
        }
        Ok(Some(cond))
    }

    /// Whether `selection` (fragments included) holds a directive anywhere.
    fn conditional(&self, selection: &SelectionSet, depth: usize) -> bool {
        if depth > 16 {
            return true;
        }
        selection.items.iter().any(|item| {
            !item.node.directives().is_empty()
                || match &item.node {
                    Selection::Field(field) => {
                        self.conditional(&field.node.selection_set.node, depth + 1)
                    }
                    Selection::InlineFragment(fragment) => {
                        self.conditional(&fragment.node.selection_set.node, depth + 1)
                    }
                    Selection::FragmentSpread(spread) => self
                        .doc
                        .fragments
                        .get(&spread.node.fragment_name.node)
                        .is_none_or(|f| self.conditional(&f.node.selection_set.node, depth + 1)),
                }
        })
    }
}

/// Whether a fragment on `condition` applies to an object of `type_name`: its own type or
/// `Node`, the schema's only interface. A fragment on another type can pass validation only
/// where the parent is abstract (`node`), and there it selects nothing of this object.
fn applies(condition: &str, type_name: &str) -> bool {
    condition == type_name || condition == "Node"
}

/// The response key of a field: its alias, else its name.
fn key_of(field: &Field) -> &str {
    field
        .alias
        .as_ref()
        .map_or(field.name.node.as_str(), |alias| alias.node.as_str())
}
