//! What a parsed document weighs in memory, estimated by walking it.
//!
//! The text is a poor measure: `[1,1,1,…]` is two bytes per value in the text and a
//! tagged `Value` of several dozen bytes once parsed, and every field of a selection is a
//! node of about two hundred bytes; a 1 MB document can take 25 MB parsed. So the document
//! cache weighs each document by this estimate: every vector's capacity times its element
//! size (which covers the nodes held inline), every name's and string's heap bytes, and a
//! fixed overhead per allocation for the allocator's own bookkeeping. `tests/document_weight.rs`
//! compares the estimate with the bytes actually allocated while parsing.

use std::mem::size_of;

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition,
    OperationDefinition, Selection, SelectionSet, Type, VariableDefinition,
};
use async_graphql_value::{ConstValue, Name, Value};

/// Bytes an allocator spends beyond what was asked for, per allocation (header and
/// rounding to its size classes), on average.
const ALLOCATION_OVERHEAD: usize = 16;

/// Estimated heap bytes held by `doc` (plus the document value itself).
pub fn parsed_size(doc: &ExecutableDocument) -> usize {
    let operations = match &doc.operations {
        DocumentOperations::Single(operation) => operation_size(&operation.node),
        DocumentOperations::Multiple(operations) => {
            map_size::<Name, Positioned<OperationDefinition>>(operations.capacity())
                + operations
                    .iter()
                    .map(|(name, operation)| name_size(name) + operation_size(&operation.node))
                    .sum::<usize>()
        }
    };
    let fragments = map_size::<Name, Positioned<FragmentDefinition>>(doc.fragments.capacity())
        + doc
            .fragments
            .iter()
            .map(|(name, fragment)| name_size(name) + fragment_size(&fragment.node))
            .sum::<usize>();
    size_of::<ExecutableDocument>() + operations + fragments
}

fn vec_size<T>(items: &Vec<T>) -> usize {
    if items.capacity() == 0 {
        0
    } else {
        items.capacity() * size_of::<T>() + ALLOCATION_OVERHEAD
    }
}

/// A `HashMap`'s table: its slots and one control byte per slot.
fn map_size<K, V>(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        let buckets = (capacity * 8 / 7).next_power_of_two();
        buckets * (size_of::<(K, V)>() + 1) + ALLOCATION_OVERHEAD
    }
}

/// A name is an `Arc<str>` of its own: two counters and the text.
fn name_size(name: &Name) -> usize {
    2 * size_of::<usize>() + name.len() + ALLOCATION_OVERHEAD
}

fn positioned_name_size(name: &Positioned<Name>) -> usize {
    name_size(&name.node)
}

fn operation_size(operation: &OperationDefinition) -> usize {
    vec_size(&operation.variable_definitions)
        + operation
            .variable_definitions
            .iter()
            .map(|definition| variable_size(&definition.node))
            .sum::<usize>()
        + directives_size(&operation.directives)
        + selection_set_size(&operation.selection_set.node)
}

fn variable_size(definition: &VariableDefinition) -> usize {
    positioned_name_size(&definition.name)
        + type_size(&definition.var_type.node)
        + directives_size(&definition.directives)
        + definition
            .default_value
            .as_ref()
            .map_or(0, |value| const_value_size(&value.node))
}

fn type_size(ty: &Type) -> usize {
    match &ty.base {
        async_graphql::parser::types::BaseType::Named(name) => name_size(name),
        async_graphql::parser::types::BaseType::List(inner) => {
            size_of::<Type>() + ALLOCATION_OVERHEAD + type_size(inner)
        }
    }
}

fn fragment_size(fragment: &FragmentDefinition) -> usize {
    positioned_name_size(&fragment.type_condition.node.on)
        + directives_size(&fragment.directives)
        + selection_set_size(&fragment.selection_set.node)
}

fn directives_size(directives: &Vec<Positioned<Directive>>) -> usize {
    vec_size(directives)
        + directives
            .iter()
            .map(|directive| {
                positioned_name_size(&directive.node.name)
                    + arguments_size(&directive.node.arguments)
            })
            .sum::<usize>()
}

fn arguments_size(arguments: &Vec<(Positioned<Name>, Positioned<Value>)>) -> usize {
    vec_size(arguments)
        + arguments
            .iter()
            .map(|(name, value)| positioned_name_size(name) + value_size(&value.node))
            .sum::<usize>()
}

fn selection_set_size(set: &SelectionSet) -> usize {
    vec_size(&set.items)
        + set
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => field_size(&field.node),
                Selection::FragmentSpread(spread) => {
                    positioned_name_size(&spread.node.fragment_name)
                        + directives_size(&spread.node.directives)
                }
                Selection::InlineFragment(fragment) => {
                    fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(0, |condition| positioned_name_size(&condition.node.on))
                        + directives_size(&fragment.node.directives)
                        + selection_set_size(&fragment.node.selection_set.node)
                }
            })
            .sum::<usize>()
}

fn field_size(field: &Field) -> usize {
    field.alias.as_ref().map_or(0, positioned_name_size)
        + positioned_name_size(&field.name)
        + arguments_size(&field.arguments)
        + directives_size(&field.directives)
        + selection_set_size(&field.selection_set.node)
}

fn string_size(text: &str, capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        capacity.max(text.len()) + ALLOCATION_OVERHEAD
    }
}

fn value_size(value: &Value) -> usize {
    match value {
        Value::Variable(name) | Value::Enum(name) => name_size(name),
        Value::String(text) => string_size(text, text.capacity()),
        Value::Binary(bytes) => bytes.len(),
        Value::List(items) => vec_size(items) + items.iter().map(value_size).sum::<usize>(),
        Value::Object(fields) => {
            index_map_size::<Value>(fields.capacity())
                + fields
                    .iter()
                    .map(|(name, value)| name_size(name) + value_size(value))
                    .sum::<usize>()
        }
        Value::Null | Value::Number(_) | Value::Boolean(_) => 0,
    }
}

fn const_value_size(value: &ConstValue) -> usize {
    match value {
        ConstValue::Enum(name) => name_size(name),
        ConstValue::String(text) => string_size(text, text.capacity()),
        ConstValue::Binary(bytes) => bytes.len(),
        ConstValue::List(items) => {
            vec_size(items) + items.iter().map(const_value_size).sum::<usize>()
        }
        ConstValue::Object(fields) => {
            index_map_size::<ConstValue>(fields.capacity())
                + fields
                    .iter()
                    .map(|(name, value)| name_size(name) + const_value_size(value))
                    .sum::<usize>()
        }
        ConstValue::Null | ConstValue::Number(_) | ConstValue::Boolean(_) => 0,
    }
}

/// An `IndexMap`: its entries (hash, key, value) and its index table.
fn index_map_size<V>(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        capacity * (size_of::<usize>() + size_of::<(Name, V)>())
            + ALLOCATION_OVERHEAD
            + map_size::<usize, ()>(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::parsed_size;

    fn size(text: &str) -> usize {
        parsed_size(&async_graphql::parser::parse_query(text).unwrap())
    }

    #[test]
    fn a_long_list_argument_weighs_far_more_than_its_text() {
        let list = vec!["1"; 10_000].join(",");
        let text = format!("{{ brand(id: [{list}]) {{ id }} }}");
        assert!(size(&text) > 10 * text.len(), "{}", size(&text));
    }

    #[test]
    fn more_fields_weigh_more() {
        assert!(size("{ a b c d e f g h }") > size("{ a }"));
        assert!(size("{ a { b { c } } }") > size("{ a }"));
    }
}
