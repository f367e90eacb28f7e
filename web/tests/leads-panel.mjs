// The dashboard's campaigns and leads panel in Debian's Chromium (playwright-core):
//   node web/tests/leads-panel.mjs <base url> <token> <brand uuid> <expected json> <screenshot dir>
// expected: { leads: [global ids, newest first], campaigns: [global ids],
//             campaign: global id of the campaign the new lead joins, campaignLeads: its leads now,
//             formKey: a form key of the brand admitting the base url's origin (and attributing
//             its leads to `campaign`), visitor: a unique name for the lead the form submits }
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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const dash = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
  const logs = [];
  dash.on('console', (m) => logs.push(m.text()));
  dash.on('pageerror', (e) => logs.push(e.message));
  await dash.goto(`${base}/dashboard`);
  await dash.fill('#token', token);
  await dash.click('#auth button');
  await dash.waitForFunction((b) => document.getElementById('brand').value === b, brand, { timeout: 15000 })
    .catch(() => fail(`the brand was not selected (${logs.join(' | ')})`));

  // The present on load: the newest leads and the campaigns, as SQL lists them.
  const listed = (list) => dash.$$eval(`#${list} li[data-id]`, (rows) => rows.map((r) => r.dataset.id));
  await dash
    .waitForFunction((n) => document.querySelectorAll('#leads li[data-id]').length === n, expected.leads.length, { timeout: 15000 })
    .catch(async () => fail(`leads shown ${JSON.stringify(await listed('leads'))} (${logs.join(' | ')})`));
  report.leadsOnLoad = await listed('leads');
  if (JSON.stringify(report.leadsOnLoad) !== JSON.stringify(expected.leads)) {
    fail(`leads shown ${JSON.stringify(report.leadsOnLoad)}, SQL has ${JSON.stringify(expected.leads)}`);
  }
  report.campaignsOnLoad = await listed('campaigns');
  const sameSet = (a, b) => a.length === b.length && a.every((id) => b.includes(id));
  if (!sameSet(report.campaignsOnLoad, expected.campaigns)) {
    fail(`campaigns shown ${JSON.stringify(report.campaignsOnLoad)}, SQL has ${JSON.stringify(expected.campaigns)}`);
  }
  const campaignLeads = () =>
    dash.evaluate((id) => Number(document.querySelector(`#campaigns li[data-id="${id}"] [data-leads]`)?.textContent), expected.campaign);
  report.campaignLeadsOnLoad = await campaignLeads();
  if (report.campaignLeadsOnLoad !== expected.campaignLeads) {
    fail(`the campaign shows ${report.campaignLeadsOnLoad} leads, SQL says ${expected.campaignLeads}`);
  }

  // A visitor submits the brand's public form (a page at an origin the key admits, posting
  // to /forms/{key} as a plain HTML form): the lead appears at the top of the panel, and
  // its campaign's count moves.
  const site = await browser.newPage();
  await site.route(`${base}/contact`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><form method="post" action="${base}/forms/${expected.formKey}">
      <input name="name"><input name="email" type="email"><input name="company">
      <button type="submit">Send</button></form>`,
  }));
  await site.goto(`${base}/contact`);
  await site.fill('input[name=name]', expected.visitor);
  await site.fill('input[name=email]', `${expected.visitor.replace(' ', '.').toLowerCase()}@example.test`);
  await site.fill('input[name=company]', 'Chromium GmbH');
  const sent = Date.now();
  const [answer] = await Promise.all([
    site.waitForResponse((r) => r.url().includes('/forms/') && r.request().method() === 'POST'),
    site.click('button[type=submit]'),
  ]);
  report.formStatus = answer.status();
  if (answer.status() !== 202) fail(`the form answered ${answer.status()} ${await answer.text()}`);
  const lead = await dash
    .waitForFunction((name) => {
      const top = document.querySelector('#leads li[data-id]');
      return top?.textContent.includes(name) ? top.dataset.id : null;
    }, expected.visitor, { timeout: 5000 })
    .then((handle) => handle.jsonValue())
    .catch(async () => fail(`the submitted lead did not appear (${JSON.stringify(await listed('leads'))}; ${logs.join(' | ')})`));
  report.leadAppearedMs = Date.now() - sent;
  report.formLead = lead;
  report.leadRow = await dash.textContent(`#leads li[data-id="${lead}"]`);
  if (!report.leadRow.includes('Chromium GmbH') || expected.leads.includes(lead)) {
    fail(`the new lead's row reads ${JSON.stringify(report.leadRow)}`);
  }
  await dash
    .waitForFunction(
      ([id, n]) => Number(document.querySelector(`#campaigns li[data-id="${id}"] [data-leads]`)?.textContent) === n,
      [expected.campaign, expected.campaignLeads + 1],
      { timeout: 5000 },
    )
    .catch(async () => fail(`the campaign's lead count stayed at ${await campaignLeads()}`));
  report.campaignUpdatedMs = Date.now() - sent;

  // Its status change follows on the same row, without a second one.
  await graphql(`mutation($id: ID!) { convertLead(id: $id) { status } }`, { id: lead });
  await dash
    .waitForFunction((id) => document.querySelector(`#leads li[data-id="${id}"] .tag`)?.textContent === 'CONVERTED', lead, { timeout: 5000 })
    .catch(() => fail('the lead row did not follow convertLead'));
  const after = await listed('leads');
  if (after.filter((id) => id === lead).length !== 1) fail(`the lead is listed ${JSON.stringify(after)}`);

  await dash.screenshot({ path: `${shots}/dashboard-marketing.png`, fullPage: true });
  console.log(JSON.stringify({ ok: true, report }));
} finally {
  await browser.close();
}
