/**
 * `npm start`: checks that Postgres and Redis answer, creates, migrates and seeds the databases,
 * then runs every subgraph and the router, each its own process, and prints the router's URL.
 * `npm run dev` does the same with restart-on-change. Ctrl-C stops everything.
 */
import { existsSync } from 'node:fs';
import {
  listSubgraphs,
  repoRoot,
  startService,
  type RunningService,
} from '@cartograph/shared/testing';
import { ensureInfrastructure } from './infrastructure.js';
import { ensureDevKeys } from './keys.js';
import { databaseUrl, migrateAll, seedAll } from './setup.js';

if (existsSync(`${repoRoot}/.env`)) process.loadEnvFile(`${repoRoot}/.env`);
const env = process.env;
const watch = process.argv.includes('--watch');

/** The subgraphs in port order, then the router, each with the workspace it runs from. */
const services = [
  ...listSubgraphs().map(({ name }) => ({ name, workspace: `subgraphs/${name}` })),
  { name: 'router', workspace: 'router' },
];
/** ANSI colours, one a service: cyan, magenta, yellow, blue, red, white, and green the router. */
const colors = [36, 35, 33, 34, 31, 37];

/** Prints a service's JSON log line as `[name] level message {fields}`. */
function printer(name: string, color: number) {
  const prefix = `\x1b[${color}m[${name}]\x1b[0m`;
  const levels: Record<number, string> = {
    10: 'trace',
    20: 'debug',
    30: 'info',
    40: 'warn',
    50: 'error',
    60: 'fatal',
  };
  return (line: string) => {
    try {
      const {
        level,
        msg,
        time: _time,
        pid: _pid,
        hostname: _host,
        name: _name,
        ...fields
      } = JSON.parse(line);
      const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      console.log(`${prefix} ${levels[level] ?? level} ${msg}${rest}`);
    } catch {
      console.log(`${prefix} ${line}`);
    }
  };
}

await ensureInfrastructure(env, (current) => ({
  postgres: databaseUrl('users', current).replace(/\/[^/]*$/, '/postgres'),
  redis: current.REDIS_URL ?? 'redis://127.0.0.1:6379',
}));

if (!env.JWT_PRIVATE_KEY && !env.JWT_PRIVATE_KEY_FILE) {
  const keys = ensureDevKeys();
  env.JWT_PRIVATE_KEY_FILE = keys.privateKeyFile;
  env.JWT_PUBLIC_KEY_FILE ??= keys.publicKeyFile;
}
env.APOLLO_TELEMETRY_DISABLED ??= 'true';

await migrateAll(env);
const accounts = await seedAll(env);

const running: RunningService[] = [];
let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(running.map((service) => service.stop()));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  for (const [i, { name, workspace }] of services.entries()) {
    const color = name === 'router' ? 32 : colors[i % colors.length]!;
    const service = await startService(name, workspace, { onLine: printer(name, color), watch });
    service.process.once('exit', (code) => {
      if (stopping) return;
      console.error(`${name} exited (${code}); stopping the others`);
      void stopAll(1);
    });
    running.push(service);
  }
} catch (error) {
  console.error((error as Error).message);
  await stopAll(1);
}

const routerUrl = `http://localhost:${running.at(-1)!.port}/graphql`;
console.log(`
  Cartograph is running.

  Router (Apollo Sandbox in a browser): ${routerUrl}
  Demo accounts:
${accounts
  .map((account) => {
    // Passwords given through SEED_*_PASSWORD are the operator's and are not echoed.
    const given = account.role === 'ADMIN' ? env.SEED_ADMIN_PASSWORD : env.SEED_CUSTOMER_PASSWORD;
    return `    ${account.role.padEnd(8)} ${account.email} / ${given ? '(as configured)' : account.password}`;
  })
  .join('\n')}

  Ctrl-C stops everything.
`);
