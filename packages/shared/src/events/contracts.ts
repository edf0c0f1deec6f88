import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The events orders and products exchange over Redis Streams, and the stream each travels on.
 * Stream names get the deployment's prefix (REDIS_PREFIX) in front.
 */
export const streams = {
  /** orders → products: reserve or release an order's stock (consumer group "products"). */
  stockRequests: 'stock:requests',
  /** products → orders: the answers (consumer group "orders"). */
  stockReplies: 'stock:replies',
  /** products → anyone: every stock level change, for every replica to follow. */
  stockChanges: 'stock:changes',
  /** orders → every orders replica: every status change, for live subscriptions. */
  orderChanges: 'orders:changes',
  /** Events no consumer could handle, parked with the reason. */
  deadLetter: 'dead-letter',
} as const;

export type StreamName = (typeof streams)[keyof typeof streams];

const id = z.string().min(1).max(64);
const quantity = z.number().int().min(1).max(1000);
const cents = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const eventSchemas = {
  ReserveStock: z.object({
    orderId: id,
    lines: z
      .array(z.object({ productId: id, quantity }))
      .min(1)
      .max(50)
      .refine(
        (lines) => new Set(lines.map((line) => line.productId)).size === lines.length,
        'each product once',
      ),
  }),
  ReleaseStock: z.object({ orderId: id }),
  StockReserved: z.object({
    orderId: id,
    lines: z.array(
      z.object({ productId: id, quantity, unitPriceCents: cents, currency: z.string().length(3) }),
    ),
  }),
  StockRejected: z.object({
    orderId: id,
    reasons: z.array(z.object({ productId: id, reason: z.string().min(1).max(500) })).min(1),
  }),
  StockReleased: z.object({ orderId: id }),
  StockChanged: z.object({ productId: id, stock: z.number().int().min(0), at: z.iso.datetime() }),
  OrderStatusChanged: z.object({
    orderId: id,
    userId: id,
    status: z.enum([
      'PENDING',
      'CONFIRMED',
      'REJECTED',
      'PAID',
      'SHIPPED',
      'DELIVERED',
      'CANCELLED',
    ]),
    at: z.iso.datetime(),
  }),
};

export type EventType = keyof typeof eventSchemas;
export type EventPayload<T extends EventType> = z.output<(typeof eventSchemas)[T]>;

const streamOf: Record<EventType, StreamName> = {
  ReserveStock: streams.stockRequests,
  ReleaseStock: streams.stockRequests,
  StockReserved: streams.stockReplies,
  StockRejected: streams.stockReplies,
  StockReleased: streams.stockReplies,
  StockChanged: streams.stockChanges,
  OrderStatusChanged: streams.orderChanges,
};

/** An event as written to an outbox: its id is what consumers deduplicate on. */
export interface OutgoingEvent<T extends EventType = EventType> {
  id: string;
  stream: StreamName;
  type: T;
  /** The aggregate it is about (an order or product id). */
  key: string;
  payload: EventPayload<T>;
}

export function newEvent<T extends EventType>(
  type: T,
  key: string,
  payload: EventPayload<T>,
  id: string = randomUUID(),
): OutgoingEvent<T> {
  return { id, stream: streamOf[type], type, key, payload };
}

/** An event read back from a stream, checked against its schema. */
export type IncomingEvent = {
  [T in EventType]: { id: string; type: T; key: string; payload: EventPayload<T> };
}[EventType];

/** Stream entry fields → event, or the reason it is not one. */
export function parseEvent(fields: string[]): IncomingEvent | { error: string } {
  const entry = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) entry.set(fields[i]!, fields[i + 1]!);
  const [eventId, type, key, raw] = ['id', 'type', 'key', 'payload'].map((name) => entry.get(name));
  if (!eventId || !type || key === undefined || raw === undefined)
    return { error: 'missing id, type, key or payload' };
  if (!(type in eventSchemas)) return { error: `unknown event type ${type}` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: 'payload is not JSON' };
  }
  const parsed = eventSchemas[type as EventType].safeParse(json);
  if (!parsed.success) return { error: `invalid ${type}: ${z.prettifyError(parsed.error)}` };
  return { id: eventId, type, key, payload: parsed.data } as IncomingEvent;
}

/** Stream entry fields for an event. */
export const eventFields = (event: Pick<OutgoingEvent, 'id' | 'type' | 'key' | 'payload'>) => [
  'id',
  event.id,
  'type',
  event.type,
  'key',
  event.key,
  'payload',
  JSON.stringify(event.payload),
];
