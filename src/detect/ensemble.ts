/**
 * opsloop's default streaming detector. Surprise z = the largest of: the change from the previous
 * value (taking the smaller of that and the deviation from the seasonal baseline, the median of
 * the same time on the last three days or weeks, when a daily/weekly period is found), that
 * seasonal deviation alone in a strongly periodic series, a
 * short vs long mean for level shifts, short vs long volatility — each
 * against a robust, capped residual scale — and KNN pattern novelty of the last few values
 * (knn-novelty.ts). An anomaly-likelihood stage then asks how unusual that
 * surprise is against this series' own long-run surprise (HTM's idea); beside it, a burst channel
 * asks whether large jumps come unusually often (a Poisson z of their recent count), and a range
 * channel whether the value lies where the series has never been (range-novelty.ts), and a shift
 * channel whether the mix of the last 48 values differs from the long-run mix (shift-novelty.ts). Three dampers keep
 * NAB-style false positives down: familiar value transitions (CAD-like context counts), surprises
 * that also happened at the same time yesterday, and a memory/quiet period so one incident scores
 * high once rather than as a burst (plus a short refractory period after a near-alert). O(1) amortised per point; state is bounded and plain JSON.
 * Every option below was chosen on NAB DEV (bench/nab/NOTES.md), one setting for all series.
 */
import { OpsloopError } from "../core/errors.ts";
import {
  type ContextState,
  contextClone,
  contextFromJson,
  contextToJson,
  contextUpdate,
  newContextState,
} from "./context-novelty.ts";
import { explain, type Why } from "./ensemble-explain.ts";
import {
  FLAT_RUN_DEFAULTS,
  type FlatRunOptions,
  type FlatRunState,
  flatRunClone,
  flatRunUpdate,
  newFlatRunState,
} from "./flat-run.ts";
import {
  KNN_DEFAULTS,
  type KnnOptions,
  type KnnState,
  knnClone,
  knnFromJson,
  knnToJson,
  knnUpdate,
  newKnnState,
} from "./knn-novelty.ts";
import {
  newRangeState,
  RANGE_DEFAULTS,
  type RangeOptions,
  type RangeState,
  rangeClone,
  rangeFromJson,
  rangeToJson,
  rangeUpdate,
} from "./range-novelty.ts";
import {
  newSeasonalState,
  SEASONAL_DEFAULTS,
  type SeasonalOptions,
  type SeasonalState,
  seasonalClone,
  seasonalFromJson,
  seasonalToJson,
  seasonalUpdate,
} from "./seasonal-baseline.ts";
import {
  newShiftState,
  SHIFT_DEFAULTS,
  type ShiftOptions,
  type ShiftState,
  shiftClone,
  shiftUpdate,
} from "./shift-novelty.ts";
import {
  type DetectorOutput,
  type EwStats,
  ewUpdate,
  newEwStats,
  type StreamingDetector,
} from "./streaming.ts";

