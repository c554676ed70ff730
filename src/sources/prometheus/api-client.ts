/**
 * Prometheus HTTP API client (`/api/v1/query`, `/api/v1/query_range`): the subset opsloop reads.
 * Works against Prometheus, Thanos, Mimir and AMP-compatible endpoints (same response envelope:
 * `{status, data: {resultType, result}}`, errors as `{status:"error", errorType, error}`).
 * Values arrive as strings ("NaN", "+Inf" included) and are turned into numbers here, once.
 */
import { OpsloopError } from "../../core/errors.ts";

export type Labels = Record<string, string>;

/** One point: `t` in epoch milliseconds. */
export interface Point {
  t: number;
  v: number;
}

export interface InstantSeries {
  labels: Labels;
  point: Point;
}

export interface RangeSeries {
  labels: Labels;
  points: Point[];
}

export type InstantResult =
  | { resultType: "vector"; series: InstantSeries[] }
  | { resultType: "scalar" | "string"; value: Point | { t: number; v: string } }
  | { resultType: "matrix"; series: RangeSeries[] };

export interface PromClientOptions {
  /** Base URL, e.g. http://127.0.0.1:9090 (a path prefix such as /prometheus is kept). */
  url: string;
  timeoutMs?: number;
  /** Extra request headers (e.g. Authorization, X-Scope-OrgID for Mimir). */
  headers?: Record<string, string>;
}

type RawPair = [number, string];
interface RawSeries {
  metric: Labels;
  value?: RawPair;
  values?: RawPair[];
}
interface Envelope {
  status: "success" | "error";
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export function parsePromValue(s: string): number {
  if (s === "+Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(s);
}

const toPoint = ([t, v]: RawPair): Point => ({ t: Math.round(t * 1000), v: parsePromValue(v) });

/** Prometheus takes RFC 3339 or unix seconds with decimals; seconds keep millisecond precision. */
const secs = (ms: number): string => (ms / 1000).toFixed(3);

export class PromClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(opts: PromClientOptions) {
    this.base = opts.url.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.headers = opts.headers ?? {};
  }

  /** Instant query at `timeMs` (epoch ms). */
  async query(promql: string, timeMs: number): Promise<InstantResult> {
    const data = await this.call("/api/v1/query", { query: promql, time: secs(timeMs) });
    const raw = data.result;
    switch (data.resultType) {
      case "vector":
        return {
          resultType: "vector",
          series: (raw as RawSeries[]).map((s) => ({
            labels: s.metric,
            point: toPoint(s.value as RawPair),
          })),
        };
      case "matrix":
        return { resultType: "matrix", series: matrix(raw as RawSeries[]) };
      case "scalar":
        return { resultType: "scalar", value: toPoint(raw as RawPair) };
      case "string": {
        const [t, v] = raw as RawPair;
        return { resultType: "string", value: { t: Math.round(t * 1000), v } };
      }
      default:
        throw new OpsloopError("internal", `unknown Prometheus resultType ${data.resultType}`);
    }
  }

  /** Range query over [startMs, endMs] every `stepMs`; always a matrix. */
  async queryRange(
    promql: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<RangeSeries[]> {
    if (!(stepMs > 0)) throw new OpsloopError("invalid_input", "query_range step must be > 0");
    const data = await this.call("/api/v1/query_range", {
      query: promql,
      start: secs(startMs),
      end: secs(endMs),
      step: (stepMs / 1000).toString(),
    });
    if (data.resultType !== "matrix") {
      throw new OpsloopError("internal", `query_range returned ${data.resultType}, not matrix`);
    }
    return matrix(data.result as RawSeries[]);
  }

  /** POST form-encoded, as Prometheus recommends for long queries (no URL length limit). */
  private async call(
    path: string,
    params: Record<string, string>,
  ): Promise<{ resultType: string; result: unknown }> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { ...this.headers, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const timeout = (e as Error).name === "TimeoutError";
      throw new OpsloopError(
        timeout ? "timeout" : "unavailable",
        `Prometheus at ${this.base} ${timeout ? "timed out" : `unreachable: ${(e as Error).message}`}`,
        { cause: e },
      );
    }
    const text = await res.text();
    let body: Envelope;
    try {
      body = JSON.parse(text) as Envelope;
    } catch (e) {
      throw new OpsloopError(
        "unavailable",
        `Prometheus at ${this.base} answered HTTP ${res.status} with a non-JSON body`,
        { cause: e },
      );
    }
    if (body.status !== "success" || !body.data) throw promError(res.status, body);
    return body.data;
  }
}

function matrix(raw: RawSeries[]): RangeSeries[] {
  return raw.map((s) => ({ labels: s.metric, points: (s.values ?? []).map(toPoint) }));
}

/** bad_data (HTTP 400) is the caller's PromQL; 422 execution errors too; the rest is the server. */
function promError(status: number, body: Envelope): OpsloopError {
  const type = body.errorType ?? "unknown";
  const code =
    type === "bad_data" || type === "execution" || status === 400 || status === 422
      ? "invalid_input"
      : type === "timeout"
        ? "timeout"
        : "unavailable";
  return new OpsloopError(code, `Prometheus ${type}: ${body.error ?? `HTTP ${status}`}`, {
    data: { errorType: type, status },
  });
}
