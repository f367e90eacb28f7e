//! Documents parsed once: a bounded cache of parsed documents keyed by the SHA-256 of
//! their text, Automatic Persisted Queries on top of it, and an optional allow-list.
//!
//! Automatic Persisted Queries are the protocol Apollo Client, urql and graphql-ws
//! clients speak: a request carries `extensions.persistedQuery = { version: 1,
//! sha256Hash }` and no `query`; an unknown hash answers `PERSISTED_QUERY_NOT_FOUND`, and
//! the client repeats the request with the text, which registers it. The same cache
//! serves every transport (POST, GET and websockets all go through the schema extension
//! in `graphql::extension`, which calls [`DocumentCache::resolve`], `cached` and
//! `remember`) and
//! every plain request too: the text is hashed and, when seen before, its parsed document
//! is reused instead of parsed again. Only documents that passed the parser's own checks
//! and the document limits are cached.
//!
//! With an allow-list (an Apollo persisted-query manifest), only its documents run,
//! whether sent by hash or as text.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ServerResult};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::limits::DocumentLimits;
use crate::error::code;

/// `PERSISTED_QUERY_NOT_FOUND`: the hash is unknown, send the text (Apollo's code).
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// `PERSISTED_QUERY_NOT_ALLOWED`: allow-list mode and the document is not on the list.
pub const PERSISTED_QUERY_NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";

/// A document's SHA-256.
pub type Hash = [u8; 32];

fn sha256(text: &str) -> Hash {
    Sha256::digest(text.as_bytes()).into()
}

/// How big the cache may grow.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    pub max_entries: u64,
    /// Bytes the parsed documents held may take in memory (estimated, see
    /// [`super::document_weight`]).
    pub max_bytes: u64,
}

/// A document heavier than this share of the cache is not kept (it still runs): one
/// large document must not push out hundreds of ordinary ones.
const LARGEST_SHARE: u64 = 8;

/// A parsed document and what it weighs in memory.
struct Cached {
    doc: ExecutableDocument,
    weight: u64,
}

pub struct DocumentCache {
    parsed: moka::sync::Cache<Hash, Arc<Cached>>,
    /// The heaviest document kept, in bytes.
    max_weight: u64,
    /// Allow-list mode: the only documents that run, by hash.
    allowed: Option<HashMap<Hash, String>>,
    /// In allow-list mode, whether introspection-only documents run too (GraphiQL's).
    introspection_allowed: bool,
}

