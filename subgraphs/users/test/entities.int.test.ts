import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createAdmin,
  registerCustomer,
  startUsersSubgraph,
  type UsersSubgraph,
} from './harness.js';

const UserEntitiesDocument = graphql(`
  query UserEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        name
        role
      }
    }
  }
`);

const UserEmailEntitiesDocument = graphql(`
  query UserEmailEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        email
      }
    }
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

describe('User @key(fields: "id")', () => {
  it('resolves references in order for an admin, with null for an unknown id', async () => {
    const [a, b, admin] = await Promise.all([
      registerCustomer(subgraph, 'A'),
      registerCustomer(subgraph, 'B'),
      createAdmin(subgraph),
    ]);
    const ids = [b.user.id, randomUUID(), a.user.id];

    const { data } = await subgraph.request(
      UserEntitiesDocument,
      { representations: ids.map((id) => ({ __typename: 'User', id })) },
      { token: admin.accessToken },
    );

    expect(data?._entities).toEqual([
      { id: b.user.id, name: 'B', role: 'CUSTOMER' },
      null,
      { id: a.user.id, name: 'A', role: 'CUSTOMER' },
    ]);
  });

  it('resolves other accounts to null for a customer and for an anonymous caller', async () => {
    const [customer, other] = await Promise.all([
      registerCustomer(subgraph),
      registerCustomer(subgraph),
    ]);
    const representations = [customer, other].map(({ user }) => ({
      __typename: 'User',
      id: user.id,
    }));

    const asCustomer = await subgraph.request(
      UserEntitiesDocument,
      { representations },
      { token: customer.accessToken },
    );
    const anonymous = await subgraph.request(UserEntitiesDocument, { representations });

    expect(asCustomer.data?._entities).toEqual([
      { id: customer.user.id, name: 'Ada Customer', role: 'CUSTOMER' },
      null,
    ]);
    expect(anonymous.data?._entities).toEqual([null, null]);
  });

  it('shows the email to the user themself and to admins', async () => {
    const [owner, admin] = await Promise.all([registerCustomer(subgraph), createAdmin(subgraph)]);
    const representations = [{ __typename: 'User', id: owner.user.id }];

    const asOwner = await subgraph.request(
      UserEmailEntitiesDocument,
      { representations },
      { token: owner.accessToken },
    );
    const asAdmin = await subgraph.request(
      UserEmailEntitiesDocument,
      { representations },
      { token: admin.accessToken },
    );

    expect(asOwner.data?._entities).toEqual([{ id: owner.user.id, email: owner.email }]);
    expect(asAdmin.data?._entities).toEqual([{ id: owner.user.id, email: owner.email }]);
  });
});
