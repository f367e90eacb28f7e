// Runs the graphql-http server audits (GraphQL-over-HTTP spec) against a running gateway.
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
// Prints one JSON line {ok, notices, warnings, errors, failed:[...]}; exits 1 unless every
// audit passed.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
const failed = results
  .filter((r) => r.status !== 'ok')
  .map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason }));
const count = (status) => results.filter((r) => r.status === status).length;
console.log(
  JSON.stringify({
    total: results.length,
    ok: count('ok'),
    notices: count('notice'),
    warnings: count('warn'),
    errors: count('error'),
    failed,
  }),
);
process.exit(failed.length === 0 ? 0 : 1);
