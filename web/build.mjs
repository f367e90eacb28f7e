// Bundles GraphiQL and the dashboard into dist/ for the gateway to serve (and embed).
// Everything comes from node_modules (package-lock.json); nothing is fetched at runtime.
import { build } from 'esbuild';
import { mkdir, copyFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Usage: node build.mjs [outdir]   (the gateway's build script passes its OUT_DIR)
process.chdir(dirname(fileURLToPath(import.meta.url)));
const outdir = process.argv[2] || 'dist';
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { graphiql: 'src/graphiql.jsx', dashboard: 'src/dashboard.js' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir,
  absWorkingDir: process.cwd(),
  jsx: 'automatic',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'warning',
});
for (const page of ['graphiql.html', 'dashboard.html', 'favicon.svg']) {
  await copyFile(`src/${page}`, join(outdir, page));
}
// The GraphQL documents the dashboard sends, for the gateway's allow-list mode to admit.
const { DOCUMENTS } = await import(pathToFileURL(resolve('src/documents.js')).href);
await writeFile(join(outdir, 'documents.json'), JSON.stringify(Object.values(DOCUMENTS)));
