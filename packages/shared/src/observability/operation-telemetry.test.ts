import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorMasker } from '../graphql/errors.js';
import { createMetrics } from './metrics.js';
import { operationTelemetry } from './operation-telemetry.js';

const schema = buildSchema(`
  type Query { hello: String, broken: String }
  type Mutation { touch: Boolean }
`);
const rootValue = {
  hello: () => 'world',
  broken: () => {
    throw new Error('relation "secrets" does not exist');
  },
  touch: () => true,
};

async function serverWithTelemetry(maxOperationNames?: number) {
  const metrics = createMetrics('test');
  const logged: Record<string, unknown>[] = [];
  const logger = pino({}, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const apollo = new ApolloServer<{ requestId?: string }>({
    schema,
    rootValue,
    formatError: createErrorMasker(logger),
    plugins: [operationTelemetry(metrics, maxOperationNames)],
  });
  await apollo.start();
  const run = async (query: string, contextValue: { requestId?: string } = {}) => {
    const response = await apollo.executeOperation({ query }, { contextValue });
    return response.body.kind === 'single' ? response.body.singleResult : undefined;
  };
  const values = async (metric: { get(): Promise<{ values: unknown[] }> }) =>
    (await metric.get()).values;
  return { metrics, logged, run, values, stop: () => apollo.stop() };
}

describe('operationTelemetry', () => {
  it('counts operations and their latency by name and type, anonymous and invalid ones too', async () => {
    const server = await serverWithTelemetry();

    await server.run('query Greeting { hello }');
    await server.run('query Greeting { hello }');
    await server.run('mutation Touch { touch }');
    await server.run('{ hello }');
    await server.run('query Broken {');
    await server.run('query Unknown { nope }');

    expect(await server.values(server.metrics.graphqlRequests)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { operation: 'Greeting', type: 'query' }, value: 2 }),
        expect.objectContaining({ labels: { operation: 'Touch', type: 'mutation' }, value: 1 }),
        expect.objectContaining({ labels: { operation: 'anonymous', type: 'query' }, value: 1 }),
        expect.objectContaining({ labels: { operation: 'invalid', type: 'unknown' }, value: 2 }),
      ]),
    );
    const durations = await server.values(server.metrics.graphqlDuration);
    expect(durations).toContainEqual(
      expect.objectContaining({
        metricName: 'cartograph_graphql_request_duration_seconds_count',
        labels: { operation: 'Greeting', type: 'query' },
        value: 2,
      }),
    );
    expect(await server.values(server.metrics.graphqlErrors)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { code: 'GRAPHQL_PARSE_FAILED' }, value: 1 }),
        expect.objectContaining({ labels: { code: 'GRAPHQL_VALIDATION_FAILED' }, value: 1 }),
      ]),
    );
    await server.stop();
  });

  it('labels operation names past the cap as "other"', async () => {
    const server = await serverWithTelemetry(2);

    for (const name of ['First', 'Second', 'Third', 'Fourth', 'First'])
      await server.run(`query ${name} { hello }`);

    const labels = (await server.values(server.metrics.graphqlRequests)).map(
      (value) => (value as { labels: { operation: string } }).labels.operation,
    );
    expect(labels.sort()).toEqual(['First', 'Second', 'other']);
    await server.stop();
  });

  it('labels names too long to be labels as "other", so /metrics stays small', async () => {
    const server = await serverWithTelemetry();
    const long = (i: number) => `Q${i}${'x'.repeat(50_000)}`;

    for (let i = 0; i < 5; i++) await server.run(`query ${long(i)} { hello }`);
    await server.run(`query Q${'y'.repeat(127)} { hello }`);

    const labels = (await server.values(server.metrics.graphqlRequests)).map(
      (value) => (value as { labels: { operation: string } }).labels.operation,
    );
    expect(labels.sort()).toEqual([`Q${'y'.repeat(127)}`, 'other']);
    // Each name would appear on 15 lines (a counter and a histogram): 3.75 MB for these five.
    expect((await server.metrics.registry.metrics()).length).toBeLessThan(50_000);
    await server.stop();
  });

  it("masks an unexpected error with the request's id, logs it with that id and counts it", async () => {
    const server = await serverWithTelemetry();

    const result = await server.run('query Broken { broken }', { requestId: 'req-telemetry-1' });

    expect(result?.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['broken'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-telemetry-1' },
      },
    ]);
    expect(server.logged).toContainEqual(
      expect.objectContaining({
        requestId: 'req-telemetry-1',
        err: expect.objectContaining({ message: 'relation "secrets" does not exist' }),
      }),
    );
    expect(await server.values(server.metrics.graphqlErrors)).toContainEqual(
      expect.objectContaining({ labels: { code: 'INTERNAL_SERVER_ERROR' }, value: 1 }),
    );
    await server.stop();
  });
});
