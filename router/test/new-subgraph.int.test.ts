/**
 * The subgraph template, used as the root README's "How to add a subgraph" says, in a copy of
 * this checkout (so that tests running beside it never see a half-made subgraph): the script
 * makes one, the supergraph composes with it, it type-checks and lints, and its own test
 * passes. The copy and the databases it made are removed whatever happens.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, relative } from 'node:path';
import { promisify } from 'node:util';
import { dropDatabase, listSubgraphs, repoRoot, testPostgresUrl } from '@cartograph/shared/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeSupergraph } from '../../schema/compose.js';

const run = promisify(execFile);
const name = `scratch${randomBytes(3).toString('hex')}`;
/** What the script edits by hand in a checkout; it must leave this one's alone. */
const editedFiles = [
  '.env.example',
  'docker-compose.yml',
  'Dockerfile',
  'docker/postgres-init.sql',
];
const left = [
  'node_modules',
  '.git',
  '.turbo',
  'dist',
  'generated',
  '__generated__',
  '.keys',
  '.env',
];

/**
 * This checkout without its build output and git, its packages linked in: workspaces link to
 * the copy's own folders, so scripts there read the copy, never this tree.
 */
function copyCheckout() {
  const copy = mkdtempSync(`${tmpdir()}/cartograph-template-`);
  cpSync(repoRoot, copy, { recursive: true, filter: (path) => !left.includes(basename(path)) });
  // A workspace's own packages (versions that differ from the root's).
  for (const { path } of listSubgraphs()
    .map(({ name }) => ({ path: `subgraphs/${name}` }))
    .concat([{ path: 'packages/shared' }, { path: 'router' }])) {
    if (existsSync(`${repoRoot}/${path}/node_modules`))
      symlinkSync(`${repoRoot}/${path}/node_modules`, `${copy}/${path}/node_modules`);
  }
  mkdirSync(`${copy}/node_modules/@cartograph`, { recursive: true });
  for (const entry of readdirSync(`${repoRoot}/node_modules`)) {
    if (entry !== '@cartograph')
      symlinkSync(`${repoRoot}/node_modules/${entry}`, `${copy}/node_modules/${entry}`);
  }
  for (const entry of readdirSync(`${repoRoot}/node_modules/@cartograph`)) {
    const workspace = relative(
      repoRoot,
      realpathSync(`${repoRoot}/node_modules/@cartograph/${entry}`),
    );
    symlinkSync(`${copy}/${workspace}`, `${copy}/node_modules/@cartograph/${entry}`);
  }
  return copy;
}

/** The databases the template's run made: its development one, test template and test copies. */
async function dropScratchDatabases() {
  const client = new pg.Client({ connectionString: `${testPostgresUrl}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`cartograph_${name}%`],
    );
    for (const { datname } of rows) await dropDatabase(`${testPostgresUrl}/${datname}`);
  } finally {
    await client.end();
  }
}

const snapshot = () => ({
  files: editedFiles.map((file) => readFileSync(`${repoRoot}/${file}`, 'utf8')),
  subgraphs: readdirSync(`${repoRoot}/subgraphs`).sort(),
  prisma: readdirSync(`${repoRoot}/prisma`).sort(),
});

let copy = '';
let before: ReturnType<typeof snapshot>;
beforeAll(() => {
  before = snapshot();
  copy = copyCheckout();
});
afterAll(async () => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  await dropScratchDatabases();
}, 60_000);

/** A command in the copy, failing with its output. */
async function inCopy(command: string, args: string[], cwd = copy) {
  try {
    return await run(command, args, {
      cwd,
      env: {
        // Not this run's vitest variables: the copy's vitest runs on its own.
        ...Object.fromEntries(
          Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')),
        ),
        TURBO_TELEMETRY_DISABLED: '1',
        [`${name.toUpperCase()}_DATABASE_URL`]: `${testPostgresUrl}/cartograph_${name}`,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

describe('npm run new-subgraph', () => {
  it('makes a subgraph that composes, type-checks, lints and passes its test, leaving this tree alone', async () => {
    const tsx = ['--conditions=@cartograph/source', '--import', 'tsx'];
    const pascal = name[0]!.toUpperCase() + name.slice(1);

    await inCopy(process.execPath, [...tsx, 'scripts/new-subgraph.ts', name, '--no-install']);
    const { apiSdl, supergraphSdl } = await composeSupergraph(copy);
    const typecheck = inCopy(
      process.execPath,
      [`${copy}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.json', '--noEmit'],
      `${copy}/subgraphs/${name}`,
    );
    const lint = inCopy(
      process.execPath,
      [`${copy}/node_modules/eslint/bin/eslint.js`, '.'],
      `${copy}/subgraphs/${name}`,
    );
    const tests = inCopy(
      process.execPath,
      [`${copy}/node_modules/vitest/vitest.mjs`, 'run'],
      `${copy}/subgraphs/${name}`,
    );
    await typecheck;
    await lint;
    const { stdout } = await tests;

    expect(listSubgraphs(copy).map(({ name, port }) => ({ name, port }))).toEqual([
      ...listSubgraphs().map(({ name, port }) => ({ name, port })),
      { name, port: Math.max(...listSubgraphs().map(({ port }) => port)) + 1 },
    ]);
    const port = listSubgraphs(copy).at(-1)!.port;
    expect(supergraphSdl).toContain(`url: "http://localhost:${port}/graphql"`);
    expect(apiSdl).toContain(`${name}Example(id: ID!): ${pascal}Example`);
    // eslint-disable-next-line no-control-regex
    expect(stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+2 passed \(2\)/);
    expect(readdirSync(`${copy}/prisma/${name}/migrations`)).toContainEqual(
      expect.stringMatching(/^\d{14}_init$/),
    );
    const compose = parse(readFileSync(`${copy}/docker-compose.yml`, 'utf8'), { merge: true });
    expect(compose.services[name]).toMatchObject({
      build: { target: 'subgraph', args: { SUBGRAPH: name } },
      environment: {
        [`${name.toUpperCase()}_DATABASE_URL`]: `postgresql://postgres@postgres:5432/cartograph_${name}`,
      },
      depends_on: { setup: { condition: 'service_completed_successfully' } },
    });
    expect(compose.services.router).toMatchObject({
      environment: { [`${name.toUpperCase()}_SUBGRAPH_URL`]: `http://${name}:${port}/graphql` },
      depends_on: { [name]: { condition: 'service_started' } },
    });
    expect(readFileSync(`${copy}/.env.example`, 'utf8')).toContain(
      `${name.toUpperCase()}_PORT=${port}\n`,
    );
    expect(readFileSync(`${copy}/Dockerfile`, 'utf8')).toContain(
      `COPY subgraphs/${name}/package.json subgraphs/${name}/\n`,
    );
    expect(snapshot()).toEqual(before);
  }, 240_000);
});
