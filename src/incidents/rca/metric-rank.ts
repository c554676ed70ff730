/**
 * Root-cause ranking of services from their metrics (written here: the offline, whole-window
 * view RCA needs, unlike the streaming detectors of src/detect). Per metric, the deviation is
 * the median of |x - baseline median| / robust scale after the anomaly time (a sustained
 * shift, not a spike), and the change point is the first time the deviation stays above a
 * threshold for two samples. A service scores its largest deviation (log scale, so a 200x
 * latency jump outranks the 30x its callers inherit), weighted towards the services that
 * deviated first; when the call graph is known, a service whose dependency deviated no later
 * than it did is explained by that dependency and falls behind it (BARO / N-sigma style
 * scoring plus topology).
 */
import type { WideTable } from "./wide-table.ts";

export interface ServiceRank {
  service: string;
  score: number;
  /** Share of the total score of all deviating services. */
  confidence: number;
  /** First change point among the service's metrics (ms). */
  onset?: number;
  /** Metrics that deviated, strongest first. */
  metrics: { metric: string; deviation: number; baseline: number; after: number }[];
  /** Deviating dependencies that explain this service's deviation. */
  explainedBy: string[];
  /** Deviating callers this service explains. */
  explains: string[];
}

export interface RankOptions {
  /** When the symptom was noticed (ms); default: the earliest change point in the data. */
  anomalyTime?: number;
  /** Call graph: service → services it calls. */
  deps?: Map<string, string[]>;
  /** Deviation (robust z) from which a metric counts as changed. */
  threshold?: number;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Deviation {
  metric: string;
  deviation: number;
  baseline: number;
  after: number;
  onset?: number;
}

function deviationOf(
  metric: string,
  vs: number[],
  times: number[],
  split: number,
  threshold: number,
): Deviation {
  const pre = vs.slice(0, split);
  const post = vs.slice(split);
  const base = median(pre);
  const mad = median(pre.map((x) => Math.abs(x - base)));
  // A flat baseline (a constant latency, zero errors) must not make any change infinitely surprising.
  const scale = Math.max(1.4826 * mad, 0.01 * Math.abs(base), 1e-3);
  const z = vs.map((x) => (Number.isNaN(x) || Number.isNaN(base) ? 0 : Math.abs(x - base) / scale));
  let onset: number | undefined;
  for (let i = Math.floor(split / 2); i + 1 < z.length; i++) {
    if ((z[i] as number) > threshold && (z[i + 1] as number) > threshold) {
      onset = times[i];
      break;
    }
  }
  return {
    metric,
    deviation: median(z.slice(split)) || 0,
    baseline: base,
    after: median(post),
    ...(onset !== undefined ? { onset } : {}),
  };
}

/** The earliest sustained change over all series, with the first third as the baseline. */
function estimateAnomalyTime(t: WideTable, threshold: number): number {
  const split = Math.max(3, Math.floor(t.times.length / 3));
  let best = Number.POSITIVE_INFINITY;
  for (const byMetric of t.series.values())
    for (const [m, vs] of byMetric) {
      const d = deviationOf(m, vs, t.times, split, threshold);
      if (d.onset !== undefined && d.deviation > threshold) best = Math.min(best, d.onset);
    }
  return Number.isFinite(best) ? best : (t.times[Math.floor(t.times.length / 2)] as number);
}

function reach(deps: Map<string, string[]>, from: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(deps.get(from) ?? [])];
  while (stack.length) {
    const s = stack.pop() as string;
    if (out.has(s)) continue;
    out.add(s);
    stack.push(...(deps.get(s) ?? []));
  }
  return out;
}

export function rankServices(t: WideTable, o: RankOptions = {}): ServiceRank[] {
  const threshold = o.threshold ?? 5;
  const anomalyTime = o.anomalyTime ?? estimateAnomalyTime(t, threshold);
  let split = t.times.findIndex((x) => x >= anomalyTime);
  if (split < 3) split = Math.max(3, Math.floor(t.times.length / 2));
  const step =
    t.times.length > 1
      ? ((t.times.at(-1) as number) - (t.times[0] as number)) / (t.times.length - 1)
      : 1;
  const ranks: ServiceRank[] = [];
  for (const [service, byMetric] of t.series) {
    const devs = [...byMetric].map(([m, vs]) => deviationOf(m, vs, t.times, split, threshold));
    const changed = devs
      .filter((d) => d.deviation > threshold)
      .sort((a, b) => b.deviation - a.deviation);
    const onsets = changed.flatMap((d) => (d.onset === undefined ? [] : [d.onset]));
    ranks.push({
      service,
      score: changed.length ? Math.log1p(changed[0]?.deviation ?? 0) : 0,
      confidence: 0,
      ...(onsets.length ? { onset: Math.min(...onsets) } : {}),
      metrics: changed.map(({ metric, deviation, baseline, after }) => ({
        metric,
        deviation,
        baseline,
        after,
      })),
      explainedBy: [],
      explains: [],
    });
  }
  const deviating = ranks.filter((r) => r.score > 0);
  const first = Math.min(...deviating.map((r) => r.onset ?? Number.POSITIVE_INFINITY));
  for (const r of deviating) {
    const late =
      r.onset === undefined || !Number.isFinite(first) ? 0 : (r.onset - first) / (5 * step);
    r.score *= 0.5 + 0.5 * Math.exp(-late);
  }
  if (o.deps) applyTopology(deviating, o.deps, 2 * step);
  const total = deviating.reduce((a, r) => a + r.score, 0);
  for (const r of ranks) r.confidence = total > 0 ? r.score / total : 0;
  return ranks.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
}

/** What callers see of a dependency: its latency and errors (CPU, memory, rate stay local). */
const CALLER_VISIBLE = /lat|err|fail|5xx|duration|response|timeout/i;
const visible = (r: ServiceRank) => r.metrics.some((m) => CALLER_VISIBLE.test(m.metric));

/**
 * A deviating dependency explains a caller when its change is one callers feel (latency, errors)
 * and came no later than the caller's; a local change (a CPU hog, a leak) only when it came
 * clearly earlier — a CPU spike at the moment a caller slows down is a coincidence as often as a
 * cause. Where some services show caller-visible changes, one whose changes are all local and
 * explain nothing counts half: the incident's symptoms are not made of it.
 */
function applyTopology(
  deviating: ServiceRank[],
  deps: Map<string, string[]>,
  tolerance: number,
): void {
  const byName = new Map(deviating.map((r) => [r.service, r]));
  for (const r of deviating) {
    for (const d of reach(deps, r.service)) {
      const dep = byName.get(d);
      if (!dep) continue;
      const callerOnset = r.onset ?? Number.POSITIVE_INFINITY;
      const before = visible(dep)
        ? (dep.onset ?? 0) <= callerOnset + tolerance
        : (dep.onset ?? 0) < callerOnset - tolerance;
      if (before) {
        r.explainedBy.push(d);
        dep.explains.push(r.service);
      }
    }
  }
  const symptoms = deviating.some(visible);
  for (const r of deviating) {
    if (r.explainedBy.length > 0) r.score *= 0.3;
    r.score *= 1 + 0.2 * Math.min(5, r.explains.length);
    if (symptoms && !visible(r) && r.explains.length === 0) r.score *= 0.5;
  }
}