export interface EnsembleOptions {
  /** Points before any score is given. */
  warmup: number;
  /** EWMA weight of the spike baseline. */
  fastAlpha: number;
  /** Weight of the residual-scale and level statistics. */
  slowAlpha: number;
  /** Short mean weight for level shifts. */
  shortAlpha: number;
  /** Weight of the surprise's long-run distribution. */
  likelihoodAlpha: number;
  /** Per-point decay of the suppression memory (0.999 ≈ a half-life of 700 points). */
  suppressDecay: number;
  /** Scores not above the remembered peak are multiplied by this. */
  suppressFactor: number;
  /** Weight of the level-shift z against the point z when they are combined. */
  levelWeight: number;
  /** A likelihood z this high is an alert: the next `quietPoints` scores are damped. */
  alertZ: number;
  quietPoints: number;
  /** How much a familiar context (novelty 0) damps the score: 0 = not at all, 1 = fully. */
  contextGate: number;
  /** Short-run mean |change| against the long-run one: a change of volatility. */
  volatilityAlpha: number;
  volatilityWeight: number;
  /** A surprise that also happened a day ago (≥ ratio × today's, ±jitter samples) is damped. */
  recurrenceRatio: number;
  recurrenceJitter: number;
  recurrenceFactor: number;
  /** Points of likelihood statistics needed before scoring. */
  likelihoodWarmup: number;
  /** A smaller likelihood z starts a short refractory period (one incident, one alert). */
  refractoryZ: number;
  refractoryPoints: number;
  /** Weight of KNN pattern novelty (distance to the nearest remembered shapes, knn-novelty.ts). */
  knnWeight: number;
  knn: KnnOptions;
  /**
   * Burst channel: jumps of at least `eventZ` usual changes are counted over about `eventWindow`
   * points and compared with their long-run rate (a Poisson z), scored beside the likelihood.
   */
  eventZ: number;
  eventWindow: number;
  eventAlpha: number;
  eventWeight: number;
  /** Likelihood z above this counts as this much (one monstrous outlier must not mute a series for days). */
  rawCap: number;
  /**
   * Surprise z (in usual changes) above this counts as this much in the likelihood: a first move
   * after a flat start, 1000× a near-zero scale, must not widen the likelihood's idea of normal so
   * far that the series is muted for days (how much of DEV hangs on that: bench/nab/shift.ts).
   */
  surpriseCap: number;
  /**
   * A series this periodic (autocorrelation at its day/week lag) is expected to repeat itself:
   * a value far from its seasonal baseline is surprising even when the step from the previous value is
   * ordinary (a daily jump that did not come). Weight of that seasonal z in the max; below
   * `seasonalMin` it counts as 0 (ordinary seasonal noise must not widen the likelihood's idea of
   * normal), and only once `seasonalWarm` periods of seasonal residuals have set its scale.
   */
  seasonalAcf: number;
  seasonalWeight: number;
  seasonalMin: number;
  seasonalWarm: number;
  /** The seasonal baseline's period search and how many past periods its median takes. */
  seasonal: SeasonalOptions;
  /**
   * Range channel: a value away from every value the series has taken (range-novelty.ts), in
   * usual changes, against the series' own history of such gaps (a likelihood z), news only above
   * its fading peak, times this weight, scored beside the likelihood. Capped at `rangeCap`: a
   * never-seen value alone is an alert, but ranks below a large surprise.
   */
  rangeWeight: number;
  /**
   * Flat-run channel (flat-run.ts): a run of one exact value longer than every earlier run scores
   * `flatZ` once, at the point it breaks the record (as much as a range alert: an alert alone).
   */
  flatZ: number;
  flat: FlatRunOptions;
  rangeCap: number;
  rangeAlpha: number;
  range: RangeOptions;
  /**
   * Shift channel (shift-novelty.ts): divergence of the recent value mix from the long-run one,
   * its own likelihood z, news above its fading peak, times this weight (0 = off), capped.
   */
  shiftWeight: number;
  shiftCap: number;
  shiftAlpha: number;
  /** Divergences learnt by its likelihood before the channel may score. */
  shiftWarm: number;
  shift: ShiftOptions;
}

