/**
 * How many of something (connections, subscriptions) each client holds, against a cap, in this
 * process's memory. A slot is taken when the thing starts and released, once, when it ends.
 */
export function createClientSlots(max: number) {
  const held = new Map<string, number>();
  return {
    /** A release for the slot `client` now holds, or undefined when it holds `max` already. */
    take(client: string): (() => void) | undefined {
      const count = held.get(client) ?? 0;
      if (max > 0 && count >= max) return undefined;
      held.set(client, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(client) ?? 1) - 1;
        if (left > 0) held.set(client, left);
        else held.delete(client);
      };
    },
    /** Slots `client` holds. */
    count: (client: string) => held.get(client) ?? 0,
  };
}

export type ClientSlots = ReturnType<typeof createClientSlots>;
