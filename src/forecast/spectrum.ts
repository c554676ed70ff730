import FFT from "fft.js";

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/**
 * Circular autocorrelation r(k) = Σ x_t·x_{(t+k) mod n} / Σ x_t², the form Crane's FindPeriod
 * uses. fft.js needs power-of-two sizes, so the linear autocorrelation is computed with zero
 * padding (Wiener–Khinchin) and folded: circular(k) = linear(k) + linear(n−k).
 */
export function circularAutocorrelation(values: readonly number[]): number[] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const size = nextPow2(2 * n);
  const fft = new FFT(size);
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) input[i] = (values[i] as number) - mean;
  const spec = fft.createComplexArray();
  fft.realTransform(spec, input);
  fft.completeSpectrum(spec);
  for (let i = 0; i < size; i++) {
    const re = spec[2 * i] as number;
    const im = spec[2 * i + 1] as number;
    spec[2 * i] = re * re + im * im;
    spec[2 * i + 1] = 0;
  }
  const back = fft.createComplexArray();
  fft.inverseTransform(back, spec);
  const lin = (k: number) => back[2 * k] as number;
  const c0 = lin(0);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(c0 === 0 ? 0 : (lin(k) + (k === 0 ? 0 : lin(n - k))) / c0);
  return out;
}

/** Periodogram |X_k|² at the exact Fourier frequencies k/n, k = 1..⌊n/2⌋ (direct DFT). */
export function periodogram(values: readonly number[]): number[] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const x = values.map((v) => v - mean);
  const cos = Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * j) / n));
  const sin = Array.from({ length: n }, (_, j) => Math.sin((2 * Math.PI * j) / n));
  const out: number[] = [0];
  for (let k = 1; k <= Math.floor(n / 2); k++) {
    let re = 0;
    let im = 0;
    let j = 0;
    for (let t = 0; t < n; t++) {
      re += (x[t] as number) * (cos[j] as number);
      im -= (x[t] as number) * (sin[j] as number);
      j += k;
      if (j >= n) j -= n;
    }
    out.push(re * re + im * im);
  }
  return out;
}
