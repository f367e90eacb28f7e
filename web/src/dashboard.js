// The live dashboard: pick a brand, then widgets kept current over graphql-transport-ws.
// Each event stream remembers its last cursor; after a dropped connection it resubscribes
// with `after`, so nothing committed meanwhile is missed.
import { createClient } from 'graphql-ws';
import './dashboard.css';
import { DOCUMENTS, STATUSES } from './documents.js';

const config = JSON.parse(document.getElementById('config').textContent);
const $ = (id) => document.getElementById(id);
const format = (n) => (n == null ? '–' : Number(n).toLocaleString('en-US'));

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
const status = $('status');
function setStatus(text, kind) {
  status.textContent = text;
  status.className = `status ${kind || ''}`;
}

function connect() {
  client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config.subscriptionEndpoint}`,
    connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 10000))),
    on: {
      connected: () => setStatus('live', 'live'),
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

function renderSummary(summary) {
  $('reach').textContent = format(summary.totals.reach);
  $('impressions').textContent = format(summary.totals.impressions);
  $('engagement').textContent = format(summary.totals.engagement);
  $('rows').textContent = format(summary.totals.rows);
  const max = Math.max(1, ...summary.byPlatform.map((p) => p.totals.reach || 0));
  $('platforms').innerHTML = summary.byPlatform
    .map(
      (p) => `<div class="bar" data-platform="${p.platform}"><span>${p.platform}</span>
        <div class="track"><div class="fill" style="width:${(100 * (p.totals.reach || 0)) / max}%"></div></div>
        <span class="value">${format(p.totals.reach)}</span></div>`,
    )
    .join('');
}

async function renderPipeline(brandId) {
  const data = await query(DOCUMENTS.pipeline, { id: brandId });
  $('pipeline').innerHTML = STATUSES.map(
    (s) => `<li data-status="${s}"><span>${s.replace('_', ' ').toLowerCase()}</span><b>${data.brand[s].totalCount}</b></li>`,
  ).join('');
}

function prepend(list, html) {
  const el = $(list);
  el.querySelector('.empty')?.remove();
  const li = document.createElement('li');
  li.className = 'fresh';
  li.innerHTML = html;
  el.prepend(li);
  while (el.children.length > 50) el.lastChild.remove();
}

const time = (t) => `<time>${new Date(t).toLocaleTimeString()}</time>`;

async function showBrand(brandId) {
  live.forEach((stop) => stop());
  live = [];
  $('approvals').innerHTML = '<li class="empty">Waiting for approvals…</li>';
  $('jobs').innerHTML = '<li class="empty">No publish job activity yet.</li>';
  await renderPipeline(brandId);
  live.push(
    stream(
      DOCUMENTS.summary,
      { b: brandId },
      renderSummary,
    ),
    stream(
      DOCUMENTS.approvals,
      { b: brandId },
      (e) => prepend('approvals', `<span class="tag ${e.status}">${e.status}</span>approval ${e.op.toLowerCase()}d ${time(e.occurredAt)}`),
    ),
    stream(
      DOCUMENTS.contentStatus,
      { b: brandId },
      () => renderPipeline(brandId),
    ),
    stream(
      DOCUMENTS.jobs,
      { b: brandId },
      (e) => prepend('jobs', `<span class="tag ${e.status}">${e.status}</span>attempt ${e.attempt}${e.errorCode ? ` · ${e.errorCode}` : ''} ${time(e.occurredAt)}`),
    ),
  );
}

async function start() {
  if (!token()) {
    $('auth').hidden = false;
    setStatus('sign in', 'down');
    return;
  }
  connect();
  const data = await query(DOCUMENTS.brands);
  const select = $('brand');
  select.innerHTML = data.brands.edges
    .map(({ node }) => `<option value="${node.uuid}">${node.name}</option>`)
    .join('');
  select.onchange = () => showBrand(select.value);
  if (select.value) await showBrand(select.value);
}

$('auth').onsubmit = (event) => {
  event.preventDefault();
  sessionStorage.setItem('brandgraph.token', $('token').value.trim());
  $('auth').hidden = true;
  start();
};

start().catch((error) => setStatus(error.message, 'down'));
