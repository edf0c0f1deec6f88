import { createClient } from 'graphql-ws';
import { describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';

/**
 * The router answers every query and mutation with one result: the gateway executes an operation
 * whole, and @defer and @stream are not in the API schema it serves, so an operation asking for
 * incremental delivery fails validation on either path, before anything runs.
 */
const deferred = '{ categories { id ... @defer { name } } }';
const streamed = '{ categories @stream { id } }';

async function overHttp(query: string) {
  const response = await fetch(`${inject('routerUrl')}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed;deferSpec=20220824, application/json',
    },
    body: JSON.stringify({ query }),
  });
  return {
    type: response.headers.get('content-type'),
    body: (await response.json()) as unknown,
  };
}

async function overWebSocket(query: string) {
  const client = createClient({
    url: `${inject('routerUrl').replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const results: unknown[] = [];
  try {
    for await (const result of client.iterate({ query })) results.push(result);
  } catch (errors) {
    results.push({ errors });
  }
  await client.dispose();
  return results;
}

const refused = (directive: string) => ({
  errors: [
    expect.objectContaining({
      message: expect.stringContaining(`Unknown directive "@${directive}"`),
      extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
    }),
  ],
});

describe('incremental delivery', () => {
  it('refuses @defer and @stream over HTTP with one JSON answer', async () => {
    const answers = await Promise.all([overHttp(deferred), overHttp(streamed)]);

    expect(answers).toEqual([
      { type: expect.stringMatching(/^application\/json/), body: refused('defer') },
      { type: expect.stringMatching(/^application\/json/), body: refused('stream') },
    ]);
  });

  it('refuses them over graphql-ws with the same error, and nothing else', async () => {
    const answers = await Promise.all([overWebSocket(deferred), overWebSocket(streamed)]);

    expect(answers).toEqual([[refused('defer')], [refused('stream')]]);
  });
});
