/**
 * Nelder–Mead simplex minimiser on an unconstrained space; callers map parameters into their
 * feasible ranges (logistic transforms), the way forecast::ets bounds its smoothing weights.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: { step?: number; maxIter?: number; tol?: number } = {},
): { x: number[]; fx: number } {
  const n = start.length;
  const step = options.step ?? 0.5;
  const maxIter = options.maxIter ?? 200 * n;
  const tol = options.tol ?? 1e-8;
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] = (p[i] as number) + step;
    simplex.push(p);
  }
  let values = simplex.map(f);
  for (let iter = 0; iter < maxIter; iter++) {
    const order = values
      .map((_, i) => i)
      .sort((a, b) => (values[a] as number) - (values[b] as number));
    simplex = order.map((i) => simplex[i] as number[]);
    values = order.map((i) => values[i] as number);
    const best = values[0] as number;
    const worst = values[n] as number;
    if (Math.abs(worst - best) <= tol * (Math.abs(best) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        centroid[j] = (centroid[j] as number) + (simplex[i]?.[j] as number) / n;
    const towards = (t: number) =>
      centroid.map((c, j) => c + t * ((simplex[n]?.[j] as number) - c));
    const reflected = towards(-1);
    const fr = f(reflected);
    if (fr < best) {
      const expanded = towards(-2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < (values[n - 1] as number)) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < worst ? towards(-0.5) : towards(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, worst)) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        const b = simplex[0] as number[];
        for (let i = 1; i <= n; i++) {
          simplex[i] = (simplex[i] as number[]).map(
            (v, j) => (b[j] as number) + 0.5 * (v - (b[j] as number)),
          );
          values[i] = f(simplex[i] as number[]);
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if ((values[i] as number) < (values[bi] as number)) bi = i;
  return { x: simplex[bi] as number[], fx: values[bi] as number };
}

export const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Golden-section search for a unimodal function on [a, b]. */
export function goldenSection(f: (x: number) => number, a: number, b: number, tol = 1e-6): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
