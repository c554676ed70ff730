import { m4SeasonalAdjustment } from "../decompose.ts";
import { fitSes } from "./ets.ts";

/**
 * The M4 benchmark "Theta" (classic Theta, Assimakopoulos & Nikolopoulos 2000) exactly as the
 * organisers' R code runs it: seasonal adjustment by the 90% ACF test and multiplicative
 * decomposition, then the mean of the θ=0 line (linear regression on time) and SES on the
 * θ=2 line, re-seasonalised.
 */
export function thetaM4(series: readonly number[], horizon: number, period: number): number[] {
  const { adjusted, outIndices } = m4SeasonalAdjustment(series, period, horizon);
  const n = adjusted.length;
  const xm = (n + 1) / 2;
  const ym = adjusted.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t + 1 - xm) * ((adjusted[t] as number) - ym);
    sxx += (t + 1 - xm) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const line0 = (t: number) => ym + slope * (t - xm);
  const theta2 = adjusted.map((v, t) => 2 * v - line0(t + 1));
  const ses = fitSes(theta2);
  return outIndices.map((si, h) => (0.5 * ses.level + 0.5 * line0(n + h + 1)) * si);
}

/** M4 "Naive2": the last seasonally adjusted value, re-seasonalised. */
export function naive2(series: readonly number[], horizon: number, period: number): number[] {
  const { adjusted, outIndices } = m4SeasonalAdjustment(series, period, horizon);
  const last = adjusted[adjusted.length - 1] as number;
  return outIndices.map((si) => last * si);
}
