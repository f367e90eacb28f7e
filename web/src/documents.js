// Every GraphQL document the dashboard sends, as fixed text: the web build writes them to
// documents.json, and a gateway in allow-list mode admits exactly these for its own pages.
// Build no document anywhere else.

export const STATUSES = ['DRAFT', 'PENDING_REVIEW', 'APPROVED', 'REJECTED', 'SCHEDULED', 'PUBLISHED'];

export const DOCUMENTS = {
  brands: '{ brands(first: 100) { edges { node { id uuid name } } } }',
  pipeline: `query($id: ID!) { brand(id: $id) { ${STATUSES.map(
    (s) => `${s}: contentItems(first: 0, filter: { status: ${s} }) { totalCount }`,
  ).join(' ')} } }`,
  summary: `subscription($b: ID!) { analyticsSummary(brandId: $b, days: 30) {
         totals { reach impressions engagement rows } byPlatform { platform totals { reach } } } }`,
  approvals:
    'subscription($b: ID!, $after: String) { approvalUpdated(brandId: $b, after: $after) { cursor op status postId occurredAt } }',
  contentStatus:
    'subscription($b: ID!, $after: String) { contentStatusChanged(brandId: $b, after: $after) { cursor status } }',
  jobs: 'subscription($b: ID!, $after: String) { publishJobUpdated(brandId: $b, after: $after) { cursor status attempt errorCode occurredAt } }',
};
