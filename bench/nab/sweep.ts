// Coordinate sweep over EnsembleDetector options on DEV: SWEEP='{"key":[v1,v2]}' node bench/nab/sweep.ts
// Scores each value of each key on its own against BASE (default: the current defaults).
import { loadCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { detectorScores } from "./detector-scores.ts";

const base = JSON.parse(process.env.BASE ?? "{}");
const grid: Record<string, unknown[]> = JSON.parse(process.env.SWEEP ?? "{}");
const c = loadCorpus();

function run(opts: Record<string, unknown>): string {
  const m = detectorScores(c, opts);
  const r = scoreCorpus(c, m);
  return Object.values(r)
    .map((x) => x.normalised.toFixed(2))
    .join(" / ");
}

console.log("base", run(base));
for (const [k, values] of Object.entries(grid)) {
  for (const v of values) console.log(k, JSON.stringify(v), run({ ...base, [k]: v }));
}
