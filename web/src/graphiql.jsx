// GraphiQL as the gateway serves it: no CDN, the explorer plugin, HTTP for queries and
// mutations, graphql-transport-ws for subscriptions with the token from the headers pane
// (or, under --demo, the demo token).
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

const config = JSON.parse(document.getElementById('config').textContent);
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config.subscriptionEndpoint}`;

const DEFAULT_QUERY = `# Welcome to brandgraph. Run this with the ▶ button.
{
  viewer { user { displayName } memberships { brandId role } }
  brands(first: 5) {
    totalCount
    edges { node { id name slug analyticsSummary(days: 30) { totals { reach rows } } } }
  }
}
`;

// One websocket client per Authorization value, so a token typed into the headers pane
// applies to subscriptions too.
const wsClients = new Map();
function wsClient(authorization) {
  const key = authorization || '';
  if (!wsClients.has(key)) {
    wsClients.set(
      key,
      createClient({
        url: wsUrl,
        connectionParams: authorization ? { Authorization: authorization } : {},
        retryAttempts: 3,
      }),
    );
  }
  return wsClients.get(key);
}

function isSubscription(params) {
  return /^\s*subscription\b/m.test(params.query.replace(/#.*$/gm, ''));
}

function fetcher(params, options) {
  const headers = { ...(options?.headers || {}) };
  const authorization = headers.Authorization || headers.authorization || config.authorization;
  if (isSubscription(params)) {
    return wsClient(authorization).iterate({
      query: params.query,
      variables: params.variables,
      operationName: params.operationName,
    });
  }
  if (authorization && !headers.Authorization && !headers.authorization) {
    headers.Authorization = authorization;
  }
  return fetch(config.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify(params),
  }).then((response) => response.json());
}

const explorer = explorerPlugin();
const defaultHeaders = config.authorization
  ? JSON.stringify({ Authorization: config.authorization }, null, 2)
  : undefined;

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[explorer]}
    defaultQuery={DEFAULT_QUERY}
    defaultHeaders={defaultHeaders}
    isHeadersEditorEnabled={true}
    shouldPersistHeaders={false}
  />,
);
