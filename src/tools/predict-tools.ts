/** Forecasting, predictive scaling plans and right-sizing as tools (read-only: they compute, never apply). */
import { z } from "zod";
import { OpsloopError } from "../core/errors.ts";
import { forecast } from "../forecast/forecast.ts";
import type { History } from "../forecast/history/simulated.ts";
import { planWorkload } from "../forecast/plan-workload.ts";
import { rightsize } from "../forecast/rightsize.ts";
import { minReplicasSchedule } from "../forecast/scaling-manifests.ts";
import { collectUsage } from "../forecast/usage-collect.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

async function history(ctx: ToolContext, days: number): Promise<History> {
  if (!ctx.usageHistory)
    throw new OpsloopError(
      "unavailable",
      "no usage history source is configured (metrics history is needed)",
    );
  return ctx.usageHistory(days);
}

const forecastTool = defineTool({
  name: "forecast",
  title: "Forecast a series",
  description:
    "Forecasts a regularly spaced series (seasonality detected, model chosen by backtest) with prediction intervals.",
  input: z
    .object({
      values: z.array(z.number()).min(3).max(20_000),
      horizon: z.number().int().min(1).max(1000).default(48),
      period: z.number().int().min(1).optional(),
      level: z.number().gt(0).lt(100).default(95),
    })
    .strict(),
  output: z.object({
    model: z.string(),
    periods: z.array(z.number()),
    mean: z.array(z.number()),
    lower: z.array(z.number()),
    upper: z.array(z.number()),
  }),
  annotations: READ,
  run: async (_ctx, i) =>
    forecast(i.values, { horizon: i.horizon, period: i.period, level: i.level }),
});

const planScalingTool = defineTool({
  name: "plan_scaling",
  title: "Plan predictive scaling",
  description:
    "Forecasts a Deployment's request rate and returns replica floors ahead of predicted surges (never scales in on a forecast), with the HPA minReplicas schedule.",
  input: z
    .object({
      namespace: z.string(),
      name: z.string(),
      days: z.number().min(1).max(28).default(14),
      horizonHours: z.number().int().min(1).max(168).default(48),
      targetUtilization: z.number().gt(0).max(1).default(0.7),
      maxReplicas: z.number().int().min(1).default(20),
    })
    .strict(),
  output: z.object({
    model: z.string(),
    capacityPerReplica: z.number(),
    currentReplicas: z.number(),
    windows: z.array(
      z.object({
        start: z.number(),
        end: z.number(),
        replicas: z.number(),
        peakRps: z.number(),
        capped: z.boolean(),
      }),
    ),
    minReplicasSchedule: z.array(
      z.object({ at: z.number(), minReplicas: z.number(), why: z.string() }),
    ),
  }),
  annotations: READ,
  run: async (ctx, i) => {
    const h = await history(ctx, i.days);
    const w = planWorkload(
      h,
      { kind: "Deployment", namespace: i.namespace, name: i.name },
      {
        horizonHours: i.horizonHours,
        targetUtilization: i.targetUtilization,
        maxReplicas: i.maxReplicas,
      },
    );
    return {
      model: w.model,
      capacityPerReplica: w.capacityPerReplica,
      currentReplicas: w.traffic.replicas,
      windows: w.plan.windows,
      minReplicasSchedule: minReplicasSchedule(w.plan, w.traffic.replicas),
    };
  },
});

const Advice = z.object({
  request: z.number().optional(),
  limit: z.number().optional(),
  reason: z.string(),
  skipped: z.boolean(),
});

const rightsizeTool = defineTool({
  name: "rightsize",
  title: "Right-size containers",
  description:
    "CPU (millicores) and memory (bytes) request recommendations per container from usage history (KRR-compatible, OOM-aware), with skip reasons and monthly savings.",
  input: z
    .object({ namespace: z.string().optional(), days: z.number().min(0.125).max(28).default(14) })
    .strict(),
  output: z.object({
    recommendations: z.array(
      z.object({
        namespace: z.string(),
        workload: z.object({ kind: z.string(), name: z.string() }),
        container: z.string(),
        replicas: z.number(),
        cpu: Advice,
        memory: Advice,
        monthlySavings: z.number(),
      }),
    ),
  }),
  annotations: READ,
  run: async (ctx, i) => {
    const h = await history(ctx, i.days);
    return {
      recommendations: collectUsage(h.samples, h.snap)
        .filter((u) => !i.namespace || u.namespace === i.namespace)
        .map((u) => rightsize(u)),
    };
  },
});

export const PREDICT_TOOLS: Tool[] = [forecastTool, planScalingTool, rightsizeTool] as Tool[];
