/**
 * Right-sizing per container, compatible with KRR's `simple` strategy by default
 * (robusta_krr/strategies/simple.py): CPU request = the 95th percentile of CPU usage, taken
 * per pod and then the max across pods, with the CPU limit unset; memory request = limit = the
 * peak working set across pods + 15%. Floors as KRR: 10m CPU, 100Mi memory. At least 100 data
 * points and 3 h of history, and no recommendation for a resource an HPA scales on.
 *
 * Where opsloop differs, it is on the side of safety: memory is OOM-aware by default (after an
 * OOM kill the recommendation is at least the limit it died at × 1.25, KRR's optional bump),
 * because KRR's users report recommendations so low the pods OOM (krr#110, #379).
 */

export interface ContainerUsage {
  namespace: string;
  workload: { kind: string; name: string };
  container: string;
  replicas: number;
  /** CPU usage in cores, one array of samples per pod. */
  cpuCores: number[][];
  /** Working-set memory in bytes, one array per pod. */
  memoryBytes: number[][];
  /** History covered by the samples, ms. */
  historyMs: number;
  current: {
    cpuRequestMilli?: number;
    cpuLimitMilli?: number;
    memoryRequestBytes?: number;
    memoryLimitBytes?: number;
  };
  /** Memory limit the container had when it was last OOM-killed, if it was. */
  oomKilledAtLimitBytes?: number;
  /** Resources an HPA on this workload scales on. */
  hpaResources?: ("cpu" | "memory")[];
}

export interface RightsizeOptions {
  cpuPercentile?: number;
  memoryBufferRatio?: number;
  pointsRequired?: number;
  minHistoryMs?: number;
  allowHpa?: boolean;
  oomAware?: boolean;
  /** Prices for the savings estimate, per vCPU-hour and per GiB-hour. */
  prices?: { cpuHour: number; memoryGiBHour: number };
}

export interface ResourceAdvice {
  request?: number;
  limit?: number;
  /** Why there is no recommendation, or what shaped it. */
  reason: string;
  skipped: boolean;
}

export interface Recommendation {
  namespace: string;
  workload: { kind: string; name: string };
  container: string;
  replicas: number;
  /** CPU in millicores. */
  cpu: ResourceAdvice;
  /** Memory in bytes. */
  memory: ResourceAdvice;
  /** Estimated monthly saving for all replicas at the configured prices (negative: costs more). */
  monthlySavings: number;
}

const GI = 2 ** 30;
const MI = 2 ** 20;
const HOURS_PER_MONTH = 730;
export const DEFAULT_PRICES = { cpuHour: 0.04048, memoryGiBHour: 0.004445 } as const;

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between closest ranks, as PromQL's quantile_over_time does.
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

function dataProblem(
  u: ContainerUsage,
  series: number[][],
  o: Required<Omit<RightsizeOptions, "prices">>,
): string | undefined {
  const points = series.reduce((n, s) => n + s.length, 0);
  if (points < o.pointsRequired)
    return `too little data: ${points} points (needs ${o.pointsRequired})`;
  if (u.historyMs < o.minHistoryMs)
    return `too little history: ${(u.historyMs / 3_600_000).toFixed(1)} h (needs ${(o.minHistoryMs / 3_600_000).toFixed(0)} h)`;
  return undefined;
}

function cpuAdvice(
  u: ContainerUsage,
  o: Required<Omit<RightsizeOptions, "prices">>,
): ResourceAdvice {
  if (u.hpaResources?.includes("cpu") && !o.allowHpa)
    return { skipped: true, reason: "an HPA scales this workload on cpu: requests set its target" };
  const problem = dataProblem(u, u.cpuCores, o);
  if (problem) return { skipped: true, reason: problem };
  const p = Math.max(
    ...u.cpuCores.filter((s) => s.length).map((s) => percentile(s, o.cpuPercentile)),
  );
  const milli = Math.max(10, Math.ceil(p * 1000));
  return {
    skipped: false,
    request: milli,
    reason: `p${o.cpuPercentile} of usage across pods; no CPU limit (throttling costs more than it saves)`,
  };
}

