/**
 * ROI figures from stored incident timestamps: MTTD (first signal → diagnosed), MTTA (→
 * acknowledged), MTTR (first signal → resolved), alerts in vs incidents out, the share of
 * resolved incidents that an applied action resolved, and the recurrence rate (incidents whose
 * key had occurred before). Every episode of a recurring incident counts on its own, and
 * `series` gives the same figures per time bucket (a day by default) for the dashboard.
 */
import type { Db } from "../store/sqlite.ts";
import { episodeOf } from "./lifecycle.ts";
import { type Episode, loadIncidents } from "./record.ts";

export interface RoiFigures {
  from?: number;
  to?: number;
  incidents: number;
  resolved: number;
  alertsIn: number;
  /** 1 - incidents / alertsIn (0 when nothing came in). */
  noiseReduction: number;
  mttdMs?: number;
  mttaMs?: number;
  mttrMs?: number;
  medianMttdMs?: number;
  medianMttrMs?: number;
  autoResolvedShare?: number;
  recurrenceRate?: number;
}

export interface RoiReport extends RoiFigures {
  series: (RoiFigures & { from: number; to: number })[];
}

interface Occurrence extends Episode {
  recurrence: boolean;
}

function occurrences(db: Db): Occurrence[] {
  const out: Occurrence[] = [];
  for (const inc of loadIncidents(db)) {
    const prev = inc.previous ?? [];
    prev.forEach((e, i) => {
      out.push({ ...e, recurrence: i > 0 });
    });
    out.push({ ...episodeOf(inc), recurrence: prev.length > 0 || inc.recurrenceOf !== undefined });
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function figures(os: Occurrence[], from?: number, to?: number): RoiFigures {
  const diffs = (f: (o: Occurrence) => number | undefined) =>
    os.flatMap((o) => {
      const t = f(o);
      return t === undefined ? [] : [Math.max(0, t - o.openedAt)];
    });
  const mttd = diffs((o) => o.diagnosedAt);
  const mttr = diffs((o) => o.resolvedAt);
  const resolved = os.filter((o) => o.resolvedAt !== undefined);
  const alertsIn = os.reduce((a, o) => a + (o.signalsIn ?? 1), 0);
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    incidents: os.length,
    resolved: resolved.length,
    alertsIn,
    noiseReduction: alertsIn > 0 ? 1 - os.length / alertsIn : 0,
    mttdMs: mean(mttd),
    mttaMs: mean(diffs((o) => o.acknowledgedAt)),
    mttrMs: mean(mttr),
    medianMttdMs: median(mttd),
    medianMttrMs: median(mttr),
    autoResolvedShare: resolved.length
      ? resolved.filter((o) => o.actedOn).length / resolved.length
      : undefined,
    recurrenceRate: os.length ? os.filter((o) => o.recurrence).length / os.length : undefined,
  };
}

/** The report over incidents opened in [from, to). */
export function roiReport(
  db: Db,
  opts: { from?: number; to?: number; bucketMs?: number } = {},
): RoiReport {
  const os = occurrences(db).filter(
    (o) =>
      (opts.from === undefined || o.openedAt >= opts.from) &&
      (opts.to === undefined || o.openedAt < opts.to),
  );
  const bucket = opts.bucketMs ?? 86_400_000;
  const series: RoiReport["series"] = [];
  if (os.length > 0) {
    const start = Math.floor(Math.min(...os.map((o) => o.openedAt)) / bucket) * bucket;
    const end = Math.max(...os.map((o) => o.openedAt));
    for (let t = start; t <= end; t += bucket) {
      const inBucket = os.filter((o) => o.openedAt >= t && o.openedAt < t + bucket);
      if (inBucket.length > 0)
        series.push(figures(inBucket, t, t + bucket) as RoiReport["series"][number]);
    }
  }
  return { ...figures(os, opts.from, opts.to), series };
}
