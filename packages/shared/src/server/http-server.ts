import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import cors from 'cors';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { attributeErrors } from '../graphql/errors.js';
import { inServerSpan } from '../observability/tracing.js';
import { requestIdFrom, requestIdHeader } from './request-id.js';

export const defaultBodyLimitBytes = 1024 * 1024;

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage) => Promise<TContext>;
  logger: Logger;
  /** Comma-separated allowed origins, or `*`. */
  corsOrigins: string;
  bodyLimitBytes?: number;
  /** Plain endpoints beside GraphQL, by exact path: `/health`, `/ready`, `/metrics`… */
  routes?: Record<string, RequestListener>;
  /** Paths that serve HTML pages of their own (`/track`): they get a CSP that lets them run. */
  pages?: readonly string[];
  /** When given, `/graphql` answers only requests it accepts (subgraphs: the router's). */
  admitGraphQL?: (req: IncomingMessage) => boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Writes a GraphQL-shaped JSON error: clients never see HTML or a stack trace. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  message: string,
  code = 'BAD_REQUEST',
) {
  if (res.headersSent) return res.destroy();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Headers for an API: no sniffing, no framing, no referrer, and a CSP that lets a JSON response
 * load nothing. HSTS only matters behind TLS, where browsers honour it.
 */
const apiHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
});

/**
 * HTML pages: the service's own (`/track`, same-origin script and WebSocket) and Apollo
 * Sandbox's landing page on GET /graphql in development, which embeds Apollo's hosted Sandbox
 * from its CDN, so its page gets no CSP rather than one that would break it.
 */
const pageHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      connectSrc: ["'self'", 'ws:', 'wss:'],
      styleSrc: ["'self'", "'unsafe-inline'"],
      frameAncestors: ["'none'"],
    },
  },
});
const landingPageHeaders = helmet({
  contentSecurityPolicy: false,
  crossOriginEmbedderPolicy: false,
});

const wantsHtml = (req: IncomingMessage) =>
  req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `Request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `Request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

function isJson(req: IncomingMessage) {
  const type = req.headers['content-type'];
  return type !== undefined && /^application\/(graphql-response\+)?json\b/i.test(type);
}

/**
 * The HTTP side of a GraphQL service on plain `node:http`: CORS, a bounded JSON body, plain
 * routes, and Apollo Server for everything on `/graphql`. Plain Node rather than Express keeps
 * per-request work to the minimum on the router's hot path.
 */
export function createGraphQLRequestListener<TContext extends BaseContext>(
  options: GraphQLHttpOptions<TContext>,
): RequestListener {
  const { apollo, context, logger, routes = {}, pages = [], admitGraphQL } = options;
  const limit = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const origins = options.corsOrigins.split(',').map((origin) => origin.trim());
  const corsHandler = cors({
    origin: origins.includes('*') ? '*' : origins,
    exposedHeaders: [requestIdHeader],
    maxAge: 600,
  });

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, search: string) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' && isJson(req) ? await readJsonBody(req, limit) : undefined;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search, body },
      // Apollo formats a failed context's error without plugins: this ties it to the request.
      context: () =>
        context(req).catch((error: unknown) => {
          attributeErrors([error], headers.get(requestIdHeader)!);
          throw error;
        }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    // Settled once, here: context factories, Apollo's plugins and the logs all read this one.
    const requestId = requestIdFrom(req.headers[requestIdHeader]);
    req.headers[requestIdHeader] = requestId;
    res.setHeader(requestIdHeader, requestId);
    corsHandler(req, res, () => {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt === -1 ? url : url.slice(0, queryAt);
      const search = queryAt === -1 ? '' : url.slice(queryAt);
      const route = routes[path];
      const headers = pages.includes(path)
        ? pageHeaders
        : path === '/graphql' && wantsHtml(req)
          ? landingPageHeaders
          : apiHeaders;
      headers(req, res, () => undefined);
      const work =
        path === '/graphql'
          ? admitGraphQL && !admitGraphQL(req)
            ? Promise.resolve(
                sendJsonError(res, 403, 'This service is reached through the router', 'FORBIDDEN'),
              )
            : inServerSpan(req.headers, () => handleGraphQL(req, res, search))
          : route
            ? Promise.resolve(route(req, res))
            : Promise.resolve(sendJsonError(res, 404, `No route for ${path}`));
      work.catch((error: unknown) => {
        if (error instanceof HttpError) return sendJsonError(res, error.status, error.message);
        logger.error({ err: error, requestId }, 'request failed');
        sendJsonError(res, 500, 'Internal server error');
      });
    });
  };
}

/**
 * A readiness endpoint: 200 when every named check resolves, 503 naming the ones that failed.
 * Only the names are reported; the causes go to the log.
 */
export function probe(
  checks: Record<string, () => Promise<unknown>>,
  logger: Logger,
): RequestListener {
  return (_req, res) => {
    const names = Object.keys(checks);
    Promise.allSettled(names.map((name) => checks[name]!())).then((results) => {
      const failing = names.filter((name, i) => {
        const result = results[i]!;
        if (result.status === 'rejected')
          logger.warn({ err: result.reason, check: name }, 'not ready');
        return result.status === 'rejected';
      });
      res.writeHead(failing.length ? 503 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(failing.length ? { status: 'unavailable', failing } : { status: 'ok' }),
      );
    });
  };
}

/** Liveness: answers while the process lives. */
export const alive: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
};
