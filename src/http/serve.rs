//! The accept loop: HTTP/1.1 (with upgrades, for websockets) over TCP, the way
//! `axum::serve` does it, plus what it leaves out: a header-read timeout and caps on open
//! connections.
//!
//! `axum::serve` builds hyper's connection without a timer, so hyper's header-read timeout
//! never runs and a client sending one header byte a second holds its connection (and a
//! file descriptor) for ever. Here hyper's HTTP/1 connection gets tokio's timer: a client
//! that has not sent a whole request head within the timeout is disconnected, whether it
//! trickles bytes, sends nothing, or idles on a keep-alive connection. hyper's own
//! HTTP/1 builder is used rather than hyper-util's `auto` one: `auto` first reads the
//! bytes that tell HTTP/2 from HTTP/1 with no timeout at all, and the gateway speaks
//! only HTTP/1.1.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use super::connections::{ConnectionLimiter, ConnectionSlot};

/// How connections are accepted and how long a request head may take.
#[derive(Clone)]
pub struct ServeOptions {
    pub header_read_timeout: Duration,
    /// Connection caps; `None` serves every connection (the private operations address).
    pub limiter: Option<ConnectionLimiter>,
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and waits
/// for the HTTP connections in progress to finish their current request (upgraded
/// websockets are not waited for, as with `axum::serve`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Dropping `stop_rx` is the signal; each connection task holds a `done_rx` clone, and
    // `done_tx.closed()` resolves once every one of them has ended.
    let (stop_tx, stop_rx) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(stop_rx);
    });
    let (done_tx, done_rx) = watch::channel(());
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = accept(&listener) => accepted,
            () = stop_tx.closed() => break,
        };
        let slot = match &options.limiter {
            None => None,
            Some(limiter) => match limiter.admit(peer.ip()) {
                Ok(slot) => Some(slot),
                Err(refusal) => {
                    tracing::debug!(%peer, ?refusal, "connection refused: cap reached");
                    continue;
                }
            },
        };
        set_no_delay(&stream);
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection = http1
            .serve_connection(
                TokioIo::new(Counted {
                    stream,
                    _slot: slot,
                }),
                TowerToHyperService::new(service),
            )
            .with_upgrades();
        let stop_tx = stop_tx.clone();
        let done_rx = done_rx.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let mut stopping = pin!(stop_tx.closed());
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(err) = result {
                            tracing::trace!(%peer, error = %err, "connection ended with an error");
                        }
                        break;
                    }
                    () = &mut stopping => connection.as_mut().graceful_shutdown(),
                }
            }
            drop(done_rx);
        });
    }
    drop(done_rx);
    drop(listener);
    done_tx.closed().await;
    Ok(())
}

/// The next connection; errors that concern one connection are skipped, others (out of
/// file descriptors) are logged and retried after a second, as `axum::serve` does.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(err) if is_connection_error(&err) => continue,
            Err(err) => {
                tracing::error!(error = %err, "accept error");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Nagle's algorithm off: a response or a subscription message is written whole; holding
/// back its last segment until the previous one is acknowledged only adds latency (up to
/// the peer's delayed-ACK timeout when a subscriber, which only reads, has nothing to
/// piggyback the ACK on).
fn set_no_delay(stream: &TcpStream) {
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!(error = %err, "could not set TCP_NODELAY on a connection");
    }
}

/// A connection that holds its place under the caps for as long as it lives, including
/// after a websocket upgrade (hyper hands this same value to the upgraded socket).
struct Counted {
    stream: TcpStream,
    _slot: Option<ConnectionSlot>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
