//! `brandgraph publish-worker`: claims due publish jobs through the gateway's worker API
//! and POSTs each to the endpoint configured for its platform (the seam where a real
//! platform API plugs in). Rate limits are enforced by the claim itself, so any number of
//! workers together stay within each platform's budget.
//!
//! The endpoint receives `POST` with `Authorization: Bearer <the connection's token>`,
//! `Idempotency-Key: <job key>` and `{jobId, idempotencyKey, title, body, mediaUrls,
//! metadata, recipients}` (an email job's recipients; empty for posts); it
//! answers 2xx with `{"id": "...", "url": "..."}`. 429, 5xx and network errors are
//! retried; other 4xx answers go to the dead-letter queue. On shutdown the worker finishes
//! the job in hand and releases the rest of its claim.

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

/// Where to publish and how to talk to the gateway.
#[derive(Clone)]
pub struct WorkerConfig {
    /// The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:8080/graphql`.
    pub gateway: String,
    /// A `service_role` token.
    pub token: SecretString,
    /// `(platform, endpoint URL)` pairs.
    pub platforms: Vec<(String, String)>,
    pub batch: i32,
    pub lease_seconds: i32,
    /// How long to wait when nothing was due.
    pub idle_poll: Duration,
    pub worker_id: String,
}

const CLAIM: &str = "mutation($platform: String!, $limit: Int!, $lease: Int!, $worker: String) {
  claimPublishJobs(platform: $platform, limit: $limit, leaseSeconds: $lease, workerId: $worker) {
    platform accessToken job { id idempotencyKey title body mediaUrls metadata }
    recipients { email name } } }";
const COMPLETE: &str = "mutation($id: ID!, $post: String!, $url: String) {
  completePublishJob(id: $id, platformPostId: $post, url: $url) { status } }";
const FAIL: &str = "mutation($id: ID!, $code: String!, $message: String!, $retryable: Boolean!) {
  failPublishJob(id: $id, code: $code, message: $message, retryable: $retryable) { status } }";
const RELEASE: &str = "mutation($id: ID!) { releasePublishJob(id: $id) { status } }";

struct Gateway {
    http: reqwest::Client,
    config: WorkerConfig,
}

impl Gateway {
    async fn call(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let response: Value = self
            .http
            .post(&self.config.gateway)
            .bearer_auth(self.config.token.expose_secret())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .context("calling the gateway")?
            .json()
            .await
            .context("reading the gateway's answer")?;
        if let Some(errors) = response.get("errors") {
            anyhow::bail!("the gateway refused: {errors}");
        }
        Ok(response["data"].clone())
    }
}

/// What the platform said about one publication.
enum Outcome {
    Published {
        id: String,
        url: Option<String>,
    },
    Failed {
        code: String,
        message: String,
        retryable: bool,
    },
}

async fn publish(http: &reqwest::Client, endpoint: &str, claimed: &Value) -> Outcome {
    let job = &claimed["job"];
    let key = job["idempotencyKey"].as_str().unwrap_or_default();
    let sent = http
        .post(endpoint)
        .bearer_auth(claimed["accessToken"].as_str().unwrap_or_default())
        .header("idempotency-key", key)
        .json(&json!({
            "jobId": job["id"], "idempotencyKey": key, "title": job["title"],
            "body": job["body"], "mediaUrls": job["mediaUrls"],
            "metadata": job["metadata"], "recipients": claimed["recipients"],
        }))
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(err) => {
            return Outcome::Failed {
                code: "NETWORK".into(),
                message: err.without_url().to_string(),
                retryable: true,
            };
        }
    };
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        let answer: Value = serde_json::from_str(&body).unwrap_or_default();
        return match answer["id"].as_str() {
            Some(id) => Outcome::Published {
                id: id.to_string(),
                url: answer["url"].as_str().map(String::from),
            },
            None => Outcome::Failed {
                code: "BAD_RESPONSE".into(),
                message: "the platform answered without a post id".into(),
                retryable: true,
            },
        };
    }
    Outcome::Failed {
        code: format!("HTTP_{}", status.as_u16()),
        message: body.chars().take(500).collect(),
        retryable: status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS,
    }
}

/// Runs until `shutdown` resolves.
pub async fn run(config: WorkerConfig, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let gateway = Gateway {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
        config,
    };
    tokio::pin!(shutdown);
    let mut stopping = false;
    while !stopping {
        let mut worked = false;
        for (platform, endpoint) in &gateway.config.platforms {
            if stopping {
                break;
            }
            let data = match gateway
                .call(
                    CLAIM,
                    json!({ "platform": platform, "limit": gateway.config.batch,
                            "lease": gateway.config.lease_seconds, "worker": gateway.config.worker_id }),
                )
                .await
            {
                Ok(data) => data,
                Err(err) => {
                    tracing::warn!(error = %err, platform, "claim failed");
                    continue;
                }
            };
            let claimed = data["claimPublishJobs"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            worked |= !claimed.is_empty();
            for job in &claimed {
                let id = job["job"]["id"].clone();
                if stopping {
                    if let Err(err) = gateway.call(RELEASE, json!({ "id": id })).await {
                        tracing::warn!(error = %err, "release failed; the lease will expire");
                    }
                    continue;
                }
                let outcome = tokio::select! {
                    outcome = publish(&gateway.http, endpoint, job) => outcome,
                    () = &mut shutdown => {
                        // Stopped mid-publication: what the platform did is unknown, so
                        // the lease is left to expire and the job is attempted again
                        // (the idempotency key lets the platform drop a duplicate).
                        stopping = true;
                        continue;
                    }
                };
                let result = match outcome {
                    Outcome::Published { id: post, url } => {
                        gateway
                            .call(COMPLETE, json!({ "id": id, "post": post, "url": url }))
                            .await
                    }
                    Outcome::Failed {
                        code,
                        message,
                        retryable,
                    } => {
                        tracing::info!(%code, retryable, "publication failed");
                        gateway
                            .call(FAIL, json!({ "id": id, "code": code, "message": message, "retryable": retryable }))
                            .await
                    }
                };
                if let Err(err) = result {
                    tracing::warn!(error = %err, "reporting the outcome failed; the lease will expire");
                }
            }
        }
        if !worked && !stopping {
            tokio::select! {
                () = tokio::time::sleep(gateway.config.idle_poll) => {}
                () = &mut shutdown => stopping = true,
            }
        }
    }
    Ok(())
}
