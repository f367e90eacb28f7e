//! Subscriptions executed once per audience.
//!
//! Websocket subscribers who sent the same operation (text, operation name, variables)
//! for a stream whose events every allowed viewer sees alike (one brand's approvals, say)
//! form an *audience*: one execution renders each event and serialises it once, and every
//! member's socket writes those same bytes. What stays per member: the access check when
//! it subscribes, its subscription budget, the end of its stream when its token expires or
//! it leaves the brand (its own execution does all that, and only that — see
//! `graphql::subscription::brand_events`).
//!
//! Nothing is lost or repeated: a member takes every rendered event after its own start,
//! in seq order (it joins only while the audience has rendered nothing past that start;
//! otherwise it streams privately from the start); when it falls behind the buffer, or
//! the audience's execution fails, it switches to a private execution resuming after the
//! last seq it delivered (the same replay-then-live path as a subscription with `after`).
//! Operations that name a cursor, and streams whose events depend on the viewer, are
//! executed privately from the start.
//!
//! Streams whose events read a row the way a query does (a lead, whose email only some
//! roles read) form one audience per role in the brand, rendered by a compiled plan
//! (`compile::EventPlan`): one SQL statement per event writes the whole `data` object, no
//! executor. A member whose role changes leaves for a private execution, as one that
//! falls behind does; an operation the compiler cannot plan is executed privately.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use async_graphql::{Data, Request, Response, Variables};
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, FuturesUnordered};
use futures_util::{FutureExt, Stream, StreamExt};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, broadcast, oneshot};
use uuid::Uuid;

use super::schema::AppSchema;
use crate::auth::Role;
use crate::compile::describe::EventRoot;
use crate::compile::{EventPlan, Outcome};
use crate::realtime::events::ChangeEvent;
use crate::realtime::hub::Hub;
use crate::realtime::stream::{StreamSpec, events};

/// What one operation of a socket sends: its own responses, or an audience's shared bytes.
pub enum Payload {
    Own(Box<Response>),
    /// A response serialised once for the whole audience.
    Shared(Arc<str>),
}

impl Payload {
    fn own(response: Response) -> Self {
        Self::Own(Box::new(response))
    }
}

/// An operation as the client sent it: equal operations may share one execution.
pub struct Operation {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    extensions: async_graphql::Extensions,
}

impl Operation {
    pub fn of(request: &Request) -> Self {
        Self {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            extensions: request.extensions.clone(),
        }
    }

    /// What equal operations share; computed only when a member joins an audience.
    fn key(&self) -> Arc<str> {
        let persisted = self
            .extensions
            .get("persistedQuery")
            .map(|value| value.to_string())
            .unwrap_or_default();
        let variables = serde_json::to_string(&self.variables).unwrap_or_default();
        [
            self.query.as_str(),
            self.operation_name.as_deref().unwrap_or(""),
            &variables,
            &persisted,
        ]
        .join("\u{0}")
        .into()
    }

    fn request(&self) -> Request {
        let mut request = Request::new(self.query.clone()).variables(self.variables.clone());
        request.operation_name = self.operation_name.clone();
        request.extensions = self.extensions.clone();
        request
    }
}

/// One rendered event, or the end of the audience's execution.
enum Rendered {
    Event { seq: i64, payload: Arc<str> },
    Ended,
}

struct Audience {
    sender: broadcast::Sender<Arc<Rendered>>,
    /// Seq of the last event rendered, or the position the execution starts after. Stored
    /// before the event is sent, so a member that reads it after subscribing has either
    /// received that event or starts after it.
    position: AtomicI64,
    ended: AtomicBool,
    task: tokio::task::AbortHandle,
    /// Where the audience is registered, to unregister it when its last member leaves.
    registry: Weak<Mutex<Registry>>,
    key: Arc<str>,
}

type Registry = HashMap<Arc<str>, Weak<Audience>>;

impl Drop for Audience {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(registry) = self.registry.upgrade() {
            let mut live = registry.lock().unwrap_or_else(|e| e.into_inner());
            // Unless a newer audience of the same operation took the entry.
            if live.get(&self.key).is_some_and(|a| a.strong_count() == 0) {
                live.remove(&self.key);
            }
        }
    }
}