function memoryAdvice(
  u: ContainerUsage,
  o: Required<Omit<RightsizeOptions, "prices">>,
): ResourceAdvice {
  if (u.hpaResources?.includes("memory") && !o.allowHpa)
    return {
      skipped: true,
      reason: "an HPA scales this workload on memory: requests set its target",
    };
  const problem = dataProblem(u, u.memoryBytes, o);
  if (problem) return { skipped: true, reason: problem };
  const peak = Math.max(...u.memoryBytes.flat());
  let bytes = peak * (1 + o.memoryBufferRatio);
  let reason = `peak working set ${(peak / MI).toFixed(0)}Mi + ${Math.round(o.memoryBufferRatio * 100)}%`;
  if (o.oomAware && u.oomKilledAtLimitBytes && u.oomKilledAtLimitBytes * 1.25 > bytes) {
    bytes = u.oomKilledAtLimitBytes * 1.25;
    reason = `OOM-killed at ${(u.oomKilledAtLimitBytes / MI).toFixed(0)}Mi: that limit + 25%`;
  }
  bytes = Math.max(100 * MI, Math.ceil(bytes / MI) * MI);
  return { skipped: false, request: bytes, limit: bytes, reason };
}

export function rightsize(u: ContainerUsage, opts: RightsizeOptions = {}): Recommendation {
  const o = {
    cpuPercentile: opts.cpuPercentile ?? 95,
    memoryBufferRatio: opts.memoryBufferRatio ?? 0.15,
    pointsRequired: opts.pointsRequired ?? 100,
    minHistoryMs: opts.minHistoryMs ?? 3 * 3_600_000,
    allowHpa: opts.allowHpa ?? false,
    oomAware: opts.oomAware ?? true,
  };
  const prices = opts.prices ?? DEFAULT_PRICES;
  const cpu = cpuAdvice(u, o);
  const memory = memoryAdvice(u, o);
  const cpuDelta =
    !cpu.skipped && u.current.cpuRequestMilli !== undefined
      ? (u.current.cpuRequestMilli - (cpu.request as number)) / 1000
      : 0;
  const memDelta =
    !memory.skipped && u.current.memoryRequestBytes !== undefined
      ? (u.current.memoryRequestBytes - (memory.request as number)) / GI
      : 0;
  const monthlySavings =
    u.replicas * HOURS_PER_MONTH * (cpuDelta * prices.cpuHour + memDelta * prices.memoryGiBHour);
  return {
    namespace: u.namespace,
    workload: u.workload,
    container: u.container,
    replicas: u.replicas,
    cpu,
    memory,
    monthlySavings: Math.round(monthlySavings * 100) / 100,
  };
}

/** A strategic-merge patch for the workload that applies the recommendations of its containers. */
export function resourcesPatch(recs: readonly Recommendation[]): Record<string, unknown> {
  const containers = recs
    .filter((r) => !r.cpu.skipped || !r.memory.skipped)
    .map((r) => {
      const requests: Record<string, string> = {};
      const limits: Record<string, string | null> = {};
      if (!r.cpu.skipped) {
        requests.cpu = `${r.cpu.request}m`;
        limits.cpu = null; // strategic merge: delete the CPU limit, as KRR recommends
      }
      if (!r.memory.skipped) {
        requests.memory = `${Math.round((r.memory.request as number) / MI)}Mi`;
        limits.memory = `${Math.round((r.memory.limit as number) / MI)}Mi`;
      }
      return { name: r.container, resources: { requests, limits } };
    });
  return { spec: { template: { spec: { containers } } } };
}

export type NodeFamily = "compute-optimized" | "general-purpose" | "memory-optimized";

/**
 * Node-shape advice from the recommended requests of a pool's workloads: GiB of memory per vCPU
 * below 2.5 fits compute-optimized shapes (1:2), above 6 memory-optimized (1:8), else general
 * purpose (1:4) — the ratios of the common cloud instance families.
 */
export function nodeShapeAdvice(recs: readonly Recommendation[]): {
  family: NodeFamily;
  gibPerVcpu: number;
  reason: string;
} {
  let cores = 0;
  let gib = 0;
  for (const r of recs) {
    if (!r.cpu.skipped) cores += (r.replicas * (r.cpu.request as number)) / 1000;
    if (!r.memory.skipped) gib += (r.replicas * (r.memory.request as number)) / GI;
  }
  const ratio = cores > 0 ? gib / cores : Number.POSITIVE_INFINITY;
  const family: NodeFamily =
    ratio < 2.5 ? "compute-optimized" : ratio > 6 ? "memory-optimized" : "general-purpose";
  return {
    family,
    gibPerVcpu: Math.round(ratio * 100) / 100,
    reason: `recommended requests total ${cores.toFixed(2)} vCPU and ${gib.toFixed(2)} GiB (${ratio.toFixed(1)} GiB per vCPU)`,
  };
}
