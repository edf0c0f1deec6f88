import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface Workload {
  name: string;
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
  /** Extra headers, made when the workload starts (a subgraph's signature expires in a minute). */
  headers?: () => Record<string, string>;
}

export interface Figures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds each watched process spent per request. */
  cpuPerRequest: Record<string, number>;
}

export const settings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
};

/** One request first: a workload that answers with errors would measure nothing. */
async function check(workload: Workload, body: string, headers: Record<string, string>) {
  const response = await fetch(workload.url, { method: 'POST', headers, body });
  const json = (await response.json()) as { errors?: unknown };
  if (!response.ok || json.errors) {
    throw new Error(
      `${workload.name} fails: ${response.status} ${JSON.stringify(json).slice(0, 500)}`,
    );
  }
}

/** Requests/s and latency of one workload, after a short warm-up. */
export async function measure(
  workload: Workload,
  watch: Record<string, number> = {},
): Promise<Figures> {
  const body = JSON.stringify({ query: workload.query, variables: workload.variables ?? {} });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(workload.token && { authorization: `Bearer ${workload.token}` }),
    ...workload.headers?.(),
  };
  await check(workload, body, headers);
  const run = (duration: number) =>
    autocannon({
      url: workload.url,
      method: 'POST',
      headers,
      body,
      connections: settings.connections,
      duration,
    });
  await run(2);
  const before = Object.fromEntries(
    Object.entries(watch).map(([name, pid]) => [name, cpuSeconds(pid)]),
  );
  const result = await run(settings.durationSeconds);
  const cpuPerRequest = Object.fromEntries(
    Object.entries(watch).map(([name, pid]) => [
      name,
      Math.round(((cpuSeconds(pid) - before[name]!) * 1000 * 100) / result.requests.total) / 100,
    ]),
  );
  return {
    cpuPerRequest,
    name: workload.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

export function printTable(title: string, rows: Figures[]) {
  console.log(`\n${title}`);
  console.table(
    rows.map((row) => ({
      workload: row.name,
      'req/s': row.requestsPerSecond,
      'p50 ms': row.p50,
      'p99 ms': row.p99,
      errors: row.errors,
      ...Object.fromEntries(
        Object.entries(row.cpuPerRequest).map(([name, ms]) => [`${name} cpu ms/req`, ms]),
      ),
    })),
  );
}