/// The live audiences of this process, by operation.
#[derive(Clone)]
pub struct Audiences {
    live: Arc<Mutex<Registry>>,
    departures: Arc<AtomicU64>,
    compiled_events: Arc<AtomicU64>,
    buffer: usize,
    enabled: bool,
    /// Whether audiences of one role may be rendered by compiled plans.
    planned: bool,
}

impl Audiences {
    /// `buffer`: rendered events a member may fall behind before it goes private;
    /// `planned`: whether compiled plans render the audiences of one role
    /// (`BRANDGRAPH_COMPILED_QUERIES`).
    pub fn new(buffer: usize, enabled: bool, planned: bool) -> Self {
        Self {
            live: Arc::default(),
            departures: Arc::default(),
            compiled_events: Arc::default(),
            buffer: buffer.max(1),
            enabled,
            planned,
        }
    }

    /// Number of audiences with members (for tests and metrics).
    pub fn count(&self) -> usize {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.values().filter(|a| a.strong_count() > 0).count()
    }

    /// Members of all audiences (for tests: a member counts once it has joined).
    pub fn members(&self) -> usize {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.values()
            .filter_map(Weak::upgrade)
            .map(|audience| audience.sender.receiver_count())
            .sum()
    }

    /// Members that left their audience for a private execution (fell behind, or it ended).
    pub fn departures(&self) -> u64 {
        self.departures.load(Ordering::Relaxed)
    }

    /// Events rendered by compiled plans, one statement each.
    pub fn compiled_events(&self) -> u64 {
        self.compiled_events.load(Ordering::Relaxed)
    }

    /// The audience of `operation`, started (after `start_after`) if it has none: rendered
    /// by the executor, or with `planned` by a compiled plan for one role (`None` when the
    /// operation has no plan).
    fn join(
        &self,
        schema: &AppSchema,
        operation: &Operation,
        start_after: i64,
        planned: Option<PlannedRendering>,
    ) -> Option<Membership> {
        let mut key = operation.key();
        if let Some(planned) = &planned {
            key = format!("{key}\u{0}{}", planned.role.as_str()).into();
        }
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let existing = live.get(&key).and_then(Weak::upgrade);
        let audience = match &existing {
            Some(audience) if !audience.ended.load(Ordering::SeqCst) => audience.clone(),
            _ => {
                let renderer = match planned {
                    None => Renderer::Executor(schema.clone()),
                    Some(planned) => Renderer::Plan(Box::new(self.plan(operation, planned)?)),
                };
                let audience = self.start(operation, renderer, key.clone(), start_after);
                live.insert(key, Arc::downgrade(&audience));
                audience
            }
        };
        drop(live);
        // Outside the lock: dropping the last reference to an ended audience unregisters it.
        drop(existing);
        let rendered = audience.sender.subscribe();
        if audience.ended.load(Ordering::SeqCst) {
            return None;
        }
        // Events the audience rendered before this member subscribed never reach it: if
        // any of them come after the member's own start, it streams privately instead.
        let position = audience.position.load(Ordering::SeqCst);
        if position > start_after {
            return None;
        }
        let seen = start_after;
        Some(Membership {
            _audience: audience,
            rendered,
            seen,
        })
    }

    /// The compiled rendering of `operation` for `planned`'s role, if it has a plan.
    fn plan(&self, operation: &Operation, planned: PlannedRendering) -> Option<PlanRendering> {
        if !self.planned {
            return None;
        }
        let doc = async_graphql::parser::parse_query(&operation.query).ok()?;
        let plan =
            crate::compile::plan_event(&doc, operation.operation_name.as_deref(), planned.roots)
                .inspect_err(|why| tracing::debug!(why = why.0, "a subscription renders privately"))
                .ok()?;
        plan.accepts(&operation.variables).then(|| PlanRendering {
            plan,
            variables: operation.variables.clone(),
            planned,
        })
    }

