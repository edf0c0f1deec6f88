import { randomBytes } from 'node:crypto';
import { errorCodes, startRedisServer } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  maxLoginFailures,
  registerCustomer,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

/** A Redis of this file's own, stopped once the subgraph has been using it. */
let redis: Awaited<ReturnType<typeof startRedisServer>>;
let subgraph: UsersSubgraph;
beforeAll(async () => {
  redis = await startRedisServer();
  subgraph = await startUsersSubgraph({
    redisUrl: redis.url,
    loginFailuresPerAddress: 15,
    registrationsPerAddress: 2,
  });
});
afterAll(async () => {
  await subgraph.stop();
  await redis.stop();
});

const newAddress = () =>
  `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

const login = (email: string, password: string, address: string) =>
  subgraph.request(
    LoginDocument,
    { input: { email, password } },
    { headers: { 'x-forwarded-for': address } },
  );

describe('limits while Redis is down', () => {
  it('keeps logging users in and keeps counting in memory', async () => {
    const customer = await registerCustomer(subgraph, 'Ada Customer', newAddress());
    const address = newAddress();
    const before = await login(customer.email, customer.password, address);

    await redis.stop();
    const during = await login(customer.email, customer.password, address);
    const failures = [];
    for (let i = 0; i < maxLoginFailures; i++) {
      failures.push(...errorCodes(await login(customer.email, 'wrong-password', address)));
    }
    const locked = await login(customer.email, customer.password, address);
    const rotating = [];
    for (let i = 0; i < 5; i++) {
      rotating.push(...errorCodes(await login(uniqueEmail('rotated'), 'wrong-password', address)));
    }
    const addressLocked = await login(customer.email, customer.password, address);
    const registrations = [];
    const registrant = newAddress();
    for (let i = 0; i < 3; i++) {
      const registered = await registerCustomer(subgraph, 'Ada Customer', registrant).then(
        () => 'registered',
        (error: Error) => error.message,
      );
      registrations.push(registered);
    }

    expect(before.data?.login.user.id).toBe(customer.user.id);
    expect(during.data?.login.user.id).toBe(customer.user.id);
    expect(failures).toEqual(Array(maxLoginFailures).fill('UNAUTHENTICATED'));
    expect(errorCodes(locked)).toEqual(['RATE_LIMITED']);
    expect(rotating).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expect(errorCodes(addressLocked)).toEqual(['RATE_LIMITED']);
    expect(registrations).toEqual([
      'registered',
      'registered',
      expect.stringContaining('RATE_LIMITED'),
    ]);
  });
});
