import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from './scalars.js';

describe('DateTime', () => {
  it('serializes dates and ISO strings as UTC ISO strings', () => {
    expect(DateTimeScalar.serialize(new Date('2026-11-21T10:00:00+02:00'))).toBe(
      '2026-11-21T08:00:00.000Z',
    );
    expect(DateTimeScalar.serialize('2026-11-21T08:00:00Z')).toBe('2026-11-21T08:00:00.000Z');
  });

  it('refuses what is not a date as BAD_USER_INPUT', () => {
    expect(() => DateTimeScalar.parseValue('not a date')).toThrow(/ISO-8601/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '5' })).toThrow(/string/);
  });
});
