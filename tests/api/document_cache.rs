//! The parsed-document cache holds what it is allowed to in memory, not in text: a
//! stream of distinct large documents (each parsed to 30-odd times its text) leaves the
//! process's memory where it was.

use serde_json::json;

use crate::helpers::spawn_app;

/// Resident memory of this process (the gateway runs in it), in bytes.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("resident pages");
    pages * 4096
}

/// A document of about `bytes` of text that passes the document limits (one root field,
/// no aliases), distinct per `n`, and fails validation only after it was parsed.
fn large_document(n: usize, bytes: usize) -> String {
    let list = vec!["1"; bytes / 2].join(",");
    format!("# {n}\n{{ brand(id: [{list}]) {{ id }} }}")
}

#[tokio::test]
async fn distinct_large_documents_leave_memory_flat() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let send = |query: String| {
        let request = http
            .post(app.url("/graphql"))
            .json(&json!({ "query": query }))
            .send();
        async move {
            let response = request.await.expect("send");
            assert!(response.status().is_client_error() || response.status().is_success());
            response.bytes().await.expect("body");
        }
    };
    // One document first, so what every request needs anyway (buffers, the allocator's
    // arenas) is already there when the baseline is taken.
    send(large_document(0, 600_000)).await;
    let baseline = resident_bytes();

    for n in 1..=10 {
        send(large_document(n, 600_000)).await;
    }

    let grown = resident_bytes().saturating_sub(baseline);
    let cache = app.documents.weighted_size();
    assert!(
        grown < 100 << 20,
        "resident memory grew by {} MiB over ten 600 kB documents ({} cached, weighing {cache} bytes)",
        grown >> 20,
        app.documents.entries()
    );
    assert!(cache <= 32 << 20, "{cache}");
}
