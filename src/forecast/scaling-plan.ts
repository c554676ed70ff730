/**
 * Predictive scaling plans: from a request-rate forecast and a workload's measured per-replica
 * capacity, the replica floor per forecast step that keeps utilisation under a target with a
 * margin, merged into time windows and started a scheduling buffer early.
 *
 * Like AWS predictive scaling, a plan only ever RAISES a floor: it never scales in on a forecast
 * alone. Outside its windows the reactive autoscaler (HPA) stays in charge, and a window's floor
 * is never below the replicas the workload already has.
 */
import { OpsloopError } from "../core/errors.ts";

export interface CapacitySample {
  /** Requests per second served by the workload. */
  rps: number;
  /** Ready replicas at that time. */
  replicas: number;
  /** Mean CPU utilisation of the replicas, usage / request (0..n). */
  utilization: number;
  /** Mean request latency in ms, when the workload exports a request-duration histogram. */
  latencyMs?: number;
}

export interface ScalingPlanInput {
  /** Start of each forecast step, ms since the epoch, ascending and evenly spaced. */
  times: number[];
  /** Forecast request rate per step: the plan sizes for `upper` when given (the interval's top). */
  mean: number[];
  upper?: number[];
  /** Requests per second one replica serves at 100% utilisation (see measureCapacity). */
  capacityPerReplica: number;
  /** Utilisation to stay under, e.g. 0.7. */
  targetUtilization: number;
  /** Extra headroom on top of the forecast, e.g. 0.1 for +10%. */
  margin?: number;
  /** The workload's current floor (HPA minReplicas or Deployment replicas): never planned below. */
  currentReplicas: number;
  maxReplicas: number;
  /** Lead time so pods are ready when the load arrives (AWS SchedulingBufferTime, default 300 s). */
  bufferMs?: number;
}

export interface ScalingWindow {
  /** When the floor is raised (the load's start minus the buffer). */
  start: number;
  /** When the floor returns to the current replicas (the reactive autoscaler takes over). */
  end: number;
  replicas: number;
  /** Peak forecast request rate inside the window. */
  peakRps: number;
  /** True when the forecast needs more than maxReplicas (capped; say so to a human). */
  capped: boolean;
}

export interface ScalingPlan {
  windows: ScalingWindow[];
  /** Replicas needed per step (before merging), for charts. */
  perStep: number[];
}

/**
 * Requests per second one replica serves at 100% CPU utilisation: the median over samples of
 * rps / (replicas × utilisation). The median ignores the warm-up and idle extremes where the
 * ratio is noisy.
 */
export function measureCapacity(samples: readonly CapacitySample[]): number {
  const ratios = samples
    .filter((s) => s.rps > 0 && s.replicas > 0 && s.utilization > 0.05)
    .map((s) => s.rps / (s.replicas * s.utilization))
    .sort((a, b) => a - b);
  if (ratios.length < 3) {
    throw new OpsloopError(
      "invalid_input",
      `need at least 3 samples with traffic and CPU use to measure capacity, got ${ratios.length}`,
    );
  }
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2
    ? (ratios[mid] as number)
    : ((ratios[mid - 1] as number) + (ratios[mid] as number)) / 2;
}

/**
 * Requests per second one replica serves before its latency degrades, when the history shows it
 * degrading: the usual latency is the median over the lightest third of the samples (per-replica
 * rate); the bound is the highest per-replica rate whose latency stayed within `tolerance` × the
 * usual. Undefined when no sample exceeded that (latency never rose with load: CPU is the bound)
 * or when there is no latency. A service that saturates on something CPU does not show (locks,
 * a connection pool, a downstream) is sized by this instead of by CPU.
 */
