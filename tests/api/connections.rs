//! The TCP edge: a client that trickles its request head (slowloris) or sends nothing is
//! disconnected after the header-read timeout, and connections over the per-address cap
//! are closed at once and counted, while ordinary requests keep being served.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_app_with};

/// Upper bound on how long the server may take to act; the tests await the event itself.
const WITHIN: Duration = Duration::from_secs(10);

/// Sends a request head one byte at a time, `pace` apart, until the server closes the
/// connection; returns how many bytes it got to send.
async fn trickle_until_closed(mut stream: TcpStream, pace: Duration) -> usize {
    let head = b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".repeat(100);
    let mut buf = [0u8; 256];
    for (sent, byte) in head.iter().enumerate() {
        if stream.write_all(&[*byte]).await.is_err() {
            return sent;
        }
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                // EOF, or a reset, or the server's 408 before it closes.
                Ok(0) | Err(_) => return sent,
                Ok(_) => {}
            },
            () = tokio::time::sleep(pace) => {}
        }
    }
    panic!("the server kept a connection that never finished its request head");
}

/// Reads until the server closes the connection (whatever it sent before).
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
}

async fn brands_query(app: &TestApp) -> reqwest::Result<reqwest::Response> {
    // A client of its own without idle connections, so it never reuses one the server is
    // closing.
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
}

#[tokio::test]
async fn slow_and_silent_connections_are_closed_while_requests_keep_being_served() {
    let app = spawn_app_with(|config| {
        config.http.connections.header_read_timeout_ms = 400;
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        let stream = TcpStream::connect(app.addr).await.expect("connect");
        slow.push(tokio::spawn(trickle_until_closed(
            stream,
            Duration::from_millis(50),
        )));
    }
    let mut silent = TcpStream::connect(app.addr).await.expect("connect");

    for _ in 0..5 {
        let response = brands_query(&app).await.expect("served");
        assert!(response.status().is_success(), "{}", response.status());
    }

    for connection in slow {
        let sent = tokio::time::timeout(WITHIN, connection)
            .await
            .expect("a slow connection was not closed")
            .expect("task");
        assert!(sent > 0);
    }
    assert!(
        tokio::time::timeout(WITHIN, closed_by_server(&mut silent))
            .await
            .expect("a silent connection was not closed")
    );
    let response = brands_query(&app).await.expect("served after");
    assert!(response.status().is_success());
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_closed_and_counted() {
    let app = spawn_app_with(|config| {
        config.http.connections.max_connections_per_ip = 4;
    })
    .await;
    // Four idle connections fill the address's places (one request through each makes
    // sure the server has admitted it).
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(app.addr).await.expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        let mut buf = [0u8; 512];
        let read = stream.read(&mut buf).await.expect("read");
        assert!(buf[..read].starts_with(b"HTTP/1.1 200"));
        held.push(stream);
    }

    let mut fifth = TcpStream::connect(app.addr).await.expect("connect");
    let _ = fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(WITHIN, fifth.read_to_end(&mut answer))
        .await
        .expect("the fifth connection was not closed");
    assert!(
        closed.is_err() || answer.is_empty(),
        "served over the cap: {}",
        String::from_utf8_lossy(&answer)
    );

    // A place freed is a place taken again.
    drop(held.pop());
    let metrics = tokio::time::timeout(WITHIN, async {
        loop {
            if let Ok(response) = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("client")
                .get(app.url("/metrics"))
                .send()
                .await
            {
                return response.text().await.expect("metrics");
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("no place freed after a connection closed");
    let refused = metrics
        .lines()
        .find(|line| {
            line.starts_with("brandgraph_http_connections_refused_total{reason=\"per_ip\"}")
        })
        .expect("the refusal counter");
    let count: u64 = refused.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 1, "{refused}");
    assert!(
        metrics.contains("brandgraph_http_connections "),
        "{metrics}"
    );
}
