import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientAddressBehindProxies, clientAddressFromRouter } from './client-address.js';
import { createInternalSigner, createInternalVerifier, internalHeader } from './internal-auth.js';

const secret = 's'.repeat(32);
const fromRouter = createInternalVerifier(secret);
const signature = createInternalSigner(secret)();

const request = (remoteAddress: string, headers: Record<string, string> = {}) => ({
  headers,
  socket: { remoteAddress } as Socket,
});

describe('clientAddressBehindProxies', () => {
  const headers = { 'x-forwarded-for': '198.51.100.7, 203.0.113.9, 10.0.0.1' };

  it('counts trusted proxies from the right of X-Forwarded-For', () => {
    expect(
      [0, 1, 2, 3].map((proxies) =>
        clientAddressBehindProxies(request('10.0.0.2', headers), proxies),
      ),
    ).toEqual(['10.0.0.2', '10.0.0.1', '203.0.113.9', '198.51.100.7']);
  });

  it('believes no header without trusted proxies, whatever peer sent it', () => {
    expect(clientAddressBehindProxies(request('127.0.0.1', headers), 0)).toBe('127.0.0.1');
  });

  it('takes the leftmost entry when there are fewer than trusted proxies, the socket when none', () => {
    expect(clientAddressBehindProxies(request('10.0.0.2', headers), 5)).toBe('198.51.100.7');
    expect(clientAddressBehindProxies(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});

describe('clientAddressFromRouter', () => {
  it('believes X-Forwarded-For on a request the router signed, from any peer', () => {
    const req = request('10.1.2.3', {
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      [internalHeader]: signature,
    });

    expect(clientAddressFromRouter(req, fromRouter)).toBe('203.0.113.9');
  });

  it('uses the socket address when the signature is missing or wrong, loopback included', () => {
    const forged = createInternalSigner('x'.repeat(32))();

    expect(
      clientAddressFromRouter(
        request('10.1.2.3', { 'x-forwarded-for': '203.0.113.9' }),
        fromRouter,
      ),
    ).toBe('10.1.2.3');
    expect(
      clientAddressFromRouter(
        request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9', [internalHeader]: forged }),
        fromRouter,
      ),
    ).toBe('127.0.0.1');
  });

  it('without a secret, believes it from a loopback peer only', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9' };

    expect(
      ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'].map((peer) =>
        clientAddressFromRouter(request(peer, headers), undefined),
      ),
    ).toEqual(Array(4).fill('203.0.113.9'));
    expect(
      ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::1', '128.0.0.1'].map((peer) =>
        clientAddressFromRouter(request(peer, headers), undefined),
      ),
    ).toEqual(['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::1', '128.0.0.1']);
  });

  it('ignores a first entry that is no IP address', () => {
    const req = request('127.0.0.1', { 'x-forwarded-for': 'evil, 203.0.113.9' });

    expect(clientAddressFromRouter(req, undefined)).toBe('127.0.0.1');
  });
});
