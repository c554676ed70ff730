/**
 * A scaling plan in the forms a cluster applies: a KEDA ScaledObject with one cron trigger per
 * window (keda.sh/v1alpha1; cron metadata timezone/start/end/desiredReplicas), an HPA
 * `minReplicas` schedule for opsloop's own runbook, and the node capacity the windows need
 * (a node count and Karpenter NodePool limits).
 *
 * Cron triggers carry the window's date (minute hour day month *): a plan covers the forecast
 * horizon (48 h) and is regenerated when the forecast is refreshed, as AWS re-forecasts every
 * 6 h, so a one-off surge does not become a weekly rule.
 */
import type { ScalingPlan, ScalingWindow } from "./scaling-plan.ts";

export interface WorkloadRef {
  namespace: string;
  name: string;
  kind?: string;
}

function cronAt(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
}

export interface KedaOptions {
  minReplicas: number;
  maxReplicas: number;
  /** Reactive trigger kept beside the cron windows (CPU utilisation %, default 70). */
  cpuUtilization?: number;
}

export function kedaScaledObject(
  target: WorkloadRef,
  plan: ScalingPlan,
  opts: KedaOptions,
): Record<string, unknown> {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: {
      name: `${target.name}-prescale`,
      namespace: target.namespace,
      annotations: { "opsloop.dev/generated-by": "opsloop plan-scaling" },
    },
    spec: {
      scaleTargetRef: { kind: target.kind ?? "Deployment", name: target.name },
      minReplicaCount: opts.minReplicas,
      maxReplicaCount: opts.maxReplicas,
      cooldownPeriod: 300,
      triggers: [
        ...plan.windows.map((w) => ({
          type: "cron",
          metadata: {
            timezone: "Etc/UTC",
            start: cronAt(w.start),
            end: cronAt(w.end),
            desiredReplicas: String(w.replicas),
          },
        })),
        {
          type: "cpu",
          metricType: "Utilization",
          metadata: { value: String(opts.cpuUtilization ?? 70) },
        },
      ],
    },
  };
}

export interface FloorChange {
  at: number;
  minReplicas: number;
  why: string;
}

/**
 * The HPA floor changes opsloop's pre-scale runbook applies: raise at each window's buffered
 * start, restore at its end. The restore only lowers the floor; it never sets replicas, so the
 * HPA scales in on measured load, not on the forecast.
 */
export function minReplicasSchedule(plan: ScalingPlan, baseline: number): FloorChange[] {
  return plan.windows.flatMap((w: ScalingWindow) => [
    {
      at: w.start,
      minReplicas: w.replicas,
      why: `forecast peak ${w.peakRps.toFixed(1)} rps${w.capped ? " (capped at maxReplicas)" : ""}`,
    },
    { at: w.end, minReplicas: baseline, why: "forecast window over: floor back to baseline" },
  ]);
}

export interface NodeShape {
  /** Allocatable CPU in millicores and memory in bytes of one node. */
  cpuMilli: number;
  memoryBytes: number;
}

export interface NodeCapacity {
  /** Nodes needed at the plan's peak for this workload's pods (bin-packing by the scarcer resource). */
  nodes: number;
  cpuMilli: number;
  memoryBytes: number;
  /** Karpenter NodePool `spec.limits` covering the peak. */
  nodePoolLimits: { cpu: string; memory: string };
}

export function nodeCapacity(
  plan: ScalingPlan,
  podRequests: { cpuMilli: number; memoryBytes: number },
  shape: NodeShape,
  otherUsage: { cpuMilli: number; memoryBytes: number } = { cpuMilli: 0, memoryBytes: 0 },
): NodeCapacity {
  const peak = Math.max(0, ...plan.windows.map((w) => w.replicas));
  const cpuMilli = otherUsage.cpuMilli + peak * podRequests.cpuMilli;
  const memoryBytes = otherUsage.memoryBytes + peak * podRequests.memoryBytes;
  const podsPerNode = Math.max(
    1,
    Math.min(
      Math.floor(shape.cpuMilli / Math.max(1, podRequests.cpuMilli)),
      Math.floor(shape.memoryBytes / Math.max(1, podRequests.memoryBytes)),
    ),
  );
  const nodes = Math.max(
    Math.ceil(cpuMilli / shape.cpuMilli),
    Math.ceil(memoryBytes / shape.memoryBytes),
    Math.ceil(peak / podsPerNode),
  );
  return {
    nodes,
    cpuMilli,
    memoryBytes,
    nodePoolLimits: {
      cpu: String(Math.ceil((nodes * shape.cpuMilli) / 1000)),
      memory: `${Math.ceil((nodes * shape.memoryBytes) / 2 ** 30)}Gi`,
    },
  };
}
