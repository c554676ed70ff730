import { OTLPMetricExporter as JsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IngestServer, startIngestServer } from "../samples/ingest-http.ts";
import { type Sample, SampleStream } from "../samples/sample-stream.ts";
import { decodeOtlpMetrics } from "./otlp-metrics.ts";

let server: IngestServer;
const stream = new SampleStream();
let received: Sample[] = [];
stream.subscribe((b) => received.push(...b));

beforeAll(async () => {
  server = await startIngestServer(stream);
});
afterAll(() => server.close());

/** Records a counter, a histogram and a gauge through the real SDK and flushes them to opsloop. */
async function exportWith(exporter: PushMetricExporter): Promise<Sample[]> {
  received = [];
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      "service.name": "checkout",
      "k8s.namespace.name": "shop",
      "k8s.pod.name": "checkout-7d9f-abcde",
    }),
    readers: [reader],
  });
  const meter = provider.getMeter("opsloop-test");
  meter.createCounter("http.server.requests").add(5, { "http.route": "/pay" });
  const h = meter.createHistogram("http.server.duration", {
    advice: { explicitBucketBoundaries: [0.1, 1] },
  });
  h.record(0.05);
  h.record(0.5);
  h.record(3);
  meter.createGauge("queue.depth").record(7);
  await provider.forceFlush();
  await provider.shutdown();
  await stream.idle();
  return received;
}

const find = (xs: Sample[], name: string, labels: Record<string, string> = {}) =>
  xs.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

function expectSdkSamples(xs: Sample[]): void {
  const counter = find(xs, "http_server_requests_total");
  expect(counter?.v).toBe(5);
  expect(counter?.labels).toMatchObject({
    job: "checkout",
    namespace: "shop",
    pod: "checkout-7d9f-abcde",
    http_route: "/pay",
  });
  expect(Math.abs((counter?.t ?? 0) - Date.now())).toBeLessThan(60_000);
  expect(find(xs, "http_server_duration_bucket", { le: "0.1" })?.v).toBe(1);
  expect(find(xs, "http_server_duration_bucket", { le: "1" })?.v).toBe(2);
  expect(find(xs, "http_server_duration_bucket", { le: "+Inf" })?.v).toBe(3);
  expect(find(xs, "http_server_duration_sum")?.v).toBeCloseTo(3.55);
  expect(find(xs, "http_server_duration_count")?.v).toBe(3);
  expect(find(xs, "queue_depth")?.v).toBe(7);
}

describe("OTLP/HTTP metrics receiver", () => {
  it("receives what the OpenTelemetry JS SDK exports as OTLP/JSON", async () => {
    const xs = await exportWith(new JsonExporter({ url: `${server.url}/v1/metrics` }));
    expectSdkSamples(xs);
  });

  it("receives what the OpenTelemetry JS SDK exports as OTLP/protobuf", async () => {
    const xs = await exportWith(new ProtoExporter({ url: `${server.url}/v1/metrics` }));
    expectSdkSamples(xs);
  });

  it("reads 64-bit integers given as JSON strings, and skips points with no recorded value", () => {
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "jobs",
                  gauge: {
                    dataPoints: [
                      { timeUnixNano: "1767571200000000000", asInt: "42" },
                      { timeUnixNano: "1767571201000000000", asInt: "0", flags: 1 },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const xs = decodeOtlpMetrics(
      new TextEncoder().encode(JSON.stringify(body)),
      "application/json",
    );
    expect(xs).toEqual([{ name: "jobs", labels: {}, t: 1_767_571_200_000, v: 42 }]);
  });

  it("accepts a gzip-compressed body, as the SDK sends with compression: 'gzip'", async () => {
    const xs = await exportWith(
      // The enum lives in @opentelemetry/otlp-exporter-base (not a direct dependency); its value is "gzip".
      new JsonExporter({
        url: `${server.url}/v1/metrics`,
        compression: "gzip",
      } as ConstructorParameters<typeof JsonExporter>[0]),
    );
    expectSdkSamples(xs);
  });

  it("reports points of series past the cardinality limit as a partial success", async () => {
    const tiny = new SampleStream({ maxSeries: 1, warn: () => {} });
    const srv = await startIngestServer(tiny);
    try {
      const point = (v: number) => ({ timeUnixNano: "1767571200000000000", asDouble: v });
      const body = {
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: "a", gauge: { dataPoints: [point(1)] } },
                  { name: "b", gauge: { dataPoints: [point(2), point(3)] } },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`${srv.url}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ partialSuccess: { rejectedDataPoints: 2 } });
    } finally {
      await srv.close();
    }
  });

  it("answers 415 to an unknown content type and 400 to a broken body", async () => {
    const send = (type: string, body: string) =>
      fetch(`${server.url}/v1/metrics`, {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
    expect((await send("text/plain", "x")).status).toBe(415);
    expect((await send("application/json", "{")).status).toBe(400);
    expect((await send("application/x-protobuf", "\u00ff\u00ff")).status).toBe(400);
  });
});
