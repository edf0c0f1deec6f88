import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodes, type GraphQLResponse } from '@cartograph/shared/testing';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginInput } from './__generated__/graphql.js';
import {
  LoginDocument,
  loginLockoutSeconds,
  registerCustomer,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

const maxFailures = 10;

function login(email: string, password: string, address?: string) {
  return subgraph.request(
    LoginDocument,
    { input: { email, password } },
    { headers: address ? { 'x-forwarded-for': `${address}, 10.0.0.1` } : {} },
  );
}

async function failTimes(times: number, email: string, address?: string) {
  const codes = [];
  for (let i = 0; i < times; i++) {
    codes.push(...errorCodes(await login(email, 'wrong-password', address)));
  }
  return codes;
}

const refusal = {
  message: expect.stringMatching(/^Too many requests/),
  extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) },
};

function retryAfterOf(response: GraphQLResponse<unknown>) {
  const retryAfter = response.errors?.[0]?.extensions?.retryAfter;
  if (typeof retryAfter !== 'number') throw new Error(`no retryAfter: ${JSON.stringify(response)}`);
  return retryAfter;
}

/**
 * One request holding `count` aliased logins. Mutation fields run one after another, and as
 * `login` is non-null, the first failure ends the request's execution.
 */
function aliasedLogins(count: number) {
  const fields = Array.from(
    { length: count },
    (_, i) => `a${i}: login(input: $input) { accessToken }`,
  );
  return parse(
    `mutation Aliased($input: LoginInput!) { ${fields.join(' ')} }`,
  ) as TypedDocumentNode<Record<string, { accessToken: string } | null>, { input: LoginInput }>;
}

describe('Mutation.login throttling', () => {
  it('refuses even the right password with RATE_LIMITED after 10 failures', async () => {
    const customer = await registerCustomer(subgraph);

    const failures = await failTimes(maxFailures, customer.email);
    const refused = await login(customer.email, customer.password);

    expect(failures).toEqual(Array(maxFailures).fill('UNAUTHENTICATED'));
    expect(refused).toMatchObject({ data: null, errors: [refusal] });
    expect(Number.isInteger(retryAfterOf(refused))).toBe(true);
    expect(retryAfterOf(refused)).toBeGreaterThan(0);
    expect(retryAfterOf(refused)).toBeLessThanOrEqual(loginLockoutSeconds);
  });

  it('keeps the same email open from another address', async () => {
    const customer = await registerCustomer(subgraph);
    await failTimes(maxFailures, customer.email, '203.0.113.7');

    const fromLockedAddress = await login(customer.email, customer.password, '203.0.113.7');
    const fromOtherAddress = await login(customer.email, customer.password, '203.0.113.8');

    expect(errorCodes(fromLockedAddress)).toEqual(['RATE_LIMITED']);
    expect(fromOtherAddress.data?.login.user.id).toBe(customer.user.id);
  });

  it('starts counting again after a successful login', async () => {
    const customer = await registerCustomer(subgraph);
    await failTimes(maxFailures - 1, customer.email);
    await login(customer.email, customer.password);

    const failures = await failTimes(maxFailures, customer.email);
    const refused = await login(customer.email, customer.password);

    expect(failures).toEqual(Array(maxFailures).fill('UNAUTHENTICATED'));
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
  });

  it('locks out an unknown email after the same number of failures', async () => {
    const email = uniqueEmail('nobody');

    const failures = await failTimes(maxFailures, email);
    const refused = await login(email, 'any-password');

    expect(failures).toEqual(Array(maxFailures).fill('UNAUTHENTICATED'));
    expect(refused).toMatchObject({ data: null, errors: [refusal] });
  });

  it('checks no more passwords when logins come aliased in one request', async () => {
    const customer = await registerCustomer(subgraph);
    const batch = aliasedLogins(12);

    const errors = [];
    for (let i = 0; i < 12; i++) {
      const response = await subgraph.request(batch, {
        input: { email: customer.email, password: 'wrong-password' },
      });
      errors.push(...(response.errors ?? []));
    }

    expect(errors.map((error) => [error.path, error.extensions?.code])).toEqual([
      ...Array(maxFailures).fill([['a0'], 'UNAUTHENTICATED']),
      [['a0'], 'RATE_LIMITED'],
      [['a0'], 'RATE_LIMITED'],
    ]);
  });

  it('checks at most 10 passwords among 30 concurrent attempts', async () => {
    const customer = await registerCustomer(subgraph);

    const responses = await Promise.all(
      Array.from({ length: 30 }, () => login(customer.email, 'wrong-password')),
    );

    const codes = responses.flatMap(errorCodes);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(maxFailures);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(30 - maxFailures);
  });

  it('lets the owner in again once the lockout expires', async () => {
    const customer = await registerCustomer(subgraph);
    await failTimes(maxFailures, customer.email);
    const refused = await login(customer.email, customer.password);

    await sleep(retryAfterOf(refused) * 1000 + 200);
    const { data } = await login(customer.email, customer.password);

    expect(data?.login.user.id).toBe(customer.user.id);
  });
});
