import { existsSync, readFileSync } from 'node:fs';
import { repoRoot } from '@cartograph/shared/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  depends_on?: string[] | Record<string, unknown>;
  volumes?: string[];
}

const compose = parse(readFileSync(`${repoRoot}/docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  it('runs the infrastructure, the setup step, the three subgraphs and the router', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['orders', 'postgres', 'products', 'redis', 'router', 'setup', 'users'].sort(),
    );
  });

  it.each(['setup', 'users', 'products', 'orders', 'router'])(
    'builds %s from a Dockerfile target that exists in the repository',
    (name) => {
      const { build } = compose.services[name]!;
      const dockerfile = `${repoRoot}/${build!.context}/${build!.dockerfile}`;

      expect(existsSync(dockerfile)).toBe(true);
      expect(readFileSync(dockerfile, 'utf8')).toMatch(
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

  it('only depends on services it defines and mounts files that exist', () => {
    for (const service of Object.values(compose.services)) {
      const dependencies = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect(compose.services).toHaveProperty(dependency);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(`${repoRoot}/${source}`)).toBe(true);
      }
    }
  });
});
