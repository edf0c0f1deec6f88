import { randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  createAdmin,
  registerCustomer,
  startUsersSubgraph,
  type UsersSubgraph,
} from './harness.js';

const UserDocument = graphql(`
  query UserById($id: ID!) {
    user(id: $id) {
      id
      email
      name
    }
  }
`);

const UsersDocument = graphql(`
  query UsersPage($first: Int, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          email
        }
      }
    }
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Query.user', () => {
  it('returns the caller themself', async () => {
    const customer = await registerCustomer(subgraph);

    const { data } = await subgraph.request(
      UserDocument,
      { id: customer.user.id },
      { token: customer.accessToken },
    );

    expect(data?.user).toEqual({
      id: customer.user.id,
      email: customer.email,
      name: 'Ada Customer',
    });
  });

  it('returns anyone to an admin', async () => {
    const [customer, admin] = await Promise.all([
      registerCustomer(subgraph),
      createAdmin(subgraph),
    ]);

    const { data } = await subgraph.request(
      UserDocument,
      { id: customer.user.id },
      { token: admin.accessToken },
    );

    expect(data?.user?.email).toBe(customer.email);
  });

  it('is NOT_FOUND for someone else, as for a missing user', async () => {
    const [customer, other] = await Promise.all([
      registerCustomer(subgraph),
      registerCustomer(subgraph),
    ]);

    const someoneElse = await subgraph.request(
      UserDocument,
      { id: other.user.id },
      { token: customer.accessToken },
    );
    const missing = await subgraph.request(
      UserDocument,
      { id: randomUUID() },
      { token: customer.accessToken },
    );

    expect(errorCodes(someoneElse)).toEqual(['NOT_FOUND']);
    expect(someoneElse.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const result = await subgraph.request(UserDocument, { id: randomUUID() });

    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('Query.users', () => {
  it('walks every account exactly once, newest first, for an admin', async () => {
    const admin = await createAdmin(subgraph);
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await registerCustomer(subgraph)).user.id);

    const seen: string[] = [];
    let after: string | null | undefined;
    let totalCount: number | undefined;
    do {
      const { data } = await subgraph.request(
        UsersDocument,
        { first: 2, after },
        { token: admin.accessToken },
      );
      seen.push(...data!.users.edges.map((edge) => edge.node.id));
      totalCount = data!.users.totalCount;
      after = data!.users.pageInfo.hasNextPage ? data!.users.pageInfo.endCursor : null;
    } while (after);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => mine.includes(id))).toEqual([...mine].reverse());
    expect(totalCount).toBeGreaterThanOrEqual(seen.length - 10);
  });

  it('is FORBIDDEN for a customer and UNAUTHENTICATED for an anonymous caller', async () => {
    const customer = await registerCustomer(subgraph);

    const asCustomer = await subgraph.request(UsersDocument, {}, { token: customer.accessToken });
    const anonymous = await subgraph.request(UsersDocument, {});

    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
    ['a cursor that is not one', { after: 'garbage!' }, 'after'],
    ['a cursor of another shape', { after: Buffer.from('["x"]').toString('base64url') }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables, field) => {
    const admin = await createAdmin(subgraph);

    const result = await subgraph.request(UsersDocument, variables, { token: admin.accessToken });

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });
});