export const ENSEMBLE_DEFAULTS: EnsembleOptions = {
  warmup: 30,
  fastAlpha: 1,
  slowAlpha: 0.01,
  shortAlpha: 0.3,
  likelihoodAlpha: 0.003,
  suppressDecay: 0.999,
  suppressFactor: 0.3,
  levelWeight: 1 / 3,
  alertZ: 8,
  quietPoints: 150,
  contextGate: 0.8,
  volatilityAlpha: 0.05,
  volatilityWeight: 0.3,
  recurrenceRatio: 0.8,
  recurrenceJitter: 3,
  recurrenceFactor: 0.3,
  likelihoodWarmup: 250,
  refractoryZ: 5,
  refractoryPoints: 12,
  knnWeight: 0.5,
  knn: KNN_DEFAULTS,
  eventZ: 4,
  eventWindow: 50,
  eventAlpha: 0.001,
  eventWeight: 1.25,
  rawCap: 30,
  surpriseCap: 20,
  seasonalAcf: 0.9,
  seasonalWeight: 0.5,
  seasonalMin: 2,
  seasonalWarm: 2,
  seasonal: SEASONAL_DEFAULTS,
  rangeWeight: 0.4,
  flatZ: 10,
  flat: FLAT_RUN_DEFAULTS,
  rangeCap: 10,
  rangeAlpha: 0.003,
  range: RANGE_DEFAULTS,
  shiftWeight: 1.5,
  shiftCap: 10,
  shiftAlpha: 0.003,
  shiftWarm: 288,
  shift: SHIFT_DEFAULTS,
};

interface State {
  n: number;
  fast: number;
  spikeScale: number;
  seasonScale: number;
  long: EwStats;
  short: number;
  surpriseStats: EwStats;
  context: ContextState;
  knn: KnnState;
  peak: number;
  shortAbs: number;
  eventShort: number;
  eventLong: number;
  eventPeak: number;
  /** The last `Z_RING` surprises (0 where none yet). */
  zRing: Float64Array;
  zHead: number;
  quiet: number;
  seasonal: SeasonalState;
  min: number;
  max: number;
  /** Seasonal residuals seen (the seasonal scale is trusted after a few periods of them). */
  seasonN: number;
  range: RangeState;
  rangeStats: EwStats;
  rangePeak: number;
  flat: FlatRunState;
  shift: ShiftState;
  shiftStats: EwStats;
  shiftPeak: number;
}

function newState(): State {
  return {
    n: 0,
    fast: 0,
    spikeScale: 0,
    seasonScale: 0,
    long: newEwStats(),
    short: 0,
    surpriseStats: newEwStats(),
    context: newContextState(),
    knn: newKnnState(),
    peak: 0,
    shortAbs: 0,
    eventShort: 0,
    eventLong: 0,
    eventPeak: 0,
    zRing: new Float64Array(Z_RING),
    zHead: 0,
    quiet: 0,
    seasonal: newSeasonalState(),
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    seasonN: 0,
    range: newRangeState(),
    rangeStats: newEwStats(),
    rangePeak: 0,
    flat: newFlatRunState(),
    shift: newShiftState(),
    shiftStats: newEwStats(),
    shiftPeak: 0,
  };
}

/**
 * An independent copy of the state: typed arrays sliced, the rest copied field by field (what
 * snapshot() + restore() give, without building and parsing the JSON form).
 */
function cloneState(s: State): State {
  return {
    ...s,
    long: { ...s.long },
    surpriseStats: { ...s.surpriseStats },
    context: contextClone(s.context),
    knn: knnClone(s.knn),
    zRing: s.zRing.slice(),
    seasonal: seasonalClone(s.seasonal),
    range: rangeClone(s.range),
    rangeStats: { ...s.rangeStats },
    flat: flatRunClone(s.flat),
    shift: shiftClone(s.shift),
    shiftStats: { ...s.shiftStats },
  };
}

/** How unusual `x` is against the long-run distribution of the same statistic (then learns it). */
function likelihoodZ(stats: EwStats, x: number, alpha: number): number {
  const sd = Math.max(Math.sqrt(stats.variance), 0.01);
  const z = (x - stats.mean) / sd;
  ewUpdate(stats, x, alpha);
  return z;
}

