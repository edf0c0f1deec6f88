import { readFile } from 'node:fs/promises';
import { repoRoot } from '@cartograph/shared/testing';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaPath, composeSupergraph, supergraphPath } from '../../schema/compose.js';

describe('the checked-in supergraph', () => {
  it('composes without errors and matches what `npm run compose` produces now', async () => {
    const { supergraphSdl, apiSdl } = await composeSupergraph();

    expect(await readFile(supergraphPath, 'utf8'), 'run `npm run compose`').toBe(supergraphSdl);
    expect(await readFile(apiSchemaPath, 'utf8'), 'run `npm run compose`').toBe(apiSdl);
  });

  it('implements the public contract: nothing renamed, dropped or retyped', async () => {
    const contract = buildSchema(await readFile(`${repoRoot}/schema/contract.graphql`, 'utf8'));
    const api = buildSchema(await readFile(apiSchemaPath, 'utf8'));

    const breaking = findBreakingChanges(contract, api).map((change) => change.description);

    expect(breaking).toEqual([]);
  });
});
