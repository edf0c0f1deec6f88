import { randomBytes, randomUUID } from 'node:crypto';
import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
  registerCustomer,
  RegisterDocument,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

const failuresPerAddress = 5;
const registrationsPerAddress = 3;

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph({
    loginFailuresPerAddress: failuresPerAddress,
    registrationsPerAddress,
  });
});
afterAll(() => subgraph.stop());

/** A client address of the test's own (IPv6 documentation range), passed as the router would. */
const newAddress = () =>
  `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

const login = (email: string, password: string, address: string) =>
  subgraph.request(LoginDocument, { input: { email, password } }, from(address));

const register = (address: string) =>
  subgraph.request(
    RegisterDocument,
    { input: { email: uniqueEmail(), password: `pw-${randomUUID()}`, name: 'Rita Register' } },
    from(address),
  );

const refused = {
  data: null,
  errors: [{ extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } }],
};

describe('failed logins per address', () => {
  it('locks an address out once it has used its failure budget, whichever emails it tries', async () => {
    const customer = await registerCustomer(subgraph, 'Ada Customer', newAddress());
    const address = newAddress();

    const failures = [];
    for (let i = 0; i < failuresPerAddress; i++) {
      failures.push(...errorCodes(await login(uniqueEmail('rotated'), 'wrong-password', address)));
    }
    const next = await login(customer.email, customer.password, address);
    const elsewhere = await login(customer.email, customer.password, newAddress());

    expect(failures).toEqual(Array(failuresPerAddress).fill('UNAUTHENTICATED'));
    expect(next).toMatchObject(refused);
    expect(elsewhere.data?.login.user.id).toBe(customer.user.id);
  });

  it('counts no successful login against the address, and gives no failure back for one', async () => {
    const customer = await registerCustomer(subgraph, 'Ada Customer', newAddress());
    const address = newAddress();

    const successes = [];
    for (let i = 0; i < failuresPerAddress + 1; i++) {
      successes.push((await login(customer.email, customer.password, address)).data?.login.user.id);
    }
    const failures = [];
    for (let i = 0; i < failuresPerAddress; i++) {
      failures.push(...errorCodes(await login(uniqueEmail('rotated'), 'wrong-password', address)));
      if (i === 1) await login(customer.email, customer.password, address);
    }
    const next = await login(customer.email, customer.password, address);

    expect(successes).toEqual(Array(failuresPerAddress + 1).fill(customer.user.id));
    expect(failures).toEqual(Array(failuresPerAddress).fill('UNAUTHENTICATED'));
    expect(next).toMatchObject(refused);
  });
});

describe('registrations per address', () => {
  it('refuses registrations past the limit from one address, and only from it', async () => {
    const address = newAddress();

    const accepted = [];
    for (let i = 0; i < registrationsPerAddress; i++) {
      accepted.push(errorCodes(await register(address)));
    }
    const next = await register(address);
    const elsewhere = await register(newAddress());

    expect(accepted).toEqual(Array(registrationsPerAddress).fill([]));
    expect(next).toMatchObject(refused);
    expect(errorCodes(elsewhere)).toEqual([]);
  });

  it('counts nothing for input refused before hashing', async () => {
    const address = newAddress();

    const invalid = [];
    for (let i = 0; i < registrationsPerAddress + 2; i++) {
      const response = await subgraph.request(
        RegisterDocument,
        { input: { email: 'not-an-email', password: 'long-enough-password', name: 'Nobody' } },
        from(address),
      );
      invalid.push(...errorCodes(response));
    }
    const valid = await register(address);

    expect(invalid).toEqual(Array(registrationsPerAddress + 2).fill('BAD_USER_INPUT'));
    expect(errorCodes(valid)).toEqual([]);
  });
});
