import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  attributeErrors,
  badInput,
  clientMessage,
  createErrorMasker,
  maxClientMessageLength,
  notFound,
  rateLimited,
} from './errors.js';

const logged: unknown[] = [];
const logger = pino(
  { level: 'error' },
  { write: (line: string) => void logged.push(JSON.parse(line)) },
);
const mask = createErrorMasker(logger);

const formatted = (error: GraphQLError) => error.toJSON();

describe('createErrorMasker', () => {
  it('passes contract errors through with their code, field and retryAfter only', () => {
    const error = badInput('items[0].quantity', 'must be between 1 and 1000');

    expect(mask({ ...formatted(error), path: ['placeOrder'] }, error)).toEqual({
      message: 'items[0].quantity: must be between 1 and 1000',
      path: ['placeOrder'],
      extensions: { code: 'BAD_USER_INPUT', field: 'items[0].quantity' },
    });
    expect(mask(formatted(rateLimited(30)), null).extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: 30,
    });
  });

  it('drops extensions a client must not see, such as the subgraph that answered', () => {
    const error = notFound('Order');
    const fromGateway = {
      ...formatted(error),
      extensions: { code: 'NOT_FOUND', serviceName: 'orders' },
    };

    expect(mask(fromGateway, error).extensions).toEqual({ code: 'NOT_FOUND' });
  });

  it('turns anything else into a generic INTERNAL_SERVER_ERROR and logs the original', () => {
    const cause = new Error('insert into "orders" violates foreign key at /srv/app/store.ts:12');
    const error = new GraphQLError(cause.message, { originalError: cause, path: ['placeOrder'] });

    const result = mask(formatted(error), error);

    expect(result).toEqual({
      message: 'Internal server error',
      path: ['placeOrder'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
    });
    expect(JSON.stringify(logged.at(-1))).toContain('violates foreign key');
  });

  it('gives the client and the log line the id of the request the error was attributed to', () => {
    const cause = new Error('connection reset');
    const error = new GraphQLError(cause.message, { originalError: cause });
    attributeErrors([error], 'req-attributed');

    const result = mask(formatted(error), error);

    expect(result.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-attributed',
    });
    expect(logged.at(-1)).toMatchObject({
      requestId: 'req-attributed',
      err: { message: 'connection reset' },
    });
  });

  it('finds the request of an error Apollo wrapped after it was attributed', () => {
    const thrown = new Error('context failed');
    attributeErrors([thrown], 'req-context');
    const wrapped = new GraphQLError(`Context creation failed: ${thrown.message}`, {
      originalError: thrown,
    });

    expect(mask(formatted(wrapped), wrapped).extensions?.requestId).toBe('req-context');
  });

  it('uses the request id it is given, as the WebSocket server does per operation', () => {
    const error = new Error('boom');

    const result = mask({ message: 'boom' }, error, 'ws-operation-1');

    expect(result.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'ws-operation-1',
    });
    expect(logged.at(-1)).toMatchObject({ requestId: 'ws-operation-1' });
  });
});

describe('clientMessage', () => {
  it('drops the suggestion graphql-js appends, which names fields the client did not write', () => {
    expect(clientMessage('Cannot query field "nam" on type "Product". Did you mean "name"?')).toBe(
      'Cannot query field "nam" on type "Product".',
    );
    expect(
      clientMessage(
        'Value "PEND" does not exist in "OrderStatus" enum. Did you mean the enum value "PENDING"?',
      ),
    ).toBe('Value "PEND" does not exist in "OrderStatus" enum.');
  });

  it('handles a megabyte of hostile text in linear time, cut to the cap', () => {
    // graphql-js echoes a wrong-typed literal whole. `/ ?Did you mean .+\?/g` backtracks over
    // the rest of the text at each of these 80,000 occurrences: minutes for this one message,
    // far past the test's timeout, which is what bounds it here.
    const echoed = `Int cannot represent non-integer value: "${'Did you mean '.repeat(80_000)}"`;
    const long = `Variable "$n" got invalid value "${'x'.repeat(1_000_000)}"`;

    const stripped = clientMessage(echoed);
    const cut = clientMessage(long);

    expect(echoed.length).toBeGreaterThan(1_000_000);
    expect(stripped).toBe('Int cannot represent non-integer value: "');
    expect(cut).toHaveLength(maxClientMessageLength);
    expect(cut).toMatch(/^Variable "\$n" got invalid value "x+…$/);
  });

  it('never cuts a character in half', () => {
    const cut = clientMessage('😀'.repeat(1000));

    expect(cut.length).toBeLessThanOrEqual(maxClientMessageLength);
    expect(cut).toMatch(/^(😀)+…$/u);
  });

  it('is what clients read of every error the masker passes on', () => {
    const error = badInput('name', 'x'.repeat(1_000_000));

    expect(mask(formatted(error), error).message).toHaveLength(maxClientMessageLength);
  });
});
