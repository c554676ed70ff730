/**
 * The push receivers over HTTP: Prometheus remote-write 1.0 at `POST /api/v1/write` and
 * OTLP/HTTP metrics at `POST /v1/metrics`. `ingestApp(stream)` is a Hono app the HTTP server can
 * mount (`app.route("/", ingestApp(stream))`); `startIngestServer` listens on its own port (tests,
 * or a dedicated ingest port).
 *
 * Status codes are chosen for each sender's retry rules: Prometheus retries 5xx (and 429 only when
 * `retry_on_http_429` is set) and drops the batch on other 4xx, so backpressure is 503 +
 * Retry-After; OTLP/HTTP retries 429, 502, 503 and 504 (OTLP spec, "Failures"), so 503 works for
 * both. Malformed bodies are 400: retrying them could never succeed.
 */
import { gunzipSync } from "node:zlib";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { isOpsloopError, OpsloopError } from "../../core/errors.ts";
import { decodeOtlpMetrics } from "../otlp/otlp-metrics.ts";
import { ExportMetricsServiceResponse } from "../otlp/otlp-proto.ts";
import { decodeRemoteWrite, MAX_DECOMPRESSED_BYTES } from "../prometheus/remote-write.ts";
import type { Sample } from "../prometheus/scrape.ts";
import type { SampleStream } from "./sample-stream.ts";

/** A compressed request body larger than this is refused before it is read into memory. */
export const MAX_BODY_BYTES = 16 * 2 ** 20;

async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const buf = new Uint8Array(await req.arrayBuffer());
  if (buf.byteLength > MAX_BODY_BYTES) throw tooLarge();
  const enc = req.headers.get("content-encoding")?.toLowerCase();
  if (enc === "gzip") {
    try {
      return gunzipSync(buf, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    } catch (e) {
      throw new OpsloopError("invalid_input", `bad gzip body: ${(e as Error).message}`);
    }
  }
  return buf;
}

const tooLarge = () =>
  new OpsloopError("invalid_input", "request body too large", { data: { status: 413 } });

function statusOf(e: OpsloopError): number {
  const s = e.data?.status;
  return typeof s === "number" ? s : e.code === "invalid_input" ? 400 : 500;
}

/** Decodes, then pushes; maps the stream's verdict and decode errors onto HTTP. */
async function ingest(
  stream: SampleStream,
  req: Request,
  decode: (body: Uint8Array) => Sample[],
  ok: (droppedSeries: number) => Response,
): Promise<Response> {
  let samples: Sample[];
  try {
    samples = decode(await readBody(req));
  } catch (e) {
    if (!isOpsloopError(e)) throw e;
    return new Response(e.message, {
      status: statusOf(e),
      headers: { "content-type": "text/plain" },
    });
  }
  const r = stream.push(samples);
  if (!r.ok) {
    return new Response("opsloop ingest queue is full; retry later", {
      status: 503,
      headers: {
        "retry-after": String(Math.ceil(r.retryAfterMs / 1000)),
        "content-type": "text/plain",
      },
    });
  }
  return ok(r.droppedSeries);
}

export function remoteWriteHandler(stream: SampleStream): (req: Request) => Promise<Response> {
  return (req) => ingest(stream, req, decodeRemoteWrite, () => new Response(null, { status: 204 }));
}

/**
 * OTLP answers in the request's encoding. An empty ExportMetricsServiceResponse is full success;
 * points dropped by the cardinality limit are reported as `partial_success` (OTLP spec, "Partial
 * Success"), which senders log but must not retry.
 */
export function otlpMetricsHandler(stream: SampleStream): (req: Request) => Promise<Response> {
  return (req) => {
    const type = req.headers.get("content-type") ?? "";
    const json = type.toLowerCase().startsWith("application/json");
    return ingest(
      stream,
      req,
      (b) => decodeOtlpMetrics(b, type),
      (dropped) => {
        const body = dropped
          ? {
              partialSuccess: {
                rejectedDataPoints: dropped,
                errorMessage: "series limit reached: points of new series were dropped",
              },
            }
          : {};
        if (json) return Response.json(body);
        const msg = ExportMetricsServiceResponse.fromObject(body);
        return new Response(ExportMetricsServiceResponse.encode(msg).finish(), {
          headers: { "content-type": "application/x-protobuf" },
        });
      },
    );
  };
}

export function ingestApp(stream: SampleStream): Hono {
  const app = new Hono();
  const rw = remoteWriteHandler(stream);
  const otlp = otlpMetricsHandler(stream);
  app.post("/api/v1/write", (c) => rw(c.req.raw));
  app.post("/v1/metrics", (c) => otlp(c.req.raw));
  return app;
}

export interface IngestServer {
  url: string;
  close(): Promise<void>;
}

export function startIngestServer(
  stream: SampleStream,
  opts: { port?: number; host?: string } = {},
): Promise<IngestServer> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve) => {
    const server: ServerType = serve(
      { fetch: ingestApp(stream).fetch, port: opts.port ?? 0, hostname: host },
      (info) =>
        resolve({
          url: `http://${host}:${info.port}`,
          close: () => new Promise((r) => server.close(() => r())),
        }),
    );
  });
}
