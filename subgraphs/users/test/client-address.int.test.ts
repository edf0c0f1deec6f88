import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { createInternalSigner, internalHeader } from '@cartograph/shared';
import { createGraphQLClient, errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  maxLoginFailures,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

/** This machine's own non-loopback IPv4 address: calling it makes a peer that is not loopback. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((net) => net && net.family === 'IPv4' && !net.internal)?.address;

const forged = () => `198.51.100.${randomBytes(1)[0]}`;

async function failures(
  request: UsersSubgraph['request'],
  email: string,
  headers: () => Record<string, string>,
) {
  const codes = [];
  for (let i = 0; i < maxLoginFailures; i++) {
    const answer = await request(
      LoginDocument,
      { input: { email, password: 'wrong-password' } },
      { headers: headers() },
    );
    codes.push(...errorCodes(answer));
  }
  return codes;
}

describe('the client address limits count against', () => {
  describe('without an internal secret', () => {
    let subgraph: UsersSubgraph;
    beforeAll(async () => {
      subgraph = await startUsersSubgraph({ host: '0.0.0.0' });
    });
    afterAll(() => subgraph.stop());

    it.skipIf(!external)(
      'is the socket of a caller that is not on loopback, whatever X-Forwarded-For it claims',
      async () => {
        const request = createGraphQLClient(`http://${external}:${subgraph.port}/graphql`);
        const email = uniqueEmail('direct');

        const codes = await failures(request, email, () => ({ 'x-forwarded-for': forged() }));
        const next = await request(
          LoginDocument,
          { input: { email, password: 'wrong-password' } },
          { headers: { 'x-forwarded-for': forged() } },
        );

        expect(codes).toEqual(Array(maxLoginFailures).fill('UNAUTHENTICATED'));
        expect(errorCodes(next)).toEqual(['RATE_LIMITED']);
      },
    );
  });

  describe('with an internal secret', () => {
    const secret = randomBytes(32).toString('hex');
    const sign = createInternalSigner(secret);
    let subgraph: UsersSubgraph;
    beforeAll(async () => {
      subgraph = await startUsersSubgraph({ internalSecret: secret });
    });
    afterAll(() => subgraph.stop());

    it('is the X-Forwarded-For of a request the router signed', async () => {
      const signedFrom = (address: string) => ({
        'x-forwarded-for': address,
        [internalHeader]: sign(),
      });
      const email = uniqueEmail('signed');
      const address = forged();

      const codes = await failures(subgraph.request, email, () => signedFrom(address));
      const sameAddress = await subgraph.request(
        LoginDocument,
        { input: { email, password: 'wrong-password' } },
        { headers: signedFrom(address) },
      );
      const otherAddress = await subgraph.request(
        LoginDocument,
        { input: { email, password: 'wrong-password' } },
        { headers: signedFrom(`203.0.113.${randomBytes(1)[0]}`) },
      );

      expect(codes).toEqual(Array(maxLoginFailures).fill('UNAUTHENTICATED'));
      expect(errorCodes(sameAddress)).toEqual(['RATE_LIMITED']);
      expect(errorCodes(otherAddress)).toEqual(['UNAUTHENTICATED']);
    });
  });
});
