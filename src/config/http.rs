//! The HTTP and websocket edge: body and time limits, browsers' origins, proxies, rate limits.

use std::time::Duration;

use ipnet::IpNet;

#[derive(Clone, Debug, clap::Args)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes; larger ones are refused with 413 before
    /// they are read.
    #[arg(long, env = "BRANDGRAPH_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Longest a GraphQL request may run over HTTP, in seconds; then it is cancelled.
    #[arg(long, env = "BRANDGRAPH_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Browser origins allowed to call the API (CORS) and open websockets, comma
    /// separated; `*` allows any origin (without credentials). Default: none.
    #[arg(long, env = "BRANDGRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Request headers a browser page on an allowed origin may send, comma separated.
    /// The default covers bearer tokens, W3C trace context and Apollo's client awareness.
    #[arg(
        long,
        env = "BRANDGRAPH_CORS_ALLOW_HEADERS",
        value_delimiter = ',',
        default_values_t = default_cors_allow_headers()
    )]
    pub cors_allow_headers: Vec<String>,

    /// Networks of reverse proxies whose `X-Forwarded-For` is believed, comma separated
    /// (e.g. `10.0.0.0/8`). Default: none, the peer address is the client.
    #[arg(long, env = "BRANDGRAPH_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,

    #[command(flatten)]
    pub connections: ConnectionConfig,

    #[command(flatten)]
    pub rate_limit: RateLimitConfig,

    #[command(flatten)]
    pub websocket: WebsocketConfig,

    #[command(flatten)]
    pub forms: FormConfig,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            cors_origins: Vec::new(),
            cors_allow_headers: default_cors_allow_headers(),
            trusted_proxies: Vec::new(),
            connections: ConnectionConfig::default(),
            rate_limit: RateLimitConfig::default(),
            websocket: WebsocketConfig::default(),
            forms: FormConfig::default(),
        }
    }
}

/// What browser GraphQL clients send: the token, content negotiation, request ids, W3C
/// trace context (`traceparent`, `tracestate`, `baggage`) and Apollo Client's
/// `apollographql-client-name`/`-version` and `apollo-require-preflight`.
pub fn default_cors_allow_headers() -> Vec<String> {
    [
        "authorization",
        "content-type",
        "accept",
        "x-request-id",
        "traceparent",
        "tracestate",
        "baggage",
        "apollographql-client-name",
        "apollographql-client-version",
        "apollo-require-preflight",
    ]
    .map(String::from)
    .to_vec()
}

impl HttpConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

/// What a TCP connection may hold: time to send its request head, and places under the
/// connection caps (checked when it is accepted, before anything is read).
#[derive(Clone, Debug, clap::Args)]
pub struct ConnectionConfig {
    /// A connection that has not sent a whole request head this long after it opened (or
    /// after its previous response) is closed, in milliseconds: slow-header clients
    /// (slowloris) and idle keep-alive connections cannot hold descriptors.
    #[arg(
        long,
        env = "BRANDGRAPH_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub header_read_timeout_ms: u64,

    /// Most connections open at once (websockets included); more are closed when accepted.
    #[arg(long, env = "BRANDGRAPH_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// Most connections one client address may hold open at once (websockets included).
    /// Trusted proxies (`BRANDGRAPH_TRUSTED_PROXIES`) are held only to the total.
    #[arg(long, env = "BRANDGRAPH_MAX_CONNECTIONS_PER_IP", default_value_t = 512)]
    pub max_connections_per_ip: usize,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            header_read_timeout_ms: 10_000,
            max_connections: 10_000,
            max_connections_per_ip: 512,
        }
    }
}

impl ConnectionConfig {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms.max(1))
    }
}

/// Token buckets per user (per client IP for anonymous calls); the service role is exempt.
#[derive(Clone, Debug, clap::Args)]
pub struct RateLimitConfig {
    /// Sustained GraphQL operations per second per user (0 turns rate limiting off).
    #[arg(long, env = "BRANDGRAPH_RATE_LIMIT_PER_SEC", default_value_t = 50)]
    pub rate_limit_per_sec: u32,

    /// Operations a user may send at once above the sustained rate.
    #[arg(long, env = "BRANDGRAPH_RATE_LIMIT_BURST", default_value_t = 200)]
    pub rate_limit_burst: u32,

    /// Sustained operations per second per client IP for anonymous callers.
    #[arg(
        long,
        env = "BRANDGRAPH_ANONYMOUS_RATE_LIMIT_PER_SEC",
        default_value_t = 10
    )]
    pub anonymous_rate_limit_per_sec: u32,

    /// Burst for anonymous callers per client IP.
    #[arg(
        long,
        env = "BRANDGRAPH_ANONYMOUS_RATE_LIMIT_BURST",
        default_value_t = 50
    )]
    pub anonymous_rate_limit_burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_sec: 50,
            rate_limit_burst: 200,
            anonymous_rate_limit_per_sec: 10,
            anonymous_rate_limit_burst: 50,
        }
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct WebsocketConfig {
    /// Largest websocket message (and frame) accepted, in bytes.
    #[arg(long, env = "BRANDGRAPH_WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_message_bytes: usize,

    /// Interval of the server's protocol pings, in seconds.
    #[arg(long, env = "BRANDGRAPH_WS_KEEPALIVE_SECS", default_value_t = 15)]
    pub ws_keepalive_secs: u64,

    /// A socket whose peer sends nothing (not even a pong) this long is closed, in seconds.
    #[arg(long, env = "BRANDGRAPH_WS_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub ws_idle_timeout_secs: u64,

    /// A socket that does not take a message within this many seconds (a reader that
    /// stopped reading) is closed.
    #[arg(long, env = "BRANDGRAPH_WS_SEND_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_send_timeout_secs: u64,
}

impl Default for WebsocketConfig {
    fn default() -> Self {
        Self {
            ws_max_message_bytes: 64 * 1024,
            ws_keepalive_secs: 15,
            ws_idle_timeout_secs: 60,
            ws_send_timeout_secs: 10,
        }
    }
}

/// Public lead forms (`POST /forms/{formKey}`): what one submission may weigh and how
/// often a client address and a key may submit.
#[derive(Clone, Debug, clap::Args)]
pub struct FormConfig {
    /// Largest form submission accepted, in bytes (413 beyond).
    #[arg(long, env = "BRANDGRAPH_FORM_MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    pub form_max_body_bytes: usize,

    /// Submissions per minute one client address may send (to all forms together; also
    /// the burst). 0 turns the limit off.
    #[arg(long, env = "BRANDGRAPH_FORM_RATE_LIMIT_PER_IP", default_value_t = 20)]
    pub form_rate_limit_per_ip: u32,

    /// Submissions per minute one form key accepts from all addresses together (also the
    /// burst). 0 turns the limit off.
    #[arg(
        long,
        env = "BRANDGRAPH_FORM_RATE_LIMIT_PER_KEY",
        default_value_t = 600
    )]
    pub form_rate_limit_per_key: u32,
}

impl Default for FormConfig {
    fn default() -> Self {
        Self {
            form_max_body_bytes: 16 * 1024,
            form_rate_limit_per_ip: 20,
            form_rate_limit_per_key: 600,
        }
    }
}
