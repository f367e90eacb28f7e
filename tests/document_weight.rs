//! The document cache's estimate of a parsed document's size against the bytes the
//! allocator actually handed out while parsing it, for documents of different shapes.
//! Its own test binary: the counting allocator sees every allocation of the process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use brandgraph::graphql::document_weight::parsed_size;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes held by the parsed document of `text` (allocated by parsing, still live after).
fn held_by_parsed(text: &str) -> (usize, usize) {
    let before = LIVE.load(Ordering::SeqCst);
    let doc = async_graphql::parser::parse_query(text).expect("parses");
    let held = (LIVE.load(Ordering::SeqCst) - before) as usize;
    let estimate = parsed_size(&doc);
    drop(doc);
    (held, estimate)
}

#[test]
fn the_estimate_is_close_to_what_parsed_documents_hold() {
    let list = vec!["1"; 50_000].join(",");
    let fields = (0..5_000)
        .map(|n| format!("f{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    let nested = "{ a ".repeat(12) + &"}".repeat(12);
    let fragments = (0..500)
        .map(|n| format!("fragment F{n} on Brand {{ id name slug }}"))
        .collect::<Vec<_>>()
        .join("\n");
    let documents = [
        (
            "a long list argument",
            format!("{{ brand(id: [{list}]) {{ id }} }}"),
        ),
        ("many fields", format!("{{ viewer {{ {fields} }} }}")),
        ("deep nesting", format!("query {nested}")),
        (
            "many fragments",
            format!("{{ brands {{ edges {{ node {{ ...F0 }} }} }} }}\n{fragments}"),
        ),
        (
            "variables and a long string",
            format!(
                "query($a: [[ID!]!] = [[\"x\"]], $b: String) {{ search(text: \"{}\") {{ id }} }}",
                "s".repeat(100_000)
            ),
        ),
    ];
    for (shape, text) in documents {
        let (held, estimate) = held_by_parsed(&text);
        let ratio = estimate as f64 / held as f64;
        assert!(
            (0.8..=1.6).contains(&ratio),
            "{shape}: estimated {estimate} bytes, parsing held {held} (text {} bytes)",
            text.len()
        );
    }
}
