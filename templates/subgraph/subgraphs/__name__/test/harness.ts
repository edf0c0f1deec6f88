import { startSubgraphInProcess, subgraphTestRun } from '@cartograph/shared/testing';
import { inject } from 'vitest';
import { create__Name__Service } from '../src/service.js';

/** The __name__ subgraph on a free port over this run's database and Redis prefix. */
export async function start__Name__Subgraph() {
  const { service, ...started } = await startSubgraphInProcess(
    create__Name__Service,
    subgraphTestRun(inject),
  );
  return { ...started, db: service.db, stop: service.stop };
}

export type __Name__Subgraph = Awaited<ReturnType<typeof start__Name__Subgraph>>;
