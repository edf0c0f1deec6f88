/**
 * `npm start` on a machine where Postgres and Redis are down: it stops at once with how to start
 * them, and never waits for an answer where nobody can give one.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { freePort, repoRoot } from '@cartograph/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let bin = '';
let nowhere: { postgres: string; redis: string };

beforeAll(async () => {
  bin = mkdtempSync(`${tmpdir()}/cartograph-start-`);
  nowhere = {
    postgres: `postgresql://postgres@127.0.0.1:${await freePort()}/cartograph_users`,
    redis: `redis://127.0.0.1:${await freePort()}`,
  };
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** Runs scripts/start.ts as `npm start` would after codegen, with stdin not a terminal. */
async function start(env: Record<string, string>) {
  const result = await run(
    process.execPath,
    ['--conditions=@cartograph/source', '--import', 'tsx', `${repoRoot}/scripts/start.ts`],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        USERS_DATABASE_URL: nowhere.postgres,
        REDIS_URL: nowhere.redis,
        CI: '',
        ...env,
      },
      // Far longer than stopping takes; an answer awaited for ever would end here.
      timeout: 20_000,
    },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code?: number; killed?: boolean; stderr: string }) => ({
      code: error.killed ? 'killed' : error.code,
      stderr: error.stderr,
    }),
  );
  return result;
}

/** A `docker` whose engine answers and which writes down every command it is given. */
function fakeDocker() {
  const log = `${bin}/docker.log`;
  writeFileSync(log, '');
  writeFileSync(`${bin}/docker`, `#!/bin/sh\necho "$*" >> '${log}'\nexit 0\n`);
  chmodSync(`${bin}/docker`, 0o755);
  return () => readFileSync(log, 'utf8');
}

describe('npm start without Postgres and Redis', () => {
  it('stops at once, naming both and how to start them, Docker included', async () => {
    const { code, stderr } = await start({ PATH: `${bin}-none:${process.env.PATH}` });

    expect(code).toBe(1);
    expect(stderr).toContain(`PostgreSQL is not reachable at ${new URL(nowhere.postgres).host}`);
    expect(stderr).toContain(`Redis is not reachable at ${new URL(nowhere.redis).host}`);
    expect(stderr).toContain('pg_ctlcluster');
    expect(stderr).toContain('redis-server --daemonize yes');
    expect(stderr).toContain('docker compose up -d postgres redis');
    expect(stderr).toContain('docker compose run --rm -T secrets host-env >> .env');
  });

  it('starts nothing with Docker when it cannot ask, even where an engine runs', async () => {
    const commands = fakeDocker();

    const { code, stderr } = await start({ PATH: `${bin}:${process.env.PATH}` });

    expect(code).toBe(1);
    expect(stderr).toContain('docker compose up -d postgres redis');
    expect(commands()).not.toMatch(/compose up|compose run/);
  });
});
