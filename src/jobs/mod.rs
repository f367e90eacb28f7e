//! Work that runs beside serving requests. Everything here coordinates through
//! PostgreSQL only (leases, `SKIP LOCKED`), so any number of processes can run it.
//!
//! - [`publish_worker`]: the reference worker that publishes claimed jobs to platforms.
//! - [`rotate_secrets`]: re-seals every token under the current key.
//! - [`goal_status`]: settles goals whose deadline passed (started by the gateway).
//! - [`escalations`]: raises escalations of overdue approvals (started by the gateway).
//! - [`webhook_processor`]: processes inbound webhook deliveries (started by the gateway).
//!
//! (Change-event retention runs inside the realtime side: `realtime::retention`.)

pub mod escalations;
pub mod goal_status;
pub mod publish_worker;
pub mod rotate_secrets;
pub mod webhook_processor;