impl DocumentCache {
    /// Each entry weighs its parsed size but at least `max_bytes / max_entries`, so the
    /// cache holds at most `max_entries` documents and at most `max_bytes` of parsed
    /// documents.
    pub fn new(limits: CacheLimits) -> Self {
        let floor = (limits.max_bytes / limits.max_entries.max(1)).max(1);
        let parsed = moka::sync::Cache::builder()
            .max_capacity(limits.max_bytes)
            .weigher(move |_, cached: &Arc<Cached>| {
                u32::try_from(cached.weight.max(floor)).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            parsed,
            max_weight: limits.max_bytes / LARGEST_SHARE,
            allowed: None,
            introspection_allowed: false,
        }
    }

    /// Switches to allow-list mode with the documents of an Apollo persisted-query
    /// manifest (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`);
    /// every id must be the SHA-256 of its body.
    pub fn allow_only(mut self, manifest: &Path) -> anyhow::Result<Self> {
        #[derive(Deserialize)]
        struct Manifest {
            operations: Vec<Operation>,
        }
        #[derive(Deserialize)]
        struct Operation {
            id: String,
            body: String,
        }
        let text = std::fs::read_to_string(manifest)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", manifest.display()))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not a persisted-query manifest: {e}",
                manifest.display()
            )
        })?;
        let mut allowed = HashMap::with_capacity(manifest.operations.len());
        for operation in manifest.operations {
            let hash = sha256(&operation.body);
            anyhow::ensure!(
                hex::encode(hash) == operation.id.to_ascii_lowercase(),
                "manifest operation {} is not the SHA-256 of its body",
                operation.id
            );
            async_graphql::parser::parse_query(&operation.body)
                .map_err(|e| anyhow::anyhow!("manifest operation {}: {e}", operation.id))?;
            allowed.insert(hash, operation.body);
        }
        self.allowed = Some(allowed);
        Ok(self)
    }

    /// In allow-list mode, also allows `bodies` (the documents the gateway's own pages
    /// send, so the dashboard keeps working); without an allow-list, changes nothing.
    pub fn also_allow(mut self, bodies: Vec<String>) -> anyhow::Result<Self> {
        if let Some(allowed) = &mut self.allowed {
            for body in bodies {
                async_graphql::parser::parse_query(&body)
                    .map_err(|e| anyhow::anyhow!("a built-in document does not parse: {e}"))?;
                allowed.insert(sha256(&body), body);
            }
        }
        Ok(self)
    }

    /// In allow-list mode, lets documents that only introspect the schema run too (what
    /// GraphiQL and code generators send); off, they are refused like any unlisted one.
    pub fn allow_introspection(mut self, allowed: bool) -> Self {
        self.introspection_allowed = allowed;
        self
    }

    /// The hash a request's document is known by: its text's SHA-256, or for a persisted
    /// query sent without text, the hash it names. `None` when the request carries a
    /// persisted query that [`resolve`](Self::resolve) would refuse (another version, a
    /// malformed hash, a hash that is not its text's): the executor answers those.
    pub fn hash_of(request: &Request) -> Option<Hash> {
        let persisted = match request.extensions.get("persistedQuery") {
            None => None,
            Some(value) => {
                let persisted: PersistedQuery = async_graphql::from_value(value.clone()).ok()?;
                if persisted.version != 1 {
                    return None;
                }
                Some(decode_hash(&persisted.sha256_hash)?)
            }
        };
        match (request.query.is_empty(), persisted) {
            (false, None) => Some(sha256(&request.query)),
            (false, Some(hash)) => (sha256(&request.query) == hash).then_some(hash),
            (true, hash) => hash,
        }
    }

    /// The parsed document kept under `hash`, if any.
    pub fn parsed_by_hash(&self, hash: &Hash) -> Option<ExecutableDocument> {
        self.parsed.get(hash).map(|cached| cached.doc.clone())
    }

    pub fn entries(&self) -> u64 {
        self.parsed.run_pending_tasks();
        self.parsed.entry_count()
    }

    /// What the documents held weigh, in (estimated) bytes.
    pub fn weighted_size(&self) -> u64 {
        self.parsed.run_pending_tasks();
        self.parsed.weighted_size()
    }

    /// The parsed document a request names (its text, or a persisted query's hash), when
    /// it is known and parses; for checks made before execution (GET runs queries only).
    /// Nothing is cached here: only the schema extension (`graphql::extension`) caches,
    /// after the document limits passed.
    pub fn document_of(&self, request: &Request) -> Option<ExecutableDocument> {
        if !request.query.is_empty() {
            return self.parse(&request.query);
        }
        let persisted: PersistedQuery =
            async_graphql::from_value(request.extensions.get("persistedQuery")?.clone()).ok()?;
        match self.by_hash(&persisted.sha256_hash)? {
            Known::Parsed(cached) => Some(cached.doc.clone()),
            Known::Text(text) => self.parse(text),
        }
    }

    fn parse(&self, text: &str) -> Option<ExecutableDocument> {
        self.cached(text)
            .or_else(|| async_graphql::parser::parse_query(text).ok())
    }

    /// The document a persisted-query hash names: parsed, or the text of an allow-listed
    /// document not parsed yet.
    fn by_hash(&self, hex_hash: &str) -> Option<Known<'_>> {
        let hash = decode_hash(hex_hash)?;
        if let Some(cached) = self.parsed.get(&hash) {
            return Some(Known::Parsed(cached));
        }
        self.allowed
            .as_ref()?
            .get(&hash)
            .map(|text| Known::Text(text))
    }

    fn is_allowed(&self, hash: &Hash) -> bool {
        self.allowed
            .as_ref()
            .is_none_or(|allowed| allowed.contains_key(hash))
    }

    /// Whether the text may run in allow-list mode: listed, or introspection when that is on.
    fn admits_text(&self, text: &str, hash: &Hash) -> bool {
        self.is_allowed(hash) || (self.introspection_allowed && is_introspection_only(text))
    }
}

/// A document whose every operation is a query selecting only `__schema`, `__type` and
/// `__typename` at its root (through fragments too).
fn is_introspection_only(text: &str) -> bool {
    use async_graphql::parser::types::{OperationType, Selection, SelectionSet};
    let Ok(doc) = async_graphql::parser::parse_query(text) else {
        return false;
    };
    fn root_fields_introspect(set: &SelectionSet, doc: &ExecutableDocument, depth: usize) -> bool {
        depth < 8
            && set.items.iter().all(|item| match &item.node {
                Selection::Field(field) => matches!(
                    field.node.name.node.as_str(),
                    "__schema" | "__type" | "__typename"
                ),
                Selection::InlineFragment(fragment) => {
                    root_fields_introspect(&fragment.node.selection_set.node, doc, depth + 1)
                }
                Selection::FragmentSpread(spread) => doc
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|fragment| {
                        root_fields_introspect(&fragment.node.selection_set.node, doc, depth + 1)
                    }),
            })
    }
    doc.operations.iter().all(|(_, operation)| {
        operation.node.ty == OperationType::Query
            && root_fields_introspect(&operation.node.selection_set.node, &doc, 0)
    })
}