/** Poisson z of the recent count of large jumps against their long-run rate (then learns it). */
function eventZ(s: State, zSpike: number, o: EnsembleOptions): number {
  const hit = zSpike >= o.eventZ ? 1 : 0;
  const expected = s.eventLong * o.eventWindow;
  s.eventShort += (hit - s.eventShort) / o.eventWindow;
  s.eventLong += (hit - s.eventLong) * Math.max(o.eventAlpha, 1 / s.n);
  const z = (s.eventShort * o.eventWindow - expected) / Math.sqrt(expected + 1);
  // One burst, one alert: only a count above the remembered (slowly fading) peak is news.
  const news = z > s.eventPeak ? z : 0;
  s.eventPeak = Math.max(s.eventPeak * o.suppressDecay, z);
  return news;
}

const DAY_MS = 86_400_000;
/** A power of 2: ring indices are masked. */
const Z_RING = 4096;

/** Samples in a day at this sampling step (0 while the step is unknown). */
function dayLag(stepMs: number): number {
  return stepMs > 0 ? Math.round(DAY_MS / stepMs) : 0;
}

function weekLag(stepMs: number): number {
  return stepMs > 0 ? Math.round((7 * DAY_MS) / stepMs) : 0;
}

/**
 * The largest surprise `lag` ± `jitter` samples before the one at ring slot `head` (0 if too far
 * back or not seen yet). Only slots 1…Z_RING−1 back are read, so `head` may already be written.
 */
function pastPeak(s: State, head: number, lag: number, jitter: number): number {
  let past = 0;
  if (lag <= jitter || lag + jitter >= Z_RING || s.n <= lag + jitter) return past;
  const ring = s.zRing;
  for (let k = lag - jitter; k <= lag + jitter; k++) {
    const x = ring[(head - k + Z_RING) & (Z_RING - 1)] as number;
    if (x > past) past = x;
  }
  return past;
}

/** The range channel: likelihood z of the gap to every value seen, news only above its fading peak. */
function rangeNews(s: State, zGap: number, o: EnsembleOptions): number {
  const z = likelihoodZ(s.rangeStats, zGap, o.rangeAlpha);
  const news = z > s.rangePeak ? z : 0;
  s.rangePeak = Math.max(s.rangePeak * o.suppressDecay, z);
  return news;
}

/**
 * The shift channel: likelihood z of the recent window's divergence (computed every few points),
 * news only above its fading peak, weighted and capped. A function of its own so that the hot
 * `update` stays small enough for the JIT to inline the rest (inline, it cost a third of the rate).
 */
function shiftNews(s: State, v: number, o: EnsembleOptions): number {
  const d = shiftUpdate(s.shift, v, o.shift);
  if (s.shift.width === 0 || d < 0) return 0;
  if (s.shiftStats.n < o.shiftWarm) {
    ewUpdate(s.shiftStats, d, o.shiftAlpha);
    return 0;
  }
  const z = likelihoodZ(s.shiftStats, d, o.shiftAlpha);
  const news = z > s.shiftPeak ? z : 0;
  s.shiftPeak = Math.max(s.shiftPeak * o.suppressDecay, z);
  return Math.min(o.shiftCap, o.shiftWeight * news);
}

/** Robust residual scale: mean absolute residual, with each residual capped so outliers can't inflate it. */
function updateScale(scale: number, residual: number, alpha: number, n: number): number {
  const capped = scale > 0 ? Math.min(residual, 5 * scale) : residual;
  const a = Math.max(alpha, 1 / n);
  return scale + a * (capped - scale);
}

/** The components of a notable score, for its explanation. */
interface Components extends Omit<Why, "burst" | "outside" | "flat" | "shifted"> {
  damped: number;
  burst: number;
  beyond: number;
  gap: number;
  flat: number;
  shifted: number;
}

/**
 * The channel that carried the raw score (ties go to the likelihood, then the range, the burst,
 * the shift, the flat run).
 */
function channelOf(c: Components): "surprise" | "burst" | "range" | "shift" | "flat" {
  const top = Math.max(c.damped, c.burst, c.beyond, c.shifted, c.flat);
  if (top === c.damped) return "surprise";
  if (top === c.beyond) return "range";
  if (top === c.burst) return "burst";
  if (top === c.shifted) return "shift";
  return "flat";
}

