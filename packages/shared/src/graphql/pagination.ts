import { z } from 'zod';
import { badInput } from './errors.js';
import { containsNul } from './input-guard.js';

/** The largest page any connection serves; `first` above it is refused rather than clamped. */
export const maxPageSize = 100;

/** Validates a connection's `first` argument. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > maxPageSize) {
    throw badInput('first', `must be between 0 and ${maxPageSize}`);
  }
  return size;
}

/** An opaque cursor: the keyset values of the row it points at, as base64url JSON. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * Reads a cursor made by `encodeCursor`, checked against the keyset shape the caller expects.
 * A cursor from another connection or sort order, or garbage, is BAD_USER_INPUT on `after`.
 */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.output<T> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput('after', 'not a valid cursor');
  }
  // A forged cursor must not smuggle in what the input guard keeps out of the database.
  if (containsNul(values)) throw badInput('after', 'not a valid cursor');
  const parsed = shape.safeParse(values);
  if (!parsed.success) throw badInput('after', 'not a valid cursor for this list');
  return parsed.data;
}

/** An ISO date inside a cursor, from year 1: Postgres has no year 0, where ISO's 0000 lands. */
export const cursorDate = z.iso
  .datetime()
  .transform((value) => new Date(value))
  .refine((date) => date.getUTCFullYear() >= 1);

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/**
 * Builds a connection from up to `first + 1` rows fetched in order: the extra row only tells
 * whether another page exists.
 */
export function toConnection<Row>(
  rows: readonly Row[],
  first: number,
  totalCount: number,
  cursorOf: (row: Row) => string,
): Connection<Row> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
