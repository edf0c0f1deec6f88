import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one logger per service, named so that mixed output stays readable. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({ name: service, level });
}
