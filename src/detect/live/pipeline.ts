/**
 * Live detection over the sample stream: samples → derived series (rates, mean latency) → one
 * streaming ensemble per series (anomaly findings, grouped per workload) and trend-to-limit for
 * memory and filesystems (prediction findings with an ETA). Everything learned is plain JSON
 * (`snapshot()`/`restore()`), persisted by DetectStateStore so a restart does not re-warm.
 *
 * Wiring: `pipeline.attach(stream)` (or call `observe(samples)` yourself), then read
 * `findings()` each evaluation cycle.
 */
import { OpsloopError } from "../../core/errors.ts";
import type { Finding } from "../../core/types.ts";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import type { SampleStream } from "../../sources/samples/sample-stream.ts";
import {
  type AnomalyOptions,
  type AnomalyState,
  AnomalyTracker,
  type SeriesState,
} from "./anomalies.ts";
import { type DerivedPoint, type DeriveOptions, Deriver } from "./derive.ts";
import { type LimitState, LimitWatch, type LimitWatchOptions } from "./limits.ts";
import type { OwnerResolver } from "./subject.ts";

export interface DetectPipelineOptions {
  anomalies?: Omit<AnomalyOptions, "resolve">;
  limits?: Omit<LimitWatchOptions, "resolve">;
  derive?: DeriveOptions;
  /** Exact pod → workload resolution (e.g. owningWorkload over the informers' snapshot). */
  resolve?: OwnerResolver;
  /** Series silent this long are forgotten (deleted pods). */
  forgetAfterMs?: number;
}

export interface PipelineState {
  version: 1;
  latest: number;
  deriver: ReturnType<Deriver["snapshot"]>;
  anomalies: AnomalyState;
  limits: LimitState;
}

export interface PipelineStats {
  latest: number;
  samples: number;
  detectors: number;
  skippedSeries: number;
}

export class DetectPipeline {
  private readonly deriver: Deriver;
  private readonly anomaliesTracker: AnomalyTracker;
  private readonly limitWatch: LimitWatch;
  private readonly forgetAfterMs: number;
  private latest = Number.NEGATIVE_INFINITY;
  private samples = 0;
  private lastEviction = Number.NEGATIVE_INFINITY;
  private readonly buf: DerivedPoint[] = [];

  constructor(opts: DetectPipelineOptions = {}) {
    this.deriver = new Deriver(opts.derive);
    this.anomaliesTracker = new AnomalyTracker({ ...opts.anomalies, resolve: opts.resolve });
    this.limitWatch = new LimitWatch({ ...opts.limits, resolve: opts.resolve });
    this.forgetAfterMs = opts.forgetAfterMs ?? 60 * 60_000;
  }

  /** Subscribes to the stream; returns the unsubscribe function. */
  attach(stream: SampleStream): () => void {
    return stream.subscribe((batch) => this.observe(batch));
  }

  /** Samples of one series must arrive in time order; older or repeated points are ignored. */
  observe(samples: readonly Sample[]): void {
    for (const s of samples) {
      this.samples++;
      if (s.t > this.latest) this.latest = s.t;
      // Prometheus marks a vanished series with a special NaN (the staleness marker), and
      // remote-write forwards it: no value, nothing to learn.
      if (!Number.isFinite(s.v)) continue;
      this.limitWatch.observe(s);
      this.deriver.derive(s, this.buf);
      for (const p of this.buf) this.anomaliesTracker.observe(p);
      this.buf.length = 0;
    }
    if (this.latest - this.lastEviction > this.forgetAfterMs / 4) this.evict();
  }

  /** Anomalies active at `now` (default: the newest sample time seen) and current predictions. */
  findings(now = this.latest): Finding[] {
    return [...this.anomalies(now), ...this.predictions()];
  }

  anomalies(now = this.latest): Finding[] {
    return this.anomaliesTracker.findings(now);
  }

  predictions(): Finding[] {
    return this.limitWatch.findings();
  }

  stats(): PipelineStats {
    return {
      latest: this.latest,
      samples: this.samples,
      detectors: this.anomaliesTracker.size,
      skippedSeries: this.anomaliesTracker.skipped,
    };
  }

  /**
   * Everything learned. `withDetectors: false` leaves the per-series detectors out
   * (`anomalies.detectors` is empty): a save may take them one by one (`snapshotSeries`).
   */
  snapshot(withDetectors = true): PipelineState {
    return {
      version: 1,
      latest: this.latest,
      deriver: this.deriver.snapshot(),
      anomalies: this.anomaliesTracker.snapshot(withDetectors),
      limits: this.limitWatch.snapshot(),
    };
  }

  /** The keys of the series with a detector now. */
  seriesKeys(): string[] {
    return this.anomaliesTracker.seriesKeys();
  }

  /** One series' entry of `snapshot().anomalies.detectors` (undefined once forgotten). */
  snapshotSeries(key: string): SeriesState | undefined {
    return this.anomaliesTracker.snapshotSeries(key);
  }

  restore(state: PipelineState): void {
    if (state?.version !== 1) {
      throw new OpsloopError("invalid_input", "not a detect pipeline snapshot (version 1)");
    }
    this.latest = state.latest ?? Number.NEGATIVE_INFINITY;
    this.deriver.restore(state.deriver);
    this.anomaliesTracker.restore(state.anomalies);
    this.limitWatch.restore(state.limits);
  }

  private evict(): void {
    this.lastEviction = this.latest;
    const before = this.latest - this.forgetAfterMs;
    this.deriver.evict(before);
    this.anomaliesTracker.evict(before);
    this.limitWatch.evict(before);
  }
}
