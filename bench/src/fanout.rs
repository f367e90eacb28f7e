//! Subscription fan-out: N websocket subscribers, events written at a fixed rate, every
//! delivery timed from just before its transaction was sent to its arrival.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use uuid::Uuid;

use super::Args;
use super::gateway::Gateway;
use super::load::Context;
use super::report::percentile;

pub struct FanoutResult {
    pub stream: Stream,
    /// The gateway's read path, when runs on several are printed together.
    pub path: &'static str,
    pub rate: u64,
    pub subscribers: usize,
    pub spread: String,
    pub deliveries: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub lost: u64,
    pub duplicated: u64,
    pub rss_idle_kib: u64,
    pub rss_subscribed_kib: u64,
    pub kib_per_subscriber: f64,
    /// Latency by when the event was sent (`--latency-window-ms`), in time order.
    pub windows: Vec<LatencyWindow>,
}

/// The deliveries of the events sent in one window of the run.
pub struct LatencyWindow {
    pub from_ms: u64,
    pub deliveries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Groups (sent offset ms, latency µs) pairs into windows of `width_ms`.
fn latency_windows(mut samples: Vec<(u64, u64)>, width_ms: u64) -> Vec<LatencyWindow> {
    let width_ms = width_ms.max(1);
    samples.sort_unstable();
    samples
        .chunk_by(|a, b| a.0 / width_ms == b.0 / width_ms)
        .map(|window| {
            let mut latencies: Vec<u64> = window.iter().map(|(_, latency)| *latency).collect();
            latencies.sort_unstable();
            LatencyWindow {
                from_ms: window[0].0 / width_ms * width_ms,
                deliveries: latencies.len(),
                p50_ms: percentile(&latencies, 0.50),
                p99_ms: percentile(&latencies, 0.99),
            }
        })
        .collect()
}

/// What the subscribers of a fan-out run watch, and what the producer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// `approvalUpdated`: the event's own fields, one rendering per brand.
    Approvals,
    /// `leadCaptured` with the lead read as a query reads it (its email gated by role):
    /// one compiled statement per event and role, or per subscriber on the executor.
    Leads,
}

impl Stream {
    fn subscription(self) -> &'static str {
        match self {
            Stream::Approvals => {
                "subscription($brand: ID!) { approvalUpdated(brandId: $brand) { approvalId } }"
            }
            Stream::Leads => {
                "subscription($brand: ID!) { leadCaptured(brandId: $brand) { leadId op \
                 lead { name email score status activities(first: 3) { edges { node { type } } } } } }"
            }
        }
    }

    /// The row id of the event a message carries.
    fn id_in(self, message: &Value) -> Option<Uuid> {
        let (field, id, kind) = match self {
            Stream::Approvals => ("approvalUpdated", "approvalId", "PostApproval:"),
            Stream::Leads => ("leadCaptured", "leadId", "Lead:"),
        };
        let global = message["payload"]["data"][field][id].as_str()?;
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(global).ok()?).ok()?;
        Uuid::parse_str(text.strip_prefix(kind)?).ok()
    }

    /// One transaction's statement writing `rows` (row id, brand), one event each.
    fn insert(self, rows: &[(Uuid, Uuid)]) -> String {
        let values: Vec<String> = rows
            .iter()
            .map(|(id, brand)| match self {
                Stream::Approvals => format!("('{id}', '{brand}', 'pending')"),
                Stream::Leads => format!("('{id}', '{brand}', 'Bench Lead', '{id}@bench.test')"),
            })
            .collect();
        let table = match self {
            Stream::Approvals => "post_approvals (id, brand_id, status)",
            Stream::Leads => "leads (id, brand_id, name, email)",
        };
        format!("INSERT INTO {table} VALUES {}", values.join(", "))
    }
}

/// Opens one subscriber and returns its reader, which collects (approval, arrival) until stopped.
async fn subscriber(
    addr: std::net::SocketAddr,
    stream: Stream,
    token: &str,
    brand: Uuid,
    mut stop: watch::Receiver<bool>,
    counter: Arc<AtomicU64>,
) -> anyhow::Result<tokio::task::JoinHandle<Vec<(Uuid, Instant)>>> {
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request()?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    // A small read buffer: tungstenite zeroes the whole buffer before each read, and at
    // the default 128 KiB that memset was half of this load generator's CPU, taken from
    // the gateway on the same two cores.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) if text.contains("connection_ack") => break,
            Some(Ok(_)) => continue,
            other => anyhow::bail!("no connection_ack: {other:?}"),
        }
    }
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": stream.subscription(), "variables": { "brand": brand } } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await?;
    Ok(tokio::spawn(async move {
        let mut received = Vec::new();
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        let arrived = Instant::now();
                        if let Ok(value) = serde_json::from_str::<Value>(&text)
                            && let Some(id) = stream.id_in(&value)
                        {
                            received.push((id, arrived));
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
        }
        let _ = socket.close(None).await;
        received
    }))
}

