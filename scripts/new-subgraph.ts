/**
 * `npm run new-subgraph -- <name>` makes `subgraphs/<name>` from `templates/subgraph/`: its
 * package, SDL with one example type, service, resolvers, data layer, a passing test, and its
 * Prisma schema with the first migration and a seed. It listens on the port after the last
 * subgraph's. Composition, codegen, `npm start`, setup, the end-to-end stack and the test
 * databases find it among `subgraphs/*` by themselves; what lists services by hand is edited
 * here: `.env.example`, `docker-compose.yml`, the Dockerfile and the Postgres init script. Then
 * it links the workspace (`npm install`, unless `--no-install`), generates its Prisma client and
 * runs codegen. The root README's "How to add a subgraph" says what comes next.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envName, listSubgraphs } from '@cartograph/shared/testing';
import { format, getFileInfo, resolveConfig } from 'prettier';
import { Alias, isMap, Pair, parseDocument, Scalar, YAMLSeq, type YAMLMap } from 'yaml';
import { newMigration } from '../prisma/scripts/new-migration.js';

/** This checkout: the script edits the tree it belongs to (the template's test runs a copy). */
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const templateDir = `${root}/templates/subgraph`;

/** Lowercase letters and digits: one word serves as folder, type prefix, variables and database. */
const validName = /^[a-z][a-z0-9]{1,30}$/;
const reserved = new Set(['router', 'shared', 'subgraph', 'service']);

function fill(text: string, name: string, port: number) {
  const pascal = name[0]!.toUpperCase() + name.slice(1);
  return text
    .replaceAll('"__PORT__"', String(port))
    .replaceAll('__PORT__', String(port))
    .replaceAll('__NAME__', name.toUpperCase())
    .replaceAll('__Name__', pascal)
    .replaceAll('__name__', name);
}

/** Every template file, as its path relative to the template folder. */
function templateFiles(dir = templateDir, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = `${dir}/${entry}`;
    if (statSync(path).isDirectory()) return templateFiles(path, `${prefix}${entry}/`);
    return prefix === '' ? [] : [`${prefix}${entry}`];
  });
}

/** The template's files, filled in and formatted as Prettier formats the repository. */
async function copyTemplate(name: string, port: number) {
  for (const file of templateFiles()) {
    const target = `${root}/${fill(file, name, port)}`;
    const text = fill(readFileSync(`${templateDir}/${file}`, 'utf8'), name, port);
    const { inferredParser } = await getFileInfo(target);
    const options = await resolveConfig(target);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(
      target,
      inferredParser ? await format(text, { ...options, parser: inferredParser }) : text,
    );
  }
}

