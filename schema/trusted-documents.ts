/**
 * The operations the project's clients send, keyed by the sha256 (hex) of their exact text:
 * the router tests' `graphql()` documents, as codegen prints them into
 * `router/test/__generated__/persisted-documents.json`, and the /track page's, as the page
 * sends them. `npm run trusted-documents` runs codegen and writes `schema/trusted-documents.json`
 * (checked in, so what becomes runnable is reviewed); the router runs only these when
 * `TRUSTED_DOCUMENTS` names the file, and a test fails when it is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as trackPage from '../router/src/track/operations.js';
import { sha256 } from '../router/src/trusted-documents.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export const trustedDocumentsPath = `${root}schema/trusted-documents.json`;
const persistedDocumentsPath = `${root}router/test/__generated__/persisted-documents.json`;

/** The manifest's file content, sorted by hash so that it diffs well. */
export async function buildTrustedDocuments(): Promise<string> {
  const codegen = JSON.parse(await readFile(persistedDocumentsPath, 'utf8')) as Record<
    string,
    string
  >;
  const documents = [...Object.values(codegen), ...Object.values(trackPage)];
  const entries = documents
    .map((document) => [sha256(document), document] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(trustedDocumentsPath, await buildTrustedDocuments());
  console.log(`Wrote ${trustedDocumentsPath}`);
}