pub async fn run(
    gateway: &Gateway,
    ctx: &Context,
    database_url: &str,
    (stream, subscribers, spread): (Stream, usize, bool),
    args: &Args,
) -> anyhow::Result<FanoutResult> {
    let brands = if spread { ctx.brands.len() } else { 1 };
    println!("fan-out: opening {subscribers} {stream:?} subscribers over {brands} brand(s) ...");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle_kib = gateway.rss_kib();
    let (stop_tx, stop_rx) = watch::channel(false);
    let received = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::with_capacity(subscribers);
    let mut per_brand: HashMap<Uuid, u64> = HashMap::new();
    let mut brand_of = Vec::with_capacity(subscribers);
    for chunk in (0..subscribers).collect::<Vec<_>>().chunks(100) {
        let opened = futures_util::future::join_all(chunk.iter().map(|&j| {
            let (brand, token) = &ctx.brands[j % brands];
            subscriber(
                gateway.addr,
                stream,
                token,
                *brand,
                stop_rx.clone(),
                received.clone(),
            )
        }))
        .await;
        for (offset, reader) in opened.into_iter().enumerate() {
            let brand = ctx.brands[chunk[offset] % brands].0;
            readers.push(reader?);
            brand_of.push(brand);
            *per_brand.entry(brand).or_default() += 1;
        }
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let rss_subscribed_kib = gateway.rss_kib();

    // Produce: one transaction per tick with `per_tick` approvals, brands in turn; at
    // 100 events/s or more a tick every 10 ms, below that one event per tick at the rate
    // itself (so "20 events/s" sends 20 a second, not 100).
    let db = Database::connect(database_url).await?;
    let rate = if spread {
        args.event_rate
    } else {
        args.one_brand_rate
    }
    .max(1);
    let (per_tick, tick) = if rate >= 100 {
        (rate / 100, Duration::from_millis(10))
    } else {
        (1, Duration::from_micros(1_000_000 / rate))
    };
    let ticks = (Duration::from_secs(args.fanout_secs).as_micros() / tick.as_micros()) as u64;
    let mut produced: HashMap<Uuid, (Uuid, Instant)> = HashMap::new();
    let mut next_brand = 0usize;
    let mut interval = tokio::time::interval(tick);
    for _ in 0..ticks {
        interval.tick().await;
        let mut rows = Vec::with_capacity(per_tick as usize);
        let sent = Instant::now();
        for _ in 0..per_tick {
            let brand = ctx.brands[next_brand % brands].0;
            next_brand += 1;
            let id = Uuid::new_v4();
            rows.push((id, brand));
            produced.insert(id, (brand, sent));
        }
        db.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            stream.insert(&rows),
        ))
        .await?;
    }
    let expected: u64 = produced
        .values()
        .map(|(brand, _)| per_brand.get(brand).copied().unwrap_or(0))
        .sum();

    // Let the last deliveries arrive: until all are in, or nothing arrived for 2 s (60 s at most).
    let drain_started = Instant::now();
    let mut last = (received.load(Ordering::Relaxed), Instant::now());
    while received.load(Ordering::Relaxed) < expected
        && drain_started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = received.load(Ordering::Relaxed);
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(2) {
            break;
        }
    }
    let _ = stop_tx.send(true);
    let mut latencies = Vec::with_capacity(expected as usize);
    let first_sent = produced.values().map(|(_, sent)| *sent).min();
    let mut by_send_time = Vec::new();
    let (mut unique, mut duplicated) = (0u64, 0u64);
    for (reader, brand) in readers.into_iter().zip(brand_of) {
        let received = reader.await.unwrap_or_default();
        let mut seen = std::collections::HashSet::with_capacity(received.len());
        for (id, arrived) in received {
            let Some((event_brand, sent)) = produced.get(&id) else {
                continue;
            };
            if *event_brand != brand {
                continue;
            }
            if seen.insert(id) {
                unique += 1;
                let latency = arrived.saturating_duration_since(*sent).as_micros() as u64;
                latencies.push(latency);
                if let (Some(first), Some(_)) = (first_sent, args.latency_window_ms) {
                    let offset = sent.saturating_duration_since(first).as_millis() as u64;
                    by_send_time.push((offset, latency));
                }
            } else {
                duplicated += 1;
            }
        }
    }
    db.close().await?;
    latencies.sort_unstable();
    Ok(FanoutResult {
        stream,
        path: "",
        rate,
        subscribers,
        spread: if spread {
            format!("{brands} brands")
        } else {
            "one brand".into()
        },
        deliveries: unique,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map(|m| *m as f64 / 1000.0).unwrap_or(0.0),
        lost: expected.saturating_sub(unique),
        duplicated,
        rss_idle_kib,
        rss_subscribed_kib,
        kib_per_subscriber: rss_subscribed_kib.saturating_sub(rss_idle_kib) as f64
            / subscribers.max(1) as f64,
        windows: args
            .latency_window_ms
            .map(|width| latency_windows(by_send_time, width))
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::latency_windows;

    #[test]
    fn latencies_are_grouped_by_the_window_their_event_was_sent_in() {
        // (sent offset ms, latency µs), out of order.
        let samples = vec![(1_500, 9_000), (10, 1_000), (990, 3_000), (1_000, 5_000)];
        let windows = latency_windows(samples, 1_000);
        let summary: Vec<_> = windows
            .iter()
            .map(|w| (w.from_ms, w.deliveries, w.p99_ms))
            .collect();
        assert_eq!(summary, [(0, 2, 3.0), (1_000, 2, 9.0)]);
    }
}
