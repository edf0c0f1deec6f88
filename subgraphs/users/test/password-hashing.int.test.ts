import { randomBytes } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  registerCustomer,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

/**
 * One bcrypt at a time, one per address, two waiting at most. The cost is production-like so a
 * hash lasts far longer than a burst of requests takes to arrive: the requests really overlap.
 */
let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph({
    bcryptCost: 11,
    passwordHashing: { concurrency: 1, perAddress: 1, queueLimit: 2 },
  });
});
afterAll(() => subgraph.stop());

const newAddress = () =>
  `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

const login = (email: string, password: string, address: string) =>
  subgraph.request(
    LoginDocument,
    { input: { email, password } },
    { headers: { 'x-forwarded-for': address } },
  );

describe('password hashing under load', () => {
  it('lets a login from another address through while one address floods', async () => {
    const customer = await registerCustomer(subgraph, 'Ada Customer', newAddress());
    const flooder = newAddress();

    const flood = Array.from({ length: 12 }, () =>
      login(uniqueEmail('flood'), 'wrong-password', flooder),
    );
    const own = login(customer.email, customer.password, newAddress());
    const [mine, ...theirs] = await Promise.all([own, ...flood]);

    expect(mine.data?.login.user.id).toBe(customer.user.id);
    const codes = theirs.flatMap(errorCodes);
    expect(codes).toHaveLength(12);
    expect(codes.filter((code) => code !== 'RATE_LIMITED' && code !== 'UNAUTHENTICATED')).toEqual(
      [],
    );
    expect(codes).toContain('RATE_LIMITED');
    expect(theirs.find((answer) => errorCodes(answer)[0] === 'RATE_LIMITED')?.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'RATE_LIMITED', retryAfter: 1 } }),
    ]);
  });

  it('refuses rather than queues once the line is full, whatever the addresses', async () => {
    const burst = Array.from({ length: 10 }, () =>
      login(uniqueEmail('burst'), 'wrong-password', newAddress()),
    );

    const codes = (await Promise.all(burst)).flatMap(errorCodes);

    expect(codes).toHaveLength(10);
    expect(codes).toContain('RATE_LIMITED');
    expect(codes).toContain('UNAUTHENTICATED');
    expect(codes.filter((code) => code !== 'RATE_LIMITED' && code !== 'UNAUTHENTICATED')).toEqual(
      [],
    );
  });
});
