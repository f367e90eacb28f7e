//! The worker API: what a process that talks to the platforms calls (service role
//! only). `claimPublishJobs` is the one place an access token leaves the gateway.

use std::time::Duration;

use async_graphql::{Context, ID, Object, SimpleObject};
use secrecy::ExposeSecret;

use super::Publishing;
use super::types::PublishJob;
use crate::domain::publishing::worker;
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{RequestContext, write};
use crate::graphql::ids::{NodeKind, decode_as};

/// A job handed to a worker, with what it needs to publish.
#[derive(SimpleObject)]
pub struct ClaimedPublishJob {
    /// The job (now `PROCESSING`, leased to the caller).
    pub job: PublishJob,
    /// The connector platform.
    pub platform: String,
    /// The connection's OAuth access token, decrypted for this call only.
    pub access_token: String,
    /// For an email campaign's job: the subscribed contacts to send it to, in address
    /// order (empty for other jobs). Unsubscribed, bounced and complaining contacts are
    /// never here.
    pub recipients: Vec<EmailRecipient>,
}

/// One address an email job goes to.
#[derive(SimpleObject)]
pub struct EmailRecipient {
    /// Database id of the contact (webhook events name it by address).
    pub contact_id: uuid::Uuid,
    /// The address.
    pub email: String,
    /// The person's name.
    pub name: Option<String>,
}

#[derive(Default)]
pub struct WorkerMutation;

#[Object]
impl WorkerMutation {
    /// Claims up to `limit` due jobs of `platform` for `leaseSeconds`, within each
    /// tenant's rate limit for that platform. A job whose lease runs out is due again.
    async fn claim_publish_jobs(
        &self,
        ctx: &Context<'_>,
        platform: String,
        #[graphql(default = 10)] limit: i32,
        #[graphql(default = 60)] lease_seconds: i32,
        #[graphql(desc = "Names the worker in logs and audit rows.")] worker_id: Option<String>,
    ) -> ApiResult<Vec<ClaimedPublishJob>> {
        if !(5..=3600).contains(&lease_seconds) {
            return Err(ApiError::bad_input(
                "leaseSeconds",
                "leaseSeconds must be 5 to 3600",
            ));
        }
        let keyring = ctx.data::<Publishing>()?.keyring();
        let worker_id = worker_id.unwrap_or_else(|| "worker".into());
        let claimed = write(ctx, async |txn| {
            worker::claim(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                keyring,
                &platform,
                limit,
                Duration::from_secs(lease_seconds as u64),
                &worker_id,
            )
            .await
        })
        .await?;
        Ok(claimed
            .into_iter()
            .map(|claimed| ClaimedPublishJob {
                job: PublishJob(claimed.job),
                platform: claimed.platform,
                access_token: claimed.access_token.expose_secret().to_string(),
                recipients: claimed
                    .recipients
                    .into_iter()
                    .map(|r| EmailRecipient {
                        contact_id: r.contact_id,
                        email: r.email,
                        name: r.name,
                    })
                    .collect(),
            })
            .collect())
    }

    /// Records that a claimed job was published. Repeating the call is harmless.
    async fn complete_publish_job(
        &self,
        ctx: &Context<'_>,
        id: ID,
        platform_post_id: String,
        url: Option<String>,
    ) -> ApiResult<PublishJob> {
        let id = decode_as(NodeKind::PublishJob, &id)?;
        let job = write(ctx, async |txn| {
            worker::complete(txn, ctx.viewer()?, ctx.audit()?, id, platform_post_id, url).await
        })
        .await?;
        Ok(PublishJob(job))
    }

    /// Records a failed attempt: retried later with backoff when `retryable` and attempts
    /// remain, otherwise moved to the dead-letter queue.
    async fn fail_publish_job(
        &self,
        ctx: &Context<'_>,
        id: ID,
        code: String,
        message: String,
        retryable: bool,
    ) -> ApiResult<PublishJob> {
        let id = decode_as(NodeKind::PublishJob, &id)?;
        let policy = ctx.data::<Publishing>()?.retry;
        let job = write(ctx, async |txn| {
            worker::fail(
                txn,
                ctx.viewer()?,
                ctx.audit()?,
                policy,
                id,
                code,
                message,
                retryable,
            )
            .await
        })
        .await?;
        Ok(PublishJob(job))
    }

    /// Gives a claimed job back without attempting it (a worker shutting down).
    async fn release_publish_job(&self, ctx: &Context<'_>, id: ID) -> ApiResult<PublishJob> {
        let id = decode_as(NodeKind::PublishJob, &id)?;
        let job = write(ctx, async |txn| {
            worker::release(txn, ctx.viewer()?, ctx.audit()?, id).await
        })
        .await?;
        Ok(PublishJob(job))
    }
}
