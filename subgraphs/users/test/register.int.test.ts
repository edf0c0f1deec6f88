import { errorCodes } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './__generated__/gql.js';
import {
  RegisterDocument,
  startUsersSubgraph,
  uniqueEmail,
  type UsersSubgraph,
} from './harness.js';

const MeDocument = graphql(`
  query MeAfterRegister {
    me {
      id
      email
    }
  }
`);

let subgraph: UsersSubgraph;
beforeAll(async () => {
  subgraph = await startUsersSubgraph();
});
afterAll(() => subgraph.stop());

describe('Mutation.register', () => {
  it('creates a customer with a normalized email and returns working tokens', async () => {
    const email = uniqueEmail();

    const { data } = await subgraph.request(RegisterDocument, {
      input: { email: `  ${email.toUpperCase()} `, password: 'correct horse', name: '  Ada  ' },
    });

    expect(data?.register).toMatchObject({
      expiresIn: 900,
      user: { email, name: 'Ada', role: 'CUSTOMER' },
    });
    const me = await subgraph.request(MeDocument, {}, { token: data!.register.accessToken });
    expect(me.data?.me).toEqual({ id: data!.register.user.id, email });
    const stored = await subgraph.db.user.findUniqueOrThrow({ where: { email } });
    expect(stored.passwordHash).toMatch(/^\$2b\$/);
  });

  it('refuses an email that is already registered, whatever its case', async () => {
    const email = uniqueEmail();
    await subgraph.request(RegisterDocument, {
      input: { email, password: 'password1', name: 'A' },
    });

    const again = await subgraph.request(RegisterDocument, {
      input: { email: email.toUpperCase(), password: 'password2', name: 'B' },
    });

    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(await subgraph.db.user.count({ where: { email } })).toBe(1);
  });

  it('creates one account when the same email registers twice at once', async () => {
    const email = uniqueEmail();

    const results = await Promise.all(
      [1, 2, 3].map(() =>
        subgraph.request(RegisterDocument, { input: { email, password: 'password1', name: 'A' } }),
      ),
    );

    expect(results.filter((result) => result.data).length).toBe(1);
    expect(results.flatMap(errorCodes)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(await subgraph.db.user.count({ where: { email } })).toBe(1);
  });

  it.each([
    ['a password under 8 bytes', { password: 'short12' }, 'password'],
    ['a password over 72 bytes', { password: 'é'.repeat(37) }, 'password'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.test` }, 'email'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name with NUL, which Postgres text cannot hold', { name: 'Ada\u0000' }, 'input'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_case, override, field) => {
    const input = { email: uniqueEmail(), password: 'password1', name: 'Ada', ...override };

    const result = await subgraph.request(RegisterDocument, { input });

    expect(result.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
    expect(await subgraph.db.user.count({ where: { email: input.email } })).toBe(0);
  });

  it('refuses a wrongly typed variable before running anything', async () => {
    const result = await subgraph.request(RegisterDocument, {
      input: { email: 42, password: 'password1', name: 'Ada' } as never,
    });

    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });
});