/** A notable score with its explanation (kept out of `update`, whose usual exit is a bare score). */
function explained(s: State, o: EnsembleOptions, score: number, c: Components): DetectorOutput {
  const channel = channelOf(c);
  const why: Why = {
    v: c.v,
    previous: c.previous,
    longMean: c.longMean,
    zSpike: c.zSpike,
    zPoint: c.zPoint,
    zLevel: c.zLevel,
    zVolatility: c.zVolatility,
    zKnn: c.zKnn,
    zMissed: c.zMissed,
    zz: c.zz,
    ...(channel === "range" ? { outside: c.gap } : {}),
    ...(channel === "flat" ? { flat: { run: s.flat.run, record: s.flat.record } } : {}),
    ...(channel === "shift" ? { shifted: o.shift.window } : {}),
    ...(channel === "burst"
      ? {
          burst: {
            recent: s.eventShort * o.eventWindow,
            usual: s.eventLong * o.eventWindow,
            window: o.eventWindow,
          },
        }
      : {}),
  };
  return { score, explanation: explain(why, s.seasonal.period * s.seasonal.stepMs) };
}

export class EnsembleDetector implements StreamingDetector {
  private readonly o: EnsembleOptions;
  private s: State = newState();
  /** The day and week lags of the recurrence check, for the sampling step they were computed at. */
  private lagStep = Number.NaN;
  private dayLag = 0;
  private weekLag = 0;
  /** The recurrence damping is a finite factor above 0 (see `update`: the lookup can wait). */
  private readonly recurrenceLazy: boolean;
  constructor(options: Partial<EnsembleOptions> = {}) {
    this.o = {
      ...ENSEMBLE_DEFAULTS,
      ...options,
      knn: { ...KNN_DEFAULTS, ...options.knn },
      range: { ...RANGE_DEFAULTS, ...options.range },
      seasonal: { ...SEASONAL_DEFAULTS, ...options.seasonal },
      flat: { ...FLAT_RUN_DEFAULTS, ...options.flat },
      shift: { ...SHIFT_DEFAULTS, ...options.shift },
    };
    const f = this.o.recurrenceFactor;
    this.recurrenceLazy = f > 0 && f < Number.POSITIVE_INFINITY;
  }

  /**
   * Damping of a surprise `z` written at ring slot `head`: by `recurrenceFactor` when a surprise at
   * least `recurrenceRatio` × z happened at this time yesterday or a week ago (±jitter samples),
   * times the context damping `gated`.
   */
  private damp(z: number, head: number, gated: number): number {
    const s = this.s;
    const o = this.o;
    const step = s.seasonal.stepMs;
    if (step !== this.lagStep) {
      this.lagStep = step;
      this.dayLag = dayLag(step);
      this.weekLag = weekLag(step);
    }
    const past = Math.max(
      pastPeak(s, head, this.dayLag, o.recurrenceJitter),
      pastPeak(s, head, this.weekLag, o.recurrenceJitter),
    );
    const recurring = past >= o.recurrenceRatio * z && z > 0;
    return (recurring ? o.recurrenceFactor : 1) * gated;
  }

