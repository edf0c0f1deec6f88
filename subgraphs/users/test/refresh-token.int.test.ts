import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { registerCustomer, startUsersSubgraph, type UsersSubgraph } from './harness.js';

const RefreshDocument = graphql(`
  mutation Refresh($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
      }
    }
  }
`);

const LogoutDocument = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

const refresh = (refreshToken: string) => subgraph.request(RefreshDocument, { refreshToken });

describe('Mutation.refreshToken', () => {
  it('exchanges a refresh token for a new pair, once', async () => {
    const customer = await registerCustomer(subgraph);

    const first = await refresh(customer.refreshToken);

    expect(first.data?.refreshToken).toMatchObject({
      expiresIn: 900,
      user: { id: customer.user.id },
    });
    expect(first.data?.refreshToken.refreshToken).not.toBe(customer.refreshToken);
    const second = await refresh(first.data!.refreshToken.refreshToken);
    expect(second.data?.refreshToken.user.id).toBe(customer.user.id);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const customer = await registerCustomer(subgraph);
    const rotated = await refresh(customer.refreshToken);

    const reuse = await refresh(customer.refreshToken);

    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    const successor = await refresh(rotated.data!.refreshToken.refreshToken);
    expect(errorCodes(successor)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets only one of two concurrent refreshes with the same token through', async () => {
    const customer = await registerCustomer(subgraph);

    const results = await Promise.all([
      refresh(customer.refreshToken),
      refresh(customer.refreshToken),
    ]);

    expect(results.filter((result) => result.data?.refreshToken).length).toBeLessThanOrEqual(1);
    expect(results.flatMap(errorCodes)).toContain('UNAUTHENTICATED');
    const tokens = await subgraph.db.refreshToken.count({
      where: { family: { userId: customer.user.id } },
    });
    expect(tokens).toBeLessThanOrEqual(2);
  });

  it('refuses an unknown token and an expired one', async () => {
    const customer = await registerCustomer(subgraph);
    await subgraph.db.refreshToken.updateMany({
      where: { family: { userId: customer.user.id } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const expired = await refresh(customer.refreshToken);
    const unknown = await refresh('not-a-token');

    expect(errorCodes(expired)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('Mutation.logout', () => {
  it('revokes the token family so neither the token nor its successors refresh', async () => {
    const customer = await registerCustomer(subgraph);
    const rotated = await refresh(customer.refreshToken);

    const { data } = await subgraph.request(LogoutDocument, {
      refreshToken: rotated.data!.refreshToken.refreshToken,
    });

    expect(data?.logout).toBe(true);
    expect(errorCodes(await refresh(rotated.data!.refreshToken.refreshToken))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('answers false for a token it does not know', async () => {
    const { data } = await subgraph.request(LogoutDocument, { refreshToken: 'unknown' });

    expect(data?.logout).toBe(false);
  });
});
