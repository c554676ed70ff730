/**
 * `opsloop generate`: configuration written from measured data, as files for GitOps review —
 * per Deployment with traffic, an HPA (autoscaling/v2, CPU target, minReplicas = today's
 * replicas, maxReplicas from the forecast peak with headroom), a KEDA ScaledObject pre-scaling
 * the forecast surges, and a PrometheusRule whose thresholds come from the learned baselines.
 */
import type { ObjectRef } from "../../core/types.ts";
import { forecast } from "../forecast.ts";
import type { History } from "../history/simulated.ts";
import { kedaScaledObject } from "../scaling-manifests.ts";
import { measureCapacity, planScaling } from "../scaling-plan.ts";
import { workloadTraffic } from "../workload-traffic.ts";
import { alertRules, prometheusRule, workloadSeries } from "./alert-rules.ts";

const HOUR = 3_600_000;

export interface GeneratedFile {
  /** File name: `<namespace>-<name>-<what>.yaml`. */
  file: string;
  object: Record<string, unknown>;
  /** Why the values are what they are, written as a YAML comment above the object. */
  reason: string;
}

export interface GenerateOptions {
  targetUtilization?: number;
  kinds?: ("hpa" | "prescale" | "alerts")[];
}

function hpa(ref: ObjectRef, min: number, max: number, target: number): Record<string, unknown> {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { "opsloop.dev/generated": "true" },
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: ref.name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: Math.round(target * 100) },
          },
        },
      ],
    },
  };
}

export function generateForWorkload(
  h: History,
  ref: ObjectRef,
  opts: GenerateOptions = {},
): GeneratedFile[] {
  const kinds = opts.kinds ?? ["hpa", "prescale", "alerts"];
  const target = opts.targetUtilization ?? 0.7;
  const base = `${ref.namespace}-${ref.name}`;
  const out: GeneratedFile[] = [];
  const series = workloadSeries(h.samples, ref.namespace ?? "", ref.name);
  if (kinds.includes("alerts")) {
    const rules = alertRules(series);
    if (rules.length)
      out.push({
        file: `${base}-alerts.yaml`,
        object: prometheusRule(ref.namespace ?? "", ref.name, rules),
        reason: `thresholds from ${series.latencyP50.length} latency, ${series.errorRatio.length} error-ratio and ${series.memoryBytes.length} memory samples`,
      });
  }
  const traffic = workloadTraffic(h.samples, h.snap, ref);
  if (traffic.rps.length < 48 || traffic.capacity.length < 3) return out;
  const fc = forecast(traffic.rps, { horizon: 48 });
  const capacity = measureCapacity(traffic.capacity);
  const next = (traffic.times[traffic.times.length - 1] as number) + HOUR;
  const peakReplicas = Math.ceil(Math.max(...fc.upper, ...traffic.rps) / (capacity * target));
  const max = Math.max(traffic.replicas + 1, Math.ceil(peakReplicas * 1.5));
  if (kinds.includes("hpa"))
    out.push({
      file: `${base}-hpa.yaml`,
      object: hpa(ref, traffic.replicas, max, target),
      reason: `capacity ${capacity.toFixed(1)} rps per replica at 100% CPU; forecast/observed peak needs ${peakReplicas} replicas at ${Math.round(target * 100)}% (max = 1.5×)`,
    });
  const plan = planScaling({
    times: fc.mean.map((_, i) => next + i * HOUR),
    mean: fc.mean,
    upper: fc.upper,
    capacityPerReplica: capacity,
    targetUtilization: target,
    margin: 0.1,
    currentReplicas: traffic.replicas,
    maxReplicas: max,
  });
  if (kinds.includes("prescale") && plan.windows.length)
    out.push({
      file: `${base}-prescale.yaml`,
      object: kedaScaledObject(ref as { namespace: string; name: string }, plan, {
        minReplicas: traffic.replicas,
        maxReplicas: max,
        cpuUtilization: Math.round(target * 100),
      }),
      reason: `${plan.windows.length} forecast window(s) over the next 48 h (model ${fc.model}); cron start is 5 min ahead of each`,
    });
  return out;
}

/** Deployments whose pods serve traffic or have metrics in the history. */
export function generateAll(h: History, opts: GenerateOptions = {}): GeneratedFile[] {
  return h.snap.deployments.flatMap((d) =>
    generateForWorkload(
      h,
      { kind: "Deployment", namespace: d.metadata?.namespace, name: d.metadata?.name ?? "" },
      opts,
    ),
  );
}