export function measureLatencyCapacity(
  samples: readonly CapacitySample[],
  tolerance = 1.5,
): number | undefined {
  const pts = samples
    .filter((s) => s.rps > 0 && s.replicas > 0 && (s.latencyMs ?? 0) > 0)
    .map((s) => ({ r: s.rps / s.replicas, l: s.latencyMs as number }))
    .sort((a, b) => a.r - b.r);
  if (pts.length < 10) return undefined;
  const light = pts.slice(0, Math.ceil(pts.length / 3)).map((p) => p.l);
  const usual = light.sort((a, b) => a - b)[Math.floor(light.length / 2)] as number;
  const limit = usual * tolerance;
  if (!pts.some((p) => p.l > limit)) return undefined;
  return Math.max(...pts.filter((p) => p.l <= limit).map((p) => p.r));
}

function validate(p: ScalingPlanInput): void {
  const problems: string[] = [];
  if (p.times.length === 0) problems.push("the forecast is empty");
  if (p.mean.length !== p.times.length) problems.push("mean and times differ in length");
  if (p.upper && p.upper.length !== p.times.length)
    problems.push("upper and times differ in length");
  if (!(p.capacityPerReplica > 0)) problems.push("capacityPerReplica must be > 0");
  if (!(p.targetUtilization > 0 && p.targetUtilization <= 1))
    problems.push("targetUtilization must be in (0, 1]");
  if ((p.margin ?? 0) < 0) problems.push("margin must be >= 0");
  if (!(p.currentReplicas >= 0 && p.maxReplicas >= Math.max(1, p.currentReplicas)))
    problems.push("maxReplicas must be >= max(1, currentReplicas)");
  if (problems.length)
    throw new OpsloopError("invalid_input", `scaling plan: ${problems.join("; ")}`);
}

export function replicasFor(rps: number, p: ScalingPlanInput): number {
  const load = rps * (1 + (p.margin ?? 0));
  return Math.ceil(load / (p.capacityPerReplica * p.targetUtilization) - 1e-9);
}

export function planScaling(p: ScalingPlanInput): ScalingPlan {
  validate(p);
  const step = p.times.length > 1 ? (p.times[1] as number) - (p.times[0] as number) : 3_600_000;
  const buffer = p.bufferMs ?? 300_000;
  const sized = p.upper ?? p.mean;
  const perStep = sized.map((rps) => replicasFor(Math.max(0, rps), p));
  const windows: ScalingWindow[] = [];
  let open: ScalingWindow | undefined;
  perStep.forEach((need, i) => {
    const t = p.times[i] as number;
    const rps = sized[i] as number;
    if (need <= p.currentReplicas) {
      open = undefined;
      return;
    }
    const replicas = Math.min(need, p.maxReplicas);
    if (open && open.replicas === replicas && open.end === t) {
      open.end = t + step;
      open.peakRps = Math.max(open.peakRps, rps);
      open.capped ||= need > p.maxReplicas;
      return;
    }
    open = { start: t, end: t + step, replicas, peakRps: rps, capped: need > p.maxReplicas };
    windows.push(open);
  });
  return { windows: mergeForBuffer(windows, buffer), perStep };
}

/**
 * Starts each raise a buffer early so pods are ready when the load arrives. A step down needs no
 * buffer: it happens when the forecast drops. Where a buffered raise overlaps the window before
 * it, that window ends where the raise begins; a raise that would swallow it entirely replaces
 * it (the higher floor covers both).
 */
function mergeForBuffer(windows: ScalingWindow[], buffer: number): ScalingWindow[] {
  const out: ScalingWindow[] = [];
  for (const w of windows) {
    let last = out[out.length - 1];
    const raises = !last || last.end < w.start || w.replicas > last.replicas;
    const next = { ...w, start: raises ? w.start - buffer : w.start };
    while (last && next.start <= last.start && next.replicas >= last.replicas) {
      out.pop();
      next.start = Math.min(next.start, last.start);
      next.peakRps = Math.max(next.peakRps, last.peakRps);
      last = out[out.length - 1];
    }
    if (last && next.start < last.end) {
      if (next.replicas >= last.replicas) last.end = next.start;
      else next.start = last.end;
    }
    out.push(next);
  }
  return out;
}
