/**
 * One workload's predictive plan from its history, the steps every surface shares (CLI,
 * tool, generate, bench): hourly traffic → forecast → measured capacity → floors.
 */

import { OpsloopError } from "../core/errors.ts";
import type { ObjectRef } from "../core/types.ts";
import { forecast } from "./forecast.ts";
import type { History } from "./history/simulated.ts";
import {
  measureCapacity,
  measureLatencyCapacity,
  planScaling,
  type ScalingPlan,
} from "./scaling-plan.ts";
import { type WorkloadTraffic, workloadTraffic } from "./workload-traffic.ts";

const HOUR = 3_600_000;

export interface WorkloadPlanOptions {
  horizonHours?: number;
  targetUtilization?: number;
  margin?: number;
  maxReplicas?: number;
  bufferMs?: number;
  /**
   * Also bound capacity by latency (measureLatencyCapacity): a replica serves at most the rate
   * its latency stayed usual at. Off by default (CPU only, as the CLI and tools size).
   */
  latencyAware?: boolean;
}

export interface WorkloadPlan {
  plan: ScalingPlan;
  traffic: WorkloadTraffic;
  model: string;
  capacityPerReplica: number;
  /** Requests per second per replica before latency degrades, when latencyAware found a bound. */
  latencyCapacity?: number;
  /** Forecast upper bound per step, for sizing HPA maximums. */
  upper: number[];
  maxReplicas: number;
}

export function planWorkload(
  h: History,
  ref: ObjectRef,
  o: WorkloadPlanOptions = {},
): WorkloadPlan {
  const traffic = workloadTraffic(h.samples, h.snap, ref);
  if (traffic.rps.length < 24)
    throw new OpsloopError(
      "unavailable",
      `only ${traffic.rps.length} h of traffic history for ${ref.namespace}/${ref.name}: a plan needs 24 h`,
    );
  const fc = forecast(traffic.rps, { horizon: o.horizonHours ?? 48 });
  const next = (traffic.times[traffic.times.length - 1] as number) + HOUR;
  const target = o.targetUtilization ?? 0.7;
  const cpuCapacity = measureCapacity(traffic.capacity);
  const latencyCapacity = o.latencyAware ? measureLatencyCapacity(traffic.capacity) : undefined;
  // The planner keeps utilisation under `target`; the latency bound is a rate to stay under.
  const capacityPerReplica = Math.min(cpuCapacity, (latencyCapacity ?? Infinity) / target);
  const maxReplicas = Math.max(o.maxReplicas ?? 20, traffic.replicas);
  const plan = planScaling({
    times: fc.mean.map((_, i) => next + i * HOUR),
    mean: fc.mean,
    upper: fc.upper,
    capacityPerReplica,
    targetUtilization: target,
    margin: o.margin ?? 0.1,
    currentReplicas: traffic.replicas,
    maxReplicas,
    bufferMs: o.bufferMs,
  });
  return {
    plan,
    traffic,
    model: fc.model,
    capacityPerReplica,
    ...(latencyCapacity !== undefined ? { latencyCapacity } : {}),
    upper: fc.upper,
    maxReplicas,
  };
}
