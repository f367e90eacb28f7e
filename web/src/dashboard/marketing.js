// The campaigns and leads panel: the brand's campaigns with their live summary (spend
// against budget, leads, conversions, cost per lead) and its newest leads. The current
// state is loaded first; then `leadCaptured` adds new leads at the top, `leadUpdated`
// moves a listed lead's status and score, and any change of a campaign (or of a lead of
// it) reloads that campaign's row.
import { CAMPAIGN_QUERY, MARKETING_QUERY } from '../documents.js';
import { Feed } from './feed.js';
import { escape, tag, time } from './html.js';

const money = (m) => (m == null ? '–' : Number(m).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

function campaignItem(node) {
  const s = node.summary || {};
  return {
    id: node.id,
    name: node.name,
    status: node.status,
    spent: s.budgetSpent,
    allocated: s.budgetAllocated,
    leads: s.leads ?? 0,
    conversions: s.conversions ?? 0,
    costPerLead: s.costPerLead,
  };
}

function leadItem(node) {
  return {
    id: node.id,
    name: node.name,
    company: node.company,
    status: node.status,
    score: node.score,
    campaign: node.campaign?.name,
    at: node.createdAt,
  };
}

export class MarketingPanel {
  // query(text, variables) -> data; elements: { campaigns, leads }.
  constructor(query, elements) {
    this.query = query;
    this.campaigns = new Feed(
      elements.campaigns,
      'No campaigns yet.',
      (c) => `${tag(c.status)}<span class="grow">${escape(c.name)}</span>
        <span class="figures" data-testid="campaign-figures"><b data-leads>${c.leads}</b> leads · ${c.conversions} converted ·
        ${money(c.spent)} / ${money(c.allocated)} spent · CPL ${money(c.costPerLead)}</span>`,
      20,
    );
    this.leads = new Feed(
      elements.leads,
      'No leads yet.',
      (l) => `${tag(l.status)}<span class="grow"><b>${escape(l.name || 'lead')}</b>${l.company ? ` · ${escape(l.company)}` : ''}${
        l.campaign ? ` · <small>${escape(l.campaign)}</small>` : ''
      }</span><span class="score" title="score">${l.score ?? '–'}</span> ${time(l.at)}`,
    );
    this.pending = new Map();
  }

  // The brand's campaigns and newest leads as they are now; false if `brandId` is no
  // longer on screen when the answer arrives.
  async load(brandId, isShown) {
    const { brand } = await this.query(MARKETING_QUERY, { id: brandId });
    if (!isShown()) return false;
    this.campaigns.reset(brand.campaigns.edges.map(({ node }) => campaignItem(node)));
    this.leads.reset(brand.leads.edges.map(({ node }) => leadItem(node)));
    return true;
  }

  // Reloads one campaign's row (one request per campaign at a time; a change meanwhile
  // reloads it once more).
  refreshCampaign(id) {
    if (!id) return Promise.resolve();
    const running = this.pending.get(id);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false };
    entry.done = (async () => {
      do {
        entry.again = false;
        const { node } = await this.query(CAMPAIGN_QUERY, { id });
        if (node) this.campaigns.upsert(campaignItem(node));
      } while (entry.again);
    })().finally(() => this.pending.delete(id));
    this.pending.set(id, entry);
    return entry.done;
  }

  // A `leadCaptured` event: the lead at the top of the list.
  captured(e) {
    const lead = e.lead || {};
    this.leads.upsert({
      id: e.leadId,
      name: lead.name,
      company: lead.company,
      status: lead.status || e.status,
      score: lead.score ?? e.score,
      campaign: lead.campaign?.name,
      at: e.occurredAt,
    });
    return this.refreshCampaign(e.campaignId);
  }

  // A `leadUpdated` event: a listed lead shows its new status and score.
  updated(e) {
    const known = this.leads.get(e.leadId);
    if (known) this.leads.upsert({ ...known, status: e.status, score: e.score, at: e.occurredAt });
    return this.refreshCampaign(e.campaignId);
  }

  // A `campaignUpdated` event.
  campaignChanged(e) {
    return this.refreshCampaign(e.campaignId);
  }
}
