import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths.js';

export interface RunningService {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing cleaned up. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process holds its connections but does nothing meanwhile. */
  freeze(): void;
  thaw(): void;
}

/** The source entry of a workspace, e.g. `subgraphs/orders` or `router`. */
export const entryOf = (workspace: string) => `${repoRoot}/${workspace}/src/index.ts`;

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export interface StartOptions {
  /** Variables on top of this process's environment. */
  env?: Record<string, string>;
  /** Each line the service prints, as it prints it. */
  onLine?: (line: string) => void;
  /** Restart on source changes (`node --watch`). */
  watch?: boolean;
  /** Extra flags for node, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

/**
 * Starts a service from source as its own process and resolves once it logs `listening`, with
 * the port it bound (tests pass port 0). Its output is kept for the error if it fails to start.
 */
export function startService(
  name: string,
  workspace: string,
  options: StartOptions = {},
): Promise<RunningService> {
  const { timeoutMs = 60_000 } = options;
  const child = spawn(
    process.execPath,
    [
      ...(options.watch ? ['--watch'] : []),
      ...(options.nodeArgs ?? []),
      '--conditions=@cartograph/source',
      '--import',
      'tsx',
      entryOf(workspace),
    ],
    {
      cwd: `${repoRoot}/${workspace}`,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  // TEST_SERVICE_LOG_DIR=dir keeps every service's whole output, to read after a failed run.
  const logDir = process.env.TEST_SERVICE_LOG_DIR;
  const logFile = logDir && `${logDir}/${name}-${process.pid}-${Date.now()}.log`;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const keep = (line: string) => {
    options.onLine?.(line);
    if (logFile) appendFileSync(logFile, `${line}\n`);
    output.push(line);
    if (output.length > 200) output.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${name} exited (${code ?? signal}) before listening:\n${output.join('\n')}`),
      );
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (!line.includes('"listening"')) return;
      const { port } = JSON.parse(line) as { port: number };
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        process: child,
        stop: async () => {
          child.kill('SIGTERM');
          await exited(child);
        },
        kill: async () => {
          child.kill('SIGKILL');
          await exited(child);
        },
        freeze: () => child.kill('SIGSTOP'),
        thaw: () => child.kill('SIGCONT'),
      });
    });
  });
}
