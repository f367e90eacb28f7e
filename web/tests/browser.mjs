// Drives Debian's Chromium (playwright-core) against a running gateway:
//   node web/tests/browser.mjs <base url> <token> <brand uuid> <expected json> <screenshot dir>
// Prints one JSON line with what it measured; exits 1 on the first failed check.
import { chromium } from 'playwright-core';

const [base, token, brand, expectedJson, shots] = process.argv.slice(2);
const expected = JSON.parse(expectedJson);
const report = {};
const fail = (message) => {
  console.log(JSON.stringify({ ok: false, message, report }));
  process.exit(1);
};

async function graphql(query, variables) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}
const CREATE = `mutation($b: ID!, $t: String!) { createContentItem(input: { brandId: $b, type: "post", title: $t, content: {} }) { uuid } }`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const external = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !['127.0.0.1', 'localhost'].includes(url.hostname)) {
      external.push(request.url());
    }
  });

  const refused = [];
  page.on('response', (response) => {
    if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
  });

  // GraphiQL: loads from the gateway alone (its introspection included), runs its default query.
  let started = Date.now();
  await page.goto(`${base}/graphql`);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15000 });
  report.graphiqlFirstRenderMs = Date.now() - started;
  await page.waitForLoadState('networkidle');
  // The visible CodeMirror inside `selector` (the tools pane holds variables and headers).
  const setEditor = (selector, text) =>
    page.evaluate(([s, v]) => {
      const editor = [...document.querySelectorAll(`${s} .CodeMirror`)].find(
        (e) => !e.closest('.graphiql-editor')?.classList.contains('hidden'),
      );
      editor.CodeMirror.setValue(v);
    }, [selector, text]);
  // The token goes in the headers pane, as a developer would paste it.
  await page.getByText('Headers', { exact: true }).click();
  await setEditor('.graphiql-editor-tool', JSON.stringify({ Authorization: `Bearer ${token}` }));
  // The result pane's full text (CodeMirror renders only the visible lines).
  const result = () => page.evaluate(() => document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() || '');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => (document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() || '').includes('"totalCount"'),
    null,
    { timeout: 15000 },
  );
  report.graphiqlQuery = (await result()).includes('Aurora Coffee');
  if (refused.length) fail(`GraphiQL's requests were refused: ${refused.join(', ')}`);
  if (!report.graphiqlQuery) fail('the default query did not show the demo brands');
  await page.screenshot({ path: `${shots}/graphiql.png` });

  // A subscription in GraphiQL shows an event after a mutation over HTTP.
  await setEditor('.graphiql-query-editor', `subscription { contentStatusChanged(brandId: "${brand}") { cursor status } }`);
  await page.click('.graphiql-execute-button');
  await page.waitForTimeout(300); // no signal for "the server registered it"; the event below proves it
  await graphql(CREATE, { b: brand, t: 'From the browser test' });
  await page.waitForFunction(
    () => (document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() || '').includes('DRAFT'),
    null,
    { timeout: 10000 },
  );
  report.graphiqlSubscription = true;
  await page.click('.graphiql-execute-button'); // stop

  // The dashboard: token pasted once, numbers equal the SQL reference.
  const dash = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  dash.on('request', (request) => {
    const url = new URL(request.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !['127.0.0.1', 'localhost'].includes(url.hostname)) {
      external.push(request.url());
    }
  });
  const logs = [];
  dash.on('console', (m) => logs.push(m.text()));
  dash.on('pageerror', (e) => logs.push(e.message));
  started = Date.now();
  await dash.goto(`${base}/dashboard`);
  await dash.fill('#token', token);
  await dash.click('#auth button');
  await dash
    .waitForFunction(() => document.querySelector('[data-testid=reach]').textContent !== '–', null, { timeout: 15000 })
    .catch(async () => fail(`the dashboard showed no numbers (status: ${await dash.textContent('[data-testid=status]')}; ${logs.join(' | ')})`));
  await dash.waitForFunction((b) => document.getElementById('brand').value === b, brand, { timeout: 5000 }).catch(() => {});
  await dash.selectOption('#brand', brand);
  await dash.waitForFunction(
    (want) => document.querySelector('[data-testid=reach]').textContent === want,
    Number(expected.reach).toLocaleString('en-US'),
    { timeout: 15000 },
  ).catch(async () => fail(`reach shown ${await dash.textContent('[data-testid=reach]')}, SQL says ${expected.reach}`));
  report.dashboardFirstNumbersMs = Date.now() - started;
  report.reach = await dash.textContent('[data-testid=reach]');
  report.rows = await dash.textContent('[data-testid=rows]');
  if (report.rows !== Number(expected.rows).toLocaleString('en-US')) fail(`rows shown ${report.rows}, SQL says ${expected.rows}`);
  await dash.waitForSelector('[data-status=DRAFT] b');
  const drafts = Number(await dash.textContent('[data-status=DRAFT] b'));
  const sent = Date.now();
  await graphql(CREATE, { b: brand, t: 'Live on the dashboard' });
  await dash
    .waitForFunction((n) => Number(document.querySelector('[data-status=DRAFT] b').textContent) === n, drafts + 1, { timeout: 1000 })
    .catch(() => fail('the pipeline widget did not update within a second'));
  report.widgetUpdateMs = Date.now() - sent;

  // The present on load: the pending approvals and publish jobs that existed before the page opened.
  const listed = (list) => dash.$$eval(`#${list} li[data-id]`, (rows) => rows.map((r) => r.dataset.id));
  const sameSet = (a, b) => a.length === b.length && a.every((id) => b.includes(id));
  await dash
    .waitForFunction((n) => document.querySelectorAll('#approvals li[data-id]').length >= n, expected.pendingApprovals.length, { timeout: 5000 })
    .catch(() => {});
  report.approvalsOnLoad = await listed('approvals');
  if (!sameSet(report.approvalsOnLoad, expected.pendingApprovals.map((a) => a.id))) {
    fail(`approvals shown ${JSON.stringify(report.approvalsOnLoad)}, pending in SQL ${JSON.stringify(expected.pendingApprovals)} (${logs.join(' | ')})`);
  }
  report.jobsOnLoad = await listed('jobs');
  if (!sameSet(report.jobsOnLoad, expected.jobs)) fail(`jobs shown ${JSON.stringify(report.jobsOnLoad)}, SQL has ${JSON.stringify(expected.jobs)}`);

  // A live event about a listed row updates that row; it does not add a second one.
  const [approval] = expected.pendingApprovals;
  await graphql(`mutation($id: ID!) { approvePost(id: $id) { status } }`, { id: approval.postId });
  await dash
    .waitForFunction((id) => document.querySelector(`#approvals li[data-id="${id}"] .tag`)?.textContent === 'APPROVED', approval.id, { timeout: 5000 })
    .catch(() => fail('the approval row did not follow approvePost'));
  const approvalsAfter = await listed('approvals');
  if (approvalsAfter.length !== report.approvalsOnLoad.length || approvalsAfter[0] !== approval.id) {
    fail(`after approvePost the list is ${JSON.stringify(approvalsAfter)} (a duplicate or a lost row)`);
  }
  const [job] = expected.jobs;
  await graphql(`mutation($id: ID!) { cancelPublishJob(id: $id) { status } }`, { id: job });
  await dash
    .waitForFunction((id) => document.querySelector(`#jobs li[data-id="${id}"] .tag`)?.textContent === 'CANCELLED', job, { timeout: 5000 })
    .catch(() => fail('the publish job row did not follow cancelPublishJob'));
  const jobsAfter = await listed('jobs');
  if (jobsAfter.length !== report.jobsOnLoad.length) fail(`after cancelPublishJob the list is ${JSON.stringify(jobsAfter)}`);

  // The daily chart draws the window's reach and moves when analytics are ingested.
  await dash.waitForSelector('[data-testid=chart] canvas', { timeout: 5000 }).catch(() => fail('no chart'));
  const chartState = () =>
    dash.evaluate(() => {
      const chart = document.querySelector('[data-testid=chart]');
      return { total: Number(chart.dataset.total), platforms: chart.dataset.platforms, pixels: chart.querySelector('canvas').toDataURL() };
    });
  const before = await chartState();
  report.chartTotal = before.total;
  report.chartPlatforms = before.platforms;
  if (before.total !== Number(expected.reach)) fail(`the chart sums to ${before.total}, SQL says ${expected.reach}`);
  const added = 4321;
  const today = new Date().toISOString().slice(0, 10);
  const ingest = await graphql(
    `mutation($b: ID!, $rows: [AnalyticsRowInput!]!) { ingestAnalytics(brandId: $b, rows: $rows) { written } }`,
    { b: brand, rows: [{ platform: 'instagram', postId: 'browser-test', date: today, metrics: { reach: added } }] },
  );
  if (ingest.data?.ingestAnalytics?.written !== 1) fail(`ingestAnalytics answered ${JSON.stringify(ingest)}`);
  const ingested = Date.now();
  await dash
    .waitForFunction((want) => Number(document.querySelector('[data-testid=chart]').dataset.total) === want, before.total + added, { timeout: 5000 })
    .catch(async () => fail(`the chart did not move after ingestAnalytics (total ${(await chartState()).total})`));
  report.chartUpdateMs = Date.now() - ingested;
  if ((await chartState()).pixels === before.pixels) fail('the chart total moved but the canvas did not change');

  // The favicon the page links is served by the gateway.
  report.favicon = await dash.evaluate(async () => {
    const response = await fetch(document.querySelector('link[rel=icon]').href);
    return { status: response.status, type: response.headers.get('content-type') };
  });
  if (report.favicon.status !== 200 || report.favicon.type !== 'image/svg+xml') fail(`favicon: ${JSON.stringify(report.favicon)}`);

  report.status = await dash.textContent('[data-testid=status]');
  await dash.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

  report.externalRequests = external;
  if (external.length) fail(`requests left localhost: ${external.join(', ')}`);
  console.log(JSON.stringify({ ok: true, report }));
} finally {
  await browser.close();
}