    fn start(
        &self,
        operation: &Operation,
        renderer: Renderer,
        key: Arc<str>,
        start_after: i64,
    ) -> Arc<Audience> {
        let (sender, _) = broadcast::channel(self.buffer);
        let (ready, started) = oneshot::channel::<Arc<Audience>>();
        let task = match renderer {
            Renderer::Executor(schema) => {
                let current = Arc::new(AtomicI64::new(start_after));
                let feed = AudienceFeed {
                    after: start_after,
                    current: current.clone(),
                };
                let responses = schema.execute_stream(operation.request().data(feed));
                tokio::spawn(render(responses, current, started, sender.clone()))
            }
            Renderer::Plan(rendering) => {
                let rendered = self.compiled_events.clone();
                tokio::spawn(render_planned(
                    *rendering,
                    start_after,
                    started,
                    sender.clone(),
                    rendered,
                ))
            }
        };
        let audience = Arc::new(Audience {
            sender,
            position: AtomicI64::new(start_after),
            ended: AtomicBool::new(false),
            task: task.abort_handle(),
            registry: Arc::downgrade(&self.live),
            key,
        });
        // The task holds only a weak reference: the audience lives while it has members.
        let _ = ready.send(audience.clone());
        audience
    }
}

/// What renders an audience's events.
enum Renderer {
    /// The operation executed once for the whole audience.
    Executor(AppSchema),
    /// A compiled plan, one statement per event.
    Plan(Box<PlanRendering>),
}

/// What a resolver knows of an audience of one role that a compiled plan may render.
pub struct PlannedRendering {
    /// The subscription roots the compiler renders (the resolver's own).
    pub roots: &'static [EventRoot],
    pub brand: Uuid,
    /// The members' role in `brand` (the service role reads as an owner).
    pub role: Role,
    pub hub: Hub,
    /// The service's connection (the plan's own scope is `brand`).
    pub db: DatabaseConnection,
}

struct PlanRendering {
    plan: EventPlan,
    variables: Variables,
    planned: PlannedRendering,
}

/// A compiled audience's execution: the root's events of the brand after `start_after`,
/// each rendered by one statement and sent to every member.
async fn render_planned(
    rendering: PlanRendering,
    start_after: i64,
    started: oneshot::Receiver<Arc<Audience>>,
    sender: broadcast::Sender<Arc<Rendered>>,
    rendered_events: Arc<AtomicU64>,
) {
    let audience = match started.await {
        Ok(audience) => Arc::downgrade(&audience),
        Err(_) => return,
    };
    let PlanRendering {
        plan,
        variables,
        planned,
    } = rendering;
    let op = plan.root.op;
    let spec = StreamSpec {
        topic: plan.root.topic,
        brand: planned.brand,
        after: start_after,
        user: None,
        deadline: None,
        filter: Some(Box::new(move |event: &ChangeEvent| event.op == op)),
    };
    let mut stream = std::pin::pin!(events(planned.hub.clone(), planned.db.clone(), spec));
    while let Some(Ok(event)) = stream.next().await {
        let Some(audience) = audience.upgrade() else {
            return;
        };
        let rendered = plan
            .render(&variables, planned.brand, planned.role, &event, &planned.db)
            .await;
        let data = match rendered {
            Outcome::Data(data) => data,
            Outcome::Failed(err) => {
                tracing::warn!(error = %err, "a compiled subscription failed; its members render privately");
                break;
            }
            Outcome::Executor => break,
        };
        rendered_events.fetch_add(1, Ordering::Relaxed);
        let payload = crate::compile::response_text(&data);
        publish(&audience, &sender, event.seq, payload.into());
    }
    finish(&audience, &sender);
}

/// The audience's execution: each response is serialised once and sent to every member.
async fn render(
    mut responses: impl Stream<Item = Response> + Unpin,
    current: Arc<AtomicI64>,
    started: oneshot::Receiver<Arc<Audience>>,
    sender: broadcast::Sender<Arc<Rendered>>,
) {
    let audience = match started.await {
        Ok(audience) => Arc::downgrade(&audience),
        Err(_) => return,
    };
    while let Some(response) = responses.next().await {
        let Some(audience) = audience.upgrade() else {
            return;
        };
        if response.is_err() {
            break;
        }
        let Ok(payload) = serde_json::to_string(&response) else {
            break;
        };
        // The resolver's stream is pulled one event at a time (`then`), so `current`
        // is the seq of the event this response rendered.
        let seq = current.load(Ordering::SeqCst);
        publish(&audience, &sender, seq, payload.into());
    }
    finish(&audience, &sender);
}

/// Sends the rendered event `seq` to every member; its position is stored first, so a
/// member that reads it after subscribing has either received the event or starts after it.
fn publish(
    audience: &Audience,
    sender: &broadcast::Sender<Arc<Rendered>>,
    seq: i64,
    payload: Arc<str>,
) {
    audience.position.store(seq, Ordering::SeqCst);
    let _ = sender.send(Arc::new(Rendered::Event { seq, payload }));
}

