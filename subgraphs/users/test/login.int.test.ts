import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoginDocument,
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

describe('Mutation.login', () => {
  it('logs in with the email in any case and surrounding spaces', async () => {
    const customer = await registerCustomer(subgraph);

    const { data } = await subgraph.request(LoginDocument, {
      input: { email: ` ${customer.email.toUpperCase()}`, password: customer.password },
    });

    expect(data?.login.user.id).toBe(customer.user.id);
    expect(data?.login.accessToken.split('.')).toHaveLength(3);
    expect(data?.login.refreshToken).not.toBe(customer.refreshToken);
  });

  it('gives the same UNAUTHENTICATED error for a wrong password and an unknown email', async () => {
    const customer = await registerCustomer(subgraph);

    const wrongPassword = await subgraph.request(LoginDocument, {
      input: { email: customer.email, password: 'not-the-password' },
    });
    const unknownEmail = await subgraph.request(LoginDocument, {
      input: { email: uniqueEmail(), password: customer.password },
    });

    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    expect(wrongPassword.errors).toEqual(unknownEmail.errors);
  });

  it('starts a new token family per login', async () => {
    const customer = await registerCustomer(subgraph);

    await subgraph.request(LoginDocument, {
      input: { email: customer.email, password: customer.password },
    });

    expect(await subgraph.db.tokenFamily.count({ where: { userId: customer.user.id } })).toBe(2);
  });
});
