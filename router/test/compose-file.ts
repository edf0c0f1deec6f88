/**
 * docker-compose.yml and the Dockerfile as data, for the tests that check them without Docker
 * (none runs where the tests do).
 */
import { readFileSync } from 'node:fs';
import { repoRoot } from '@cartograph/shared/testing';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: unknown[];
  volumes?: unknown[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

export const compose = (parse(readFileSync(`${repoRoot}/docker-compose.yml`, 'utf8'), {
  merge: true,
}) ?? {}) as { services?: Record<string, ComposeService>; volumes?: Record<string, unknown> };
export const services = compose.services ?? {};
export const service = (name: string) => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
export const envOf = (name: string) => service(name).environment ?? {};
export const dockerfile = readFileSync(`${repoRoot}/Dockerfile`, 'utf8');

/** `[address:]published:target`; without an address Docker listens on every interface. */
export function publishedPorts(name: string) {
  return (service(name).ports ?? []).map((port) => {
    const match =
      typeof port === 'string' && /^(?:(\[[^\]]+\]|[^:]+):)?(\d+):(\d+)(?:\/tcp)?$/.exec(port);
    if (!match)
      throw new Error(`${name}: write ports as "[address:]published:target", not ${port}`);
    return { address: match[1] ?? 'every interface', port: Number(match[2]) };
  });
}

/** `source:target[:ro]`; a source starting with `.` is a file of the repository. */
export function mountsOf(name: string) {
  return (service(name).volumes ?? []).map((volume) => {
    const match = typeof volume === 'string' && /^([^:]+):([^:]+)(?::(ro|rw))?$/.exec(volume);
    if (!match) throw new Error(`${name}: write volumes as "source:target[:ro]", not ${volume}`);
    return { source: match[1]!, target: match[2]!, readOnly: match[3] === 'ro' };
  });
}

/** The named volume mounted at `directory` in a service. */
export const volumeAt = (name: string, directory: string) =>
  mountsOf(name).find((mount) => mount.target === directory && !mount.source.startsWith('.'))
    ?.source;

export const servicesMounting = (volume: string) =>
  Object.keys(services)
    .filter((name) => mountsOf(name).some((mount) => mount.source === volume))
    .sort();

/** The value after `flag` in an argument list. */
export const argument = (args: string[] | undefined, flag: string) =>
  args?.includes(flag) ? args[args.indexOf(flag) + 1] : undefined;

/** The CMD of a Dockerfile stage, exec form, continuation lines joined. */
export function dockerfileCommand(target: string) {
  const stage = dockerfile.split(/^FROM /m).find((part) => part.includes(` AS ${target}\n`));
  const command = stage?.replace(/\\\n/g, '').match(/^CMD (\[.*\])$/m)?.[1];
  return command ? (JSON.parse(command) as string[]) : undefined;
}
