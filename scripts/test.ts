/**
 * `npm test`: first checks what the suites need, and says exactly what to install or start:
 * Postgres and Redis, and Chromium when the router's suite is among those to run (its browser
 * test drives one). Minutes into a run is too late to learn it. Then `turbo run test`, one
 * workspace at a time, with the arguments given (`npm test -- --filter=@cartograph/orders-subgraph`).
 */
import { spawnSync } from 'node:child_process';
import {
  checkChromium,
  checkPostgres,
  checkRedis,
  repoRoot,
  testPostgresUrl,
  testRedisUrl,
} from '@cartograph/shared/testing';

const args = process.argv.slice(2);
// Turborepo has no repository setting for it; without this it announces telemetry on every new machine.
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const turbo = (turboArgs: string[], options: { capture?: boolean } = {}) =>
  spawnSync(`${repoRoot}/node_modules/.bin/turbo`, ['run', 'test', ...turboArgs, ...args], {
    env,
    encoding: 'utf8',
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  });

/** The workspaces this run tests, as turbo resolves the filters given. */
function workspacesInScope(): string[] {
  const dry = turbo(['--dry=json'], { capture: true });
  if (dry.status !== 0) process.exit(dry.status ?? 1);
  const { tasks } = JSON.parse(dry.stdout) as { tasks: { package: string; task: string }[] };
  return tasks.filter((task) => task.task === 'test').map((task) => task.package);
}

const checks: Promise<void>[] = [
  checkPostgres(`${testPostgresUrl}/postgres`),
  checkRedis(testRedisUrl),
];
if (workspacesInScope().includes('@cartograph/router'))
  checks.push((async () => checkChromium())());
const problems = (await Promise.allSettled(checks)).flatMap((result) =>
  result.status === 'rejected' ? [(result.reason as Error).message] : [],
);
if (problems.length > 0) {
  console.error(`\nnpm test needs what follows first:\n\n${problems.join('\n\n')}\n`);
  process.exit(1);
}

process.exit(turbo(['--concurrency=1']).status ?? 1);
