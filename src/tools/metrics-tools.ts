/**
 * `query_metrics`: PromQL against the configured Prometheus (or Thanos/Mimir/AMP), instant or
 * range, cut to a few series and points. Each range series also carries min/max/last over all
 * its points, so a spike that downsampling skipped is still visible.
 */
import { z } from "zod";
import { parseDuration, systemClock } from "../core/clock.ts";
import { OpsloopError } from "../core/errors.ts";
import { downsample } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";

const Point = z.tuple([z.number(), z.number().nullable()]);

const SeriesSchema = z.object({
  labels: z.record(z.string(), z.string()),
  points: z.array(Point).describe("[epoch ms, value] pairs; null for NaN/Inf"),
  summary: z
    .object({ min: z.number(), max: z.number(), last: z.number(), count: z.number() })
    .optional(),
});

const num = (v: number) => (Number.isFinite(v) ? v : null);

function prometheusOf(ctx: ToolContext) {
  if (!ctx.prometheus)
    throw new OpsloopError(
      "unavailable",
      "no Prometheus configured: start opsloop with --prometheus-url http://prometheus:9090",
    );
  return ctx.prometheus;
}

function ms(text: string, what: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new OpsloopError("invalid_input", `${what}: ${(e as Error).message}`);
  }
}

function parseTime(text: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new OpsloopError("invalid_input", `time must be RFC 3339; got "${text}"`);
  return t;
}

function summary(points: { v: number }[]) {
  const vs = points.map((p) => p.v).filter(Number.isFinite);
  if (vs.length === 0) return undefined;
  return {
    min: Math.min(...vs),
    max: Math.max(...vs),
    last: vs[vs.length - 1] as number,
    count: points.length,
  };
}

const queryMetrics = defineTool({
  name: "query_metrics",
  title: "Query metrics (PromQL)",
  description:
    'Runs PromQL against Prometheus: an instant query, or a range query when `range` is given (e.g. "1h" back from now, with `step`). Returns at most maxSeries series of at most maxPoints points each, plus min/max/last per series.',
  input: z
    .object({
      query: z.string().min(1).max(4000),
      range: z
        .string()
        .optional()
        .describe('Range query over this long up to now, e.g. "30m", "6h"'),
      step: z
        .string()
        .optional()
        .describe('Range resolution, e.g. "1m" (default: range/maxPoints)'),
      time: z.string().optional().describe("Evaluation (or range end) time, RFC 3339; default now"),
      maxSeries: z.number().int().min(1).max(100).default(20),
      maxPoints: z.number().int().min(2).max(500).default(60),
    })
    .strict(),
  output: z.object({
    resultType: z.string(),
    series: z.array(SeriesSchema),
    scalar: z.union([z.number(), z.string()]).nullable().optional(),
    totalSeries: z.number(),
    truncated: z.boolean(),
  }),
  annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true },
  run: async (ctx, input) => {
    const prom = prometheusOf(ctx);
    // Prometheus stamps samples with its wall clock, not opsloop's (possibly simulated) one.
    const now = input.time ? parseTime(input.time) : systemClock.now();
    if (input.range) {
      const span = ms(input.range, "range");
      const step = input.step
        ? ms(input.step, "step")
        : Math.max(1000, Math.ceil(span / input.maxPoints));
      const all = await prom.queryRange(input.query, now - span, now, step);
      const kept = all.slice(0, input.maxSeries);
      const cutPoints = kept.some((s) => s.points.length > input.maxPoints);
      return {
        resultType: "matrix",
        series: kept.map((s) => ({
          labels: s.labels,
          points: downsample(s.points, input.maxPoints).map(
            (p) => [p.t, num(p.v)] as [number, number | null],
          ),
          summary: summary(s.points),
        })),
        totalSeries: all.length,
        truncated: all.length > kept.length || cutPoints,
      };
    }
    const r = await prom.query(input.query, now);
    if (r.resultType === "scalar" || r.resultType === "string") {
      const v = r.value.v;
      return {
        resultType: r.resultType,
        series: [],
        scalar: typeof v === "number" ? num(v) : v,
        totalSeries: 0,
        truncated: false,
      };
    }
    const rows =
      r.resultType === "vector"
        ? r.series.map((s) => ({ labels: s.labels, points: [s.point] }))
        : r.resultType === "matrix"
          ? r.series
          : [];
    const kept = rows.slice(0, input.maxSeries);
    return {
      resultType: r.resultType,
      series: kept.map((s) => ({
        labels: s.labels,
        points: downsample(s.points, input.maxPoints).map(
          (p) => [p.t, num(p.v)] as [number, number | null],
        ),
      })),
      totalSeries: rows.length,
      truncated: rows.length > kept.length,
    };
  },
});

export const METRICS_TOOLS: Tool[] = [queryMetrics] as Tool[];
