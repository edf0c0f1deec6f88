import { randomUUID } from 'node:crypto';
import { errorCodes, generateSigningKeys, signTestToken } from '@cartograph/shared/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import { registerCustomer, startUsersSubgraph, type UsersSubgraph } from './harness.js';

const MeDocument = graphql(`
  query Me {
    me {
      id
      name
      role
    }
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Query.me', () => {
  it('is null for an anonymous caller', async () => {
    const { data, errors } = await subgraph.request(MeDocument, {});

    expect(errors).toBeUndefined();
    expect(data).toEqual({ me: null });
  });

  it('is the caller for a valid access token', async () => {
    const customer = await registerCustomer(subgraph, 'Ada Lovelace');

    const { data } = await subgraph.request(MeDocument, {}, { token: customer.accessToken });

    expect(data?.me).toEqual({ id: customer.user.id, name: 'Ada Lovelace', role: 'CUSTOMER' });
  });
});

describe('access token verification', () => {
  const bad: [string, () => Promise<string>][] = [
    ['signed by another key', () => signTestToken(generateSigningKeys().privateKeyPem)],
    [
      'expired',
      () =>
        signTestToken(subgraph.keys.privateKeyPem, {
          expiresIn: Math.floor(Date.now() / 1000) - 60,
        }),
    ],
    [
      'from another issuer',
      () => signTestToken(subgraph.keys.privateKeyPem, { issuer: 'someone-else' }),
    ],
    [
      'for another audience',
      () => signTestToken(subgraph.keys.privateKeyPem, { audience: 'elsewhere' }),
    ],
    [
      // The classic algorithm confusion: HMAC keyed with the public key the service trusts.
      'signed with HS256 using the public key as secret',
      () =>
        new SignJWT({ role: 'ADMIN' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(randomUUID())
          .setIssuer('cartograph-users')
          .setAudience('cartograph')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(subgraph.keys.publicKeyPem)),
    ],
    [
      'unsigned (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"sub":"x","role":"ADMIN","exp":${Math.floor(Date.now() / 1000) + 60}}`).toString('base64url')}.`,
    ],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(bad)(
    'refuses a token %s with UNAUTHENTICATED, even where anonymous is fine',
    async (_case, make) => {
      const result = await subgraph.request(MeDocument, {}, { token: await make() });

      expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
      expect(result.data ?? null).toBeNull();
    },
  );

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const result = await subgraph.request(
      MeDocument,
      {},
      { headers: { authorization: 'Basic YTpi' } },
    );

    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});
