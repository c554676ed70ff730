// Robustness check: the same DEV files with every stream started later (the first SHIFT% of rows
// dropped, windows clipped to what is left), so warm-ups, bucket grids and probation fall elsewhere.
// Scores option sets side by side: SHIFTS='[0,5,10]' RUNS='[{"rangeWeight":0},{}]' node bench/nab/shift.ts
import { loadCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { detectorScores } from "./detector-scores.ts";
import { shiftedCorpus } from "./shifted.ts";

const shifts: number[] = JSON.parse(process.env.SHIFTS ?? "[0,3,6,9,12]");
const runs: Record<string, unknown>[] = JSON.parse(process.env.RUNS ?? '[{"rangeWeight":0},{}]');
const full = loadCorpus();

console.log(`shift%  ${runs.map((r) => JSON.stringify(r).padEnd(28)).join(" ")}`);
const sums = runs.map(() => [0, 0, 0]);
for (const pct of shifts) {
  const c = shiftedCorpus(full, pct);
  const cells = runs.map((opts, k) => {
    const m = detectorScores(c, opts);
    const r = scoreCorpus(c, m);
    Object.values(r).forEach((x, j) => {
      (sums[k] as number[])[j] = ((sums[k] as number[])[j] ?? 0) + x.normalised / shifts.length;
    });
    return Object.values(r)
      .map((x) => x.normalised.toFixed(2))
      .join(" / ")
      .padEnd(28);
  });
  console.log(`${String(pct).padStart(6)}  ${cells.join(" ")}`);
}
console.log(
  `  mean  ${sums
    .map((row) =>
      row
        .map((x) => x.toFixed(2))
        .join(" / ")
        .padEnd(28),
    )
    .join(" ")}`,
);
