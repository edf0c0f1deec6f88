import { freePort, startRedisServer } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUsersSubgraph, type UsersSubgraph } from './harness.js';

/** A subgraph's `/ready`: its status, and when not ready, the names of the checks that failed. */
async function readiness(subgraph: UsersSubgraph) {
  const response = await fetch(subgraph.url.replace(/\/graphql$/, '/ready'));
  return { status: response.status, body: await response.json() };
}

describe('/ready', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let subgraph: UsersSubgraph;
  beforeAll(async () => {
    redis = await startRedisServer();
    subgraph = await startUsersSubgraph({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await subgraph?.stop();
    await redis?.stop();
  });

  it("checks the service's own database and Redis, and names Redis while it is away", async () => {
    const before = await readiness(subgraph);

    await redis.stop();
    const during = await readiness(subgraph);

    expect(before).toEqual({ status: 200, body: { status: 'ok' } });
    expect(during).toEqual({ status: 503, body: { status: 'unavailable', failing: ['redis'] } });
  });

  it('names the database when it cannot be reached', async () => {
    const unreachable = await startUsersSubgraph({
      databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/cartograph_users`,
    });

    const answer = await readiness(unreachable).finally(() => unreachable.stop());

    expect(answer).toEqual({ status: 503, body: { status: 'unavailable', failing: ['database'] } });
  });
});
