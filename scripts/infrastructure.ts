/**
 * What `npm start` needs before anything else: Postgres and Redis. When either is down it stops
 * with how to start them; where a Docker engine runs, it first offers to start both with the
 * compose file and to save the passwords compose generates for them into `.env`. It asks only
 * on a terminal, never in CI, so nothing ever waits for an answer nobody can give.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { checkPostgres, checkRedis, repoRoot } from '@cartograph/shared/testing';

const envFile = `${repoRoot}/.env`;

/** The problems, each with how to solve it; none when Postgres and Redis both answer. */
async function problems(postgresUrl: string, redisUrl: string) {
  const results = await Promise.allSettled([checkPostgres(postgresUrl), checkRedis(redisUrl)]);
  return results.flatMap((result) =>
    result.status === 'rejected' ? [(result.reason as Error).message] : [],
  );
}

const run = (command: string, args: string[], capture = false) =>
  spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    timeout: 180_000,
  });

/** A Docker engine that answers, with the compose plugin. */
const dockerAvailable = () =>
  spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0 &&
  spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 15_000 }).status === 0;

const canAsk = () => Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);

async function ask(question: string) {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes|)$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

const dockerHowTo =
  'Or, with Docker: docker compose up -d postgres redis, then add the passwords compose\n' +
  'generated to .env once: docker compose run --rm -T secrets host-env >> .env\n' +
  "(README, 'Docker'). In a terminal where `docker info` answers, npm start offers to do both.";

/**
 * Starts compose's Postgres and Redis and puts the passwords it generated in `env` (and, unless
 * it sets them already, in `.env`, for the next start). Returns false when compose failed.
 */
function startWithDocker(env: NodeJS.ProcessEnv): boolean {
  if (run('docker', ['compose', 'up', '-d', '--wait', 'postgres', 'redis']).status !== 0)
    return false;
  const hostEnv = run('docker', ['compose', 'run', '--rm', '-T', 'secrets', 'host-env'], true);
  if (hostEnv.status !== 0) return false;
  const lines = hostEnv.stdout.split('\n').filter((line) => /^(PGPASSWORD|REDIS_URL)=/.test(line));
  for (const line of lines) {
    const at = line.indexOf('=');
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  const saved = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
  if (/^(PGPASSWORD|REDIS_URL)=/m.test(saved)) {
    console.log(
      '.env already sets PGPASSWORD or REDIS_URL, so it was left as it is; compose generated:\n' +
        '  docker compose run --rm -T secrets host-env',
    );
  } else {
    appendFileSync(
      envFile,
      `${saved && !saved.endsWith('\n') ? '\n' : ''}# docker compose's Postgres and Redis (written by npm start)\n${lines.join('\n')}\n`,
      { mode: 0o600 },
    );
    console.log('Saved the passwords docker compose generated to .env.');
  }
  return true;
}

/**
 * Resolves once Postgres (at `postgresUrl`, a maintenance database) and Redis answer, having
 * started them with Docker if the developer agreed; otherwise says how to start them and exits.
 */
export async function ensureInfrastructure(
  env: NodeJS.ProcessEnv,
  urls: (env: NodeJS.ProcessEnv) => { postgres: string; redis: string },
): Promise<void> {
  let { postgres, redis } = urls(env);
  let found = await problems(postgres, redis);
  if (found.length === 0) return;
  const docker = dockerAvailable();
  if (
    docker &&
    canAsk() &&
    (await ask(
      `\n${found.join('\n\n')}\n\nStart Postgres and Redis with Docker (docker compose up -d postgres redis) and save their passwords to .env? [Y/n] `,
    ))
  ) {
    if (startWithDocker(env)) {
      ({ postgres, redis } = urls(env));
      found = await problems(postgres, redis);
      if (found.length === 0) return;
    }
  }
  console.error(`\n${found.join('\n\n')}\n\n${dockerHowTo}\n`);
  process.exit(1);
}
