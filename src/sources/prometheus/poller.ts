/**
 * PromQL poller: for each configured query, a `query_range` backfill over the last
 * `backfill` (so detectors start with warm baselines instead of learning for days), then an
 * instant query every `interval`. Results go into the sample stream; when the stream refuses a
 * push (backpressure) the poller waits for it to drain and pushes the same chunk again.
 */
import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import { parseDuration } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import type { SampleStream } from "../samples/sample-stream.ts";
import type { Labels, PromClient } from "./api-client.ts";
import type { Sample } from "./scrape.ts";

export const PollQuerySchema = z.strictObject({
  /** Name for results without `__name__` (anything with a function or aggregation around it). */
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
  promql: z.string().min(1),
});
export type PollQuery = z.infer<typeof PollQuerySchema>;

export const PollerConfigSchema = z.strictObject({
  queries: z.array(PollQuerySchema).min(1),
  interval: z.union([z.string(), z.number()]).default("30s"),
  backfill: z.union([z.string(), z.number()]).default("7d"),
  /** Resolution of the backfill; default the interval. */
  backfillStep: z.union([z.string(), z.number()]).optional(),
});
export type PollerConfig = z.infer<typeof PollerConfigSchema>;

/** Prometheus refuses ranges of more than 11,000 points per series; stay under it. */
const MAX_POINTS_PER_RANGE = 10_000;
/** Samples per push, so one push never exceeds a reasonable queue. */
const CHUNK = 10_000;

function sampleName(q: PollQuery, labels: Labels): { name: string; labels: Labels } {
  const { __name__: n, ...rest } = labels;
  return { name: n ?? q.name, labels: rest };
}

export interface PollerOptions {
  client: PromClient;
  stream: SampleStream;
  clock: Clock;
  config: PollerConfig;
  onError?: (e: unknown) => void;
}

export class PromPoller {
  private readonly o: PollerOptions;
  private readonly intervalMs: number;
  private readonly backfillMs: number;
  private readonly stepMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;

  constructor(opts: PollerOptions) {
    this.o = opts;
    this.intervalMs = parseDuration(opts.config.interval);
    this.backfillMs = parseDuration(opts.config.backfill);
    this.stepMs = parseDuration(opts.config.backfillStep ?? opts.config.interval);
    if (this.intervalMs <= 0 || this.stepMs <= 0)
      throw new OpsloopError("invalid_input", "poller interval and backfill step must be > 0");
  }

  /** Backfills `[now - step - backfill, now - step]`; returns the number of samples delivered. */
  async backfill(): Promise<number> {
    // One step short of now: an evaluation at `now` usually finds the previous scrape again
    // (Prometheus' 5-minute lookback), a repeated counter value that reads as zero traffic. The
    // first instant poll covers now.
    const end = this.o.clock.now() - this.stepMs;
    const start = end - this.backfillMs;
    const span = this.stepMs * MAX_POINTS_PER_RANGE;
    let n = 0;
    for (const q of this.o.config.queries) {
      for (let from = start; from < end; from += span) {
        const to = Math.min(end, from + span - this.stepMs);
        const series = await this.o.client.queryRange(q.promql, from, to, this.stepMs);
        const samples: Sample[] = [];
        for (const s of series) {
          const id = sampleName(q, s.labels);
          for (const p of s.points) samples.push({ ...id, t: p.t, v: p.v });
        }
        n += await this.push(samples);
      }
    }
    return n;
  }

  /** One instant query per configured query at the clock's now. */
  async poll(): Promise<number> {
    const now = this.o.clock.now();
    let n = 0;
    for (const q of this.o.config.queries) {
      const r = await this.o.client.query(q.promql, now);
      const samples: Sample[] = [];
      if (r.resultType === "vector") {
        for (const s of r.series) samples.push({ ...sampleName(q, s.labels), ...s.point });
      } else if (r.resultType === "scalar") {
        samples.push({ name: q.name, labels: {}, ...(r.value as { t: number; v: number }) });
      }
      n += await this.push(samples);
    }
    return n;
  }

  /**
   * Backfill once, then poll on the interval (wall time). A failed backfill is reported and not
   * retried (detectors then warm up on live points); failed polls are reported and retried.
   */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.inFlight = true;
    try {
      await this.backfill();
    } catch (e) {
      this.o.onError?.(e);
    } finally {
      this.inFlight = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      await this.poll();
    } catch (e) {
      this.o.onError?.(e);
    } finally {
      this.inFlight = false;
    }
  }

  private async push(samples: Sample[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < samples.length; i += CHUNK) {
      const chunk = samples.slice(i, i + CHUNK);
      for (;;) {
        const r = this.o.stream.push(chunk);
        if (r.ok) {
          n += r.accepted;
          break;
        }
        await this.o.stream.idle();
      }
    }
    return n;
  }
}
