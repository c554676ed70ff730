/**
 * One EnsembleDetector per derived series, and the grouping of what they flag into findings: a
 * point scoring at or above `threshold` opens (or extends) an episode for its subject and
 * metric — all pods of one workload share one episode — and the episode stays a finding until
 * `ttlMs` passes without another anomalous point.
 */
import { stableId } from "../../core/ids.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { EnsembleDetector, type EnsembleOptions } from "../ensemble.ts";
import type { DerivedPoint } from "./derive.ts";
import { SiblingIndex, siblingGroup } from "./siblings.ts";
import {
  anomalyReason,
  metricWords,
  type OwnerResolver,
  seriesLabel,
  subjectOf,
} from "./subject.ts";
import { cloneWeekly, lastWeek, remember, type WeeklyMemory } from "./weekly-memory.ts";

export interface AnomalyOptions {
  /** Ensemble score at or above which a point is anomalous. */
  threshold?: number;
  /** Detectors kept at most; points of further series are counted and skipped. */
  maxDetectors?: number;
  /** An episode ends this long after its last anomalous point. */
  ttlMs?: number;
  resolve?: OwnerResolver;
  /** A change smaller than this fraction of the series' usual level is never an anomaly. */
  minRelativeChange?: number;
}

interface Tracked {
  det: EnsembleDetector;
  lastT: number;
  /** Slow mean of the values: "rose" or "fell", and how big the change is. */
  mean: number;
  weekly: WeeklyMemory;
  /** Points this series itself has shown (not its sibling's, when cloned). */
  n: number;
  group?: string;
}

interface Hit {
  ref: ObjectRef;
  series: string;
  t: number;
  v: number;
  score: number;
  explanation: string;
}

export interface Episode {
  id: string;
  metric: string;
  /** The metric in words, when known. */
  words?: string;
  reason: string;
  subject: ObjectRef;
  first: number;
  last: number;
  hits: Record<string, Hit>;
}

/** One series' learned state in a snapshot. */
export interface SeriesState {
  det: unknown;
  lastT: number;
  mean: number;
  weekly: WeeklyMemory;
  n?: number;
  group?: string;
}

export interface AnomalyState {
  detectors: [string, SeriesState][];
  episodes: Episode[];
}

const MAX_EPISODES = 1000;
/** A surprise that also happened a week ago at this time (≥ this share of today's) recurs weekly. */
const WEEKLY_RECURRENCE = 0.8;
/** Better is not an incident: fewer errors, faster responses. */
const IMPROVEMENTS = new Set(["ErrorRateDecrease", "LatencyDecrease"]);
/**
 * The default detector without its flat-run channel: a cluster metric that holds one value for
 * longer than ever (no errors, a replica count, an idle queue) is usually good news, and an alert
 * there would also damp the series' real alerts for a while.
 */
const LIVE_DETECTOR: Partial<EnsembleOptions> = { flatZ: 0 };

export class AnomalyTracker {
  readonly threshold: number;
  private readonly maxDetectors: number;
  private readonly ttlMs: number;
  private readonly resolve: OwnerResolver | undefined;
  private readonly minRelativeChange: number;
  private readonly tracked = new Map<string, Tracked>();
  private readonly episodes = new Map<string, Episode>();
  private readonly siblings = new SiblingIndex();
  skipped = 0;

  constructor(opts: AnomalyOptions = {}) {
    this.threshold = opts.threshold ?? 0.7;
    this.maxDetectors = opts.maxDetectors ?? 20_000;
    this.ttlMs = opts.ttlMs ?? 15 * 60_000;
    this.resolve = opts.resolve;
    this.minRelativeChange = opts.minRelativeChange ?? 0.05;
  }

  observe(p: DerivedPoint): void {
    let tr = this.tracked.get(p.key);
    if (!tr) {
      if (this.tracked.size >= this.maxDetectors) {
        this.skipped++;
        return;
      }
      tr = this.newTracked(p);
      this.tracked.set(p.key, tr);
    }
    if (p.t <= tr.lastT) return;
    tr.lastT = p.t;
    const mean = tr.mean;
    tr.mean += 0.01 * (p.v - tr.mean);
    const out = tr.det.update(p.t, p.v);
    tr.n++;
    const weekAgo = lastWeek(tr.weekly, p.t);
    remember(tr.weekly, p.t, out.score);
    if (out.score < this.threshold || weekAgo >= WEEKLY_RECURRENCE * out.score) return;
    // Scrape jitter on a near-constant series can be "infinitely" rare yet mean nothing.
    if (Math.abs(p.v - mean) < this.minRelativeChange * Math.abs(mean)) return;
    const reason = anomalyReason(p.metric, p.labels, p.v >= mean);
    if (IMPROVEMENTS.has(reason)) return;
    this.record(p, reason, out.score, out.explanation ?? "");
  }

  /** Episodes whose last anomalous point is within the TTL of `now`. */
  findings(now: number): Finding[] {
    const out: Finding[] = [];
    for (const [id, e] of this.episodes) {
      if (e.last < now - this.ttlMs) this.episodes.delete(id);
      else out.push(toFinding(e));
    }
    return out;
  }

  evict(before: number): void {
    for (const [k, tr] of this.tracked) {
      if (tr.lastT >= before) continue;
      this.tracked.delete(k);
      if (tr.group) this.siblings.remove(tr.group, k);
    }
  }

