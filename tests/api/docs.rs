//! The docs say what the schema serves: every operation in a ```graphql block of
//! `docs/*.md` and the README passes async-graphql's own parser and validation against
//! the schema the crate builds, and every field path the prose names (`Brand.syncLogs`,
//! `viewer.settings`, `upsertAnalyticsGoal(input)`) exists in `schema.graphql`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql::{Request, Response, Value};
use brandgraph::config::GraphqlConfig;
use brandgraph::graphql::schema::build_schema;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The README and every `docs/*.md`, with their text.
fn documents() -> Vec<(PathBuf, String)> {
    let mut paths = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable doc");
            (path, text)
        })
        .collect()
}

/// The bodies of the fenced blocks tagged `graphql`.
fn graphql_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let fence = line.trim_start();
        match &mut current {
            None if fence.starts_with("```graphql") => current = Some(String::new()),
            Some(_) if fence.starts_with("```") => blocks.extend(current.take()),
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Splits a block into its top-level definitions (the docs list several anonymous
/// operations in one block, which one document may not hold). Braces inside strings
/// and comments do not count.
fn definitions(block: &str) -> Vec<String> {
    let mut definitions = Vec::new();
    let mut current = String::new();
    let (mut depth, mut in_string, mut in_comment) = (0usize, false, false);
    let mut chars = block.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        match c {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '\\' if in_string => current.extend(chars.next()),
            '"' => in_string = !in_string,
            _ if in_string => {}
            '#' => in_comment = true,
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => {
                depth -= 1;
                if depth == 0 && c == '}' {
                    definitions.push(std::mem::take(&mut current));
                }
            }
            _ => {}
        }
    }
    definitions
        .into_iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Answers every request as soon as it has been parsed and validated: nothing runs.
struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        Response::new(Value::Null)
    }
}

#[tokio::test]
async fn every_graphql_block_in_the_docs_validates_against_the_schema() {
    let schema = build_schema(&GraphqlConfig::default())
        .extension(ValidateOnly)
        .finish();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, text) in documents() {
        for block in graphql_blocks(&text) {
            let definitions = definitions(&block);
            let fragments: Vec<&String> = definitions
                .iter()
                .filter(|d| d.starts_with("fragment"))
                .collect();
            for operation in definitions.iter().filter(|d| !d.starts_with("fragment")) {
                let mut document = operation.clone();
                for fragment in &fragments {
                    document.push('\n');
                    document.push_str(fragment);
                }
                let response = schema.execute(Request::new(document)).await;
                checked += 1;
                if !response.errors.is_empty() {
                    let messages: Vec<&str> =
                        response.errors.iter().map(|e| e.message.as_str()).collect();
                    failures.push(format!("{}: {operation}\n  {messages:?}", path.display()));
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} operations found in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A type's fields, each with its argument names and the named type it returns.
type Fields = HashMap<String, (Vec<String>, String)>;

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

/// Every object and interface type of `schema.graphql` with its fields.
fn checked_in_schema() -> HashMap<String, Fields> {
    let sdl = std::fs::read_to_string(Path::new(ROOT).join("schema.graphql")).unwrap();
    let document = async_graphql::parser::parse_schema(&sdl).expect("schema.graphql parses");
    let mut types = HashMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let fields = match &ty.node.kind {
            TypeKind::Object(object) => &object.fields,
            TypeKind::Interface(interface) => &interface.fields,
            _ => continue,
        };
        let fields = fields
            .iter()
            .map(|field| {
                let field = &field.node;
                let arguments = field
                    .arguments
                    .iter()
                    .map(|a| a.node.name.node.to_string())
                    .collect();
                (
                    field.name.node.to_string(),
                    (arguments, named(&field.ty.node)),
                )
            })
            .collect();
        types.insert(ty.node.name.node.to_string(), fields);
    }
    types
}

/// The inline code spans of a markdown text.
fn code_spans(markdown: &str) -> Vec<&str> {
    let mut in_block = false;
    let mut spans = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            spans.extend(line.split('`').skip(1).step_by(2));
        }
    }
    spans
}

