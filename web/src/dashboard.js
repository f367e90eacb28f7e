// The live dashboard: pick a brand, load its current state over HTTP, then keep every
// widget current over graphql-transport-ws. Each event stream remembers its last cursor;
// after a dropped connection it resubscribes with `after`, so nothing committed meanwhile
// is missed.
import { createClient } from 'graphql-ws';
import { DailyChart } from './dashboard/chart.js';
import { Feed } from './dashboard/feed.js';
import { escape, tag, time } from './dashboard/html.js';
import { MarketingPanel } from './dashboard/marketing.js';
import './dashboard.css';
import {
  APPROVALS_SUBSCRIPTION,
  BRANDS_QUERY,
  CAMPAIGNS_SUBSCRIPTION,
  CONTENT_SUBSCRIPTION,
  CONTENT_TITLE_QUERY,
  CURRENT_STATE_QUERY,
  DAILY_ANALYTICS_QUERY,
  JOBS_SUBSCRIPTION,
  LEAD_UPDATES_SUBSCRIPTION,
  LEADS_SUBSCRIPTION,
  PIPELINE_QUERY,
  SUMMARY_SUBSCRIPTION,
} from './documents.js';

const config = JSON.parse(document.getElementById('config').textContent);
const $ = (id) => document.getElementById(id);
const format = (n) => (n == null ? '–' : Number(n).toLocaleString('en-US'));
const STATUSES = ['DRAFT', 'PENDING_REVIEW', 'APPROVED', 'REJECTED', 'SCHEDULED', 'PUBLISHED'];
const WINDOW_DAYS = 30;

function token() {
  return sessionStorage.getItem('brandgraph.token') || config.token || '';
}

