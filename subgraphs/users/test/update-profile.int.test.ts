import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  registerCustomer,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

const UpdateProfileDocument = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      name
      email
    }
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Mutation.updateProfile', () => {
  it('changes the name and the normalized email of the caller', async () => {
    const customer = await registerCustomer(subgraph);
    const email = uniqueEmail();

    const { data } = await subgraph.request(
      UpdateProfileDocument,
      { input: { name: ' Ada King ', email: email.toUpperCase() } },
      { token: customer.accessToken },
    );

    expect(data?.updateProfile).toEqual({ id: customer.user.id, name: 'Ada King', email });
  });

  it('refuses an email another account has with CONFLICT and changes nothing', async () => {
    const [customer, other] = await Promise.all([
      registerCustomer(subgraph),
      registerCustomer(subgraph),
    ]);

    const result = await subgraph.request(
      UpdateProfileDocument,
      { input: { email: other.email, name: 'Changed' } },
      { token: customer.accessToken },
    );

    expect(errorCodes(result)).toEqual(['CONFLICT']);
    const stored = await subgraph.db.user.findUniqueOrThrow({ where: { id: customer.user.id } });
    expect(stored).toMatchObject({ email: customer.email, name: 'Ada Customer' });
  });

  it.each([
    ['an empty input', {}],
    ['a blank name', { name: ' ' }],
    ['an invalid email', { email: 'nope' }],
  ])('refuses %s with BAD_USER_INPUT', async (_case, input) => {
    const customer = await registerCustomer(subgraph);

    const result = await subgraph.request(
      UpdateProfileDocument,
      { input },
      { token: customer.accessToken },
    );

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('is UNAUTHENTICATED for an anonymous caller', async () => {
    const result = await subgraph.request(UpdateProfileDocument, { input: { name: 'X' } });

    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});