/// Ends the audience's execution: its members go private from their last event.
fn finish(audience: &Weak<Audience>, sender: &broadcast::Sender<Arc<Rendered>>) {
    if let Some(audience) = audience.upgrade() {
        audience.ended.store(true, Ordering::SeqCst);
    }
    let _ = sender.send(Arc::new(Rendered::Ended));
}

/// In the audience's own request: the resolver renders these events for everyone,
/// without a viewer (each member was checked by its own execution).
#[derive(Clone)]
pub struct AudienceFeed {
    /// Render events after this seq.
    pub after: i64,
    current: Arc<AtomicI64>,
}

impl AudienceFeed {
    /// Records which event is being rendered.
    pub fn track(&self, event: &ChangeEvent) {
        self.current.store(event.seq, Ordering::SeqCst);
    }
}

/// In a member's request: lets the resolver, once it has admitted the member, join the
/// operation's audience instead of streaming the events itself.
pub struct AudienceTicket {
    schema: AppSchema,
    audiences: Audiences,
    operation: Arc<Operation>,
    joined: Mutex<Option<oneshot::Sender<Membership>>>,
    /// Notified when the member must leave its audience of one role (its role changed).
    departed: Arc<Notify>,
}

impl AudienceTicket {
    /// Joins the audience; `false` when the events must be streamed privately.
    pub fn join(&self, start_after: i64) -> bool {
        self.join_with(start_after, None)
    }

    /// Joins the audience of `planned`'s role, rendered by a compiled plan; `None` when
    /// the events must be streamed privately. Notifying the result makes the member leave
    /// for a private execution.
    pub fn join_planned(&self, start_after: i64, planned: PlannedRendering) -> Option<Arc<Notify>> {
        self.join_with(start_after, Some(planned))
            .then(|| self.departed.clone())
    }

    fn join_with(&self, start_after: i64, planned: Option<PlannedRendering>) -> bool {
        let Some(joined) = self.take() else {
            return false;
        };
        match self
            .audiences
            .join(&self.schema, &self.operation, start_after, planned)
        {
            Some(membership) => joined.send(membership).is_ok(),
            None => false,
        }
    }

