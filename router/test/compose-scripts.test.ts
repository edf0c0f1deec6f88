/**
 * The scripts docker-compose.yml runs in the infrastructure's containers and the images' entry
 * point, run here as compose would run them, each named volume being a temporary directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { freePort, repoRoot } from '@cartograph/shared/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoPasswords, ensureDevKeys } from '../../scripts/keys.js';
import { argument, compose, dockerfileCommand, envOf, mountsOf, service } from './compose-file.js';

describe("docker-compose.yml's scripts, run as compose runs them", () => {
  const run = promisify(execFile);
  let stack = '';
  let redisPort = 0;
  let redisServer: ChildProcess | undefined;
  let generated: { postgres: string; redis: string };

  /** A path inside a service's container, on this machine: named volumes are directories. */
  const onHost = (name: string, text: string) =>
    mountsOf(name)
      .sort((a, b) => b.target.length - a.target.length)
      .reduce((result, mount) => {
        const source = mount.source.startsWith('.')
          ? `${repoRoot}/${mount.source.slice(2)}`
          : `${stack}/${mount.source}`;
        return result.split(mount.target).join(source);
      }, text);
  const hostEnv = (name: string) =>
    Object.fromEntries(
      Object.entries(envOf(name)).map(([key, value]) => [key, onHost(name, value)]),
    );
  const passwords = () => ({
    postgres: readFileSync(`${stack}/postgres-secret/password`, 'utf8'),
    redis: readFileSync(`${stack}/redis-secret/password`, 'utf8'),
  });
  const runSecrets = (...args: string[]) => {
    const [command, ...entrypoint] = service('secrets').entrypoint!.map((part) =>
      onHost('secrets', part),
    );
    return run(command!, [...entrypoint, ...args], {
      env: { PATH: process.env.PATH, ...hostEnv('secrets') },
    });
  };

  /** The first `docker compose up`: secrets, then Redis with the compose file's command. */
  beforeAll(async () => {
    stack = mkdtempSync(`${tmpdir()}/cartograph-compose-`);
    // Stands in for the redis image's entry point, which redis.sh hands over to.
    const shims = `${stack}/bin`;
    for (const volume of Object.keys(compose.volumes ?? {}))
      mkdirSync(`${stack}/${volume}`, { recursive: true });
    mkdirSync(shims);
    writeFileSync(`${shims}/docker-entrypoint.sh`, '#!/bin/sh\nexec "$@"\n');
    chmodSync(`${shims}/docker-entrypoint.sh`, 0o755);
    await runSecrets();
    generated = passwords();

    const [command, ...args] = service('redis').command!.map((part) => onHost('redis', part));
    redisPort = await freePort();
    const port = String(redisPort);
    redisServer = spawn(command!, [...args, '--port', port, '--bind', '127.0.0.1', '--save', ''], {
      cwd: `${stack}/redisdata`,
      env: { PATH: `${shims}:${process.env.PATH}`, ...hostEnv('redis') },
      stdio: 'ignore',
    });
    for (let attempt = 0; ; attempt++) {
      const probe = new Redis(Number(port), '127.0.0.1', {
        password: generated.redis,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        break;
      } catch (error) {
        if (attempt === 100 || redisServer.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  });

  afterAll(async () => {
    const server = redisServer;
    if (server && server.exitCode === null)
      await new Promise((resolve) => server.once('exit', resolve).kill());
    if (stack) rmSync(stack, { recursive: true, force: true });
  });

  it('secrets generates a password per server once, readable by root alone, and keeps it', async () => {
    await runSecrets();

    expect(generated.postgres).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.redis).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.postgres).not.toBe(generated.redis);
    expect(passwords()).toEqual(generated);
    for (const volume of ['postgres-secret', 'redis-secret'])
      expect(statSync(`${stack}/${volume}/password`).mode & 0o777).toBe(0o600);
  });

  it('secrets prints what npm start on the host needs', async () => {
    const { stdout } = await runSecrets('host-env');

    expect(stdout).toBe(
      `PGPASSWORD=${generated.postgres}\nREDIS_URL=redis://:${generated.redis}@127.0.0.1:6379\n`,
    );
  });

  it('redis refuses clients without the password, never evicts, and its healthcheck passes', async () => {
    const port = redisPort;
    const authorized = new Redis(port, '127.0.0.1', { password: generated.redis });
    // No ready check: it would fail on NOAUTH and close the connection before the PING.
    const anonymous = new Redis(port, '127.0.0.1', {
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    anonymous.on('error', () => undefined);
    const healthcheck = onHost('redis', service('redis').healthcheck!.test[1]!)
      .replaceAll('$$', '$')
      .replace('redis-cli', `redis-cli -p ${port}`);

    try {
      expect(await authorized.config('GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
      expect(await authorized.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      await expect(run('sh', ['-c', healthcheck])).resolves.toBeDefined();
    } finally {
      authorized.disconnect();
      anonymous.disconnect();
    }
  });

  it("the images' entry point hands the passwords to the services' clients", async () => {
    const env = hostEnv('users');
    env.REDIS_URL = env.REDIS_URL!.replace('//redis:6379', `//127.0.0.1:${redisPort}`);

    const { stdout } = await run('sh', [`${repoRoot}/docker/service-entrypoint.sh`, 'env'], {
      env: { PATH: process.env.PATH, ...env },
    });
    const given = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const client = new Redis(given.REDIS_URL!, { maxRetriesPerRequest: 0 });

    try {
      expect(given.PGPASSWORD).toBe(generated.postgres);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('setup keeps the private key and demo passwords out of the volume the others mount', () => {
    const setupCommand = dockerfileCommand(service('setup').build!.target!)!;
    const keysDir = onHost('setup', argument(setupCommand, '--keys-dir')!);
    const usersSecretsDir = onHost('setup', argument(setupCommand, '--users-secrets-dir')!);
    const env: NodeJS.ProcessEnv = {};

    ensureDevKeys(keysDir, usersSecretsDir);
    ensureDemoPasswords(usersSecretsDir, env);

    expect(readdirSync(keysDir).sort()).toEqual(['internal-secret', 'jwt-public.pem']);
    expect(readdirSync(usersSecretsDir).sort()).toEqual([
      'admin-password',
      'customer-password',
      'jwt-private.pem',
    ]);
    expect(env).toEqual({
      SEED_ADMIN_PASSWORD: readFileSync(`${usersSecretsDir}/admin-password`, 'utf8'),
      SEED_CUSTOMER_PASSWORD: readFileSync(`${usersSecretsDir}/customer-password`, 'utf8'),
    });
    expect(env.SEED_ADMIN_PASSWORD).not.toBe(env.SEED_CUSTOMER_PASSWORD);
  });
});