  update(t: number, v: number): DetectorOutput {
    // A missing scrape (NaN) must not poison the running statistics: skip it.
    if (!Number.isFinite(v) || !Number.isFinite(t)) return { score: 0 };
    const s = this.s;
    const o = this.o;
    s.n++;
    s.min = Math.min(s.min, v);
    s.max = Math.max(s.max, v);
    // A floor on scales so a flat line followed by tiny noise is not infinitely surprising.
    const longSd = Math.sqrt(s.long.variance);
    const floor = Math.max(1e-2 * (s.max - s.min), 0.05 * longSd) + 1e-9;
    const seasonalResidual = seasonalUpdate(s.seasonal, t, v, o.seasonal);
    if (s.n === 1) {
      s.fast = v;
      s.short = v;
      ewUpdate(s.long, v, o.slowAlpha);
      return { score: 0 };
    }
    const previous = s.fast;
    const longMean = s.long.mean;
    const spikeResidual = Math.abs(v - s.fast);
    const zSpike = spikeResidual / Math.max(s.spikeScale, floor);
    let zPoint = zSpike;
    let zSeason = 0;
    const seasonResidual = seasonalResidual;
    if (!Number.isNaN(seasonResidual)) {
      zSeason = seasonResidual / Math.max(s.seasonScale, floor);
      zPoint = Math.min(zSpike, zSeason);
    }
    // Only a strongly periodic series is trusted to repeat itself without a step to announce it.
    const trusted =
      s.seasonal.acf >= o.seasonalAcf && s.seasonN >= o.seasonalWarm * s.seasonal.period;
    let zMissed = trusted ? zSeason * o.seasonalWeight : 0;
    if (zMissed < o.seasonalMin) zMissed = 0;
    s.short += o.shortAlpha * (v - s.short);
    const zLevel = Math.abs(s.short - s.long.mean) / Math.max(longSd, floor);

    s.fast += o.fastAlpha * (v - s.fast);
    s.spikeScale = updateScale(s.spikeScale, spikeResidual, o.slowAlpha, s.n - 1);
    if (!Number.isNaN(seasonResidual)) {
      s.seasonScale = updateScale(s.seasonScale, seasonResidual, o.slowAlpha, s.n);
      s.seasonN++;
    }
    ewUpdate(s.long, v, o.slowAlpha);

    s.shortAbs += o.volatilityAlpha * (spikeResidual - s.shortAbs);
    const zVolatility = s.shortAbs / Math.max(s.spikeScale, floor);
    let zKnn = 0;
    if (o.knnWeight > 0) {
      const x = (v - s.long.mean) / Math.max(Math.sqrt(s.long.variance), floor);
      zKnn = Math.sqrt(knnUpdate(s.knn, x, o.knn));
    }
    const z = Math.max(
      zPoint,
      zMissed,
      zLevel * o.levelWeight,
      zVolatility * o.volatilityWeight,
      zKnn * o.knnWeight,
    );
    const zz = likelihoodZ(s.surpriseStats, Math.min(z, o.surpriseCap), o.likelihoodAlpha);
    const novelty = contextUpdate(s.context, v);
    const gated = 1 - o.contextGate + o.contextGate * novelty;
    // Today's surprise joins the ring; the recurrence check (`damp`) reads only earlier slots.
    const head = s.zHead;
    s.zRing[head] = z;
    s.zHead = (head + 1) & (Z_RING - 1);
    const burst = o.eventWeight * eventZ(s, zSpike, o);
    let gap = 0;
    let beyond = 0;
    if (o.rangeWeight > 0) {
      gap = rangeUpdate(s.range, v, o.range);
      const news = rangeNews(s, gap / Math.max(s.spikeScale, floor), o);
      beyond = Math.min(o.rangeCap, o.rangeWeight * news);
    }
    const flat = o.flatZ > 0 && flatRunUpdate(s.flat, v, o.flat) ? o.flatZ : 0;
    const shifted = o.shiftWeight > 0 ? shiftNews(s, v, o) : 0;
    if (s.n < o.warmup || s.surpriseStats.n < o.likelihoodWarmup) return { score: 0 };
    // zz × damp counts only through max(0, …): with zz ≤ 0 (or NaN) and a finite damping ≥ 0 it
    // gives the same raw score whatever the recurrence says, so the look-up waits (for the explanation).
    const lazy = !(zz > 0) && this.recurrenceLazy && gated >= 0 && gated < Number.POSITIVE_INFINITY;
    const damped = lazy ? zz * gated : zz * this.damp(z, head, gated);
    const raw = Math.min(o.rawCap, Math.max(0, damped, burst, beyond, shifted, flat));
    let suppressed = raw > s.peak ? raw : raw * o.suppressFactor;
    s.peak = Math.max(s.peak * o.suppressDecay, raw);
    if (s.quiet > 0) {
      s.quiet--;
      suppressed *= o.suppressFactor;
    } else if (raw >= o.alertZ) s.quiet = o.quietPoints;
    else if (o.refractoryZ > 0 && raw >= o.refractoryZ) s.quiet = o.refractoryPoints;
    const score = suppressed / (suppressed + 4);
    if (score < 0.5) return { score };
    // Rare: built in a method of its own, so reaching it the first time does not throw away the
    // compiled update (one call with no feedback yet rather than a dozen fresh property reads).
    return this.explainScore(
      score,
      v,
      previous,
      longMean,
      zSpike,
      zPoint,
      zLevel,
      zVolatility,
      zKnn,
      zMissed,
      zz,
      lazy,
      damped,
      z,
      head,
      gated,
      burst,
      beyond,
      gap,
      flat,
      shifted,
    );
  }

