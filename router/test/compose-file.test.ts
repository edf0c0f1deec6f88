/**
 * docker-compose.yml, parsed and held to the rules that make it safe on a machine with a public
 * address. compose-scripts.test.ts runs the scripts it starts the containers with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { repoRoot } from '@cartograph/shared/testing';
import { describe, expect, it } from 'vitest';
import {
  argument,
  compose,
  dockerfile,
  dockerfileCommand,
  envOf,
  mountsOf,
  publishedPorts,
  service,
  services,
  servicesMounting,
  volumeAt,
} from './compose-file.js';

describe('docker-compose.yml', () => {
  it('runs the secrets and setup steps, the infrastructure, the three subgraphs and the router', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['orders', 'postgres', 'products', 'redis', 'router', 'secrets', 'setup', 'users'].sort(),
    );
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(
      [
        'pgdata',
        'postgres-secret',
        'redis-secret',
        'redisdata',
        'service-keys',
        'users-secrets',
      ].sort(),
    );
  });

  it('publishes the router on every interface and Postgres and Redis on 127.0.0.1 only', () => {
    const published = Object.fromEntries(
      Object.keys(services)
        .map((name) => [name, publishedPorts(name)] as const)
        .filter(([, ports]) => ports.length > 0),
    );

    expect(published).toEqual({
      postgres: [{ address: '127.0.0.1', port: 5432 }],
      redis: [{ address: '127.0.0.1', port: 6379 }],
      router: [{ address: 'every interface', port: 4000 }],
    });
  });

  it('lets only setup (which writes it) and users (read-only) mount the JWT private key', () => {
    const privateKeyFile = envOf('users').JWT_PRIVATE_KEY_FILE!;
    const publicKeyFile = envOf('router').JWT_PUBLIC_KEY_FILE!;
    const setupCommand = dockerfileCommand(service('setup').build!.target!);
    const privateVolume = volumeAt('users', dirname(privateKeyFile))!;

    expect(privateKeyFile).toMatch(/\/jwt-private\.pem$/);
    expect(servicesMounting(privateVolume)).toEqual(['setup', 'users']);
    expect(mountsOf('users').find((mount) => mount.source === privateVolume)).toMatchObject({
      readOnly: true,
    });
    expect(
      Object.keys(services).filter((name) =>
        Object.keys(envOf(name)).some((key) => key.startsWith('JWT_PRIVATE_KEY')),
      ),
    ).toEqual(['users']);
    // setup writes the private key where users reads it, and the public key where all read it.
    expect(argument(setupCommand, '--users-secrets-dir')).toBe(dirname(privateKeyFile));
    expect(volumeAt('setup', dirname(privateKeyFile))).toBe(privateVolume);
    expect(argument(setupCommand, '--keys-dir')).toBe(dirname(publicKeyFile));
    expect(volumeAt('setup', dirname(publicKeyFile))).toBe(
      volumeAt('router', dirname(publicKeyFile)),
    );
    expect(volumeAt('router', dirname(publicKeyFile))).not.toBe(privateVolume);
  });

  it('gives Postgres and Redis generated passwords, read from volumes by their clients only', () => {
    const postgresFile = envOf('postgres').POSTGRES_PASSWORD_FILE!;
    const redisFile = envOf('redis').REDIS_PASSWORD_FILE!;
    const postgresVolume = volumeAt('postgres', dirname(postgresFile))!;
    const redisVolume = volumeAt('redis', dirname(redisFile))!;

    expect(envOf('secrets')).toMatchObject({
      POSTGRES_PASSWORD_FILE: postgresFile,
      REDIS_PASSWORD_FILE: redisFile,
    });
    expect(volumeAt('secrets', dirname(postgresFile))).toBe(postgresVolume);
    expect(volumeAt('secrets', dirname(redisFile))).toBe(redisVolume);
    expect(servicesMounting(postgresVolume)).toEqual([
      'orders',
      'postgres',
      'products',
      'secrets',
      'setup',
      'users',
    ]);
    expect(servicesMounting(redisVolume)).toEqual([
      'orders',
      'products',
      'redis',
      'router',
      'secrets',
      'users',
    ]);
    for (const name of ['setup', 'users', 'products', 'orders']) {
      expect(envOf(name).PGPASSWORD_FILE).toBe(postgresFile);
      expect(volumeAt(name, dirname(postgresFile))).toBe(postgresVolume);
    }
    for (const name of ['users', 'products', 'orders', 'router']) {
      expect(envOf(name)).toMatchObject({
        REDIS_URL: 'redis://redis:6379',
        REDIS_PASSWORD_FILE: redisFile,
      });
      expect(volumeAt(name, dirname(redisFile))).toBe(redisVolume);
    }
  });

  it('mounts every secret read-only, except into the service that writes it', () => {
    const writable = Object.keys(services).flatMap((name) =>
      mountsOf(name)
        .filter((mount) => !mount.readOnly && mount.target.startsWith('/run/secrets/'))
        .map((mount) => `${name}: ${mount.source}`),
    );

    expect(writable.sort()).toEqual([
      'secrets: postgres-secret',
      'secrets: redis-secret',
      'setup: service-keys',
      'setup: users-secrets',
    ]);
  });

  it('writes no password, secret or key into the file', () => {
    const variables = Object.keys(services).flatMap((name) => Object.keys(envOf(name)));
    const inline = Object.keys(services).flatMap((name) =>
      Object.entries(envOf(name))
        .filter(
          ([key, value]) =>
            /(PASSWORD|SECRET|PRIVATE_KEY)$/.test(key) || /\/\/[^/@]*:[^/@]*@/.test(value),
        )
        .map(([key]) => `${name}.${key}`),
    );

    expect(variables.length).toBeGreaterThan(0);
    expect(inline).toEqual([]);
  });

  it('runs Redis with a password and without eviction', () => {
    const { command, healthcheck } = service('redis');

    expect(command?.slice(0, 2)).toEqual(['sh', '/docker/redis.sh']);
    expect(argument(command, '--maxmemory-policy')).toBe('noeviction');
    expect(argument(command, '--appendonly')).toBe('yes');
    expect(healthcheck?.test.join(' ')).toContain('REDISCLI_AUTH=');
  });

  it('starts each service after what it needs', () => {
    const conditions = Object.fromEntries(
      Object.keys(services).map((name) => [
        name,
        Object.fromEntries(
          Object.entries(service(name).depends_on ?? {}).map(([on, { condition }]) => [
            on,
            condition,
          ]),
        ),
      ]),
    );
    const afterSetup = {
      setup: 'service_completed_successfully',
      redis: 'service_healthy',
    };

    expect(conditions).toEqual({
      secrets: {},
      postgres: { secrets: 'service_completed_successfully' },
      redis: { secrets: 'service_completed_successfully' },
      setup: { postgres: 'service_healthy' },
      users: afterSetup,
      products: afterSetup,
      orders: afterSetup,
      router: {
        ...afterSetup,
        users: 'service_started',
        products: 'service_started',
        orders: 'service_started',
      },
    });
  });

  it.each(['setup', 'users', 'products', 'orders', 'router'])(
    'builds %s from a Dockerfile target that exists in the repository',
    (name) => {
      const { build } = service(name);
      const file = `${repoRoot}/${build!.context}/${build!.dockerfile}`;

      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(
        new RegExp(`^FROM \\S+ AS ${build!.target}$`, 'm'),
      );
      if (name !== 'setup')
        expect(
          existsSync(
            `${repoRoot}/${name === 'router' ? 'router' : `subgraphs/${name}`}/src/index.ts`,
          ),
        ).toBe(true);
    },
  );

  it('mounts repository files that exist, and builds the entry point into the images', () => {
    const files = Object.keys(services).flatMap((name) =>
      mountsOf(name)
        .filter((mount) => mount.source.startsWith('.'))
        .map((mount) => mount.source),
    );
    const entrypoint = JSON.parse(dockerfile.match(/^ENTRYPOINT (\[.*\])$/m)![1]!) as string[];
    // The last .dockerignore line about the entry point must not leave it out of the images.
    const lastRule = readFileSync(`${repoRoot}/.dockerignore`, 'utf8')
      .split('\n')
      .filter((line) => /^!?docker(\/\*|\/service-entrypoint\.sh)?\/?$/.test(line))
      .at(-1);

    expect(files.sort()).toEqual([
      './docker/postgres-init.sql',
      './docker/redis.sh',
      './docker/secrets.sh',
    ]);
    for (const file of files) expect(existsSync(`${repoRoot}/${file}`)).toBe(true);
    expect(entrypoint).toEqual(['sh', '/app/docker/service-entrypoint.sh']);
    expect(existsSync(`${repoRoot}/docker/service-entrypoint.sh`)).toBe(true);
    expect(lastRule ?? 'no rule').not.toMatch(/^docker/);
  });
});
