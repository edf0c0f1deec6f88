import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccessTokenVerifier, requireAdmin, viewerFromAuthorization } from './auth.js';

const settings = { issuer: 'cartograph-users', audience: 'cartograph' };
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function sign(claims: Record<string, unknown>, subject = 'user-1') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(subject)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importPKCS8(privatePem, 'ES256'));
}

describe('viewerFromAuthorization', () => {
  it('is null without a header and the viewer for a valid Bearer token', async () => {
    const verify = await createAccessTokenVerifier(publicPem, settings);

    expect(await viewerFromAuthorization(undefined, verify)).toBeNull();
    expect(
      await viewerFromAuthorization(`Bearer ${await sign({ role: 'ADMIN' })}`, verify),
    ).toMatchObject({
      id: 'user-1',
      role: 'ADMIN',
    });
  });

  it.each([
    ['a non-Bearer scheme', async () => 'Basic abc'],
    ['an unknown role', async () => `Bearer ${await sign({ role: 'ROOT' })}`],
    ['no role', async () => `Bearer ${await sign({})}`],
  ])('refuses %s with UNAUTHENTICATED', async (_case, header) => {
    const verify = await createAccessTokenVerifier(publicPem, settings);

    await expect(viewerFromAuthorization(await header(), verify)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('requireAdmin', () => {
  it('is UNAUTHENTICATED for nobody and FORBIDDEN for a customer', () => {
    expect(() => requireAdmin(null)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
    expect(() => requireAdmin({ id: 'c', role: 'CUSTOMER', expiresAt: 0 })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    );
  });
});

describe('createAccessTokenVerifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps refusing a remembered token once it has expired', async () => {
    const verify = await createAccessTokenVerifier(publicPem, settings);
    const token = await sign({ role: 'CUSTOMER' });
    await verify(token);
    vi.useFakeTimers({ now: Date.now() + 6 * 60_000 });

    await expect(verify(token)).rejects.toMatchObject({ message: 'Access token expired' });
    await expect(verify(token)).rejects.toMatchObject({ message: 'Access token expired' });
  });
});