/** `.env.example`: the subgraph's block before the router's, and its URL among the router's. */
function registerInEnvExample(name: string, port: number) {
  const file = `${root}/.env.example`;
  const lines = readFileSync(file, 'utf8').split('\n');
  const routerAt = lines.indexOf('# --- router');
  if (routerAt === -1) throw new Error('.env.example has no "# --- router" section');
  lines.splice(
    routerAt,
    0,
    `# --- ${name} subgraph`,
    `${envName(name, 'PORT')}=${port}`,
    `${envName(name, 'DATABASE_URL')}=postgresql://postgres@127.0.0.1:5432/cartograph_${name}`,
    '',
  );
  const lastUrlAt = lines.findLastIndex((line) => /^# [A-Z0-9_]+_SUBGRAPH_URL=/.test(line));
  lines.splice(
    lastUrlAt + 1,
    0,
    `# ${envName(name, 'SUBGRAPH_URL')}=http://localhost:${port}/graphql`,
  );
  writeFileSync(file, lines.join('\n'));
}

/**
 * `docker-compose.yml`, edited as YAML (comments, anchors and styles kept; Prettier formats it
 * as it formats the rest): the database URL every service may use, the subgraph's service
 * before the router, and the router's URL of it and start order.
 */
async function registerInCompose(name: string, port: number) {
  const file = `${root}/docker-compose.yml`;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const mapAt = (parent: YAMLMap | typeof doc, key: string) => {
    const node = parent.get(key, true);
    if (!isMap(node)) throw new Error(`docker-compose.yml: ${key} is not a map`);
    return node;
  };
  const databaseEnv = mapAt(doc, 'x-database-env');
  databaseEnv.set(
    envName(name, 'DATABASE_URL'),
    `postgresql://postgres@postgres:5432/cartograph_${name}`,
  );

  const flow = <T extends YAMLMap | YAMLSeq>(node: T) => Object.assign(node, { flow: true });
  const service = doc.createNode({
    build: { context: '.', dockerfile: 'Dockerfile', target: 'subgraph', args: { SUBGRAPH: name } },
    environment: {},
    volumes: [
      'postgres-secret:/run/secrets/postgres:ro',
      'redis-secret:/run/secrets/redis:ro',
      'service-keys:/run/secrets/keys:ro',
    ],
  }) as YAMLMap;
  flow(mapAt(mapAt(service, 'build'), 'args'));
  flow(mapAt(service, 'build'));
  service.items.unshift(new Pair(new Scalar('<<'), new Alias('service')));
  const merged = flow(new YAMLSeq());
  merged.items.push(new Alias('env'), new Alias('database-env'));
  mapAt(service, 'environment').items.push(new Pair(new Scalar('<<'), merged));

  const services = mapAt(doc, 'services');
  const routerAt = services.items.findIndex((pair) => String(pair.key) === 'router');
  const key = Object.assign(new Scalar(name), { spaceBefore: true });
  services.items.splice(routerAt, 0, new Pair(key, service));

  const router = mapAt(services, 'router');
  const routerEnv = mapAt(router, 'environment');
  const lastUrlAt = routerEnv.items.findLastIndex((pair) =>
    String(pair.key).endsWith('_SUBGRAPH_URL'),
  );
  routerEnv.items.splice(
    lastUrlAt + 1,
    0,
    new Pair(new Scalar(envName(name, 'SUBGRAPH_URL')), `http://${name}:${port}/graphql`),
  );
  mapAt(router, 'depends_on').set(
    name,
    flow(doc.createNode({ condition: 'service_started' }) as YAMLMap),
  );

  const options = await resolveConfig(file);
  writeFileSync(file, await format(doc.toString({ lineWidth: 0 }), { ...options, parser: 'yaml' }));
}

/** The Dockerfile installs every workspace from its package.json first, for the layer cache. */
function registerInDockerfile(name: string) {
  const file = `${root}/Dockerfile`;
  const lines = readFileSync(file, 'utf8').split('\n');
  const lastAt = lines.findLastIndex((line) => /^COPY subgraphs\/[^/]+\/package\.json /.test(line));
  if (lastAt === -1) throw new Error('the Dockerfile copies no subgraph package.json');
  lines.splice(lastAt + 1, 0, `COPY subgraphs/${name}/package.json subgraphs/${name}/`);
  writeFileSync(file, lines.join('\n'));
}

/** Compose's Postgres creates each subgraph's database on its first start. */
function registerInPostgresInit(name: string) {
  const file = `${root}/docker/postgres-init.sql`;
  const text = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    `${text}${text.endsWith('\n') ? '' : '\n'}CREATE DATABASE cartograph_${name};\n`,
  );
}

const run = (command: string, args: string[], cwd = root) =>
  execFileSync(command, args, { cwd, stdio: 'inherit', env: process.env });

export async function newSubgraph(name: string, options: { install: boolean }) {
  if (!validName.test(name) || reserved.has(name))
    throw new Error(
      `"${name}" cannot name a subgraph: use 2 to 31 lowercase letters and digits, starting with a letter (not ${[...reserved].join(', ')})`,
    );
  if (existsSync(`${root}/subgraphs/${name}`) || existsSync(`${root}/prisma/${name}`))
    throw new Error(`subgraphs/${name} or prisma/${name} exists already`);
  const port = Math.max(...listSubgraphs(root).map((subgraph) => subgraph.port)) + 1;

  await copyTemplate(name, port);
  const migration = await newMigration(name, 'init');
  if (!migration) throw new Error(`prisma migrate diff wrote nothing for prisma/${name}`);
  registerInEnvExample(name, port);
  await registerInCompose(name, port);
  registerInDockerfile(name);
  registerInPostgresInit(name);

  if (options.install) run('npm', ['install', '--no-audit', '--no-fund']);
  run(`${root}/node_modules/.bin/prisma`, ['generate'], `${root}/subgraphs/${name}`);
  run(`${root}/node_modules/.bin/graphql-codegen`, ['--config', 'codegen.ts']);
  return { port, migration };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'no-install': { type: 'boolean' } },
  });
  const [name] = positionals;
  if (!name) {
    console.error('usage: npm run new-subgraph -- <name> [--no-install]');
    process.exit(2);
  }
  try {
    const { port } = await newSubgraph(name, { install: !values['no-install'] });
    console.log(`
  subgraphs/${name} is made, on port ${port}, with its first migration and a passing test.
  Next (README, "How to add a subgraph"):
    npm run compose        the supergraph with it; commit schema/supergraph.graphql and api.graphql
    npm test -- --filter=@cartograph/${name}-subgraph
  then replace the example in schema.graphql and prisma/${name}/schema.prisma with the real thing.
`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
