import { goldenSection, logistic, nelderMead } from "../optim.ts";

export interface SesFit {
  alpha: number;
  level: number;
  fitted: number[];
  sse: number;
}

/**
 * Simple exponential smoothing, ETS(A,N,N), fitted by least squares as forecast::ses does
 * (for additive errors the likelihood is monotone in the SSE). The one-step errors are linear
 * in the initial level, so for a given alpha the best l0 has a closed form.
 */
export function fitSes(y: readonly number[]): SesFit {
  const run = (alpha: number, l0: number) => {
    let l = l0;
    let sse = 0;
    const fitted: number[] = [];
    for (const v of y) {
      fitted.push(l);
      sse += (v - l) ** 2;
      l += alpha * (v - l);
    }
    return { level: l, fitted, sse };
  };
  const bestL0 = (alpha: number) => {
    // e_t = c_t − (1−α)^t·l0 where c_t are the errors with l0 = 0.
    const c = run(alpha, 0).fitted.map((f, t) => (y[t] as number) - f);
    let num = 0;
    let den = 0;
    let w = 1;
    for (const ct of c) {
      num += ct * w;
      den += w * w;
      w *= 1 - alpha;
    }
    return num / den;
  };
  const alpha = goldenSection((a) => run(a, bestL0(a)).sse, 1e-4, 0.9999, 1e-7);
  const r = run(alpha, bestL0(alpha));
  return { alpha, ...r };
}

export interface DampedFit {
  forecast: (h: number) => number[];
  residuals: number[];
}

/** Additive damped-trend Holt, ETS(A,Ad,N), least squares over (α, β, φ) with heuristic seeds. */
export function fitDampedHolt(y: readonly number[]): DampedFit {
  const k = Math.min(10, y.length);
  const l0 = y.slice(0, k).reduce((a, b) => a + b, 0) / k;
  const b0 = y.length > 1 ? ((y[k - 1] as number) - (y[0] as number)) / Math.max(1, k - 1) : 0;
  const params = (p: number[]) => {
    const alpha = 0.0001 + 0.9998 * logistic(p[0] as number);
    const beta = alpha * (0.0001 + 0.9998 * logistic(p[1] as number));
    const phi = 0.8 + 0.18 * logistic(p[2] as number);
    return { alpha, beta, phi };
  };
  const run = (p: number[]) => {
    const { alpha, beta, phi } = params(p);
    let l = l0;
    let b = b0;
    let sse = 0;
    const residuals: number[] = [];
    for (const v of y) {
      const e = v - (l + phi * b);
      residuals.push(e);
      sse += e * e;
      const lNew = l + phi * b + alpha * e;
      b = phi * b + beta * e;
      l = lNew;
    }
    return { l, b, sse, residuals, phi };
  };
  const best = nelderMead((p) => run(p).sse, [-1, -2, 1], { maxIter: 300 });
  const r = run(best.x);
  return {
    residuals: r.residuals,
    forecast: (h) => {
      const out: number[] = [];
      let damp = 0;
      let pw = 1;
      for (let i = 0; i < h; i++) {
        pw *= r.phi;
        damp += pw;
        out.push(r.l + damp * r.b);
      }
      return out;
    },
  };
}
