//! One subscriber's event stream: replay from its cursor, then live, lossless.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::Stream;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::Notify;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use uuid::Uuid;

use super::events::{COLUMNS, ChangeEvent, Topic};
use super::hub::Hub;
use super::membership::{Change, MembershipWatch};
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};

const REPLAY_PAGE: i64 = 500;

/// Keeps only the events a subscriber asked for.
pub type EventFilter = Box<dyn Fn(&ChangeEvent) -> bool + Send + Sync>;

/// What a subscriber wants.
pub struct StreamSpec {
    pub topic: Topic,
    pub brand: Uuid,
    /// Deliver events with a seq above this.
    pub after: i64,
    /// The subscribing user: their removal from the brand ends the stream.
    pub user: Option<Uuid>,
    /// When the subscriber's token expires.
    pub deadline: Option<Instant>,
    /// Only events for which this holds (e.g. one platform).
    pub filter: Option<EventFilter>,
}

struct State {
    hub: Hub,
    db: DatabaseConnection,
    spec: StreamSpec,
    events: broadcast::Receiver<Arc<ChangeEvent>>,
    membership: MembershipWatch,
    /// Highest seq queued or delivered.
    seen: i64,
    queue: VecDeque<Arc<ChangeEvent>>,
    catch_up: bool,
    done: bool,
}

/// Events of `spec.topic` for `spec.brand` after `spec.after`, in seq order, each once.
/// Ends with `UNAUTHENTICATED` when the token expires and with `NOT_FOUND` when the user
/// leaves the brand.
pub fn events(
    hub: Hub,
    db: DatabaseConnection,
    spec: StreamSpec,
) -> impl Stream<Item = ApiResult<Arc<ChangeEvent>>> + Send {
    // Subscribe before reading the watermark, so nothing published from now on is missed.
    let events = hub.subscribe(spec.topic, spec.brand);
    let membership = MembershipWatch::new(&hub, db.clone(), spec.brand, spec.user);
    let state = State {
        hub,
        db,
        seen: spec.after,
        spec,
        events,
        membership,
        queue: VecDeque::new(),
        catch_up: true,
        done: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
}

/// For a subscriber whose events are rendered by its audience (`graphql::audience`): only
/// how its stream ends, with `UNAUTHENTICATED` at `deadline` or `NOT_FOUND` when `user`
/// leaves the brand. With `role`, an audience of that role's subscribers: when the user's
/// role changes, `departed` is notified (the subscriber renders privately from then on)
/// and the stream stays pending.
pub fn ending(
    hub: &Hub,
    db: DatabaseConnection,
    brand: Uuid,
    user: Option<Uuid>,
    deadline: Instant,
    role: Option<(Role, Arc<Notify>)>,
) -> impl Stream<Item = ApiResult<Arc<ChangeEvent>>> + Send + use<> {
    let mut membership = MembershipWatch::new(hub, db, brand, user);
    futures_util::stream::once(async move {
        let (watched, departed) = role.unzip();
        let changed = async {
            match membership.changed_from(watched).await {
                Change::Revoked(ended) => ended,
                Change::Role => {
                    if let Some(departed) = departed {
                        departed.notify_one();
                    }
                    std::future::pending().await
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => Err(ApiError::unauthenticated("token expired")),
            ended = changed => Err(ended),
        }
    })
}

impl State {
    async fn next(&mut self) -> Option<ApiResult<Arc<ChangeEvent>>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(event) = self.queue.pop_front() {
                if self.spec.filter.as_ref().is_none_or(|keep| keep(&event)) {
                    return Some(Ok(event));
                }
                continue;
            }
            if self.catch_up {
                self.catch_up = false;
                if let Err(err) = self.replay().await {
                    self.done = true;
                    return Some(Err(err));
                }
                continue;
            }
            if let Some(ended) = self.wait().await {
                self.done = true;
                return ended;
            }
        }
    }

    /// Waits for the next live event, lag, membership change or expiry. `Some(..)` ends
    /// the stream with that last item.
    async fn wait(&mut self) -> Option<Option<ApiResult<Arc<ChangeEvent>>>> {
        let deadline = self.spec.deadline;
        let expired = async move {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = expired => Some(Some(Err(ApiError::unauthenticated("token expired")))),
            received = self.events.recv() => match received {
                Ok(event) => {
                    if event.seq > self.seen {
                        self.seen = event.seq;
                        self.queue.push_back(event);
                    }
                    None
                }
                Err(RecvError::Lagged(_)) => {
                    self.hub.stats().lagged.fetch_add(1, Ordering::Relaxed);
                    self.catch_up = true;
                    None
                }
                Err(RecvError::Closed) => Some(None),
            },
            ended = self.membership.revoked() => Some(Some(Err(ended))),
        }
    }

    /// Reads `(seen, watermark)` from `change_events` into the queue.
    async fn replay(&mut self) -> ApiResult<()> {
        let until = self.hub.watermark();
        loop {
            if self.seen + 1 >= until {
                return Ok(());
            }
            let statement = Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT {COLUMNS} FROM change_events
                      WHERE topic = $1 AND brand_id = $2 AND seq > $3 AND seq < $4
                      ORDER BY seq LIMIT {REPLAY_PAGE}"
                ),
                [
                    self.spec.topic.as_str().into(),
                    self.spec.brand.into(),
                    self.seen.into(),
                    until.into(),
                ],
            );
            let rows = self.db.query_all_raw(statement).await?;
            let full_page = rows.len() as i64 == REPLAY_PAGE;
            for row in &rows {
                if let Some(event) = ChangeEvent::from_query_result(row)? {
                    self.hub.stats().replayed.fetch_add(1, Ordering::Relaxed);
                    self.seen = event.seq;
                    self.queue.push_back(Arc::new(event));
                }
            }
            if !full_page {
                self.seen = self.seen.max(until - 1);
                return Ok(());
            }
        }
    }
}
