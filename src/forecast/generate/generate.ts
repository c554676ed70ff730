/**
 * `opsloop generate`: configuration written from measured data, as files for GitOps review —
 * per Deployment with traffic, an HPA (autoscaling/v2, CPU target, minReplicas = today's
 * replicas, maxReplicas from the forecast peak with headroom), a KEDA ScaledObject pre-scaling
 * the forecast surges, and a PrometheusRule whose thresholds come from the learned baselines.
 */

import { isOpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import type { History } from "../history/simulated.ts";
import { planWorkload, type WorkloadPlan } from "../plan-workload.ts";
import { kedaScaledObject } from "../scaling-manifests.ts";
import { alertRules, prometheusRule, workloadSeries } from "./alert-rules.ts";

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

export interface Generated {
  files: GeneratedFile[];
  /** What was not generated for a workload, and why (e.g. too little traffic history). */
  skipped: { workload: string; reason: string }[];
}

export function generateForWorkload(
  h: History,
  ref: ObjectRef,
  opts: GenerateOptions = {},
): Generated {
  const kinds = opts.kinds ?? ["hpa", "prescale", "alerts"];
  const target = opts.targetUtilization ?? 0.7;
  const base = `${ref.namespace}-${ref.name}`;
  const out: GeneratedFile[] = [];
  const skipped: Generated["skipped"] = [];
  const series = workloadSeries(h.samples, ref.namespace ?? "", ref.name);
  if (kinds.includes("alerts")) {
    const rules = alertRules(series);
    if (rules.length)
      out.push({
        file: `${base}-alerts.yaml`,
        object: prometheusRule(ref.namespace ?? "", ref.name, rules),
        reason: `thresholds from ${series.latencyMean.length} latency, ${series.errorRatio.length} error-ratio and ${series.memoryBytes.length} memory samples`,
      });
  }
  if (!kinds.includes("hpa") && !kinds.includes("prescale")) return { files: out, skipped };
  let w: WorkloadPlan;
  try {
    w = planWorkload(h, ref, { targetUtilization: target });
  } catch (e) {
    // Without (enough) traffic history there is nothing to scale on: alerts only, and why.
    if (isOpsloopError(e) && (e.code === "unavailable" || e.code === "invalid_input")) {
      skipped.push({
        workload: `${ref.namespace}/${ref.name}`,
        reason: `no HPA or pre-scaling: ${e.message}`,
      });
      return { files: out, skipped };
    }
    throw e;
  }
  const { plan, traffic, capacityPerReplica: capacity, model } = w;
  const peakReplicas = Math.ceil(Math.max(...w.upper, ...traffic.rps) / (capacity * target));
  const max = Math.max(traffic.replicas + 1, Math.ceil(peakReplicas * 1.5));
  if (kinds.includes("hpa"))
    out.push({
      file: `${base}-hpa.yaml`,
      object: hpa(ref, traffic.replicas, max, target),
      reason: `capacity ${capacity.toFixed(1)} rps per replica at 100% CPU; forecast/observed peak needs ${peakReplicas} replicas at ${Math.round(target * 100)}% (max = 1.5×)`,
    });
  if (kinds.includes("prescale") && plan.windows.length)
    out.push({
      file: `${base}-prescale.yaml`,
      object: kedaScaledObject(ref as { namespace: string; name: string }, plan, {
        minReplicas: traffic.replicas,
        maxReplicas: max,
        cpuUtilization: Math.round(target * 100),
      }),
      reason: `${plan.windows.length} forecast window(s) over the next 48 h (model ${model}); cron start is 5 min ahead of each`,
    });
  return { files: out, skipped };
}

/** Deployments whose pods serve traffic or have metrics in the history. */
export function generateAll(h: History, opts: GenerateOptions = {}): Generated {
  const all: Generated = { files: [], skipped: [] };
  for (const d of h.snap.deployments) {
    const g = generateForWorkload(
      h,
      { kind: "Deployment", namespace: d.metadata?.namespace, name: d.metadata?.name ?? "" },
      opts,
    );
    all.files.push(...g.files);
    all.skipped.push(...g.skipped);
  }
  return all;
}
