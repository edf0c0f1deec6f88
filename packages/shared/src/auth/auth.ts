import { readFileSync } from 'node:fs';
import { importSPKI, errors as joseErrors, jwtVerify, type CryptoKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { forbidden, unauthenticated } from '../graphql/errors.js';

export type Role = 'CUSTOMER' | 'ADMIN';

/** Who is calling, as proven by a verified access token. */
export interface Viewer {
  id: string;
  role: Role;
  /** Unix seconds at which the access token stops being valid. */
  expiresAt: number;
}

/** The only algorithm access tokens are signed with; verification accepts nothing else. */
export const accessTokenAlgorithm = 'ES256';

export interface TokenSettings {
  issuer: string;
  audience: string;
}

export type AccessTokenVerifier = (token: string) => Promise<Viewer>;

/**
 * Reads a PEM key given inline or as a file path (the inline value wins).
 * @throws when neither is given.
 */
export function readPem(inline: string | undefined, file: string | undefined, what: string) {
  if (inline) return inline.replace(/\\n/g, '\n');
  if (file) return readFileSync(file, 'utf8');
  throw new Error(`${what} is not configured: set it inline or give a file path`);
}

/**
 * Verifies access tokens with the users subgraph's public key, pinning the algorithm and
 * checking `exp`, `iss` and `aud`. Every failure is the same UNAUTHENTICATED error.
 */
export async function createAccessTokenVerifier(
  publicKeyPem: string,
  settings: TokenSettings,
): Promise<AccessTokenVerifier> {
  const key: CryptoKey = await importSPKI(publicKeyPem, accessTokenAlgorithm);
  // A token that verified once stays valid until it expires, and a client sends the same one
  // for many requests: remembering it skips an ECDSA verification per request and per service.
  const verified = new LRUCache<string, Viewer>({ max: 10_000 });
  return async (token) => {
    const known = verified.get(token);
    if (known) {
      if (known.expiresAt * 1000 > Date.now()) return known;
      verified.delete(token);
      throw unauthenticated('Access token expired');
    }
    const viewer = await verifyOnce(token);
    verified.set(token, viewer);
    return viewer;
  };

  async function verifyOnce(token: string): Promise<Viewer> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [accessTokenAlgorithm],
        issuer: settings.issuer,
        audience: settings.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'CUSTOMER' && role !== 'ADMIN')) {
        throw unauthenticated('Invalid access token');
      }
      return { id: payload.sub, role, expiresAt: payload.exp as number };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Access token expired');
      throw unauthenticated('Invalid access token');
    }
  }
}

/** Who an `Authorization` value proves the caller is, and that value as services are sent it. */
export interface Authentication {
  viewer: Viewer | null;
  /** `Bearer <token>`, whatever case or spacing the caller used; absent when anonymous. */
  authorization?: string;
}

/**
 * The one rule for an `Authorization` value, wherever it comes from (an HTTP header, a
 * graphql-ws `connection_init` payload or an operation's `extensions`): absent or empty is
 * anonymous, `Bearer <token>` (scheme in any case) must verify, and anything else, a bare token
 * included, is UNAUTHENTICATED. Only the canonical form is passed on, so every service behind
 * the one that decided reads the same value the same way.
 */
export async function authenticate(
  value: unknown,
  verify: AccessTokenVerifier,
): Promise<Authentication> {
  if (value === undefined || value === '') return { viewer: null };
  const match =
    typeof value === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(value.trim()) : null;
  if (!match?.[1]) throw unauthenticated('Malformed authorization: expected "Bearer <token>"');
  return { viewer: await verify(match[1]), authorization: `Bearer ${match[1]}` };
}

/**
 * The viewer behind an `Authorization` header: null when there is none, UNAUTHENTICATED when a
 * token is present but not a valid Bearer access token (`authenticate`'s rule).
 */
export async function viewerFromAuthorization(
  header: string | undefined,
  verify: AccessTokenVerifier,
): Promise<Viewer | null> {
  return (await authenticate(header, verify)).viewer;
}

/** The viewer, or UNAUTHENTICATED for an anonymous caller. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

export const isAdmin = (viewer: Viewer | null) => viewer?.role === 'ADMIN';

/** The viewer if they are an admin: UNAUTHENTICATED when anonymous, FORBIDDEN otherwise. */
export function requireAdmin(viewer: Viewer | null): Viewer {
  const caller = requireViewer(viewer);
  if (caller.role !== 'ADMIN') throw forbidden('Admins only');
  return caller;
}

/** The verifier every service but users builds: the public key inline or from a file. */
export function accessTokenVerifierFromEnv(env: {
  JWT_PUBLIC_KEY?: string;
  JWT_PUBLIC_KEY_FILE?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}) {
  return createAccessTokenVerifier(
    readPem(env.JWT_PUBLIC_KEY, env.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY'),
    { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
  );
}
