import { OpsloopError } from "../core/errors.ts";
import { type BacktestScore, backtest } from "./backtest.ts";
import { candidatePool } from "./candidates.ts";
import { normalQuantile, stepSigmas } from "./intervals.ts";
import { detectPeriods } from "./periodicity.ts";

export interface ForecastOptions {
  horizon: number;
  /** Seasonal period in samples; detected from the data when omitted. */
  period?: number;
  /** Prediction-interval coverage in percent (default 95). */
  level?: number;
  /** Rolling-origin backtest origins used for model selection (default 6). */
  origins?: number;
  /** How many of the best backtested models are averaged (default 2, chosen on a validation split of M4 Hourly). */
  combine?: number;
}

export interface ForecastResult {
  mean: number[];
  lower: number[];
  upper: number[];
  /** The chosen model(s), e.g. "mean(snaive-24, mstl-log-none-24+168-c2+4)". */
  model: string;
  periods: number[];
}

function validate(series: readonly number[], opts: ForecastOptions): void {
  if (!Number.isInteger(opts.horizon) || opts.horizon < 1) {
    throw new OpsloopError(
      "invalid_input",
      `horizon must be a positive integer, got ${opts.horizon}`,
    );
  }
  if (series.length < 3) {
    throw new OpsloopError("invalid_input", `need at least 3 observations, got ${series.length}`);
  }
  const bad = series.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) throw new OpsloopError("invalid_input", `value ${bad} is not a finite number`);
  const level = opts.level ?? 95;
  if (!(level > 0 && level < 100)) {
    throw new OpsloopError("invalid_input", `level must be in (0, 100), got ${level}`);
  }
  if (opts.period !== undefined && (!Number.isInteger(opts.period) || opts.period < 1)) {
    throw new OpsloopError(
      "invalid_input",
      `period must be a positive integer, got ${opts.period}`,
    );
  }
}

/** Hourly operational data with a daily cycle very often also carry a weekly one. */
function seasonalPeriods(series: readonly number[], period: number | undefined): number[] {
  if (period === undefined) return series.length < 16 ? [] : detectPeriods(series).periods;
  if (period === 1) return [];
  const out = [period];
  if (period === 24 && series.length >= 3 * 168) out.push(168);
  return out;
}

/**
 * Forecast `horizon` steps: backtest a small pool (seasonal naive, multi-seasonal
 * decomposition + ETS, Theta) on rolling origins of the series' own history, average the best
 * `combine`, and derive intervals from the combination's backtest errors.
 */
export function forecast(series: readonly number[], opts: ForecastOptions): ForecastResult {
  validate(series, opts);
  const { horizon } = opts;
  const periods = seasonalPeriods(series, opts.period);
  const scores = backtest(
    series,
    horizon,
    candidatePool(periods),
    opts.origins ?? 6,
    periods[0] ?? 1,
  );
  const chosen = scores.slice(0, Math.max(1, opts.combine ?? 2));
  if (chosen.length === 0) {
    throw new OpsloopError(
      "invalid_input",
      `series of ${series.length} values is too short to backtest h=${horizon}`,
    );
  }
  const fits = chosen.map((s) => s.candidate.predict(series, horizon));
  const mean =
    fits[0]?.map((_, h) => fits.reduce((a, f) => a + (f[h] as number), 0) / fits.length) ?? [];
  const sig = stepSigmas(combinedErrors(chosen), horizon);
  const z = normalQuantile(0.5 + (opts.level ?? 95) / 200);
  const names = chosen.map((s) => s.candidate.name);
  return {
    mean,
    lower: mean.map((m, h) => m - z * (sig[h] as number)),
    upper: mean.map((m, h) => m + z * (sig[h] as number)),
    model: names.length === 1 ? (names[0] as string) : `mean(${names.join(", ")})`,
    periods,
  };
}

/** Errors of the averaged forecast, on the origins every chosen model was scored on. */
function combinedErrors(chosen: readonly BacktestScore[]): number[][] {
  const origins = Math.min(...chosen.map((s) => s.errors.length));
  const out: number[][] = [];
  for (let k = 0; k < origins; k++) {
    const rows = chosen.map((s) => s.errors[k] as number[]);
    out.push(
      (rows[0] as number[]).map(
        (_, h) => rows.reduce((a, r) => a + (r[h] as number), 0) / rows.length,
      ),
    );
  }
  return out;
}