    /// Takes the ticket's one use; dropping the result tells the member to stay private.
    fn take(&self) -> Option<oneshot::Sender<Membership>> {
        self.joined.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Tells the member its events come from its own execution.
    pub fn stay_private(&self) {
        self.take();
    }
}

/// In a member's replacement request after it left its audience: resume after this seq.
#[derive(Clone, Copy)]
pub struct ResumeAfter(pub i64);

struct Membership {
    _audience: Arc<Audience>,
    rendered: broadcast::Receiver<Arc<Rendered>>,
    /// Last seq delivered (or skipped as before the member joined).
    seen: i64,
}

enum Mode {
    /// The resolver has not yet said how the events come.
    Undecided(oneshot::Receiver<Membership>),
    Member(Membership, Ending),
    Private,
}

/// A member's own execution once it has joined: it only waits for the member's end, and
/// polling it beside every shared event cost more than the event itself. In a
/// `FuturesUnordered` it is polled only when it was woken; so is the wait for the member's
/// departure (its role changed), which is registered once, not per event.
struct Ending(FuturesUnordered<BoxFuture<'static, Woke>>);

/// What woke a member's [`Ending`].
enum Woke {
    /// The own execution's next response (`None`: it ended), and the rest of it.
    Own(Option<Box<Response>>, BoxStream<'static, Response>),
    Departed,
}

/// What a member's [`Ending`] says.
enum Own {
    Response(Box<Response>),
    Ended,
    /// The member must leave its audience (`AudienceTicket::join_planned`).
    Departed,
}

impl Ending {
    fn new(own: BoxStream<'static, Response>, departed: Arc<Notify>) -> Self {
        let ending = Self(FuturesUnordered::new());
        ending.watch(own);
        ending.0.push(Box::pin(async move {
            departed.notified().await;
            Woke::Departed
        }));
        ending
    }

    fn watch(&self, own: BoxStream<'static, Response>) {
        self.0
            .push(Box::pin(own.into_future().map(|(response, rest)| {
                Woke::Own(response.map(Box::new), rest)
            })));
    }

    async fn next(&mut self) -> Own {
        match self.0.next().await {
            Some(Woke::Own(Some(response), rest)) => {
                self.watch(rest);
                Own::Response(response)
            }
            Some(Woke::Own(None, _)) | None => Own::Ended,
            Some(Woke::Departed) => Own::Departed,
        }
    }
}

struct Member {
    schema: AppSchema,
    audiences: Audiences,
    session: Option<Arc<Data>>,
    /// Shared with the ticket: a member holds no copy of the operation's text.
    operation: Arc<Operation>,
    /// The member's own execution while it is not a member of an audience (as a member,
    /// its own execution carries only its end, see [`Ending`]).
    own: BoxStream<'static, Response>,
    mode: Mode,
    /// Shared with the ticket: notified when the member must leave its audience (watched
    /// by its [`Ending`]).
    departed: Arc<Notify>,
}

/// Executes one websocket operation: shared with its audience where possible.
pub fn execute(
    schema: &AppSchema,
    audiences: &Audiences,
    request: Request,
    session: Option<Arc<Data>>,
) -> BoxStream<'static, Payload> {
    if !audiences.enabled {
        return schema
            .execute_stream_with_session_data(request, session_or_empty(&session))
            .map(Payload::own)
            .boxed();
    }
    let operation = Arc::new(Operation::of(&request));
    let (joined, decided) = oneshot::channel();
    let departed = Arc::new(Notify::new());
    let ticket = AudienceTicket {
        schema: schema.clone(),
        audiences: audiences.clone(),
        operation: operation.clone(),
        joined: Mutex::new(Some(joined)),
        departed: departed.clone(),
    };
    let own = schema
        .execute_stream_with_session_data(request.data(ticket), session_or_empty(&session))
        .boxed();
    let member = Member {
        schema: schema.clone(),
        audiences: audiences.clone(),
        session,
        operation,
        own,
        mode: Mode::Undecided(decided),
        departed,
    };
    futures_util::stream::unfold(member, |mut member| async move {
        let payload = member.next().await?;
        Some((payload, member))
    })
    .boxed()
}

fn session_or_empty(session: &Option<Arc<Data>>) -> Arc<Data> {
    session.clone().unwrap_or_default()
}

impl Member {
    async fn next(&mut self) -> Option<Payload> {
        loop {
            match &mut self.mode {
                Mode::Private => {
                    return self.own.next().await.map(Payload::own);
                }
                Mode::Undecided(decided) => tokio::select! {
                    biased;
                    joined = decided => self.mode = match joined {
                        Ok(membership) => {
                            let own = std::mem::replace(&mut self.own, futures_util::stream::empty().boxed());
                            Mode::Member(membership, Ending::new(own, self.departed.clone()))
                        }
                        Err(_) => Mode::Private,
                    },
                    own = self.own.next() => return own.map(Payload::own),
                },
                Mode::Member(membership, own) => tokio::select! {
                    biased;
                    own = own.next() => match own {
                        Own::Response(response) => return Some(Payload::Own(response)),
                        Own::Ended => return None,
                        Own::Departed => {
                            let seen = membership.seen;
                            self.go_private(seen);
                        }
                    },
                    rendered = membership.rendered.recv() => match rendered.as_deref() {
                        Ok(Rendered::Event { seq, payload }) => {
                            if *seq > membership.seen {
                                membership.seen = *seq;
                                return Some(Payload::Shared(payload.clone()));
                            }
                        }
                        Ok(Rendered::Ended) | Err(RecvError::Lagged(_) | RecvError::Closed) => {
                            let seen = membership.seen;
                            self.go_private(seen);
                        }
                    },
                },
            }
        }
    }

    /// Leaves the audience: a private execution resumes after the last seq delivered.
    fn go_private(&mut self, seen: i64) {
        self.mode = Mode::Private;
        self.audiences.departures.fetch_add(1, Ordering::Relaxed);
        // The old execution (and the budget it holds) ends before the new one starts.
        self.own = futures_util::stream::empty().boxed();
        let request = self.operation.request().data(ResumeAfter(seen));
        self.own = self
            .schema
            .execute_stream_with_session_data(request, session_or_empty(&self.session))
            .boxed();
    }
}
