/** Kubernetes resource quantities ("100m", "128Mi", "1.5", "2G") to numbers and back. */
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Parses a quantity to its base unit (cores, bytes). Throws on malformed input. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null || q === "") return 0;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new Error(`invalid quantity "${q}"`);
  const n = Number(m[1]);
  const suffix = m[2] ?? "";
  const mult = BINARY[suffix] ?? DECIMAL[suffix];
  if (mult === undefined || Number.isNaN(n)) throw new Error(`invalid quantity "${q}"`);
  return n * mult;
}

/** CPU cores as millicores, e.g. "250m" or "0.25" → 250. */
export function milliCores(q: string | number | undefined | null): number {
  return Math.round(parseQuantity(q) * 1000);
}

export function formatMilli(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${Math.round(m)}m`;
}

export function formatBytes(bytes: number): string {
  for (const [suffix, mult] of [
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (bytes >= mult && bytes % mult === 0) return `${bytes / mult}${suffix}`;
  }
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)}Mi`;
  return String(Math.round(bytes));
}
