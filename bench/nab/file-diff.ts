// Per-file attribution of a change over shifted stream starts: each run's raw standard score per
// file at that run's own corpus threshold, variant minus base, for every shift and summed.
// SHIFTS='[0,1,2,3,5]' BASE='{}' OPTS='{"rangeWeight":0}' node bench/nab/file-diff.ts
import { loadCorpus, type NabCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { calcSweepScore, scoreAtThreshold } from "../../src/detect/nab/sweeper.ts";
import { detectorScores } from "./detector-scores.ts";
import { shiftedCorpus } from "./shifted.ts";

const shifts: number[] = JSON.parse(process.env.SHIFTS ?? "[0,1,2,3,5]");
const base = JSON.parse(process.env.BASE ?? "{}");
const opts = JSON.parse(process.env.OPTS ?? "{}");
const full = loadCorpus();

function perFile(c: NabCorpus, o: object): Map<string, number> {
  const m = detectorScores(c, o);
  const th = scoreCorpus(c, m).standard.threshold;
  const cost = c.profiles.standard;
  const out = new Map<string, number>();
  for (const f of c.files) {
    const pts = calcSweepScore(m.get(f.key) ?? [], f.windows, cost, f.key);
    out.set(f.key, scoreAtThreshold(pts, th, cost).score);
  }
  return out;
}

const rows = new Map<string, number[]>();
for (const pct of shifts) {
  const c = shiftedCorpus(full, pct);
  const a = perFile(c, base);
  const b = perFile(c, opts);
  for (const f of c.files) {
    const row = rows.get(f.key) ?? [];
    row.push((b.get(f.key) ?? 0) - (a.get(f.key) ?? 0));
    rows.set(f.key, row);
  }
}
console.log(`file  shifts ${JSON.stringify(shifts)}  sum`);
for (const [k, row] of [...rows].sort((x, y) => sum(y[1]) - sum(x[1]))) {
  if (row.every((x) => Math.abs(x) < 0.005)) continue;
  console.log(
    `${k.padEnd(58)} ${row.map((x) => x.toFixed(2).padStart(6)).join(" ")}  ${sum(row).toFixed(2)}`,
  );
}
function sum(r: number[]): number {
  return r.reduce((s, x) => s + x, 0);
}
