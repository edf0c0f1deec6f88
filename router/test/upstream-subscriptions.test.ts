import { createLogger } from '@cartograph/shared';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createUpstreamSubscriptions } from '../src/upstream-subscriptions.js';

describe('createUpstreamSubscriptions', () => {
  it('ends a subscription too large for the subgraph alone, without sending it', async () => {
    const registers = [new Registry()];
    const asked: string[] = [];
    const upstream = createUpstreamSubscriptions({
      urlOf: (subgraph) => {
        asked.push(subgraph);
        return 'http://127.0.0.1:9/graphql';
      },
      logger: createLogger('upstream-test', 'silent'),
      queueLimit: 10,
      retryAttempts: 0,
      perConnection: 100,
      maxOutgoingBytes: 64 * 1024,
      gauges: {
        subscriptions: new Gauge({ name: 'subscriptions', help: 'h', registers }),
        connections: new Gauge({ name: 'connections', help: 'h', registers }),
      },
    });

    // The router's own client limit is half a subgraph's, but a plan can inline more than it got.
    const events = upstream.subscribe('products', {
      query: 'subscription ($ids: [ID!]) { stockChanged(productIds: $ids) { stock } }',
      variables: { ids: ['x'.repeat(70 * 1024)] },
    });
    const first = await events.next();
    const after = await events.next();

    expect(first.value).toEqual({
      errors: [
        {
          message: 'This subscription is too large to forward',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    expect(after.done).toBe(true);
    expect(asked).toEqual([]);
    await upstream.dispose();
  });
});
