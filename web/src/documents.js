// Every GraphQL document the dashboard sends, as literal text: the web build writes them to
// documents.json, and a gateway in allow-list mode admits exactly these for its own page.
// Build no document anywhere else.

export const BRANDS_QUERY = `query DashboardBrands { brands(first: 100) { edges { node { id uuid name } } } }`;

export const PIPELINE_QUERY = `query DashboardPipeline($id: ID!) { brand(id: $id) {
  DRAFT: contentItems(first: 0, filter: { status: DRAFT }) { totalCount }
  PENDING_REVIEW: contentItems(first: 0, filter: { status: PENDING_REVIEW }) { totalCount }
  APPROVED: contentItems(first: 0, filter: { status: APPROVED }) { totalCount }
  REJECTED: contentItems(first: 0, filter: { status: REJECTED }) { totalCount }
  SCHEDULED: contentItems(first: 0, filter: { status: SCHEDULED }) { totalCount }
  PUBLISHED: contentItems(first: 0, filter: { status: PUBLISHED }) { totalCount }
} }`;

export const CURRENT_STATE_QUERY = `query DashboardCurrentState($id: ID!) { brand(id: $id) {
  approvals(status: PENDING, first: 20) { edges { node { id status createdAt updatedAt post { title } } } }
  publishJobs(first: 20) { edges { node { id status attemptCount lastErrorCode updatedAt contentItem { title } } } }
} }`;

export const DAILY_ANALYTICS_QUERY = `query DashboardDailyAnalytics($id: ID!, $from: NaiveDate!, $to: NaiveDate!) {
  brand(id: $id) { analytics(from: $from, to: $to) { date platform reach } } }`;

export const CONTENT_TITLE_QUERY = `query DashboardContentTitle($id: ID!) { node(id: $id) { ... on ContentItem { title } } }`;

export const SUMMARY_SUBSCRIPTION = `subscription DashboardSummary($b: ID!) { analyticsSummary(brandId: $b, days: 30) {
  totals { reach impressions engagement rows } byPlatform { platform totals { reach } } } }`;

export const APPROVALS_SUBSCRIPTION = `subscription DashboardApprovals($b: ID!, $after: String) {
  approvalUpdated(brandId: $b, after: $after) { cursor op approvalId status postId occurredAt } }`;

export const CONTENT_SUBSCRIPTION = `subscription DashboardContent($b: ID!, $after: String) {
  contentStatusChanged(brandId: $b, after: $after) { cursor status } }`;

export const JOBS_SUBSCRIPTION = `subscription DashboardJobs($b: ID!, $after: String) {
  publishJobUpdated(brandId: $b, after: $after) { cursor publishJobId status attempt errorCode occurredAt } }`;

const CAMPAIGN_FIELDS = `id name status summary { budgetSpent budgetAllocated leads conversions costPerLead }`;

export const MARKETING_QUERY = `query DashboardMarketing($id: ID!) { brand(id: $id) {
  campaigns(first: 20) { edges { node { ${CAMPAIGN_FIELDS} } } }
  leads(first: 20) { edges { node { id name company status score createdAt campaign { name } } } }
} }`;

export const CAMPAIGN_QUERY = `query DashboardCampaign($id: ID!) { node(id: $id) { ... on Campaign { ${CAMPAIGN_FIELDS} } } }`;

export const LEADS_SUBSCRIPTION = `subscription DashboardLeads($b: ID!, $after: String) {
  leadCaptured(brandId: $b, after: $after) { cursor leadId status score campaignId occurredAt
    lead { name company status score campaign { name } } } }`;

export const LEAD_UPDATES_SUBSCRIPTION = `subscription DashboardLeadUpdates($b: ID!, $after: String) {
  leadUpdated(brandId: $b, after: $after) { cursor leadId status score campaignId occurredAt } }`;

export const CAMPAIGNS_SUBSCRIPTION = `subscription DashboardCampaigns($b: ID!, $after: String) {
  campaignUpdated(brandId: $b, after: $after) { cursor campaignId status } }`;

export const DOCUMENTS = {
  BRANDS_QUERY,
  PIPELINE_QUERY,
  CURRENT_STATE_QUERY,
  DAILY_ANALYTICS_QUERY,
  CONTENT_TITLE_QUERY,
  SUMMARY_SUBSCRIPTION,
  APPROVALS_SUBSCRIPTION,
  CONTENT_SUBSCRIPTION,
  JOBS_SUBSCRIPTION,
  MARKETING_QUERY,
  CAMPAIGN_QUERY,
  LEADS_SUBSCRIPTION,
  LEAD_UPDATES_SUBSCRIPTION,
  CAMPAIGNS_SUBSCRIPTION,
};
