import { randomUUID } from 'node:crypto';
import { errorCodes, generateSigningKeys, signTestToken } from '@cartograph/shared/testing';
import { SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { createDb as createUsersDb } from '../../subgraphs/users/src/data/db.js';
import { graphql } from './__generated__/gql.js';
import { LoginDocument, registerCustomer, router } from './harness.js';

const MeDocument = graphql(`
  query E2EMe {
    me {
      id
      email
      name
      role
    }
  }
`);

const RefreshDocument = graphql(`
  mutation E2ERefresh($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      accessToken
      refreshToken
    }
  }
`);

const ProductsDocument = graphql(`
  query E2EAnyoneMayList {
    products(first: 1) {
      totalCount
    }
  }
`);

const request = router();

describe('accounts through the router', () => {
  it('registers, logs in, refreshes and reads `me` with each access token', async () => {
    const customer = await registerCustomer(request, 'Grace Hopper');

    const login = await request(LoginDocument, {
      input: { email: customer.email, password: customer.password },
    });
    const refreshed = await request(RefreshDocument, {
      refreshToken: login.data!.login.refreshToken,
    });

    const expected = {
      id: customer.user.id,
      email: customer.email,
      name: 'Grace Hopper',
      role: 'CUSTOMER',
    };
    for (const token of [
      customer.accessToken,
      login.data!.login.accessToken,
      refreshed.data!.refreshToken.accessToken,
    ]) {
      expect((await request(MeDocument, {}, { token })).data?.me).toEqual(expected);
    }
  });

  it('gives a rotated refresh token its successor again at once, and revokes the family later', async () => {
    const customer = await registerCustomer(request);
    const rotated = await request(RefreshDocument, { refreshToken: customer.refreshToken });
    const successor = rotated.data!.refreshToken.refreshToken;

    const retried = await request(RefreshDocument, { refreshToken: customer.refreshToken });
    const db = createUsersDb(inject('databaseUrls').users);
    // Past REFRESH_TOKEN_REUSE_GRACE_SECONDS (10): rotated 11 s ago.
    await db.refreshToken.updateMany({
      where: { family: { userId: customer.user.id }, usedAt: { not: null } },
      data: { usedAt: new Date(Date.now() - 11_000) },
    });
    await db.$disconnect();
    const reuse = await request(RefreshDocument, { refreshToken: customer.refreshToken });
    const afterReuse = await request(RefreshDocument, { refreshToken: successor });

    expect(retried.data?.refreshToken.refreshToken).toBe(successor);
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(afterReuse)).toEqual(['UNAUTHENTICATED']);
  });

  it('gives one message for a wrong password and an unknown email', async () => {
    const customer = await registerCustomer(request);

    const wrong = await request(LoginDocument, {
      input: { email: customer.email, password: 'nope-nope' },
    });
    const unknown = await request(LoginDocument, {
      input: { email: `x-${randomUUID()}@example.test`, password: 'nope-nope' },
    });

    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors).toEqual(unknown.errors);
  });
});

describe('bad access tokens at the router', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>][] = [
    [
      'forged (signed by another key)',
      () => signTestToken(generateSigningKeys().privateKeyPem, { role: 'ADMIN' }),
    ],
    ['expired', () => signTestToken(inject('privateKeyPem'), { expiresIn: now() - 5 })],
    [
      'signed with another algorithm (HS256 keyed with a public key)',
      () =>
        new SignJWT({ role: 'ADMIN' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(randomUUID())
          .setIssuer('cartograph-users')
          .setAudience('cartograph')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(generateSigningKeys().publicKeyPem)),
    ],
  ];

  it.each(cases)(
    'refuses a token %s with UNAUTHENTICATED, even on a public query',
    async (_case, make) => {
      const token = await make();

      const me = await request(MeDocument, {}, { token });
      const products = await request(ProductsDocument, {}, { token });

      expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(products)).toEqual(['UNAUTHENTICATED']);
      expect(products.data ?? null).toBeNull();
    },
  );
});