  /**
   * A fresh detector, or a copy of the sibling replica with the longest own history: a pod that
   * arrived in the same rollout has already learned the new version's behaviour as normal.
   */
  private newTracked(p: DerivedPoint): Tracked {
    const group = siblingGroup(p, this.resolve);
    let best: Tracked | undefined;
    for (const k of group ? this.siblings.members(group) : []) {
      const sib = this.tracked.get(k);
      if (sib && (!best || sib.n > best.n)) best = sib;
    }
    if (group) this.siblings.add(group, p.key);
    if (!best) {
      const det = new EnsembleDetector(LIVE_DETECTOR);
      return { det, lastT: Number.NEGATIVE_INFINITY, mean: p.v, weekly: {}, n: 0, group };
    }
    // A direct copy: a snapshot() + restore() round trip cost ~2 ms per new pod series.
    const det = best.det.clone();
    const weekly = cloneWeekly(best.weekly);
    return { det, lastT: Number.NEGATIVE_INFINITY, mean: best.mean, weekly, n: 0, group };
  }

  get size(): number {
    return this.tracked.size;
  }

  /** `withDetectors: false` leaves the series out (a save may take them one by one). */
  snapshot(withDetectors = true): AnomalyState {
    return {
      detectors: withDetectors ? [...this.tracked].map(([k, tr]) => [k, seriesState(tr)]) : [],
      episodes: structuredClone([...this.episodes.values()]),
    };
  }

  /** The keys of the series tracked now. */
  seriesKeys(): string[] {
    return [...this.tracked.keys()];
  }

  /** One series' entry of `snapshot().detectors`; undefined when it is not tracked (any more). */
  snapshotSeries(key: string): SeriesState | undefined {
    const tr = this.tracked.get(key);
    return tr && seriesState(tr);
  }

  restore(state: AnomalyState): void {
    this.tracked.clear();
    this.siblings.clear();
    for (const [k, s] of state.detectors) {
      const det = new EnsembleDetector(LIVE_DETECTOR);
      det.restore(s.det);
      const tr = {
        det,
        lastT: s.lastT,
        mean: s.mean,
        weekly: s.weekly ?? {},
        n: s.n ?? 0,
        group: s.group,
      };
      this.tracked.set(k, tr);
      if (tr.group) this.siblings.add(tr.group, k);
    }
    this.episodes.clear();
    for (const e of state.episodes) this.episodes.set(e.id, structuredClone(e));
  }

  private record(p: DerivedPoint, reason: string, score: number, explanation: string): void {
    const { subject, affected } = subjectOf(p.labels, this.resolve);
    const metric = seriesLabel(p.metric, p.labels);
    const id = stableId(
      `Anomaly/${reason}/${metric}/${subject.kind}/${subject.namespace ?? ""}/${subject.name}`,
    );
    let e = this.episodes.get(id);
    if (!e) {
      if (this.episodes.size >= MAX_EPISODES) this.dropOldest();
      const words = metricWords(p.metric, p.labels);
      e = {
        id,
        metric,
        ...(words ? { words } : {}),
        reason,
        subject,
        first: p.t,
        last: p.t,
        hits: {},
      };
      this.episodes.set(id, e);
    }
    e.last = Math.max(e.last, p.t);
    const hitKey = `${affected.kind}/${affected.namespace ?? ""}/${affected.name}`;
    const prev = e.hits[hitKey];
    // Keep each affected object's strongest point as the evidence.
    if (!prev || score >= prev.score) {
      e.hits[hitKey] = { ref: affected, series: p.key, t: p.t, v: p.v, score, explanation };
    }
  }

  private dropOldest(): void {
    let oldest: Episode | undefined;
    for (const e of this.episodes.values()) if (!oldest || e.last < oldest.last) oldest = e;
    if (oldest) this.episodes.delete(oldest.id);
  }
}

function seriesState(tr: Tracked): SeriesState {
  return {
    det: tr.det.snapshot(),
    lastT: tr.lastT,
    mean: tr.mean,
    weekly: structuredClone(tr.weekly),
    n: tr.n,
    group: tr.group,
  };
}

function where(s: ObjectRef): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;
}

function toFinding(e: Episode): Finding {
  const hits = Object.values(e.hits).sort((a, b) => b.score - a.score);
  const top = hits[0] as Hit;
  const many = hits.length > 1 ? ` (${hits.length} ${top.ref.kind.toLowerCase()}s)` : "";
  const score = top.score;
  return {
    id: e.id,
    kind: "anomaly",
    severity: score >= 0.9 ? "critical" : "warning",
    subject: e.subject,
    affected: hits.map((h) => h.ref),
    reason: e.reason,
    rootCause: `${e.words ? `${e.words} (${e.metric})` : e.metric} on ${where(e.subject)}${many} is anomalous: ${top.explanation}`,
    evidence: hits.map((h) => ({
      type: "samples" as const,
      text: `${where(h.ref)}: ${e.metric} = ${Number(h.v.toPrecision(4))} at ${new Date(h.t).toISOString()}, score ${h.score.toFixed(2)}`,
      data: { series: h.series, t: h.t, v: h.v, score: h.score },
    })),
    confidence: Number(score.toFixed(3)),
    source: "detect/ensemble",
    time: e.first,
  };
}