/// What a persisted-query hash resolves to.
enum Known<'a> {
    Parsed(Arc<Cached>),
    Text(&'a str),
}

fn decode_hash(hex_hash: &str) -> Option<Hash> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(hex_hash, &mut hash).ok()?;
    Some(hash)
}

fn refused(code: &str, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

impl DocumentCache {
    /// Resolves a persisted query (or refuses it), and in allow-list mode refuses any
    /// document not on the list; runs before parsing.
    pub fn resolve(&self, mut request: Request) -> ServerResult<Request> {
        let Some(value) = request.extensions.remove("persistedQuery") else {
            if self.allowed.is_some() && !self.admits_text(&request.query, &sha256(&request.query))
            {
                return Err(refused(
                    PERSISTED_QUERY_NOT_ALLOWED,
                    "this server runs registered documents only",
                ));
            }
            return Ok(request);
        };
        let persisted: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
            refused(
                code::BAD_USER_INPUT,
                "`extensions.persistedQuery` must be { version: 1, sha256Hash: \"<hex>\" }",
            )
        })?;
        if persisted.version != 1 {
            return Err(refused(
                code::BAD_USER_INPUT,
                "only version 1 of persisted queries is supported",
            ));
        }
        let Some(hash) = decode_hash(&persisted.sha256_hash) else {
            return Err(refused(
                code::BAD_USER_INPUT,
                "`sha256Hash` must be 64 hexadecimal digits",
            ));
        };
        if request.query.is_empty() {
            return match self.by_hash(&persisted.sha256_hash) {
                Some(Known::Parsed(cached)) => {
                    request.set_parsed_query(cached.doc.clone());
                    Ok(request)
                }
                // Parsed (and cached) on the text path below.
                Some(Known::Text(text)) => {
                    request.query = text.to_string();
                    Ok(request)
                }
                None => Err(refused(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")),
            };
        }
        if sha256(&request.query) != hash {
            return Err(refused(
                code::BAD_USER_INPUT,
                "`sha256Hash` is not the SHA-256 of the query",
            ));
        }
        if !self.admits_text(&request.query, &hash) {
            return Err(refused(
                PERSISTED_QUERY_NOT_ALLOWED,
                "this server runs registered documents only",
            ));
        }
        // Registered by `parse_query` below once it parses and passes the limits.
        Ok(request)
    }
}

impl DocumentCache {
    /// What the schema extension does before parsing, and its parse step, for an
    /// execution without the extension ([`crate::graphql::plain`]): the persisted query
    /// resolved, and the request's document set from the cache, or parsed, checked against
    /// `limits` and kept.
    pub fn prepare(&self, request: Request, limits: &DocumentLimits) -> ServerResult<Request> {
        let mut request = self.resolve(request)?;
        if !request.query.is_empty()
            && let Some(doc) = self.cached(&request.query)
        {
            request.set_parsed_query(doc);
            return Ok(request);
        }
        let doc = request.parsed_query()?.clone();
        self.admit(&request.query, &doc, limits)?;
        Ok(request)
    }

    /// Checks a freshly parsed document against `limits` and keeps it under its text (an
    /// empty text is a persisted query's, kept by its hash already).
    pub fn admit(
        &self,
        query: &str,
        doc: &ExecutableDocument,
        limits: &DocumentLimits,
    ) -> ServerResult<()> {
        limits.check(doc)?;
        if !query.is_empty() {
            self.remember(query, doc);
        }
        Ok(())
    }

    /// The parsed document of a text seen before (and accepted then).
    pub fn cached(&self, query: &str) -> Option<ExecutableDocument> {
        self.parsed
            .get(&sha256(query))
            .map(|cached| cached.doc.clone())
    }

    /// Keeps the parsed document of `query`, which passed the parser and the limits,
    /// unless it is too heavy to keep.
    pub fn remember(&self, query: &str, doc: &ExecutableDocument) {
        let weight = super::document_weight::parsed_size(doc) as u64;
        if weight > self.max_weight {
            return;
        }
        self.parsed.insert(
            sha256(query),
            Arc::new(Cached {
                doc: doc.clone(),
                weight,
            }),
        );
    }
}
