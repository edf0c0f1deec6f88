import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { RunningService } from '@cartograph/shared/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loginMutation, productsQuery } from '../src/track/operations.js';
import { sha256 } from '../src/trusted-documents.js';
import { graphql } from './__generated__/gql.js';
import { startRouter } from './extra-router.js';
import { RegisterDocument, router } from './harness.js';

const CountDocument = graphql(`
  query TrustedCount {
    products(first: 1) {
      totalCount
    }
  }
`);

/** The hash codegen gives the document, and the text it printed for it. */
const countHash = (CountDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
const generated = JSON.parse(
  readFileSync(new URL('./__generated__/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;

const untrusted = '{ products(first: 2) { totalCount } }';
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const notTrusted = {
  errors: [
    {
      message: 'This operation is not one of the trusted documents',
      extensions: expect.objectContaining({ code: 'OPERATION_NOT_TRUSTED' }),
    },
  ],
};

const dir = mkdtempSync(`${tmpdir()}/cartograph-trusted-`);
let trusted: RunningService;
beforeAll(async () => {
  const manifest = `${dir}/trusted-documents.json`;
  writeFileSync(
    manifest,
    JSON.stringify({
      [countHash]: generated[countHash],
      [sha256(productsQuery)]: productsQuery,
      [sha256(loginMutation)]: loginMutation,
    }),
  );
  trusted = await startRouter('router-trusted', { TRUSTED_DOCUMENTS: manifest });
});
afterAll(async () => {
  await trusted?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: object) {
  const response = await fetch(`${trusted.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** One operation over graphql-ws: its first result, or the errors that refused it. */
async function overWebSocket(query: string) {
  const client = createClient({
    url: `${trusted.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    return await new Promise<unknown>((resolve, reject) => {
      client.subscribe(
        { query },
        {
          next: resolve,
          error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
          complete: () => undefined,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe('a router that runs only trusted documents', () => {
  it("runs a manifest operation sent by codegen's hash alone", async () => {
    const response = await post({ extensions: persisted(countHash) });

    expect(response.body).toEqual({ data: { products: { totalCount: expect.any(Number) } } });
  });

  it('runs a manifest operation sent as its full text', async () => {
    const response = await post({ query: productsQuery });

    expect(response.body).toEqual({ data: { products: { edges: expect.any(Array) } } });
  });

  it('refuses an operation that is not in the manifest, before anything runs', async () => {
    const input = {
      email: `trusted-${randomUUID()}@example.test`,
      password: 'pw-12345678',
      name: 'T',
    };
    const register = `mutation { register(input: { email: "${input.email}", password: "${input.password}", name: "${input.name}" }) { accessToken } }`;

    const refused = await post({ query: register });
    const later = await router()(RegisterDocument, { input });

    expect(refused).toEqual({ status: 400, body: notTrusted });
    expect(later.data?.register.user.email).toBe(input.email);
  });

  it('refuses a hash that is not in the manifest', async () => {
    const response = await post({ extensions: persisted(sha256(untrusted)) });

    expect(response).toEqual({ status: 400, body: notTrusted });
  });

  it('lets no client register a document through APQ', async () => {
    const registration = await post({ query: untrusted, extensions: persisted(sha256(untrusted)) });
    const byHash = await post({ extensions: persisted(sha256(untrusted)) });

    expect(registration).toEqual({ status: 400, body: notTrusted });
    expect(byHash).toEqual({ status: 400, body: notTrusted });
  });

  it('answers a trusted document with a near-1 MB wrong-typed variable at once', async () => {
    // Variables stay free under trusted documents, and graphql-js echoes a wrong-typed one in its
    // message twice. Stripping suggestions from ~1.8 MB by backtracking took minutes, far past
    // this test's timeout; now the message is cut to 300 characters in linear time.
    const input = 'Did you mean '.repeat(69_000);

    const byHash = await post({
      variables: { input },
      extensions: persisted(sha256(loginMutation)),
    });
    const byText = await post({ query: loginMutation, variables: { input } });

    for (const answer of [byHash, byText]) {
      const { errors } = answer.body as { errors: { message: string; extensions: object }[] };
      expect(answer.status).toBe(400);
      expect(errors).toHaveLength(1);
      expect(errors).toMatchObject([
        {
          message: expect.not.stringMatching(/Did you mean/),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        },
      ]);
      expect(errors[0]!.message.length).toBeLessThanOrEqual(300);
    }
  });

  it('refuses an operation not in the manifest over graphql-ws, and runs one that is', async () => {
    const refused = await overWebSocket(untrusted);
    const ran = await overWebSocket(productsQuery);

    expect(refused).toEqual(notTrusted);
    expect(ran).toEqual({ data: { products: { edges: expect.any(Array) } } });
  });
});
