//! Real servers some tests need beside the shared PostgreSQL: a private primary with a
//! streaming replica made by `pg_basebackup -R`, and a PgBouncer in transaction pooling
//! in front of the shared server. Debian's binaries (`postgresql-15`, `pgbouncer`, which
//! `scripts/test.sh` installs); each server is started once per test run, in a temporary
//! directory on a free port, and stopped when the test process exits (a watchdog process
//! waits for it). Nothing is mocked.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

/// Where Debian keeps PostgreSQL 15's server programs.
fn pg_bin(program: &str) -> String {
    let dir = std::env::var("TEST_PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    format!("{dir}/{program}")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `program` run as the `postgres` user when we are root (PostgreSQL and PgBouncer refuse
/// to run as root).
fn as_postgres(program: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", program]);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// A fresh directory the `postgres` user owns, removed at exit.
fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "brandgraph-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    if is_root() {
        run(Command::new("chown").arg("postgres:postgres").arg(&dir));
    }
    dir
}

/// Runs `cleanup` (a shell command) once this test process has exited: a background shell
/// (detached, so nothing here waits for it) polls for this process.
fn at_exit(cleanup: String) {
    let script = format!(
        "(while kill -0 {} 2>/dev/null; do sleep 1; done; {cleanup}) >/dev/null 2>&1 &",
        std::process::id()
    );
    let started = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("start the watchdog");
    assert!(started.success(), "the watchdog did not start");
}

/// The shell words that run `program` as the `postgres` user.
fn as_postgres_shell(program: &str) -> String {
    if is_root() {
        format!("runuser -u postgres -- {program}")
    } else {
        program.to_string()
    }
}

/// One PostgreSQL server of the tests' own.
pub struct Postgres {
    pub port: u16,
    dir: PathBuf,
}

impl Postgres {
    /// Base URL (no database name).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn configure(&self, settings: &str) {
        let path = self.data().join("postgresql.conf");
        let mut conf = std::fs::read_to_string(&path).expect("postgresql.conf");
        conf.push_str(settings);
        std::fs::write(&path, conf).expect("write postgresql.conf");
    }

    /// Starts the server; when the port `free_port` chose was taken meanwhile by another
    /// test's connection, moves to another free port and starts again.
    fn start(&mut self) {
        let data = self.data();
        let log = self.dir.join("server.log");
        for _ in 0..5 {
            let mut pg_ctl = as_postgres(&pg_bin("pg_ctl"));
            pg_ctl
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "start"]);
            let started = pg_ctl.stdin(Stdio::null()).output().expect("pg_ctl");
            if started.status.success() {
                break;
            }
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                server_log.contains("Address already in use"),
                "{pg_ctl:?} failed:\n{}{}\n{server_log}",
                String::from_utf8_lossy(&started.stdout),
                String::from_utf8_lossy(&started.stderr)
            );
            self.port = free_port();
            self.configure(&format!("\nport = {}\n", self.port));
        }
        at_exit(format!(
            "{} -D {} stop -m immediate >/dev/null 2>&1; rm -rf {}",
            as_postgres_shell(&pg_bin("pg_ctl")),
            data.display(),
            self.dir.display()
        ));
    }

    /// Stops the server now (`-m fast`: open sessions are ended, as a crash or a
    /// failover would end them).
    pub fn stop(&self) {
        run(as_postgres(&pg_bin("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-m", "fast", "stop"]));
    }
}

/// A private primary (with a migrated template database) and its streaming replica.
pub struct Replicated {
    pub primary: Postgres,
    pub replica: Postgres,
    /// A migrated database on the primary to clone tests' databases from.
    pub template: String,
}

const TEMPLATE: &str = "bg_replicated_template";

/// The primary and replica shared by the tests of one run (started on first use; call
/// from `spawn_blocking`).
pub fn replicated() -> &'static Replicated {
    static SERVERS: OnceLock<Replicated> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let primary = start_primary();
        let replica = start_replica(&primary);
        Replicated {
            primary,
            replica,
            template: TEMPLATE.into(),
        }
    })
}

