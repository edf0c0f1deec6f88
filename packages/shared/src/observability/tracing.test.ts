import { createServer } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../server/lifecycle.js';
import { inServerSpan, startTracing, tracer } from './tracing.js';

const configured = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
afterAll(() => {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = configured;
  if (configured === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('startTracing', () => {
  it('registers nothing without an OTLP endpoint, so spans record nothing', async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

    await startTracing('untraced');

    expect(tracer.startSpan('nothing').isRecording()).toBe(false);
  });

  it("exports spans over OTLP/HTTP under the service's name once the endpoint is set", async () => {
    const received: unknown[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const port = await listen(collector, 0, '127.0.0.1');
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;

    const stop = await startTracing('traced-service');
    await inServerSpan({}, async () => undefined);
    await stop();

    collector.close();
    expect(received).toEqual([
      {
        path: '/v1/traces',
        body: {
          resourceSpans: [
            expect.objectContaining({
              resource: expect.objectContaining({
                attributes: expect.arrayContaining([
                  { key: 'service.name', value: { stringValue: 'traced-service' } },
                ]),
              }),
              scopeSpans: [
                expect.objectContaining({
                  spans: [expect.objectContaining({ name: 'graphql.operation' })],
                }),
              ],
            }),
          ],
        },
      },
    ]);
  });
});
