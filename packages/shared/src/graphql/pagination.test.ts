import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cursorDate, decodeCursor, encodeCursor, pageSize, toConnection } from './pagination.js';

const shape = z.tuple([cursorDate, z.string()]);

describe('cursors', () => {
  it('round-trip the keyset values of a row', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');

    const decoded = decodeCursor(encodeCursor([at.toISOString(), 'id-1']), shape);

    expect(decoded).toEqual([at, 'id-1']);
  });

  it.each([
    ['garbage', '%%%'],
    ['base64 that is not JSON', Buffer.from('nope').toString('base64url')],
    ['a cursor of another shape', encodeCursor(['NEWEST', 3])],
    ['an invalid date', encodeCursor(['yesterday', 'id'])],
  ])('refuse %s as BAD_USER_INPUT on `after`', (_case, cursor) => {
    expect(() => decodeCursor(cursor, shape)).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
      }),
    );
  });
});

describe('pageSize', () => {
  it('defaults to 20 and accepts 0 to 100', () => {
    expect([pageSize(undefined), pageSize(null), pageSize(0), pageSize(100)]).toEqual([
      20, 20, 0, 100,
    ]);
  });

  it.each([-1, 101, 2.5])('refuses %s', (first) => {
    expect(() => pageSize(first)).toThrow(/first/);
  });
});

describe('toConnection', () => {
  it('uses the look-ahead row only to say that another page exists', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

    const connection = toConnection(rows, 2, 7, (row) => `cursor-${row.id}`);

    expect(connection).toEqual({
      edges: [
        { cursor: 'cursor-a', node: { id: 'a' } },
        { cursor: 'cursor-b', node: { id: 'b' } },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'cursor-b' },
      totalCount: 7,
    });
  });

  it('ends with no next page and a null cursor when empty', () => {
    expect(toConnection([], 5, 0, () => 'x').pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });
});

describe('forged cursors', () => {
  it.each([
    ['a date in year 0000', encodeCursor(['0000-06-01T00:00:00Z', 'id'])],
    ['a NUL character', encodeCursor([new Date().toISOString(), 'id\u0000'])],
  ])('refuse %s', (_case, cursor) => {
    expect(() => decodeCursor(cursor, shape)).toThrow(/after/);
  });
});
