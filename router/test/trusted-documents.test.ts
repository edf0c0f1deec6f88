import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildTrustedDocuments, trustedDocumentsPath } from '../../schema/trusted-documents.js';
import * as trackPage from '../src/track/operations.js';
import { loadTrustedDocuments } from '../src/trusted-documents.js';

describe('the checked-in trusted documents', () => {
  it('match what `npm run trusted-documents` produces now', async () => {
    const expected = await buildTrustedDocuments();

    expect(await readFile(trustedDocumentsPath, 'utf8'), 'run `npm run trusted-documents`').toBe(
      expected,
    );
  });

  it("hold the /track page's operations exactly as the page sends them", async () => {
    const documents = await loadTrustedDocuments(trustedDocumentsPath);

    expect([...documents.values()]).toEqual(expect.arrayContaining(Object.values(trackPage)));
  });
});
