import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { start__Name__Subgraph, type __Name__Subgraph } from './harness.js';

const ExampleDocument = graphql(`
  query __Name__ExampleById($id: ID!) {
    __name__Example(id: $id) {
      id
      name
    }
  }
`);

const ExampleEntitiesDocument = graphql(`
  query __Name__ExampleEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on __Name__Example {
        id
        name
      }
    }
  }
`);

let subgraph: __Name__Subgraph;
beforeAll(async () => {
  subgraph = await start__Name__Subgraph();
});
afterAll(() => subgraph.stop());

const createExample = (name: string) => subgraph.db.example.create({ data: { name } });

describe('Query.__name__Example', () => {
  it('returns the example with that id, and null for an unknown id', async () => {
    const example = await createExample(`Example ${randomUUID()}`);

    const [found, missing] = await Promise.all([
      subgraph.request(ExampleDocument, { id: example.id }),
      subgraph.request(ExampleDocument, { id: randomUUID() }),
    ]);

    expect(found).toEqual({ data: { __name__Example: { id: example.id, name: example.name } } });
    expect(missing).toEqual({ data: { __name__Example: null } });
  });
});

describe('__Name__Example @key(fields: "id")', () => {
  it('resolves references in order, with null for an unknown id', async () => {
    const [a, b] = await Promise.all([createExample('A'), createExample('B')]);
    const ids = [b.id, randomUUID(), a.id];

    const { data } = await subgraph.request(ExampleEntitiesDocument, {
      representations: ids.map((id) => ({ __typename: '__Name__Example', id })),
    });

    expect(data?._entities).toEqual([{ id: b.id, name: 'B' }, null, { id: a.id, name: 'A' }]);
  });
});
