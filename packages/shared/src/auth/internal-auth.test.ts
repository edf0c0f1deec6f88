import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { internalSecretOf } from '../env.js';
import { createInternalSigner, createInternalVerifier } from './internal-auth.js';

const secret = 'a'.repeat(32);

describe('internal request signatures', () => {
  afterEach(() => vi.useRealTimers());

  it('accepts what the same secret signed, and nothing else', () => {
    const verify = createInternalVerifier(secret);
    const signed = createInternalSigner(secret)();

    expect(verify(signed)).toBe(true);
    expect(verify(createInternalSigner('b'.repeat(32))())).toBe(false);
    expect(verify(`${signed}x`)).toBe(false);
    expect(verify(signed.replace(/^\d+/, (seconds) => String(Number(seconds) + 1)))).toBe(false);
    for (const junk of [undefined, '', '.', 'abc.def', 42, ['x']]) expect(verify(junk)).toBe(false);
  });

  it('refuses a signature more than a minute old', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const signed = createInternalSigner(secret)();
    const verify = createInternalVerifier(secret);

    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 0, 59));
    expect(verify(signed)).toBe(true);
    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 1, 2));
    expect(verify(signed)).toBe(false);
  });
});

describe('internalSecretOf', () => {
  it('requires a secret in production, inline or from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'internal-secret');
    writeFileSync(file, `${secret}\n`);

    expect(() => internalSecretOf({ NODE_ENV: 'production' })).toThrow(/INTERNAL_SECRET/);
    expect(internalSecretOf({ NODE_ENV: 'production', INTERNAL_SECRET: secret })).toBe(secret);
    expect(internalSecretOf({ NODE_ENV: 'production', INTERNAL_SECRET_FILE: file })).toBe(secret);
    expect(internalSecretOf({ NODE_ENV: 'development' })).toBeUndefined();
    expect(() => internalSecretOf({ NODE_ENV: 'development', INTERNAL_SECRET: 'short' })).toThrow(
      /32 characters/,
    );
  });
});
