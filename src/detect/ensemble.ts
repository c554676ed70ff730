/**
 * opsloop's default streaming detector: robust residual z-scores from three baselines (a fast
 * EWMA for spikes, the value one season ago when a daily/weekly period is found, and a short vs
 * long mean for level shifts), an anomaly-likelihood stage (is the recent mean surprise unusual
 * against this series' own long-run surprise?) and a suppression memory so one incident scores
 * high once rather than as a burst. O(1) amortised per point; state is plain JSON.
 */
import { OpsloopError } from "../core/errors.ts";
import {
  newSeasonalState,
  SEASONAL_DEFAULTS,
  type SeasonalState,
  seasonalUpdate,
} from "./seasonal-baseline.ts";
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
  /** Weight of the surprise average and of its long-run distribution. */
  surpriseAlpha: number;
  likelihoodAlpha: number;
  /** Per-point decay of the suppression memory (0.999 ≈ a half-life of 700 points). */
  suppressDecay: number;
  /** Scores not above the remembered peak are multiplied by this. */
  suppressFactor: number;
  /** Score the likelihood of the surprise (true) or the surprise itself (false). */
  likelihood: boolean;
  /** Surprise z is squashed to z/(z+c) so one huge spike can't dominate the long-run statistics. */
  squash: number;
  /** Points of likelihood statistics needed before scoring. */
  likelihoodWarmup: number;
}

export const ENSEMBLE_DEFAULTS: EnsembleOptions = {
  warmup: 30,
  fastAlpha: 1,
  slowAlpha: 0.01,
  shortAlpha: 0.3,
  surpriseAlpha: 1,
  likelihoodAlpha: 0.003,
  suppressDecay: 0.999,
  suppressFactor: 0.5,
  likelihood: true,
  squash: 0,
  likelihoodWarmup: 250,
};

interface State {
  n: number;
  fast: number;
  spikeScale: number;
  seasonScale: number;
  long: EwStats;
  short: number;
  surprise: number;
  surpriseStats: EwStats;
  peak: number;
  seasonal: SeasonalState;
  min: number;
  max: number;
}

function newState(): State {
  return {
    n: 0,
    fast: 0,
    spikeScale: 0,
    seasonScale: 0,
    long: newEwStats(),
    short: 0,
    surprise: 0,
    surpriseStats: newEwStats(),
    peak: 0,
    seasonal: newSeasonalState(),
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
  };
}

/** Robust residual scale: mean absolute residual, with each residual capped so outliers can't inflate it. */
function updateScale(scale: number, residual: number, alpha: number, n: number): number {
  const capped = scale > 0 ? Math.min(residual, 5 * scale) : residual;
  const a = Math.max(alpha, 1 / n);
  return scale + a * (capped - scale);
}

export class EnsembleDetector implements StreamingDetector {
  private readonly o: EnsembleOptions;
  private s: State = newState();
  constructor(options: Partial<EnsembleOptions> = {}) {
    this.o = { ...ENSEMBLE_DEFAULTS, ...options };
  }

  update(t: number, v: number): DetectorOutput {
    const s = this.s;
    const o = this.o;
    s.n++;
    s.min = Math.min(s.min, v);
    s.max = Math.max(s.max, v);
    // A floor on scales so a flat line followed by tiny noise is not infinitely surprising.
    const floor = Math.max(1e-2 * (s.max - s.min), 0.05 * Math.sqrt(s.long.variance)) + 1e-9;
    const seasonalPrediction = seasonalUpdate(s.seasonal, t, v, SEASONAL_DEFAULTS);
    if (s.n === 1) {
      s.fast = v;
      s.short = v;
      ewUpdate(s.long, v, o.slowAlpha);
      return { score: 0 };
    }
    const spikeResidual = Math.abs(v - s.fast);
    const zSpike = spikeResidual / Math.max(s.spikeScale, floor);
    let zPoint = zSpike;
    let seasonResidual = Number.NaN;
    if (!Number.isNaN(seasonalPrediction)) {
      seasonResidual = Math.abs(v - seasonalPrediction);
      zPoint = Math.min(zSpike, seasonResidual / Math.max(s.seasonScale, floor));
    }
    s.short += o.shortAlpha * (v - s.short);
    const zLevel = Math.abs(s.short - s.long.mean) / Math.max(Math.sqrt(s.long.variance), floor);
    const z = Math.max(zPoint, zLevel / 3);

    s.fast += o.fastAlpha * (v - s.fast);
    s.spikeScale = updateScale(s.spikeScale, spikeResidual, o.slowAlpha, s.n - 1);
    if (!Number.isNaN(seasonResidual)) {
      s.seasonScale = updateScale(s.seasonScale, seasonResidual, o.slowAlpha, s.n);
    }
    ewUpdate(s.long, v, o.slowAlpha);

    const r = o.squash > 0 ? z / (z + o.squash) : z;
    s.surprise += o.surpriseAlpha * (r - s.surprise);
    const lik = s.surpriseStats;
    const zz = (s.surprise - lik.mean) / Math.max(Math.sqrt(lik.variance), 0.01);
    ewUpdate(lik, s.surprise, o.likelihoodAlpha);
    if (s.n < o.warmup || lik.n < o.likelihoodWarmup) return { score: 0 };
    const raw = o.likelihood ? Math.max(0, zz) : z;
    const suppressed = raw > s.peak ? raw : raw * o.suppressFactor;
    s.peak = Math.max(s.peak * o.suppressDecay, raw);
    const score = suppressed / (suppressed + 4);
    return score >= 0.5 ? { score, explanation: this.explain(zSpike, zPoint, zLevel) } : { score };
  }

  private explain(zSpike: number, zPoint: number, zLevel: number): string {
    const parts: string[] = [];
    if (zLevel / 3 >= zPoint)
      parts.push(`level shifted ${zLevel.toFixed(1)}σ from its long-run mean`);
    else if (zPoint < zSpike)
      parts.push(
        `value is ${zPoint.toFixed(1)}× the usual deviation from the same time one season ago`,
      );
    else parts.push(`value jumped ${zSpike.toFixed(1)}× the usual point-to-point change`);
    return `${parts.join("; ")} (unusual for this series)`;
  }

  snapshot(): unknown {
    return structuredClone(this.s);
  }

  restore(state: unknown): void {
    if (typeof state !== "object" || state === null || !("seasonal" in state)) {
      throw new OpsloopError("invalid_input", "not an ensemble detector snapshot");
    }
    this.s = structuredClone(state as State);
  }
}
