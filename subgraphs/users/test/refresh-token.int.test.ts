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

const MeDocument = graphql(`
  query RefreshedMe {
    me {
      id
    }
  }
`);

const graceSeconds = 10;
let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph({ reuseGraceSeconds: graceSeconds });
});
afterAll(() => subgraph.stop());

const refresh = (refreshToken: string) => subgraph.request(RefreshDocument, { refreshToken });

const me = async (token: string) =>
  (await subgraph.request(MeDocument, {}, { token })).data?.me?.id;

/** Refresh tokens of the user's login sessions, and how many can still be exchanged. */
async function familyTokens(userId: string) {
  const tokens = await subgraph.db.refreshToken.findMany({
    where: { family: { userId, revokedAt: null } },
    select: { usedAt: true },
  });
  return { total: tokens.length, unused: tokens.filter((token) => !token.usedAt).length };
}

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

  it('gives a token presented again within the grace period the same successor', async () => {
    const customer = await registerCustomer(subgraph);
    const first = await refresh(customer.refreshToken);

    const again = await refresh(customer.refreshToken);

    expect(again.data?.refreshToken).toMatchObject({
      refreshToken: first.data!.refreshToken.refreshToken,
      expiresIn: 900,
      user: { id: customer.user.id },
    });
    expect(await me(again.data!.refreshToken.accessToken)).toBe(customer.user.id);
    expect(await familyTokens(customer.user.id)).toEqual({ total: 2, unused: 1 });
  });

  it('lets concurrent refreshes with one token all through with one successor, which works once', async () => {
    const customer = await registerCustomer(subgraph);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => refresh(customer.refreshToken)),
    );

    expect(results.flatMap(errorCodes)).toEqual([]);
    const successors = new Set(results.map((result) => result.data!.refreshToken.refreshToken));
    expect(successors.size).toBe(1);
    expect(await familyTokens(customer.user.id)).toEqual({ total: 2, unused: 1 });
    const [successor] = successors;
    const next = await refresh(successor!);
    expect(next.data?.refreshToken.user.id).toBe(customer.user.id);
    expect(await familyTokens(customer.user.id)).toEqual({ total: 3, unused: 1 });
  });

  it('revokes the whole family when a rotated token is presented after the grace period', async () => {
    const customer = await registerCustomer(subgraph);
    const rotated = await refresh(customer.refreshToken);
    await subgraph.db.refreshToken.updateMany({
      where: { family: { userId: customer.user.id }, usedAt: { not: null } },
      data: { usedAt: new Date(Date.now() - (graceSeconds + 1) * 1000) },
    });

    const reuse = await refresh(customer.refreshToken);

    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    const successor = await refresh(rotated.data!.refreshToken.refreshToken);
    expect(errorCodes(successor)).toEqual(['UNAUTHENTICATED']);
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
