/**
 * M4 Hourly benchmark: 414 series, h = 48, m = 24, scored with the competition's sMAPE, MASE
 * and OWA. `--every K` scores every K-th series (quick runs); `--validate` holds out the last
 * 48 training values instead of using the test part (for tuning without peeking).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadM4Hourly } from "../../src/forecast/datasets.ts";
import { forecast } from "../../src/forecast/forecast.ts";
import { coverage, mase, msis, owa, smape } from "../../src/forecast/metrics.ts";
import { seasonalNaive } from "../../src/forecast/models/seasonal-naive.ts";
import { naive2, thetaM4 } from "../../src/forecast/models/theta.ts";

const H = 48;
const M = 24;
type Point = { mean: number[]; lower?: number[]; upper?: number[] };
const methods: Record<string, (y: number[]) => Point> = {
  "sNaive (ours)": (y) => ({ mean: seasonalNaive(y, H, M) }),
  "Naive2 (ours)": (y) => ({ mean: naive2(y, H, M) }),
  "Theta (ours)": (y) => ({ mean: thetaM4(y, H, M) }),
  "opsloop default": (y) => forecast(y, { horizon: H, period: M, level: 95 }),
};
const published = [
  { method: "sNaive (published)", smape: 13.912, mase: 1.193 },
  { method: "Naive2 (published)", smape: 18.383, mase: 2.395 },
  { method: "Theta (published)", smape: 18.138, mase: 2.455 },
  { method: "Smyl ES-RNN, M4 winner (published)", smape: 9.328, mase: 0.893 },
  { method: "Doornik, best Hourly OWA (published)", smape: 8.913, mase: 0.801 },
];

const { values: args } = parseArgs({
  options: {
    every: { type: "string", default: "1" },
    validate: { type: "boolean", default: false },
  },
});
const every = Math.max(1, Number(args.every));
const series = loadM4Hourly()
  .filter((_, i) => i % every === 0)
  .map((s) =>
    args.validate ? { id: s.id, train: s.train.slice(0, -H), test: s.train.slice(-H) } : s,
  );

const rows = Object.entries(methods).map(([method, fn]) => {
  let s = 0;
  let m = 0;
  let is = 0;
  let cover = 0;
  const started = performance.now();
  for (const x of series) {
    const f = fn(x.train);
    s += smape(x.test, f.mean);
    m += mase(x.train, x.test, f.mean, M);
    if (f.lower && f.upper) {
      is += msis(x.train, x.test, f.lower, f.upper, M);
      cover += coverage(x.test, f.lower, f.upper);
    }
  }
  const msPerSeries = (performance.now() - started) / series.length;
  const n = series.length;
  const intervals = is > 0 ? { msis95: is / n, coverage95: cover / n } : {};
  return { method, smape: s / n, mase: m / n, msPerSeries, ...intervals };
});

const table = [
  ...rows.map((r) => ({ ...r, owa: owa(r.smape, r.mase) })),
  ...published.map((p) => ({ ...p, msPerSeries: Number.NaN, owa: owa(p.smape, p.mase) })),
];
console.log(
  `M4 Hourly, ${series.length} series${args.validate ? " (validation split)" : ""}, h=${H}, m=${M}`,
);
console.log(
  [
    "method".padEnd(38),
    "sMAPE".padStart(8),
    "MASE".padStart(7),
    "OWA".padStart(6),
    "ms/series".padStart(10),
  ].join(" "),
);
for (const r of table) {
  const ms = Number.isNaN(r.msPerSeries) ? "" : r.msPerSeries.toFixed(2);
  console.log(
    [
      r.method.padEnd(38),
      r.smape.toFixed(3).padStart(8),
      r.mase.toFixed(3).padStart(7),
      r.owa.toFixed(3).padStart(6),
      ms.padStart(10),
    ].join(" "),
  );
}
const dir = new URL("../results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`m4-hourly-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, dir);
writeFileSync(
  file,
  `${JSON.stringify({ series: series.length, every, validate: args.validate, horizon: H, period: M, results: table }, null, 2)}\n`,
);
for (const r of rows) {
  if (r.msis95 !== undefined) {
    console.log(
      `${r.method}: 95% intervals cover ${(100 * (r.coverage95 ?? 0)).toFixed(1)}% of test values, MSIS ${r.msis95.toFixed(3)}`,
    );
  }
}
console.log(`wrote ${file.pathname}`);