  private explainScore(
    score: number,
    v: number,
    previous: number,
    longMean: number,
    zSpike: number,
    zPoint: number,
    zLevel: number,
    zVolatility: number,
    zKnn: number,
    zMissed: number,
    zz: number,
    lazy: boolean,
    damped: number,
    z: number,
    head: number,
    gated: number,
    burst: number,
    beyond: number,
    gap: number,
    flat: number,
    shifted: number,
  ): DetectorOutput {
    const o = this.o;
    return explained(this.s, o, score, {
      v,
      previous,
      longMean,
      zSpike,
      zPoint,
      zLevel: zLevel * o.levelWeight,
      zVolatility: zVolatility * o.volatilityWeight,
      zKnn: zKnn * o.knnWeight,
      zMissed,
      zz,
      damped: lazy ? zz * this.damp(z, head, gated) : damped,
      burst,
      beyond,
      gap,
      flat,
      shifted,
    });
  }

  /**
   * A detector with the same options and an independent copy of this one's state: it scores
   * every further point as a snapshot() + restore() copy would, at a fraction of the cost.
   */
  clone(): EnsembleDetector {
    const copy = new EnsembleDetector(this.o);
    copy.s = cloneState(this.s);
    return copy;
  }

  snapshot(): unknown {
    const s = this.s;
    return {
      ...structuredClone({
        ...s,
        context: null,
        range: null,
        knn: null,
        seasonal: null,
        zRing: null,
      }),
      context: contextToJson(s.context),
      knn: knnToJson(s.knn),
      seasonal: seasonalToJson(s.seasonal),
      zRing: Array.from(s.zRing),
      range: rangeToJson(s.range),
    };
  }

  restore(state: unknown): void {
    if (typeof state !== "object" || state === null || !("seasonal" in state)) {
      throw new OpsloopError("invalid_input", "not an ensemble detector snapshot");
    }
    const copy = structuredClone(state) as Omit<State, "zRing"> & {
      zRing?: ArrayLike<number | null>;
    };
    const zRing = new Float64Array(Z_RING);
    // Older snapshots hold the surprises written so far; JSON turns NaN into null, read as 0.
    if (copy.zRing) for (let i = 0; i < copy.zRing.length; i++) zRing[i] = copy.zRing[i] ?? 0;
    // Snapshots from before a state field existed restore it at its initial value.
    this.s = {
      ...newState(),
      ...copy,
      zRing,
      context: contextFromJson(copy.context),
      knn: copy.knn ? knnFromJson(copy.knn) : newKnnState(),
      seasonal: seasonalFromJson(copy.seasonal),
      range: copy.range ? rangeFromJson(copy.range) : newRangeState(),
    };
  }
}