fn start_primary() -> Postgres {
    let mut server = Postgres {
        port: free_port(),
        dir: temp_dir("primary"),
    };
    run(as_postgres(&pg_bin("initdb"))
        .arg("-D")
        .arg(server.data())
        .args([
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]));
    server.configure(&format!(
        "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
         wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\nfsync = off\n\
         full_page_writes = off\nshared_buffers = 32MB\nmax_connections = 200\n",
        server.port,
        server.dir.display()
    ));
    server.start();
    // The template every test database is cloned from, migrated once.
    let url = server.url();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                crate::helpers::admin_exec_on(&url, &format!("CREATE DATABASE {TEMPLATE}")).await;
                let db = Database::connect(format!("{url}/{TEMPLATE}"))
                    .await
                    .expect("connect template");
                use migration::MigratorTrait;
                migration::Migrator::up(&db, None)
                    .await
                    .expect("migrate the replicated template");
                // Test gateways connect as the least-privileged login role, here as on the shared server.
                brandgraph::db::roles::ensure_login_role(
                    &db,
                    crate::helpers::GATEWAY_LOGIN,
                    crate::helpers::GATEWAY_PASSWORD,
                )
                .await
                .expect("create the gateway's login role");
                db.close().await.ok();
            });
    })
    .join()
    .expect("template");
    server
}

/// A new streaming replica of `primary` (`pg_basebackup -R`: it follows the primary as a
/// hot standby), started on its own port.
pub fn start_replica(primary: &Postgres) -> Postgres {
    let mut server = Postgres {
        port: free_port(),
        dir: temp_dir("replica"),
    };
    run(as_postgres(&pg_bin("pg_basebackup"))
        .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(primary.port.to_string())
        .arg("-D")
        .arg(server.data())
        .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"]));
    server.configure(&format!(
        "\nport = {}\nunix_socket_directories = '{}'\n",
        server.port,
        server.dir.display()
    ));
    server.start();
    server
}

/// Waits until `replica` has replayed everything `primary` has written so far.
pub async fn caught_up(primary: &Postgres, replica: &Postgres) {
    let lsn_of = |url: String, sql: &'static str| async move {
        let db = Database::connect(format!("{url}/postgres")).await.ok()?;
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .ok()??;
        let lsn: Option<String> = row.try_get_by_index(0).ok()?;
        db.close().await.ok();
        brandgraph::db::replicas::parse_lsn(&lsn?)
    };
    let target = lsn_of(primary.url(), "SELECT pg_current_wal_lsn()::text")
        .await
        .expect("the primary's position");
    for _ in 0..600 {
        let replayed = lsn_of(replica.url(), "SELECT pg_last_wal_replay_lsn()::text").await;
        if replayed.is_some_and(|replayed| replayed >= target) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica did not catch up with the primary within 30 s");
}

/// A PgBouncer in transaction pooling in front of the shared test server.
pub struct PgBouncer {
    pub port: u16,
}

impl PgBouncer {
    /// Base URL (no database name).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }
}

/// The PgBouncer shared by the tests of one run (started on first use; call from
/// `spawn_blocking`). Its pool is small on purpose (3 server connections per database):
/// the gateway's pool is bigger, so client connections are multiplexed over server
/// connections as they are in production.
pub fn pgbouncer() -> &'static PgBouncer {
    static BOUNCER: OnceLock<PgBouncer> = OnceLock::new();
    BOUNCER.get_or_init(|| {
        let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .find(|path| Path::new(path).exists())
            .expect(
                "pgbouncer is not installed: run scripts/test.sh (it installs Debian's pgbouncer)",
            );
        let server = crate::helpers::pg_server();
        let address = server.rsplit_once('@').map_or(server.as_str(), |(_, a)| a);
        let (host, port) = address.split_once(':').unwrap_or((address, "5432"));
        let dir = temp_dir("pgbouncer");
        let listen = free_port();
        std::fs::write(dir.join("users.txt"), "\"postgres\" \"\"\n").expect("users.txt");
        let ini = format!(
            "[databases]\n* = host={host} port={port}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {dir}/users.txt\nadmin_users = postgres\n\
             pool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 1000\n\
             ignore_startup_parameters = extra_float_digits\n\
             logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("pgbouncer.ini"), ini).expect("pgbouncer.ini");
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir));
        }
        run(as_postgres(binary).arg("-d").arg(dir.join("pgbouncer.ini")));
        at_exit(format!(
            "kill $(cat {dir}/pgbouncer.pid) 2>/dev/null; sleep 1; rm -rf {dir}",
            dir = dir.display()
        ));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", listen)).is_ok() {
                return PgBouncer { port: listen };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "pgbouncer did not start (see {}/pgbouncer.log)",
            dir.display()
        );
    })
}
