// Where the points are lost: per window (found? first detection's position and weight, best weight,
// best score inside) and per file FP rows, at the corpus-optimal standard threshold.
// OPTS='{"key":value}' node bench/nab/losses.ts
import { loadCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { calcSweepScore, probationaryLength } from "../../src/detect/nab/sweeper.ts";
import { detectorScores } from "./detector-scores.ts";

const opts = JSON.parse(process.env.OPTS ?? "{}");
const c = loadCorpus();
const m = detectorScores(c, opts);
const r = scoreCorpus(c, m);
const th = r.standard.threshold;
console.log("standard", r.standard.normalised.toFixed(2), "threshold", th);
let lostFn = 0;
let lostLate = 0;
let lostFp = 0;
for (const f of c.files) {
  const sc = m.get(f.key) ?? [];
  const pts = calcSweepScore(sc, f.windows, c.profiles.standard, f.key);
  const p = probationaryLength(sc.length);
  const lines: string[] = [];
  for (const [l, rr] of f.windows) {
    let first = -1;
    let best = Number.NEGATIVE_INFINITY;
    let maxScore = 0;
    let maxAt = -1;
    for (let i = Math.max(l, p); i <= rr; i++) {
      const s = sc[i] ?? 0;
      if (s > maxScore) {
        maxScore = s;
        maxAt = i;
      }
      if (s >= th) {
        if (first < 0) first = i;
        best = Math.max(best, pts[i]?.sweepScore ?? 0);
      }
    }
    if (first < 0) {
      lostFn += 2;
      lines.push(`  MISS [${l},${rr}] w${rr - l + 1} max ${maxScore.toFixed(3)} at +${maxAt - l}`);
    } else {
      lostLate += 1 - best;
      lines.push(`  hit  [${l},${rr}] first +${first - l} weight ${best.toFixed(2)}`);
    }
  }
  const fps: string[] = [];
  let fpCost = 0;
  for (let i = p; i < sc.length; i++) {
    const q = pts[i];
    if (q && q.windowName === null && (sc[i] ?? 0) >= th) {
      fps.push(`${i}(${(sc[i] ?? 0).toFixed(2)},${q.sweepScore.toFixed(2)})`);
      fpCost -= q.sweepScore;
    }
  }
  lostFp += fpCost;
  console.log(`${f.key} n=${sc.length} fpCost ${fpCost.toFixed(2)} FP: ${fps.join(" ")}`);
  for (const l of lines) console.log(l);
}
console.log(`lost: FN ${lostFn.toFixed(2)} late ${lostLate.toFixed(2)} FP ${lostFp.toFixed(2)}`);