async function query(text, variables = {}) {
  const response = await fetch(config.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

let client;
let live = [];
let connected;
const status = $('status');
function setStatus(text, kind) {
  status.textContent = text;
  status.className = `status ${kind || ''}`;
}

function connect() {
  let ready;
  connected = new Promise((resolve) => (ready = resolve));
  client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config.subscriptionEndpoint}`,
    connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 10000))),
    on: {
      connected: () => {
        setStatus('live', 'live');
        ready();
      },
      closed: () => setStatus('reconnecting… (resumes from the last event)', 'down'),
    },
  });
}

// Subscribes and keeps subscribing: each (re)subscription passes the last cursor seen.
function stream(text, variables, onEvent) {
  let after = null;
  let stopped = false;
  (async () => {
    while (!stopped) {
      try {
        for await (const result of client.iterate({ query: text, variables: { ...variables, after } })) {
          if (stopped) return;
          if (result.errors) throw new Error(result.errors[0].message);
          const event = Object.values(result.data)[0];
          if (event.cursor) after = event.cursor;
          onEvent(event);
        }
      } catch (error) {
        console.warn('stream interrupted', error);
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return () => {
    stopped = true;
  };
}

// Holds events until the current state is on screen, then applies them one after
// another in the order they arrived (an update may await a lookup).
function gate() {
  let open;
  let tail = new Promise((resolve) => (open = resolve));
  return {
    push: (apply) => {
      tail = tail.then(apply).catch((error) => console.warn('event', error));
    },
    open: () => open(),
  };
}

function renderSummary(summary) {
  $('reach').textContent = format(summary.totals.reach);
  $('impressions').textContent = format(summary.totals.impressions);
  $('engagement').textContent = format(summary.totals.engagement);
  $('rows').textContent = format(summary.totals.rows);
  const max = Math.max(1, ...summary.byPlatform.map((p) => p.totals.reach || 0));
  $('platforms').innerHTML = summary.byPlatform
    .map(
      (p) => `<div class="bar" data-platform="${escape(p.platform)}"><span>${escape(p.platform)}</span>
        <div class="track"><div class="fill" style="width:${(100 * (p.totals.reach || 0)) / max}%"></div></div>
        <span class="value">${format(p.totals.reach)}</span></div>`,
    )
    .join('');
}

// The brand on screen: an answer for another one (the user switched meanwhile) is dropped.
let shown = null;

async function renderPipeline(brandId) {
  const data = await query(PIPELINE_QUERY, { id: brandId });
  if (brandId !== shown) return;
  $('pipeline').innerHTML = STATUSES.map(
    (s) => `<li data-status="${s}"><span>${s.replace('_', ' ').toLowerCase()}</span><b>${data.brand[s].totalCount}</b></li>`,
  ).join('');
}

const approvals = new Feed(
  $('approvals'),
  'No approvals pending.',
  (a) => `${tag(a.status)}${escape(a.title || 'approval round')} ${time(a.at)}`,
);
const jobs = new Feed(
  $('jobs'),
  'No publish jobs yet.',
  (j) => `${tag(j.status)}${escape(j.title || 'publish job')} · attempt ${j.attempt}${j.errorCode ? ` · ${escape(j.errorCode)}` : ''} ${time(j.at)}`,
);
const chart = new DailyChart($('chart'));
const marketing = new MarketingPanel(query, { campaigns: $('campaigns'), leads: $('leads') });
const titles = new Map();

async function contentTitle(postId) {
  if (!postId) return null;
  if (!titles.has(postId)) titles.set(postId, query(CONTENT_TITLE_QUERY, { id: postId }).then((d) => d.node?.title, () => null));
  return titles.get(postId);
}

async function renderCurrentState(brandId) {
  const { brand } = await query(CURRENT_STATE_QUERY, { id: brandId });
  if (brandId !== shown) return;
  approvals.reset(
    brand.approvals.edges.map(({ node }) => ({ id: node.id, status: node.status, title: node.post?.title, at: node.updatedAt })),
  );
  jobs.reset(
    brand.publishJobs.edges.map(({ node }) => ({
      id: node.id,
      status: node.status,
      attempt: node.attemptCount,
      errorCode: node.lastErrorCode,
      title: node.contentItem?.title,
      at: node.updatedAt,
    })),
  );
}

// The window of `analyticsSummary(days: 30)`: today and the 29 days before (UTC).
function windowDates() {
  const to = new Date();
  const from = new Date(to.getTime() - (WINDOW_DAYS - 1) * 86400000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

async function renderChart(brandId) {
  const { from, to } = windowDates();
  const { brand } = await query(DAILY_ANALYTICS_QUERY, { id: brandId, from, to });
  if (brandId !== shown) return;
  chart.render(brand.analytics.map((r) => ({ date: r.date, platform: r.platform, value: r.reach })), from, to);
}

async function showBrand(brandId) {
  shown = brandId;
  live.forEach((stop) => stop());
  live = [];
  const current = gate();
  let chartPending = null;
  // The summary moves whenever analytics are ingested: redraw the chart then (coalesced).
  const refreshChart = () => {
    chartPending ??= renderChart(brandId)
      .catch((error) => console.warn('chart', error))
      .finally(() => (chartPending = null));
  };
  let summaries = 0;
  // Subscribe first, then load the state: events that arrive meanwhile wait in `current`.
  live.push(
    stream(SUMMARY_SUBSCRIPTION, { b: brandId }, (summary) => {
      renderSummary(summary);
      if (summaries++ > 0) refreshChart();
    }),
    stream(APPROVALS_SUBSCRIPTION, { b: brandId }, (e) =>
      current.push(async () => {
        const title = approvals.get(e.approvalId)?.title ?? (await contentTitle(e.postId));
        approvals.upsert({ id: e.approvalId, status: e.status || e.op, title, at: e.occurredAt });
      }),
    ),
    stream(CONTENT_SUBSCRIPTION, { b: brandId }, () => current.push(() => renderPipeline(brandId))),
    stream(JOBS_SUBSCRIPTION, { b: brandId }, (e) =>
      current.push(() => {
        const title = jobs.get(e.publishJobId)?.title;
        jobs.upsert({ id: e.publishJobId, status: e.status || e.op, attempt: e.attempt, errorCode: e.errorCode, title, at: e.occurredAt });
      }),
    ),
    stream(LEADS_SUBSCRIPTION, { b: brandId }, (e) => current.push(() => marketing.captured(e))),
    stream(LEAD_UPDATES_SUBSCRIPTION, { b: brandId }, (e) => current.push(() => marketing.updated(e))),
    stream(CAMPAIGNS_SUBSCRIPTION, { b: brandId }, (e) => current.push(() => marketing.campaignChanged(e))),
  );
  await connected;
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the subscribe messages go out first
  await Promise.all([
    renderPipeline(brandId),
    renderCurrentState(brandId),
    renderChart(brandId),
    marketing.load(brandId, () => brandId === shown),
  ]);
  if (brandId === shown) current.open();
}

async function start() {
  if (!token()) {
    $('auth').hidden = false;
    setStatus('sign in', 'down');
    return;
  }
  connect();
  const data = await query(BRANDS_QUERY);
  const select = $('brand');
  select.innerHTML = data.brands.edges
    .map(({ node }) => `<option value="${escape(node.uuid)}">${escape(node.name)}</option>`)
    .join('');
  select.onchange = () => showBrand(select.value).catch((error) => setStatus(error.message, 'down'));
  if (select.value) await showBrand(select.value);
}

$('auth').onsubmit = (event) => {
  event.preventDefault();
  sessionStorage.setItem('brandgraph.token', $('token').value.trim());
  $('auth').hidden = true;
  start();
};

window.addEventListener('resize', () => chart.resize());
start().catch((error) => setStatus(error.message, 'down'));
