//! One direct connection before the pool is built, so a server that is down, refuses the
//! login or is misnamed is reported at once with its address, the cause and what to do
//! (the pool would retry for its whole timeout and report only that it timed out).
//!
//! The probe speaks without TLS. Where that could give a different answer than the pool
//! (a URL that requires TLS, a server that only accepts TLS connections), it reports
//! nothing and the pool decides.

use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::config::redact_url;

/// Longest wait for the TCP connection itself; loopback and LAN servers answer in
/// milliseconds, so a second means nobody answers.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest wait for the whole handshake (TCP, startup, authentication).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the probe learned.
#[derive(Debug)]
pub enum Probe {
    /// The server accepted the login to the database.
    Ready,
    /// The server answered but has no such database (`serve` and `migrate` create it).
    MissingDatabase,
    /// Nothing the probe can tell apart from what the pool will see; the pool decides.
    Inconclusive,
    /// The server cannot be used as configured.
    Failed(Failure),
}

/// Why the server cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// Nothing listens at the address.
    Refused,
    /// No answer within the connect timeout.
    NoAnswer,
    /// The host name does not resolve.
    UnknownHost,
    /// The server refused the login (wrong password, unknown role).
    Authentication(String),
    /// Any other failure to connect.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct Failure {
    /// `host:port` (or the socket directory) the probe tried.
    pub address: String,
    /// The connection URL without its password.
    pub url: String,
    pub cause: Cause,
}

impl Failure {
    /// Whether starting the machine's own PostgreSQL could help.
    pub fn is_down(&self) -> bool {
        matches!(self.cause, Cause::Refused | Cause::NoAnswer)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            address,
            url,
            cause,
            ..
        } = self;
        let remedy = "start it with `scripts/ensure-postgres.sh` (starts the machine's \
                      cluster, installing Debian's PostgreSQL if needed), or set DATABASE_URL \
                      to a server that runs";
        match cause {
            Cause::Refused => write!(
                f,
                "PostgreSQL is not running at {address} (connection refused; DATABASE_URL is \
                 {url}): {remedy}"
            ),
            Cause::NoAnswer => write!(
                f,
                "PostgreSQL at {address} does not answer (no connection within {} s; \
                 DATABASE_URL is {url}): check the address and the network, or {remedy}",
                CONNECT_TIMEOUT.as_secs()
            ),
            Cause::UnknownHost => write!(
                f,
                "the PostgreSQL host of {url} does not resolve ({address}): fix the host in \
                 DATABASE_URL"
            ),
            Cause::Authentication(message) => write!(
                f,
                "PostgreSQL at {address} refused the login ({message}; DATABASE_URL is \
                 {url}): set the user and password of an existing role in DATABASE_URL"
            ),
            Cause::Other(message) => write!(
                f,
                "cannot connect to PostgreSQL at {address} ({message}; DATABASE_URL is {url})"
            ),
        }
    }
}

impl std::error::Error for Failure {}

/// Connects once to `url` and classifies the outcome.
pub async fn probe(url: &str) -> Probe {
    let Ok(mut config) = tokio_postgres::Config::from_str(url) else {
        // A URL with options only the pool's driver knows: leave it to the pool.
        return Probe::Inconclusive;
    };
    if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
        return Probe::Inconclusive;
    }
    config.connect_timeout(CONNECT_TIMEOUT);
    let address = address_of(&config);
    let failed = |cause| {
        Probe::Failed(Failure {
            address: address.clone(),
            url: redact_url(url),
            cause,
        })
    };
    let connecting = config.connect(tokio_postgres::NoTls);
    let error = match tokio::time::timeout(HANDSHAKE_TIMEOUT, connecting).await {
        Err(_) => return failed(Cause::NoAnswer),
        Ok(Ok((client, connection))) => {
            drop(client);
            let _ = connection.await;
            return Probe::Ready;
        }
        Ok(Err(error)) => error,
    };
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        return if *code == SqlState::INVALID_CATALOG_NAME {
            Probe::MissingDatabase
        } else if *code == SqlState::INVALID_PASSWORD
            || (*code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                && !db.message().starts_with("no pg_hba.conf entry"))
        {
            failed(Cause::Authentication(db.message().to_string()))
        } else {
            // e.g. `no pg_hba.conf entry … no encryption`: over TLS the pool may get in.
            Probe::Inconclusive
        };
    }
    match io_error_of(&error) {
        Some(io) => failed(match io.kind() {
            std::io::ErrorKind::ConnectionRefused => Cause::Refused,
            std::io::ErrorKind::TimedOut => Cause::NoAnswer,
            std::io::ErrorKind::NotFound => Cause::Refused,
            _ if io.to_string().contains("failed to lookup address") => Cause::UnknownHost,
            _ => Cause::Other(io.to_string()),
        }),
        None if error.to_string().contains("timeout") => failed(Cause::NoAnswer),
        None => failed(Cause::Other(error.to_string())),
    }
}

fn io_error_of(error: &tokio_postgres::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

/// `host:port` of the first host the configuration names.
fn address_of(config: &tokio_postgres::Config) -> String {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) if host.contains(':') => {
            format!("[{host}]:{port}")
        }
        Some(tokio_postgres::config::Host::Tcp(host)) => format!("{host}:{port}"),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(dir)) => {
            format!("{}/.s.PGSQL.{port}", dir.display())
        }
        None => format!("localhost:{port}"),
    }
}

/// Whether `url` names a server on this machine (where `--demo` may start PostgreSQL).
pub fn is_local(url: &str) -> bool {
    let Ok(config) = tokio_postgres::Config::from_str(url) else {
        return false;
    };
    config.get_hosts().iter().all(|host| match host {
        tokio_postgres::config::Host::Tcp(name) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(_) => true,
    }) && !config.get_hosts().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(cause: Cause) -> String {
        Failure {
            address: "127.0.0.1:5432".into(),
            url: "postgres://app:***@127.0.0.1:5432/brandgraph".into(),
            cause,
        }
        .to_string()
    }

    #[test]
    fn every_message_names_the_address_and_a_remedy() {
        let refused = failure(Cause::Refused);
        assert!(refused.contains("127.0.0.1:5432"), "{refused}");
        assert!(refused.contains("connection refused"), "{refused}");
        assert!(refused.contains("scripts/ensure-postgres.sh"), "{refused}");
        assert!(refused.contains("DATABASE_URL"), "{refused}");
        let login = failure(Cause::Authentication(
            "password authentication failed for user \"app\"".into(),
        ));
        assert!(login.contains("password authentication failed"), "{login}");
        assert!(login.contains("127.0.0.1:5432"), "{login}");
    }

    #[test]
    fn only_loopback_hosts_are_local() {
        assert!(is_local("postgres://postgres@127.0.0.1:5432/x"));
        assert!(is_local("postgres://postgres@localhost/x"));
        assert!(is_local("postgres://postgres@[::1]:5432/x"));
        assert!(!is_local("postgres://postgres@db.example.com/x"));
        assert!(!is_local("postgres://postgres@10.0.0.5/x"));
    }
}
