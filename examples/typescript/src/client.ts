// A typed brandgraph client: a query over HTTP and a subscription over graphql-transport-ws.
// Run with a gateway up: BRANDGRAPH_TOKEN=$(brandgraph token) npm start
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import { graphql } from './gql';
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';

const BRANDS = graphql(`
  query Brands { brands(first: 10) { edges { node { id name analyticsSummary(days: 30) { totals { reach } } } } } }
`);
const APPROVALS = graphql(`
  subscription Approvals($brandId: ID!) { approvalUpdated(brandId: $brandId) { cursor status occurredAt } }
`);

const base = process.env.BRANDGRAPH_URL ?? 'http://127.0.0.1:8080/graphql';
const token = process.env.BRANDGRAPH_TOKEN ?? '';

async function query<T>(document: TypedDocumentNode<T, Record<string, never>>): Promise<T> {
  const response = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document) }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(body.errors?.[0]?.message ?? 'no data');
  return body.data;
}

const brands: ResultOf<typeof BRANDS> = await query(BRANDS);
for (const edge of brands.brands.edges) {
  console.log(`${edge.node.name}: reach ${edge.node.analyticsSummary.totals.reach ?? 0}`);
}
const first = brands.brands.edges[0]?.node.id;
if (first) {
  const ws = createClient({ url: base.replace(/^http/, 'ws') + '/ws', connectionParams: { Authorization: `Bearer ${token}` } });
  for await (const event of ws.iterate({ query: print(APPROVALS), variables: { brandId: first } })) {
    const approval = (event.data as ResultOf<typeof APPROVALS>).approvalUpdated;
    console.log(`approval ${approval.status} at ${approval.occurredAt} (cursor ${approval.cursor})`);
  }
}
