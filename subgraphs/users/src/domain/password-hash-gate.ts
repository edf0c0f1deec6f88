import { rateLimited } from '@cartograph/shared';
import pLimit from 'p-limit';

export interface PasswordHashGateOptions {
  /** bcrypt runs at once in this process; the rest wait in line. */
  concurrency: number;
  /** Runs one client address may have running or waiting at once. */
  perAddress: number;
  /** Runs that may wait; past it, new ones are refused rather than queued. */
  queueLimit: number;
}

/**
 * What stands in front of bcrypt. Each hash takes a thread for about half a second, so
 * unbounded, a few clients could keep every login waiting. Runs go in one line, first come
 * first served (p-limit), and since one address holds at most `perAddress` places in it, a
 * flooding client waits behind everyone else's single request instead of ahead of them. A run
 * that would exceed its address's share or the line's length is refused with RATE_LIMITED.
 */
export function createPasswordHashGate(options: PasswordHashGateOptions) {
  const line = pLimit(options.concurrency);
  const held = new Map<string, number>();

  return {
    async run<T>(address: string, task: () => Promise<T>): Promise<T> {
      const mine = held.get(address) ?? 0;
      if (mine >= options.perAddress || line.pendingCount >= options.queueLimit) {
        // About one hash from now a place is likely free again.
        throw rateLimited(1);
      }
      held.set(address, mine + 1);
      try {
        return await line(task);
      } finally {
        const left = held.get(address)! - 1;
        if (left === 0) held.delete(address);
        else held.set(address, left);
      }
    },
  };
}

export type PasswordHashGate = ReturnType<typeof createPasswordHashGate>;
