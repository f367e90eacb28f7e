//! Starting this machine's PostgreSQL for `serve --demo`, the way
//! `scripts/ensure-postgres.sh` does: the script itself when it is at hand (it also
//! installs Debian's packages when there are none), else the same `pg_ctlcluster` step.
//! Never used outside `--demo` or for a server on another host.

use std::path::Path;
use std::time::Duration;

use tokio::process::Command;

use super::probe::{Probe, probe};

const SCRIPT: &str = "scripts/ensure-postgres.sh";
/// How long a started cluster may take to accept connections.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Starts the machine's cluster and waits until `url`'s server answers.
pub async fn start(url: &str) -> anyhow::Result<()> {
    if Path::new(SCRIPT).is_file() {
        tracing::info!("running {SCRIPT}");
        run(Command::new("bash").arg(SCRIPT)).await?;
    } else {
        let version = newest_cluster_version()?;
        tracing::info!(%version, "starting the machine's PostgreSQL cluster");
        run(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            &version,
            "main",
            "start",
        ]))
        .await?;
    }
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    loop {
        match probe(url).await {
            Probe::Failed(failure) if failure.is_down() => {
                if tokio::time::Instant::now() >= deadline {
                    anyhow::bail!("it was started but does not answer: {failure}");
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            _ => return Ok(()),
        }
    }
}

async fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .await
        .map_err(|err| anyhow::anyhow!("cannot run {command:?}: {err}"))?;
    anyhow::ensure!(status.success(), "{command:?} failed ({status})");
    Ok(())
}

/// The newest version under `/etc/postgresql` (Debian's layout of clusters).
fn newest_cluster_version() -> anyhow::Result<String> {
    let versions = std::fs::read_dir("/etc/postgresql").map_err(|_| {
        anyhow::anyhow!(
            "PostgreSQL is not installed (no /etc/postgresql): run {SCRIPT} from the \
             repository, or `apt-get install postgresql`"
        )
    })?;
    versions
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some((name.parse::<f64>().ok()?, name)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
        .ok_or_else(|| anyhow::anyhow!("no PostgreSQL cluster under /etc/postgresql"))
}