/// A field path: the type it starts at (the root types when `None`), then each field
/// with the arguments named.
type FieldPath<'a> = (Option<&'a str>, Vec<(&'a str, Vec<&'a str>)>);

/// The field path a code span names, if it looks like one: `Type.field(.field)*` or
/// `rootField(.field)*`, each step optionally with `(argument, argument: …)`. Plain
/// identifiers of the seed functions, SQL names (`snake_case`) and URLs are not paths.
fn field_path(span: &str) -> Option<FieldPath<'_>> {
    let mut steps = Vec::new();
    let mut rest = span;
    while !rest.is_empty() {
        let end = rest.find(['.', '(']).unwrap_or(rest.len());
        let name = &rest[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        rest = &rest[end..];
        let mut arguments = Vec::new();
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(')')?;
            arguments = inner[..close]
                .split(',')
                .map(|a| a.split(':').next().unwrap_or_default().trim())
                .filter(|a| !a.is_empty())
                .collect();
            rest = &inner[close + 1..];
        }
        steps.push((name, arguments));
        match rest.strip_prefix('.') {
            Some(next) => rest = next,
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    let first = steps.first()?.0;
    if first.starts_with(|c: char| c.is_ascii_uppercase()) {
        if steps.len() < 2 {
            return None;
        }
        let ty = steps.remove(0).0;
        return Some((Some(ty), steps));
    }
    Some((None, steps))
}

#[test]
fn every_field_path_the_docs_name_exists_in_the_schema() {
    let types = checked_in_schema();
    let mut checked = 0;
    let mut unknown = Vec::new();
    for (path, text) in documents() {
        for span in code_spans(&text) {
            let Some((ty, steps)) = field_path(span) else {
                continue;
            };
            // Paths from a root field are checked where the docs map operations onto the
            // API (`served by` tables), and in prose when they start at a real root field:
            // seed function names (`getGoals`, `getConnection(brandId)`) look alike.
            if ty.is_none() {
                let root = steps[0].0;
                let is_root = ["Query", "Mutation", "Subscription"]
                    .iter()
                    .any(|t| types[*t].contains_key(root));
                let camel = root.chars().any(|c| c.is_ascii_uppercase()) || steps.len() > 1;
                if !(is_root || camel && served_by_table_cell(&text, span)) {
                    continue;
                }
            }
            checked += 1;
            let mut current: Vec<&str> = match ty {
                Some(ty) => vec![ty],
                None => vec!["Query", "Mutation", "Subscription"],
            };
            let mut ok = true;
            for (name, arguments) in &steps {
                let found = current
                    .iter()
                    .find_map(|t| types.get(*t).and_then(|fields| fields.get(*name)));
                match found {
                    Some((known, returns))
                        if arguments.iter().all(|a| known.contains(&a.to_string())) =>
                    {
                        current = vec![returns.as_str()];
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                unknown.push(format!("{}: `{span}`", path.display()));
            }
        }
    }
    assert!(
        checked >= 50,
        "only {checked} field paths found in the docs"
    );
    assert!(
        unknown.is_empty(),
        "not in schema.graphql:\n{}",
        unknown.join("\n")
    );
}

/// Whether `span` appears in the right-hand column of a table whose header names what
/// serves an operation (`served by`, `brandgraph`).
fn served_by_table_cell(markdown: &str, span: &str) -> bool {
    let needle = format!("`{span}`");
    let mut serving = false;
    for line in markdown.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            serving = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells
            .iter()
            .any(|c| ["served by", "brandgraph"].contains(c))
        {
            serving = true;
            continue;
        }
        if serving && cells.iter().skip(1).any(|cell| cell.contains(&needle)) {
            return true;
        }
    }
    false
}
