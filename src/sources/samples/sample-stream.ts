/**
 * The one internal sample stream every source writes to (scraper, PromQL poller, remote-write,
 * OTLP) and the detectors read from. Three limits keep a busy or hostile sender from exhausting
 * memory: a bounded ring of recent points per series, a cardinality limit (new series past it
 * are dropped and counted, with one warning), and a bounded queue between producers and the
 * consumers — a push that does not fit is refused whole, so receivers can answer 429/503 and the
 * sender retries the same batch later (both remote-write and OTLP have retry semantics).
 */
import type { Sample } from "../prometheus/scrape.ts";

export type { Sample };

export interface SampleStreamOptions {
  /** Distinct series accepted; samples of further new series are dropped. */
  maxSeries?: number;
  /** Recent points kept per series (for charts and evidence): 16 bytes each, allocated up front. */
  pointsPerSeries?: number;
  /** Samples waiting for consumers; a push beyond this is refused (backpressure). */
  maxQueue?: number;
  /** Samples delivered to consumers per event-loop turn, so receivers stay responsive. */
  batchSize?: number;
  /** Where the one cardinality warning goes (a logger); default console.warn. */
  warn?: (message: string) => void;
}

export type PushResult =
  | { ok: true; accepted: number; droppedSeries: number }
  | { ok: false; reason: "backpressure"; retryAfterMs: number };

export interface SeriesView {
  key: string;
  name: string;
  labels: Record<string, string>;
  points: { t: number; v: number }[];
}

interface Ring {
  name: string;
  labels: Record<string, string>;
  ts: Float64Array;
  vs: Float64Array;
  head: number;
  size: number;
  lastT: number;
}

export interface StreamStats {
  series: number;
  queued: number;
  accepted: number;
  droppedSeriesSamples: number;
  refusedPushes: number;
}

/** Identity of a series: name plus labels in sorted order (Prometheus' own notion). */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  let s = name;
  for (const k of keys) s += `\u0000${k}=${labels[k]}`;
  return s;
}

export class SampleStream {
  private readonly maxSeries: number;
  private readonly pointsPerSeries: number;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly warn: (m: string) => void;
  private readonly rings = new Map<string, Ring>();
  private readonly consumers: ((batch: Sample[]) => void)[] = [];
  private queue: Sample[] = [];
  private scheduled = false;
  private paused = false;
  private warned = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counts = { accepted: 0, droppedSeriesSamples: 0, refusedPushes: 0 };

  constructor(opts: SampleStreamOptions = {}) {
    this.maxSeries = opts.maxSeries ?? 50_000;
    this.pointsPerSeries = opts.pointsPerSeries ?? 120;
    this.maxQueue = opts.maxQueue ?? 200_000;
    this.batchSize = opts.batchSize ?? 20_000;
    this.warn = opts.warn ?? ((m) => console.warn(m));
  }

  /** Consumers get samples in push order, in batches, asynchronously. */
  subscribe(consumer: (batch: Sample[]) => void): () => void {
    this.consumers.push(consumer);
    return () => {
      const i = this.consumers.indexOf(consumer);
      if (i >= 0) this.consumers.splice(i, 1);
    };
  }

  push(samples: readonly Sample[]): PushResult {
    // A batch larger than the whole queue is taken when the queue is empty: refusing it would
    // make the sender retry it forever.
    if (this.queue.length + samples.length > this.maxQueue && this.queue.length > 0) {
      this.counts.refusedPushes++;
      // Roughly how long the queue takes to drain at one batch per turn; senders back off anyway.
      const retryAfterMs = Math.max(1000, Math.ceil(this.queue.length / this.batchSize) * 10);
      return { ok: false, reason: "backpressure", retryAfterMs };
    }
    let accepted = 0;
    let dropped = 0;
    for (const s of samples) {
      if (this.record(s)) {
        this.queue.push(s);
        accepted++;
      } else dropped++;
    }
    this.counts.accepted += accepted;
    this.counts.droppedSeriesSamples += dropped;
    this.schedule();
    return { ok: true, accepted, droppedSeries: dropped };
  }

  /** Holds delivery (while consumers restore state, say); pushes queue up to the limit meanwhile. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Resolves once every queued sample has reached the consumers. */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Delivers everything queued now, synchronously (tests, shutdown). */
  flush(): void {
    while (this.queue.length > 0) this.deliverBatch();
  }

  series(key: string): SeriesView | undefined {
    const r = this.rings.get(key);
    return r ? view(key, r) : undefined;
  }

  /** Series whose name is `name` (all series when omitted). */
  list(name?: string): SeriesView[] {
    const out: SeriesView[] = [];
    for (const [key, r] of this.rings) if (!name || r.name === name) out.push(view(key, r));
    return out;
  }

  /** Frees the slots of series not written since `before` (a deleted pod's series). */
  evictIdle(before: number): number {
    let n = 0;
    for (const [key, r] of this.rings) {
      if (r.lastT < before) {
        this.rings.delete(key);
        n++;
      }
    }
    return n;
  }

  stats(): StreamStats {
    return { series: this.rings.size, queued: this.queue.length, ...this.counts };
  }

  private record(s: Sample): boolean {
    const key = seriesKey(s.name, s.labels);
    let r = this.rings.get(key);
    if (!r) {
      if (this.rings.size >= this.maxSeries) {
        if (!this.warned) {
          this.warned = true;
          this.warn(
            `opsloop: series limit of ${this.maxSeries} reached; samples of new series (first: ${s.name}) are dropped. Raise the limit or drop high-cardinality labels at the source.`,
          );
        }
        return false;
      }
      const n = this.pointsPerSeries;
      r = {
        name: s.name,
        labels: s.labels,
        ts: new Float64Array(n),
        vs: new Float64Array(n),
        head: 0,
        size: 0,
        lastT: s.t,
      };
      this.rings.set(key, r);
    }
    r.ts[r.head] = s.t;
    r.vs[r.head] = s.v;
    r.head = (r.head + 1) % r.ts.length;
    r.size = Math.min(r.size + 1, r.ts.length);
    r.lastT = Math.max(r.lastT, s.t);
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.paused) return;
      this.deliverBatch();
      this.schedule();
    });
  }

  private deliverBatch(): void {
    const batch =
      this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
    for (const c of this.consumers) c(batch);
    if (this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function view(key: string, r: Ring): SeriesView {
  const points: { t: number; v: number }[] = [];
  const n = r.ts.length;
  for (let i = 0; i < r.size; i++) {
    const j = (r.head - r.size + i + n) % n;
    points.push({ t: r.ts[j] as number, v: r.vs[j] as number });
  }
  return { key, name: r.name, labels: r.labels, points };
}
