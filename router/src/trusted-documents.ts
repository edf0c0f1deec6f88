import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { GraphQLError } from 'graphql';

/** The documents the router may run, by the sha256 (hex) of their exact text. */
export type TrustedDocuments = ReadonlyMap<string, string>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Reads a manifest `{ "<sha256 hex of the document>": "<document>" }`, as
 * `npm run trusted-documents` writes it, and refuses one whose keys are not its documents' hashes.
 */
export async function loadTrustedDocuments(path: string): Promise<TrustedDocuments> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(manifest)) {
    if (typeof document !== 'string' || sha256(document) !== hash) {
      throw new Error(`${path}: "${hash}" is not the sha256 of its document`);
    }
    documents.set(hash, document);
  }
  return documents;
}

/**
 * The text to run for a request that sends a document, or only its hash (as APQ clients and
 * codegen's persisted documents do); undefined when it is not a trusted document.
 */
export function trustedDocument(
  documents: TrustedDocuments,
  query: string | undefined,
  extensions: Record<string, unknown> | undefined,
): string | undefined {
  const hash =
    query === undefined
      ? (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash
      : sha256(query);
  return typeof hash === 'string' ? documents.get(hash) : undefined;
}

export const operationNotTrusted = () =>
  new GraphQLError('This operation is not one of the trusted documents', {
    extensions: { code: 'OPERATION_NOT_TRUSTED', http: { status: 400 } },
  });
